import { parseKey } from '@tessera/api';
import { generateKey } from '@tessera/core';
import { AccessTokenVerifier, isWellFormedKey, Tessera } from '@tessera/sdk';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';
import { inOneWindow } from '../support/windows.js';

let server: TestServer;
let admin: Tessera;
let keyspaceId: string;
let rootKey: string;

const must = <T>(r: { result?: T; error?: Error }): T => {
  if (r.error) throw r.error;
  return r.result as T;
};

beforeAll(async () => {
  server = await startTestServer('sqlite');
  admin = new Tessera({ baseUrl: server.url, rootKey: server.rootKey });
  rootKey = must(await admin.rootKeys.create({ name: 'verify', permissions: ['keys:verify'] })).key;
  keyspaceId = must(await admin.keyspaces.create({ name: 'Cache', prefix: 'cch' })).id;
});
afterAll(() => server?.close());

/** A client whose verify requests are counted and whose clock the test moves. */
function counted(extra: Partial<ConstructorParameters<typeof Tessera>[0]> = {}) {
  const clock = { now: Date.now() };
  const calls = { verify: 0 };
  const client = new Tessera({
    baseUrl: server.url,
    rootKey,
    now: () => clock.now,
    fetch: (input, init) => {
      if (String(input).endsWith('/v1/keys/verify')) calls.verify++;
      return fetch(input, init);
    },
    ...extra,
  });
  return { client, clock, calls };
}

describe('the offline key check', () => {
  it("agrees with the server's own parser on real keys and on every single-character change", () => {
    for (let i = 0; i < 50; i++) {
      const key = generateKey(i % 2 === 0 ? 'sk' : 'org_live');
      expect(isWellFormedKey(key)).toBe(true);
      const at = i % key.length;
      const swapped = key.slice(0, at) + (key[at] === 'a' ? 'b' : 'a') + key.slice(at + 1);
      expect(isWellFormedKey(swapped)).toBe(parseKey(swapped) !== undefined);
    }
    for (const bad of ['', 'sk_', 'SK_' + 'a'.repeat(49), generateKey('sk') + 'x', 42, null]) expect(isWellFormedKey(bad)).toBe(false);
  });
});

describe('verifyKey', () => {
  it('refuses a malformed key or a bad checksum without a network call', async () => {
    const { client, calls } = counted();
    const key = must(await admin.keys.create({ keyspaceId })).key;
    const bad = key.slice(0, -1) + (key.endsWith('0') ? '1' : '0');
    expect(must(await client.verifyKey(bad))).toEqual({ valid: false, code: 'MALFORMED' });
    expect(must(await client.verifyKey('not a key'))).toEqual({ valid: false, code: 'MALFORMED' });
    expect(calls.verify).toBe(0);
  });

  it('answers a hot key from the cache, and asks again in the background once it is stale', async () => {
    const { client, clock, calls } = counted({ cache: { ttlMs: 1000, staleMs: 5000 } });
    const { key, keyId } = must(await admin.keys.create({ keyspaceId, ownerId: 'acme', scopes: ['read'] }));
    expect(must(await client.verifyKey(key))).toMatchObject({ valid: true, keyId, ownerId: 'acme' });
    for (let i = 0; i < 100; i++) expect(must(await client.verifyKey(key)).valid).toBe(true);
    expect(calls.verify).toBe(1);

    must(await admin.keys.revoke(keyId));
    clock.now += 1500; // stale: still served, while one request asks again
    expect(must(await client.verifyKey(key)).valid).toBe(true);
    expect(must(await client.verifyKey(key)).valid).toBe(true);
    await vi.waitFor(async () => expect(must(await client.verifyKey(key)).code).toBe('REVOKED'));
    expect(calls.verify).toBe(2);
  });

  it('does not serve an entry older than ttl + stale: it waits for the server', async () => {
    const { client, clock, calls } = counted({ cache: { ttlMs: 1000, staleMs: 1000 } });
    const { key, keyId } = must(await admin.keys.create({ keyspaceId }));
    expect(must(await client.verifyKey(key)).valid).toBe(true);
    must(await admin.keys.revoke(keyId));
    clock.now += 2001;
    expect(must(await client.verifyKey(key)).code).toBe('REVOKED');
    expect(calls.verify).toBe(2);
  });

  it('keeps scopes and addresses apart in the cache', async () => {
    const { client } = counted();
    const { key } = must(await admin.keys.create({ keyspaceId, scopes: ['read'], ipAllowlist: ['10.0.0.0/8'] }));
    expect(must(await client.verifyKey(key, { ip: '10.1.2.3' })).valid).toBe(true);
    expect(must(await client.verifyKey(key, { ip: '192.0.2.1' })).code).toBe('IP_NOT_ALLOWED');
    expect(must(await client.verifyKey(key, { ip: '10.1.2.3', scopes: 'write' })).code).toBe('INSUFFICIENT_SCOPE');
    expect(must(await client.verifyKey(key, { ip: '10.1.2.3' })).valid).toBe(true);
  });

  it('asks the server every time for a key with rate limits or credits, so they stay exact', async () => {
    const { client, calls } = counted();
    const limited = must(await admin.keys.create({ keyspaceId, ratelimits: [{ name: 'rps', limit: 3, windowMs: 60_000 }] })).key;
    const codes = [];
    await inOneWindow(60_000);
    for (let i = 0; i < 4; i++) codes.push(must(await client.verifyKey(limited)).code);
    expect(codes).toEqual(['VALID', 'VALID', 'VALID', 'RATE_LIMITED']);
    const paid = must(await admin.keys.create({ keyspaceId, credits: { remaining: 2 } })).key;
    expect(must(await client.verifyKey(paid)).credits).toEqual({ remaining: 1 });
    expect(must(await client.verifyKey(paid)).credits).toEqual({ remaining: 0 });
    expect(must(await client.verifyKey(paid)).code).toBe('USAGE_EXCEEDED');
    expect(calls.verify).toBe(7);
  });

  it('asks every time with the cache off', async () => {
    const { client, calls } = counted({ cache: false });
    const { key } = must(await admin.keys.create({ keyspaceId }));
    await client.verifyKey(key);
    await client.verifyKey(key);
    expect(calls.verify).toBe(2);
  });

  it("drops a revoked key at once when following the server's events", async () => {
    const { client, calls } = counted({ events: true, cache: { ttlMs: 3_600_000 } });
    try {
      expect(await client.eventsReady()).toBe(true);
      const { key, keyId } = must(await admin.keys.create({ keyspaceId }));
      expect(must(await client.verifyKey(key)).valid).toBe(true);
      expect(must(await client.verifyKey(key)).valid).toBe(true);
      expect(calls.verify).toBe(1);
      must(await admin.keys.revoke(keyId));
      await vi.waitFor(async () => expect(must(await client.verifyKey(key)).code).toBe('REVOKED'));
    } finally {
      client.close();
    }
  });

  it('reports an unreachable server as an error, not as an invalid key', async () => {
    const client = new Tessera({ baseUrl: 'http://127.0.0.1:9', rootKey, retries: 0 });
    const r = await client.verifyKey(must(await admin.keys.create({ keyspaceId })).key);
    expect(r.error).toMatchObject({ code: 'NETWORK_ERROR' });
  });
});

describe('AccessTokenVerifier against the real authorization server', () => {
  const audience = 'https://api.test';
  async function tokenFor(signingAlg: string) {
    const c = must(
      await admin.oauth.createClient({
        name: signingAlg,
        scopes: ['read'],
        audience: [audience],
        grantTypes: ['client_credentials'],
        signingAlg: signingAlg as 'EdDSA',
      }),
    ) as { clientId: string; clientSecret: string };
    const config = await oidc.discovery(new URL(server.url), c.clientId, undefined, oidc.ClientSecretBasic(c.clientSecret), {
      algorithm: 'oauth2',
      execute: [oidc.allowInsecureRequests],
    });
    return (await oidc.clientCredentialsGrant(config, { scope: 'read', resource: audience })).access_token;
  }

  it.each(['EdDSA', 'ES256', 'RS256', 'ML-DSA-65'] as const)('verifies %s tokens found through the metadata and JWKS', async (alg) => {
    const verifier = new AccessTokenVerifier({ issuer: server.url, algorithms: [alg] });
    const token = await tokenFor(alg);
    expect(await verifier.verify({ token, scheme: 'Bearer' }, { audience, scopes: ['read'] })).toMatchObject({
      valid: true,
      identity: { scopes: ['read'] },
    });
    const others = new AccessTokenVerifier({ issuer: server.url, algorithms: alg === 'EdDSA' ? ['ES256'] : ['EdDSA'] });
    expect(await others.verify({ token, scheme: 'Bearer' }, { audience })).toMatchObject({ valid: false, code: 'invalid_token' });
  });

  it('refuses an ML-DSA-65 token whose payload or signature was changed', async () => {
    const verifier = new AccessTokenVerifier({ issuer: server.url, algorithms: ['ML-DSA-65'] });
    const token = await tokenFor('ML-DSA-65');
    const [h, p, s] = token.split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString());
    const widened = Buffer.from(JSON.stringify({ ...claims, scope: 'read admin' })).toString('base64url');
    expect(await verifier.verify({ token: `${h}.${widened}.${s}`, scheme: 'Bearer' }, { audience })).toMatchObject({
      valid: false,
      description: 'the token signature is not valid',
    });
    const sig = Buffer.from(s!, 'base64url');
    sig[100] = sig[100]! ^ 1;
    expect((await verifier.verify({ token: `${h}.${p}.${sig.toString('base64url')}`, scheme: 'Bearer' }, { audience })).valid).toBe(false);
    const later = new AccessTokenVerifier({ issuer: server.url, algorithms: ['ML-DSA-65'], now: () => Date.now() + 3_600_000 });
    expect(await later.verify({ token, scheme: 'Bearer' }, { audience })).toMatchObject({
      valid: false,
      description: 'the token has expired',
    });
    expect(await verifier.verify({ token, scheme: 'Bearer' }, { audience: 'https://other.test' })).toMatchObject({
      valid: false,
      code: 'invalid_token',
    });
  });

  it('refuses expired tokens and tokens of another issuer', async () => {
    const token = await tokenFor('EdDSA');
    const later = new AccessTokenVerifier({ issuer: server.url, algorithms: ['EdDSA'], now: () => Date.now() + 3_600_000 });
    expect(await later.verify({ token, scheme: 'Bearer' }, { audience })).toMatchObject({
      valid: false,
      description: 'the token has expired',
    });
    const other = new AccessTokenVerifier({ issuer: server.url, jwksUri: `${server.url}/oauth/jwks`, algorithms: ['EdDSA'] });
    expect((await other.verify({ token, scheme: 'Bearer' }, { audience })).valid).toBe(true);
    const wrongIssuer = new AccessTokenVerifier({
      issuer: 'https://elsewhere.test',
      jwksUri: `${server.url}/oauth/jwks`,
      algorithms: ['EdDSA'],
    });
    expect(await wrongIssuer.verify({ token, scheme: 'Bearer' }, { audience })).toMatchObject({ valid: false, code: 'invalid_token' });
  });

  it('insists on an explicit algorithm list', () => {
    expect(() => new AccessTokenVerifier({ issuer: server.url, algorithms: [] })).toThrow(/algorithms/);
    expect(() => new AccessTokenVerifier({ issuer: server.url, algorithms: ['HS256' as 'EdDSA'] })).toThrow(/not supported/);
  });
});
