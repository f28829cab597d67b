import { createServer, type AddressInfo } from 'node:net';
import type { Server as HttpServer } from 'node:http';
import { serve } from '@hono/node-server';
import express from 'express';
import Fastify from 'fastify';
import { Hono } from 'hono';
import { tessera as forExpress } from '@tessera/sdk/express';
import { tessera as forFastify } from '@tessera/sdk/fastify';
import { tessera as forHono, type TesseraVariables } from '@tessera/sdk/hono';
import type { GuardOptions } from '@tessera/sdk';

/** The API each framework serves in the contract suite, with the same routes and guards. */
export const AUDIENCE = 'https://orders.api.test';
export type Framework = 'fastify' | 'express' | 'hono';
export const FRAMEWORKS: Framework[] = ['fastify', 'express', 'hono'];

export interface RunningApp {
  url: string;
  close(): Promise<void>;
}

/** A port nobody listens on now, so the app's public URL (for DPoP `htu`) is known before it starts. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

export async function startApp(framework: Framework, guard: GuardOptions): Promise<RunningApp> {
  const port = await freePort();
  const options: GuardOptions = { publicUrl: `http://127.0.0.1:${port}`, ...guard };
  const token = { audience: AUDIENCE, scopes: 'orders:read' } as const;
  if (framework === 'fastify') {
    const { requireApiKey, requireAccessToken } = forFastify(options);
    const app = Fastify();
    app.get('/orders', { preHandler: requireApiKey({ scopes: 'orders:read' }) }, async (request) => request.tessera);
    app.get('/admin', { preHandler: requireApiKey({ scopes: ['orders:read', 'admin'] }) }, async (request) => request.tessera);
    app.get('/by-header', { preHandler: requireApiKey({ header: 'x-api-key' }) }, async (request) => request.tessera);
    app.get('/token', { preHandler: requireAccessToken(token) }, async (request) => request.tessera);
    app.get(
      '/token-admin',
      { preHandler: requireAccessToken({ audience: AUDIENCE, scopes: ['admin'] }) },
      async (request) => request.tessera,
    );
    app.get('/token-other', { preHandler: requireAccessToken({ audience: 'https://other.api.test' }) }, async (request) => request.tessera);
    app.get('/token-live', { preHandler: requireAccessToken({ ...token, introspect: true }) }, async (request) => request.tessera);
    await app.listen({ port, host: '127.0.0.1' });
    return { url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, close: () => app.close() };
  }
  if (framework === 'express') {
    const { requireApiKey, requireAccessToken } = forExpress(options);
    const app = express();
    app.get('/orders', requireApiKey({ scopes: 'orders:read' }), (req, res) => void res.json(req.tessera));
    app.get('/admin', requireApiKey({ scopes: ['orders:read', 'admin'] }), (req, res) => void res.json(req.tessera));
    app.get('/by-header', requireApiKey({ header: 'x-api-key' }), (req, res) => void res.json(req.tessera));
    app.get('/token', requireAccessToken(token), (req, res) => void res.json(req.tessera));
    app.get('/token-admin', requireAccessToken({ audience: AUDIENCE, scopes: ['admin'] }), (req, res) => void res.json(req.tessera));
    app.get('/token-other', requireAccessToken({ audience: 'https://other.api.test' }), (req, res) => void res.json(req.tessera));
    app.get('/token-live', requireAccessToken({ ...token, introspect: true }), (req, res) => void res.json(req.tessera));
    const server = await new Promise<HttpServer>((resolve) => {
      const s = app.listen(port, '127.0.0.1', () => resolve(s));
    });
    return {
      url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      close: () => new Promise((r) => (server.closeAllConnections(), server.close(() => r()))),
    };
  }
  const { requireApiKey, requireAccessToken } = forHono(options);
  const app = new Hono<TesseraVariables>();
  app.get('/orders', requireApiKey({ scopes: 'orders:read' }), (c) => c.json(c.get('tessera')));
  app.get('/admin', requireApiKey({ scopes: ['orders:read', 'admin'] }), (c) => c.json(c.get('tessera')));
  app.get('/by-header', requireApiKey({ header: 'x-api-key' }), (c) => c.json(c.get('tessera')));
  app.get('/token', requireAccessToken(token), (c) => c.json(c.get('tessera')));
  app.get('/token-admin', requireAccessToken({ audience: AUDIENCE, scopes: ['admin'] }), (c) => c.json(c.get('tessera')));
  app.get('/token-other', requireAccessToken({ audience: 'https://other.api.test' }), (c) => c.json(c.get('tessera')));
  app.get('/token-live', requireAccessToken({ ...token, introspect: true }), (c) => c.json(c.get('tessera')));
  const server = await new Promise<ReturnType<typeof serve>>((resolve) => {
    const s = serve({ fetch: app.fetch, port, hostname: '127.0.0.1' }, () => resolve(s));
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((r) => ((server as HttpServer).closeAllConnections?.(), server.close(() => r()))),
  };
}
