// An orders API guarded by Tessera, on Express.
//   TESSERA_ROOT_KEY=<root key with keys:verify> node examples/express/server.js
import express from 'express';
import { tessera } from '@tessera/sdk/express';

const { requireApiKey, requireAccessToken } = tessera({
  baseUrl: process.env.TESSERA_URL ?? 'http://127.0.0.1:8080',
  rootKey: process.env.TESSERA_ROOT_KEY,
  algorithms: ['EdDSA', 'ES256'],
});

const app = express();
app.get('/orders', requireApiKey({ scopes: 'orders:read' }), (req, res) => {
  res.json({ owner: req.tessera.ownerId, orders: [{ id: 1, total: 42 }] });
});
app.get('/reports', requireAccessToken({ audience: 'https://orders.example', scopes: 'reports:read' }), (req, res) => {
  res.json({ for: req.tessera.subject, reports: [] });
});

const port = Number(process.env.PORT ?? 3000);
app.listen(port, '127.0.0.1', () => console.log(`orders API (Express) on http://127.0.0.1:${port}`));
