// An orders API guarded by Tessera, on Hono (Node adapter).
//   TESSERA_ROOT_KEY=<root key with keys:verify> node examples/hono/server.js
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import { tessera } from '@tessera/sdk/hono';

const { requireApiKey, requireAccessToken } = tessera({
  baseUrl: process.env.TESSERA_URL ?? 'http://127.0.0.1:8080',
  rootKey: process.env.TESSERA_ROOT_KEY,
  algorithms: ['EdDSA', 'ES256'],
});

const app = new Hono();
app.get('/orders', requireApiKey({ scopes: 'orders:read' }), (c) =>
  c.json({ owner: c.get('tessera').ownerId, orders: [{ id: 1, total: 42 }] }),
);
app.get('/reports', requireAccessToken({ audience: 'https://orders.example', scopes: 'reports:read' }), (c) =>
  c.json({ for: c.get('tessera').subject, reports: [] }),
);

const port = Number(process.env.PORT ?? 3000);
serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, () => console.log(`orders API (Hono) on http://127.0.0.1:${port}`));
