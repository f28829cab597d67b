// An orders API guarded by Tessera, on Fastify.
//   TESSERA_ROOT_KEY=<root key with keys:verify> node examples/fastify/server.js
import Fastify from 'fastify';
import { tessera } from '@tessera/sdk/fastify';

const { requireApiKey, requireAccessToken } = tessera({
  baseUrl: process.env.TESSERA_URL ?? 'http://127.0.0.1:8080',
  rootKey: process.env.TESSERA_ROOT_KEY,
  algorithms: ['EdDSA', 'ES256'],
});

const app = Fastify({ logger: true });
app.get('/orders', { preHandler: requireApiKey({ scopes: 'orders:read' }) }, async (request) => ({
  owner: request.tessera.ownerId,
  orders: [{ id: 1, total: 42 }],
}));
app.get(
  '/reports',
  { preHandler: requireAccessToken({ audience: 'https://orders.example', scopes: 'reports:read' }) },
  async (request) => ({
    for: request.tessera.subject,
    reports: [],
  }),
);

await app.listen({ port: Number(process.env.PORT ?? 3000), host: '127.0.0.1' });
