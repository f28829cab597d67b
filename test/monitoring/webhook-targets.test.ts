import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * Webhooks as an SSRF and port-scan tool: an administrator with `webhooks:manage` must not reach
 * the server's own network (loopback, link-local cloud metadata, private ranges) through
 * deliveries, nor learn from the delivery log which internal ports are open.
 */
const INTERNAL = [
  'https://127.0.0.1:6379/',
  'https://[::1]/',
  'https://169.254.169.254/latest/meta-data/',
  'https://10.0.0.5/',
  'https://172.16.0.1/',
  'https://192.168.1.1/',
  'https://100.64.0.1/',
  'https://0.0.0.0/',
  'https://224.0.0.1/',
  'https://255.255.255.255/',
  'https://[fc00::1]/',
  'https://[fe80::1]/',
  'https://[::ffff:127.0.0.1]/',
  'https://[::127.0.0.1]/',
  'https://[64:ff9b::a9fe:a9fe]/', // NAT64 form of 169.254.169.254
  'https://0x7f000001/', // 127.0.0.1, as the URL parser reads it
  'https://localhost/',
  'https://hooks.localhost/',
];

async function listen(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; port: number }> {
  const server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port };
}

describe.each(DIALECTS)('webhook targets, by default (%s)', (dialect) => {
  let s: TestServer;
  let received = 0;
  let receiver: { server: Server; port: number };
  beforeAll(async () => {
    s = await startTestServer(dialect);
    receiver = await listen((req, res) => {
      received++;
      req.resume();
      res.writeHead(204).end();
    });
  });
  afterAll(async () => {
    await s.close();
    receiver.server.close();
  });

  it('refuses loopback, link-local, private, CGNAT, unspecified, multicast and broadcast targets, in every spelling', async () => {
    for (const url of INTERNAL) {
      const r = await s.api('POST', '/v1/webhooks', { url, events: ['*'] });
      expect([url, r.status, r.body.code]).toEqual([url, 400, 'VALIDATION_FAILED']);
    }
    expect((await s.api('GET', '/v1/webhooks')).body.items).toEqual([]);
  });

  it('requires https, and accepts a public address', async () => {
    const plain = await s.api('POST', '/v1/webhooks', { url: 'http://93.184.215.14/hooks', events: ['*'] });
    expect([plain.status, plain.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    expect(plain.body.detail).toContain('https');
    const ok = await s.api('POST', '/v1/webhooks', { url: 'https://93.184.215.14/hooks', events: ['*'], enabled: false });
    expect(ok.status).toBe(201);
    const moved = await s.api('PATCH', `/v1/webhooks/${ok.body.id}`, { url: 'https://[::1]:6379/' });
    expect([moved.status, moved.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    await s.api('DELETE', `/v1/webhooks/${ok.body.id}`);
  });

  it('checks again at delivery, after resolution: a stored target that is internal now is not contacted', async () => {
    const ok = await s.api('POST', '/v1/webhooks', { url: 'https://93.184.215.14/hooks', events: ['*'] });
    // As if the name had resolved to a public address when it was saved, and to loopback now.
    await sql`update webhooks set url = ${`https://localhost:${receiver.port}/`} where id = ${ok.body.id}`.execute(s.db.store.kysely);
    const d = await s.api('POST', `/v1/webhooks/${ok.body.id}/test`);
    expect(d.body).toMatchObject({ status: 'pending', responseStatus: null, lastError: 'target_not_allowed' });
    expect(received).toBe(0);
    await s.api('DELETE', `/v1/webhooks/${ok.body.id}`);
  });
});

describe.each(DIALECTS)('webhook targets, with private targets allowed (%s)', (dialect) => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer(dialect, { env: { TESSERA_WEBHOOKS_ALLOW_PRIVATE: 'true', TESSERA_WEBHOOKS_ALLOW_HTTP: 'true' } });
  });
  afterAll(() => s.close());

  it('shows the API a coarse class of failure, never the socket error; the server log keeps it', async () => {
    const closed = await listen(() => {});
    await new Promise((resolve) => closed.server.close(resolve));
    const hook = await s.api('POST', '/v1/webhooks', { url: `http://127.0.0.1:${closed.port}/`, events: ['*'] });
    expect(hook.status).toBe(201);
    const d = await s.api('POST', `/v1/webhooks/${hook.body.id}/test`);
    expect(d.body).toMatchObject({ status: 'pending', responseStatus: null, lastError: 'connection_failed' });
    expect(JSON.stringify(d.body)).not.toContain(String(closed.port));
    expect(s.logs.join('\n')).toContain(`ECONNREFUSED 127.0.0.1:${closed.port}`);
  });

  it('answers a receiver’s status as http_status, and does not follow a redirect', async () => {
    const redirecting = await listen((req, res) => {
      req.resume();
      res.writeHead(302, { location: 'http://169.254.169.254/' }).end();
    });
    try {
      const hook = await s.api('POST', '/v1/webhooks', { url: `http://127.0.0.1:${redirecting.port}/`, events: ['*'] });
      const d = await s.api('POST', `/v1/webhooks/${hook.body.id}/test`);
      expect(d.body).toMatchObject({ status: 'pending', responseStatus: 302, lastError: 'http_status' });
    } finally {
      redirecting.server.close();
    }
  });

  it('shows a delivery logged before this release by its class, not its raw error', async () => {
    const hook = await s.api('POST', '/v1/webhooks', { url: 'http://127.0.0.1:9/', events: ['*'], enabled: false });
    const d = await s.api('POST', `/v1/webhooks/${hook.body.id}/test`);
    await sql`update webhook_deliveries set last_error = ${'connect ECONNREFUSED 10.1.2.3:5432'} where id = ${d.body.id}`.execute(
      s.db.store.kysely,
    );
    const [listed] = (await s.api('GET', `/v1/webhooks/${hook.body.id}/deliveries`)).body.items;
    expect(listed.lastError).toBe('connection_failed');
  });
});
