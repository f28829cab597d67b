import { Tessera } from '@tessera/sdk';
import { tessera as forExpress } from '@tessera/sdk/express';
import { tessera as forFastify } from '@tessera/sdk/fastify';
import { tessera as forHono } from '@tessera/sdk/hono';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { AUDIENCE, FRAMEWORKS, startApp, type RunningApp } from './support/apps.js';
import { inOneWindow } from '../support/windows.js';

// One contract, three frameworks: a real Fastify, Express and Hono app each, guarded by the
// middleware, in front of a real Tessera on loopback.
let server: TestServer;
let admin: Tessera;
const keys: Record<string, string> = {};
let verifierKey: string;
let verifyCalls = 0;
const tokens: {
  plain?: string;
  dpop?: { config: oidc.Configuration; token: string; handle: oidc.DPoPHandle };
  client?: { clientId: string; clientSecret: string };
} = {};

const must = <T>(r: { result?: T; error?: Error }): T => {
  if (r.error) throw r.error;
  return r.result as T;
};

beforeAll(async () => {
  server = await startTestServer('sqlite');
  admin = new Tessera({ baseUrl: server.url, rootKey: server.rootKey });
  verifierKey = must(await admin.rootKeys.create({ name: 'api', permissions: ['keys:verify'] })).key;
  const ks = must(await admin.keyspaces.create({ name: 'Orders', prefix: 'ord' }));
  const make = async (name: string, body: Record<string, unknown>) =>
    (keys[name] = must(await admin.keys.create({ keyspaceId: ks.id, ownerId: `owner-${name}`, scopes: ['orders:read'], ...body })).key);
  await make('plain', {});
  await make('admin', { scopes: ['orders:read', 'admin'] });
  await make('revoked', {});
  await make('elsewhere', { ipAllowlist: ['203.0.113.0/24'] });
  for (const f of FRAMEWORKS) {
    await make(`limited-${f}`, { ratelimits: [{ name: 'requests', limit: 2, windowMs: 60_000 }] });
    await make(`credits-${f}`, { credits: { remaining: 1 } });
  }
  const revokedId = must(await admin.keys.verify({ key: keys.revoked! })).keyId!;
  must(await admin.keys.revoke(revokedId));

  // OAuth: a client for plain tokens and one whose tokens are DPoP-bound, with openid-client as the real client.
  const plain = must(
    await admin.oauth.createClient({ name: 'plain', scopes: ['orders:read'], audience: [AUDIENCE], grantTypes: ['client_credentials'] }),
  ) as { clientId: string; clientSecret: string };
  tokens.client = plain;
  const config = await oidc.discovery(new URL(server.url), plain.clientId, undefined, oidc.ClientSecretBasic(plain.clientSecret), {
    algorithm: 'oauth2',
    execute: [oidc.allowInsecureRequests],
  });
  tokens.plain = (await oidc.clientCredentialsGrant(config, { scope: 'orders:read', resource: AUDIENCE })).access_token;
  const bound = must(
    await admin.oauth.createClient({
      name: 'bound',
      scopes: ['orders:read'],
      audience: [AUDIENCE],
      grantTypes: ['client_credentials'],
      dpopBound: true,
    }),
  ) as { clientId: string; clientSecret: string };
  const boundConfig = await oidc.discovery(new URL(server.url), bound.clientId, undefined, oidc.ClientSecretBasic(bound.clientSecret), {
    algorithm: 'oauth2',
    execute: [oidc.allowInsecureRequests],
  });
  const handle = oidc.getDPoPHandle(boundConfig, await oidc.randomDPoPKeyPair('ES256'));
  tokens.dpop = {
    config: boundConfig,
    handle,
    token: (await oidc.clientCredentialsGrant(boundConfig, { scope: 'orders:read', resource: AUDIENCE }, { DPoP: handle })).access_token,
  };
});
afterAll(() => server?.close());

describe.each(FRAMEWORKS)('%s middleware', (framework) => {
  let app: RunningApp;
  const countingFetch: typeof fetch = (input, init) => {
    if (String(input).endsWith('/v1/keys/verify')) verifyCalls++;
    return fetch(input, init);
  };
  beforeAll(async () => {
    const client = new Tessera({ baseUrl: server.url, rootKey: verifierKey, fetch: countingFetch });
    app = await startApp(framework, {
      client,
      baseUrl: server.url,
      algorithms: ['EdDSA', 'ES256'],
      tokens: { introspection: tokens.client! },
    });
  });
  afterAll(() => app?.close());
  const get = (path: string, headers: Record<string, string> = {}) => fetch(app.url + path, { headers });
  const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

  describe('requireApiKey', () => {
    it('lets a valid key through and puts the caller on the request', async () => {
      const res = await get('/orders', bearer(keys.plain!));
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ kind: 'api_key', valid: true, ownerId: 'owner-plain', scopes: ['orders:read'] });
    });

    it('reads the key from the header a route names', async () => {
      expect((await get('/by-header', { 'x-api-key': keys.plain! })).status).toBe(200);
      expect((await get('/by-header')).status).toBe(401);
    });

    it('asks for a key with 401 and WWW-Authenticate when none is sent', async () => {
      const res = await get('/orders');
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="api"');
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect(await res.json()).toMatchObject({ status: 401, code: 'UNAUTHORIZED' });
    });

    it('refuses a malformed key with 401 without asking Tessera', async () => {
      const before = verifyCalls;
      const broken = keys.plain!.slice(0, -1) + (keys.plain!.endsWith('A') ? 'B' : 'A');
      const res = await get('/orders', bearer(broken));
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="api", error="invalid_token"');
      expect(await res.json()).toMatchObject({ code: 'MALFORMED' });
      expect(verifyCalls).toBe(before);
    });

    it('refuses a revoked key with 401', async () => {
      const res = await get('/orders', bearer(keys.revoked!));
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ code: 'REVOKED' });
    });

    it('answers 403 insufficient_scope naming the scopes the route needs', async () => {
      const res = await get('/admin', bearer(keys.plain!));
      expect(res.status).toBe(403);
      expect(res.headers.get('www-authenticate')).toBe('Bearer realm="api", error="insufficient_scope", scope="orders:read and admin"');
      expect((await get('/admin', bearer(keys.admin!))).status).toBe(200);
    });

    it('answers 403 for a key used from outside its allowlist', async () => {
      const res = await get('/orders', bearer(keys.elsewhere!));
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ code: 'IP_NOT_ALLOWED' });
    });

    it('answers 429 with Retry-After and RateLimit headers once the limit is reached', async () => {
      const key = keys[`limited-${framework}`]!;
      await inOneWindow(60_000);
      const first = await get('/orders', bearer(key));
      expect(first.status).toBe(200);
      expect(first.headers.get('ratelimit-policy')).toBe('"requests";q=2');
      expect(first.headers.get('ratelimit')).toMatch(/^"requests";r=1;t=\d+$/);
      expect((await get('/orders', bearer(key))).status).toBe(200);
      const third = await get('/orders', bearer(key));
      expect(third.status).toBe(429);
      expect(Number(third.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(third.headers.get('ratelimit')).toMatch(/^"requests";r=0;t=\d+$/);
      expect(await third.json()).toMatchObject({ code: 'RATE_LIMITED' });
    });

    it('answers 429 when the credits are spent', async () => {
      const key = keys[`credits-${framework}`]!;
      expect((await get('/orders', bearer(key))).status).toBe(200);
      const res = await get('/orders', bearer(key));
      expect(res.status).toBe(429);
      expect(await res.json()).toMatchObject({ code: 'USAGE_EXCEEDED' });
    });
  });

  describe('requireAccessToken', () => {
    it('lets a valid access token through and puts the caller on the request', async () => {
      const res = await get('/token', bearer(tokens.plain!));
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ kind: 'access_token', subject: tokens.client!.clientId, scopes: ['orders:read'] });
    });

    it('asks for a token with both schemes offered', async () => {
      const res = await get('/token');
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer realm="api", DPoP realm="api", algs="/);
    });

    it('refuses a token for another audience, or a tampered one, with 401 invalid_token', async () => {
      const other = await get('/token-other', bearer(tokens.plain!));
      expect(other.status).toBe(401);
      expect(other.headers.get('www-authenticate')).toContain('error="invalid_token"');
      const [h, p, s] = tokens.plain!.split('.');
      const tampered = `${h}.${p}.${s!.slice(0, -2)}${s!.endsWith('AA') ? 'BB' : 'AA'}`;
      expect((await get('/token', bearer(tampered))).status).toBe(401);
    });

    it('answers 403 insufficient_scope for a token without the scope', async () => {
      const res = await get('/token-admin', bearer(tokens.plain!));
      expect(res.status).toBe(403);
      expect(res.headers.get('www-authenticate')).toContain(
        'error="insufficient_scope", error_description="the token lacks admin", scope="admin"',
      );
    });

    it('accepts a DPoP-bound token with its proof, and refuses it as a bearer token or with a replayed proof', async () => {
      const { config, handle, token } = tokens.dpop!;
      const url = new URL(`${app.url}/token`);
      let proof = '';
      config[oidc.customFetch] = (input, init) => {
        proof = new Headers(init.headers as HeadersInit).get('dpop') ?? '';
        return fetch(input, init as RequestInit);
      };
      const ok = await oidc.fetchProtectedResource(config, token, url, 'GET', undefined, undefined, { DPoP: handle });
      delete config[oidc.customFetch];
      expect(ok.status).toBe(200);
      expect(await ok.json()).toMatchObject({ kind: 'access_token', jkt: expect.any(String) });
      expect((await get('/token', bearer(token))).status).toBe(401);
      const replayed = await fetch(url, { headers: { authorization: `DPoP ${token}`, dpop: proof } });
      expect(replayed.status).toBe(401);
      expect(replayed.headers.get('www-authenticate')).toContain(
        'error="invalid_dpop_proof", error_description="the DPoP proof was used before"',
      );
      const elsewhere = await fetch(`${app.url}/token-admin`, { headers: { authorization: `DPoP ${token}`, dpop: proof } });
      expect(elsewhere.headers.get('www-authenticate')).toContain('error_description="the DPoP proof is for another URL"');
    });

    it('refuses a token revoked at the server on a route that introspects, and not on one that does not', async () => {
      const config = await oidc.discovery(
        new URL(server.url),
        tokens.client!.clientId,
        undefined,
        oidc.ClientSecretBasic(tokens.client!.clientSecret),
        { algorithm: 'oauth2', execute: [oidc.allowInsecureRequests] },
      );
      const token = (await oidc.clientCredentialsGrant(config, { scope: 'orders:read', resource: AUDIENCE })).access_token;
      expect((await get('/token-live', bearer(token))).status).toBe(200);
      await oidc.tokenRevocation(config, token);
      expect((await get('/token-live', bearer(token))).status).toBe(401);
      expect((await get('/token', bearer(token))).status).toBe(200);
    });
  });
});

describe('factories check their options at once and return named functions', () => {
  it.each([
    ['fastify', forFastify],
    ['express', forExpress],
    ['hono', forHono],
  ] as const)('%s', (_name, factory) => {
    const t = factory({ baseUrl: 'http://127.0.0.1:1', rootKey: 'root' });
    expect(t.requireApiKey({ scopes: 'a' }).name).toBe('requireApiKey');
    expect(() => t.requireApiKey({ scopes: ' ' })).toThrow(/scopes/);
    expect(() => t.requireApiKey({ cost: -1 })).toThrow(/cost/);
    expect(() => t.requireAccessToken({ audience: AUDIENCE })).toThrow(/algorithms/);
    const withAlgs = factory({ baseUrl: 'http://127.0.0.1:1', algorithms: ['EdDSA'] });
    expect(withAlgs.requireAccessToken({ audience: AUDIENCE }).name).toBe('requireAccessToken');
    expect(() => withAlgs.requireAccessToken({ audience: '' })).toThrow(/audience/);
    expect(() => withAlgs.requireApiKey()).toThrow(/root key/);
    expect(() => factory({ rootKey: 'x' } as never)).toThrow(/baseUrl/);
  });

  it('answers 503 with Retry-After when Tessera cannot be reached', async () => {
    const app = await startApp('express', {
      baseUrl: 'http://127.0.0.1:9',
      rootKey: 'root',
      retries: 0,
      algorithms: ['EdDSA'],
      tokens: { introspection: { clientId: 'c', clientSecret: 's' } },
    });
    try {
      const res = await fetch(`${app.url}/orders`, { headers: { authorization: `Bearer ${keys.plain}` } });
      expect(res.status).toBe(503);
      expect(res.headers.get('retry-after')).toBe('1');
    } finally {
      await app.close();
    }
  });
});
