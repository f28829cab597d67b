import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { dpopKey, issueToken } from './support/dpop.js';
import { startCaddy, startNginx, startUpstream, type RunningGateway } from './support/gateways.js';

/**
 * A real NGINX and a real Caddy, with the configurations shipped in examples/gateways/, in front
 * of a small API on loopback, asking a real Tessera whether each request may pass.
 */
let tessera: TestServer;
let upstream: Awaited<ReturnType<typeof startUpstream>>;
const gateways: Record<string, RunningGateway> = {};
let keyspaceId: string;
let reader: { keyId: string; key: string };
let elsewhere: { keyId: string; key: string };
const limited: Record<string, { keyId: string; key: string }> = {};
let token: { value: string; clientId: string };
let bound: { value: string; sign: Awaited<ReturnType<typeof dpopKey>> };

beforeAll(async () => {
  tessera = await startTestServer('sqlite');
  upstream = await startUpstream();
  keyspaceId = (await tessera.api('POST', '/v1/keyspaces', { name: 'orders api', prefix: 'ord' })).body.id;
  const gatewayKey = (await tessera.api('POST', '/v1/root-keys', { name: 'gateways', permissions: ['keys:verify'] })).body.key;
  await tessera.api('PUT', `/v1/keyspaces/${keyspaceId}/gateway-routes`, {
    rules: [
      { methods: ['GET'], path: '/orders/**', scopes: 'orders:read' },
      { methods: ['POST'], path: '/orders/*', scopes: 'orders:write' },
      { path: '/status' },
    ],
    audience: 'https://orders.example',
  });
  const client = (
    await tessera.api('POST', '/v1/oauth/clients', { name: 'orders app', scopes: ['orders:read'], audience: ['https://orders.example'] })
  ).body;
  const issued = await fetch(`${tessera.url}/oauth/token`, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: 'Basic ' + Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64'),
    },
    body: 'grant_type=client_credentials',
  });
  token = { value: ((await issued.json()) as { access_token: string }).access_token, clientId: client.clientId };
  const sign = await dpopKey();
  bound = { value: await issueToken(tessera.url, client, sign), sign };
  const key = async (body: object) => (await tessera.api('POST', '/v1/keys', { keyspaceId, ...body })).body;
  reader = await key({ ownerId: 'acme', scopes: ['orders:read'], ipAllowlist: ['127.0.0.0/8'] });
  elsewhere = await key({ scopes: ['orders:read'], ipAllowlist: ['10.0.0.0/8'] });
  for (const name of ['nginx', 'caddy'])
    limited[name] = await key({ scopes: ['orders:read'], ratelimits: [{ name: 'burst', limit: 2, windowMs: 3_600_000 }] });
  const values = { tessera: tessera.url.replace('http://', ''), upstream: upstream.hostPort, keyspaceId, gatewayKey };
  [gateways.nginx, gateways.caddy] = await Promise.all([startNginx(values), startCaddy(values)]);
}, 30_000);

afterAll(async () => {
  await Promise.all(Object.values(gateways).map((g) => g.stop()));
  await new Promise((resolve) => upstream?.server.close(resolve));
  await tessera?.close();
});

describe.each(['nginx', 'caddy'])('%s in front of an API, with Tessera forward auth', (name) => {
  const call = (path: string, init: { method?: string; key?: string; headers?: Record<string, string> } = {}) =>
    fetch(gateways[name]!.url + path, {
      method: init.method ?? 'GET',
      headers: { ...(init.key !== undefined && { authorization: `Bearer ${init.key}` }), ...init.headers },
    });
  const reached = () => upstream.calls.length;

  it('lets an allowed request through, with the identity in headers the client cannot forge', async () => {
    const r = await call('/orders/42?expand=items', {
      key: reader.key,
      headers: { 'tessera-key-id': 'key_forged', 'tessera-owner-id': 'mallory' },
    });
    expect(r.status).toBe(200);
    const seen = (await r.json()) as { url: string; headers: Record<string, string> };
    expect(seen.url).toBe('/orders/42?expand=items');
    expect(seen.headers['tessera-key-id']).toBe(reader.keyId);
    expect(seen.headers['tessera-keyspace-id']).toBe(keyspaceId);
    expect(seen.headers['tessera-owner-id']).toBe('acme');
    expect(seen.headers['tessera-scopes']).toBe('orders:read');
    expect(seen.headers['tessera-gateway-key']).toBeUndefined();
    // What does not apply to this key (no rate limit, no token) is absent or empty, never made up.
    for (const name of ['tessera-ratelimit-remaining', 'tessera-credits-remaining', 'tessera-subject', 'tessera-client-id'])
      expect(seen.headers[name] ?? '', name).toBe('');
  });

  it('refuses a key without the scope the route needs: 403 insufficient_scope, the API never called', async () => {
    const before = reached();
    const r = await call('/orders/42', { method: 'POST', key: reader.key });
    expect(r.status).toBe(403);
    expect(r.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
    expect(reached()).toBe(before);
  });

  it('refuses a path no rule covers, even one the client claims in forwarded headers', async () => {
    const headers = { 'x-forwarded-uri': '/status', 'x-forwarded-method': 'GET', 'x-original-uri': '/status', 'x-original-method': 'GET' };
    expect((await call('/admin', { key: reader.key, headers })).status).toBe(403);
    expect((await call('/status', { key: reader.key })).status).toBe(200);
  });

  it('refuses an unknown key, no key and a revoked key: 401', async () => {
    const before = reached();
    const unknown = await call('/status', { key: 'ord_' + 'A'.repeat(43) + '000000' });
    expect(unknown.status).toBe(401);
    expect(unknown.headers.get('www-authenticate')).toBe('Bearer realm="api", error="invalid_token"');
    expect((await call('/status')).status).toBe(401);
    const doomed = (await tessera.api('POST', '/v1/keys', { keyspaceId })).body;
    expect((await call('/status', { key: doomed.key })).status).toBe(200);
    await tessera.api('POST', `/v1/keys/${doomed.keyId}/revoke`, { reason: 'leaked' });
    expect((await call('/status', { key: doomed.key })).status).toBe(401);
    expect(reached()).toBe(before + 1);
  });

  it('passes a spent rate limit on to the client as 429 with Retry-After', async () => {
    const key = limited[name]!.key;
    expect((await call('/orders', { key })).status).toBe(200);
    expect((await call('/orders', { key })).status).toBe(200);
    const before = reached();
    const r = await call('/orders', { key });
    expect(r.status).toBe(429);
    const wait = Number(r.headers.get('retry-after'));
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(3600);
    expect(r.headers.get('ratelimit')).toMatch(/^"burst";r=0;t=\d+$/);
    expect(reached()).toBe(before);
  });

  it("lets Tessera's own access token through, its subject reaching the API; refuses it without the scope", async () => {
    const r = await call('/orders/7', { key: token.value, headers: { 'tessera-subject': 'mallory' } });
    expect(r.status).toBe(200);
    const seen = (await r.json()) as { headers: Record<string, string> };
    expect(seen.headers['tessera-subject']).toBe(token.clientId);
    expect(seen.headers['tessera-client-id']).toBe(token.clientId);
    expect(seen.headers['tessera-key-id'] ?? '').toBe('');
    expect(seen.headers['tessera-owner-id'] ?? '').toBe('');
    expect((await call('/orders/7', { method: 'POST', key: token.value })).status).toBe(403);
  });

  it('lets a DPoP-bound token through with a proof of the URL the client asked the gateway for', async () => {
    const url = `${gateways[name]!.url}/orders/7`;
    const proven = await fetch(url, { headers: { authorization: `DPoP ${bound.value}`, dpop: await bound.sign('GET', url, bound.value) } });
    expect(proven.status).toBe(200);
    const elsewhere = await fetch(url, {
      headers: { authorization: `DPoP ${bound.value}`, dpop: await bound.sign('GET', 'http://api.example/orders/7', bound.value) },
    });
    expect(elsewhere.status).toBe(401);
    expect(elsewhere.headers.get('www-authenticate')).toContain('error="invalid_dpop_proof"');
  });

  it("checks a key's IP allowlist against the address the gateway saw, not one the client claims", async () => {
    expect((await call('/status', { key: elsewhere.key })).status).toBe(403);
    expect((await call('/status', { key: elsewhere.key, headers: { 'x-forwarded-for': '10.1.2.3' } })).status).toBe(403);
    expect((await call('/status', { key: reader.key, headers: { 'x-forwarded-for': '10.1.2.3' } })).status).toBe(200);
  });
});
