import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { dpopKey, issueToken } from './support/dpop.js';
import { inOneWindow } from '../support/windows.js';

/**
 * The forward-auth endpoint over HTTP, as a gateway calls it, and the gateway routes it reads from
 * the keyspace: on SQLite and PostgreSQL.
 */
describe.each(DIALECTS)('forward auth (%s)', (dialect) => {
  let s: TestServer;
  let ks: string;
  let gatewayKey: string;
  let reader: { keyId: string; key: string };
  let writer: { keyId: string; key: string };
  let url: string;

  beforeAll(async () => {
    s = await startTestServer(dialect);
    ks = (await s.api('POST', '/v1/keyspaces', { name: 'orders api', prefix: 'ord' })).body.id;
    gatewayKey = (await s.api('POST', '/v1/root-keys', { name: 'gateway', permissions: ['keys:verify'] })).body.key;
    reader = (await s.api('POST', '/v1/keys', { keyspaceId: ks, ownerId: 'acme', scopes: ['orders:read'] })).body;
    writer = (
      await s.api('POST', '/v1/keys', {
        keyspaceId: ks,
        scopes: ['orders:read', 'orders:write'],
        ratelimits: [{ name: 'burst', limit: 2, windowMs: 60_000 }],
      })
    ).body;
    const put = await s.api('PUT', `/v1/keyspaces/${ks}/gateway-routes`, {
      rules: [
        { methods: ['GET', 'HEAD'], path: '/orders/**', scopes: 'orders:read' },
        { methods: ['POST', 'DELETE'], path: '/orders/*', scopes: 'orders:write' },
        { path: '/status' },
      ],
    });
    expect(put.status).toBe(200);
    url = `${s.url}/v1/keyspaces/${ks}/forward-auth`;
  });
  afterAll(() => s?.close());

  const ask = (headers: Record<string, string>, path = url) =>
    fetch(path, { headers: { 'tessera-gateway-key': gatewayKey, 'x-forwarded-for': '203.0.113.7', ...headers } });
  const as = (key: string, method: string, uri: string, extra: Record<string, string> = {}) =>
    ask({ authorization: `Bearer ${key}`, 'x-forwarded-method': method, 'x-forwarded-uri': uri, ...extra });

  describe('allowed', () => {
    it('answers 200 with the identity in headers and an empty body', async () => {
      const r = await as(reader.key, 'GET', '/orders/42/items?page=2');
      expect(r.status).toBe(200);
      expect(await r.text()).toBe('');
      expect(r.headers.get('tessera-key-id')).toBe(reader.keyId);
      expect(r.headers.get('tessera-keyspace-id')).toBe(ks);
      expect(r.headers.get('tessera-owner-id')).toBe('acme');
      expect(r.headers.get('tessera-scopes')).toBe('orders:read');
    });

    it('reads NGINX’s X-Original-* headers, and a rule without scopes lets any valid key through', async () => {
      const r = await ask({ authorization: `Bearer ${reader.key}`, 'x-original-method': 'GET', 'x-original-uri': '/status' });
      expect(r.status).toBe(200);
    });

    it('matches the path the upstream will see: dot segments resolved, percent-decoded', async () => {
      expect((await as(reader.key, 'GET', '/status/../orders/1')).status).toBe(200);
      expect((await as(reader.key, 'GET', '/%6Frders/1')).status).toBe(200);
    });

    it('passes Envoy’s form: the original method and path under the endpoint', async () => {
      const r = await fetch(`${url}/orders/7`, {
        method: 'DELETE',
        headers: { 'tessera-gateway-key': gatewayKey, authorization: `Bearer ${writer.key}`, 'content-type': 'application/json' },
      });
      expect(r.status).toBe(200);
      expect(r.headers.get('ratelimit-policy')).toBe('"burst";q=2');
      expect(r.headers.get('tessera-ratelimit-remaining')).toBe('1');
      const encoded = await fetch(`${url}/orders%2F7?x=1`, {
        headers: { 'tessera-gateway-key': gatewayKey, authorization: `Bearer ${reader.key}` },
      });
      expect(encoded.status).toBe(403);
    });
  });

  describe('refused', () => {
    it('a key without the scope the first matching rule needs is 403 insufficient_scope', async () => {
      const r = await as(reader.key, 'POST', '/orders/1');
      expect(r.status).toBe(403);
      expect(r.headers.get('www-authenticate')).toBe('Bearer realm="api", error="insufficient_scope", scope="orders:write"');
      expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(r.headers.get('tessera-key-id')).toBeNull();
    });

    it('a request no rule covers is 403, whatever the key', async () => {
      for (const [m, u] of [
        ['GET', '/admin'],
        ['PUT', '/orders/1'],
        ['GET', '/orders%2F1'],
        ['GET', 'orders'],
      ] as const)
        expect((await as(writer.key, m, u)).status, `${m} ${u}`).toBe(403);
    });

    it('no key is 401 with a bare challenge; an unknown or revoked key is 401 invalid_token', async () => {
      const none = await ask({ 'x-forwarded-method': 'GET', 'x-forwarded-uri': '/status' });
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toBe('Bearer realm="api"');
      const unknown = await as('ord_' + 'A'.repeat(43) + '000000', 'GET', '/status');
      expect(unknown.status).toBe(401);
      expect(unknown.headers.get('www-authenticate')).toBe('Bearer realm="api", error="invalid_token"');
      const doomed = (await s.api('POST', '/v1/keys', { keyspaceId: ks })).body;
      expect((await as(doomed.key, 'GET', '/status')).status).toBe(200);
      await s.api('POST', `/v1/keys/${doomed.keyId}/revoke`, { reason: 'test' });
      expect((await as(doomed.key, 'GET', '/status')).status).toBe(401);
    });

    it('a spent rate limit is 429 with Retry-After and RateLimit; NGINX’s mode says it in a 403', async () => {
      const hit = () => as(writer.key, 'GET', '/orders');
      await inOneWindow(60_000);
      let r = await hit();
      while (r.status === 200) r = await hit();
      expect(r.status).toBe(429);
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(r.headers.get('ratelimit')).toMatch(/^"burst";r=0;t=\d+$/);
      const nginx = await as(writer.key, 'GET', '/orders', { 'tessera-gateway-mode': 'auth-request' });
      expect(nginx.status).toBe(403);
      expect(nginx.headers.get('tessera-status')).toBe('429');
      expect(nginx.headers.get('retry-after')).not.toBeNull();
    });

    it('checks an IP allowlist against the last X-Forwarded-For entry, the gateway’s own', async () => {
      const k = (await s.api('POST', '/v1/keys', { keyspaceId: ks, ipAllowlist: ['198.51.100.0/24'] })).body;
      expect((await as(k.key, 'GET', '/status', { 'x-forwarded-for': '198.51.100.9' })).status).toBe(200);
      expect((await as(k.key, 'GET', '/status', { 'x-forwarded-for': '198.51.100.9, 203.0.113.7' })).status).toBe(403);
      const noAddress = await fetch(url, {
        headers: {
          'tessera-gateway-key': gatewayKey,
          authorization: `Bearer ${k.key}`,
          'x-forwarded-method': 'GET',
          'x-forwarded-uri': '/status',
        },
      });
      expect(noAddress.status).toBe(403);
    });

    it('refuses a request whose two kinds of original headers disagree, or that has none', async () => {
      const r = await as(writer.key, 'GET', '/status', { 'x-original-uri': '/orders/1', 'x-original-method': 'GET' });
      expect(r.status).toBe(400);
      expect((await ask({ authorization: `Bearer ${reader.key}` })).status).toBe(400);
    });
  });

  describe('the gateway’s own credential', () => {
    it('is its root key in Tessera-Gateway-Key, never the client’s Authorization', async () => {
      const noGateway = await fetch(url, {
        headers: { authorization: `Bearer ${s.rootKey}`, 'x-forwarded-method': 'GET', 'x-forwarded-uri': '/status' },
      });
      expect(noGateway.status).toBe(401);
      const bad = await as(reader.key, 'GET', '/status', { 'tessera-gateway-key': 'tsr_root_nonsense' });
      expect(bad.status).toBe(401);
      expect((await bad.json()).detail).not.toContain(reader.key);
    });

    it('needs keys:verify, and reaches only its workspace’s keyspaces', async () => {
      const weak = (await s.api('POST', '/v1/root-keys', { name: 'weak', permissions: ['keys:read'] })).body.key;
      expect((await as(reader.key, 'GET', '/status', { 'tessera-gateway-key': weak })).status).toBe(403);
      const other = (await s.api('POST', '/v1/keyspaces', { name: 'other', prefix: 'oth' })).body.id;
      const limited = (await s.api('POST', '/v1/root-keys', { name: 'limited', permissions: ['keys:verify'], keyspaceIds: [other] })).body
        .key;
      expect((await as(reader.key, 'GET', '/status', { 'tessera-gateway-key': limited })).status).toBe(404);
      expect(
        (
          await ask(
            { authorization: `Bearer ${reader.key}`, 'x-forwarded-method': 'GET', 'x-forwarded-uri': '/' },
            `${s.url}/v1/keyspaces/ks_none000000000000000000/forward-auth`,
          )
        ).status,
      ).toBe(404);
    });
  });

  describe('the gateway routes of a keyspace', () => {
    it('are refused when not valid, naming the rule', async () => {
      for (const [body, fault] of [
        [{ rules: [{ path: '/a/**/b' }] }, 'rules[0]'],
        [{ rules: [{ path: '/ok' }, { path: 'no-slash' }] }, 'rules[1]'],
        [{ rules: [{ path: '/a', scopes: 'a and' }] }, 'scopes'],
        [{ keyHeader: 'tessera-gateway-key', rules: [] }, 'keyHeader'],
        [{ rules: [{ path: '/a', methods: ['get'] }] }, 'methods'],
      ] as const) {
        const r = await s.api('PUT', `/v1/keyspaces/${ks}/gateway-routes`, body);
        expect(r.status, JSON.stringify(body)).toBe(400);
        expect(r.body.detail.toLowerCase()).toContain(fault.toLowerCase());
      }
    });

    it('are read back, audited, and a change applies at once to the next request (the cache is dropped)', async () => {
      expect((await as(reader.key, 'GET', '/reports/1')).status).toBe(403);
      const rules = [{ path: '/reports/*', scopes: 'orders:read' }];
      const put = await s.api('PUT', `/v1/keyspaces/${ks}/gateway-routes`, { keyHeader: 'X-API-Key', rules });
      expect(put.body).toMatchObject({ keyspaceId: ks, keyHeader: 'x-api-key', rules });
      expect((await s.api('GET', `/v1/keyspaces/${ks}/gateway-routes`)).body).toEqual(put.body);
      expect((await ask({ 'x-api-key': reader.key, 'x-forwarded-method': 'GET', 'x-forwarded-uri': '/reports/1' })).status).toBe(200);
      // The Authorization header is no longer where the key is read from.
      expect((await as(reader.key, 'GET', '/reports/1')).status).toBe(401);
      const audit = await s.api('GET', '/v1/audit?action=keyspace.gateway_routes_updated');
      expect(audit.body.items[0]).toMatchObject({ target: ks, details: { keyHeader: 'x-api-key', rules: 1 } });
    });

    it('are empty for a new keyspace, which refuses every request', async () => {
      const fresh = (await s.api('POST', '/v1/keyspaces', { name: 'fresh', prefix: 'frs' })).body.id;
      expect((await s.api('GET', `/v1/keyspaces/${fresh}/gateway-routes`)).body).toEqual({
        keyspaceId: fresh,
        keyHeader: 'authorization',
        rules: [],
        audience: null,
        updatedAt: null,
      });
      const k = (await s.api('POST', '/v1/keys', { keyspaceId: fresh })).body;
      const r = await ask(
        { authorization: `Bearer ${k.key}`, 'x-forwarded-method': 'GET', 'x-forwarded-uri': '/' },
        `${s.url}/v1/keyspaces/${fresh}/forward-auth`,
      );
      expect(r.status).toBe(403);
    });
  });

  describe('Tessera access tokens, for a keyspace whose routes name their audience', () => {
    let token: string;
    let clientId: string;
    const routes = (audience?: string) =>
      s.api('PUT', `/v1/keyspaces/${ks}/gateway-routes`, {
        rules: [
          { methods: ['GET'], path: '/orders/**', scopes: 'orders:read' },
          { methods: ['POST'], path: '/orders/*', scopes: 'orders:write' },
        ],
        ...(audience !== undefined && { audience }),
      });
    const withToken = (method: string, uri: string, authorization = `Bearer ${token}`) =>
      ask({ authorization, 'x-forwarded-method': method, 'x-forwarded-uri': uri });

    beforeAll(async () => {
      const c = await s.api('POST', '/v1/oauth/clients', {
        name: 'orders app',
        scopes: ['orders:read'],
        audience: ['https://orders.example'],
      });
      clientId = c.body.clientId;
      const basic = 'Basic ' + Buffer.from(`${clientId}:${c.body.clientSecret}`).toString('base64');
      const t = await fetch(`${s.url}/oauth/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: basic },
        body: 'grant_type=client_credentials&scope=orders:read',
      });
      token = ((await t.json()) as { access_token: string }).access_token;
      expect(token.split('.')).toHaveLength(3);
      expect((await routes('https://orders.example')).body.audience).toBe('https://orders.example');
    });

    it('lets a valid Bearer token with the scope through, its subject and client in headers', async () => {
      const r = await withToken('GET', '/orders/9');
      expect(r.status).toBe(200);
      expect(r.headers.get('tessera-subject')).toBe(clientId);
      expect(r.headers.get('tessera-client-id')).toBe(clientId);
      expect(r.headers.get('tessera-scopes')).toBe('orders:read');
      expect(r.headers.get('tessera-key-id')).toBe('');
    });

    it('refuses it without the scope (403), as DPoP, tampered with, or for another audience (401)', async () => {
      const post = await withToken('POST', '/orders/9');
      expect(post.status).toBe(403);
      expect(post.headers.get('www-authenticate')).toContain('error="insufficient_scope"');
      expect((await withToken('GET', '/orders/9', `DPoP ${token}`)).status).toBe(401);
      const [h, p, sig] = token.split('.');
      const tampered = `${h}.${p}.${sig!.startsWith('A') ? 'B' : 'A'}${sig!.slice(1)}`;
      expect((await withToken('GET', '/orders/9', `Bearer ${tampered}`)).status).toBe(401);
      await routes('https://other.example');
      expect((await withToken('GET', '/orders/9')).status).toBe(401);
      await routes(); // API keys only: a token is no key
      const none = await withToken('GET', '/orders/9');
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toBe('Bearer realm="api", error="invalid_token"');
      await routes('https://orders.example');
      expect((await withToken('GET', '/orders/9')).status).toBe(200);
    });

    it('lets a DPoP-bound token through only as DPoP, with a fresh proof of this request signed by its key', async () => {
      const c = await s.api('POST', '/v1/oauth/clients', { name: 'bound', scopes: ['orders:read'], audience: ['https://orders.example'] });
      const sign = await dpopKey();
      const bound = await issueToken(s.url, c.body, sign);
      const at = { 'x-forwarded-proto': 'https', 'x-forwarded-host': 'api.example:8443' };
      const withProof = async (proof: string | undefined, scheme = 'DPoP', uri = '/orders/9') =>
        ask({
          authorization: `${scheme} ${bound}`,
          'x-forwarded-method': 'GET',
          'x-forwarded-uri': uri,
          ...at,
          ...(proof !== undefined && { dpop: proof }),
        });
      const good = await sign('GET', 'https://api.example:8443/orders/9', bound);
      const r = await withProof(good, 'DPoP', '/orders/9?page=2');
      expect(r.status).toBe(200);
      expect(r.headers.get('tessera-client-id')).toBe(c.body.clientId);
      const replayed = await withProof(good);
      expect(replayed.status).toBe(401);
      expect(replayed.headers.get('www-authenticate')).toContain('error="invalid_dpop_proof"');
      expect((await withProof(await sign('GET', 'https://api.example:8443/orders/9', bound), 'Bearer')).status).toBe(401);
      expect((await withProof(undefined)).status).toBe(401);
      expect((await withProof(await sign('GET', 'https://api.example:8443/orders/10', bound))).status).toBe(401);
      expect((await withProof(await sign('POST', 'https://api.example:8443/orders/9', bound))).status).toBe(401);
      expect((await withProof(await sign('GET', 'https://api.example:8443/orders/9'))).status).toBe(401); // no ath
      expect((await withProof(await sign('GET', 'https://api.example:8443/orders/9', token))).status).toBe(401); // another token's
      const otherKey = await dpopKey();
      expect((await withProof(await otherKey('GET', 'https://api.example:8443/orders/9', bound))).status).toBe(401);
      expect((await withProof(await sign('GET', 'https://api.example:8443/orders/9', bound))).status).toBe(200);
    });

    it('refuses it once revoked, and keeps API keys working beside tokens', async () => {
      expect((await as(reader.key, 'GET', '/orders/1')).status).toBe(200);
      const c = await s.api('POST', '/v1/oauth/clients', {
        name: 'revoker',
        scopes: ['orders:read'],
        audience: ['https://orders.example'],
      });
      const basic = 'Basic ' + Buffer.from(`${c.body.clientId}:${c.body.clientSecret}`).toString('base64');
      const form = (path: string, body: string, auth = basic) =>
        fetch(`${s.url}${path}`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: auth },
          body,
        });
      const own = ((await (await form('/oauth/token', 'grant_type=client_credentials')).json()) as { access_token: string }).access_token;
      expect((await withToken('GET', '/orders/1', `Bearer ${own}`)).status).toBe(200);
      expect((await form('/oauth/revoke', `token=${own}`)).status).toBe(200);
      expect((await withToken('GET', '/orders/1', `Bearer ${own}`)).status).toBe(401);
    });

    it('are named in the routes only with Authorization as the key header', async () => {
      const r = await s.api('PUT', `/v1/keyspaces/${ks}/gateway-routes`, {
        keyHeader: 'x-api-key',
        rules: [],
        audience: 'https://orders.example',
      });
      expect(r.status).toBe(400);
      expect(r.body.detail).toContain('keyHeader');
    });
  });
});
