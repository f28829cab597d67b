import { randomUUID } from 'node:crypto';
import { AccessTokenVerifier, RedisDpopReplayStore, Tessera } from '@tessera/sdk';
import { tessera } from '@tessera/sdk/fastify';
import Fastify, { type FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { base64url, exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';

const AUDIENCE = 'https://orders.dpop.test';

/**
 * DPoP at a resource server guarded by the SDK: `htu` is judged against the URL the API is
 * configured with, never against the Host header the caller sends; and replicas behind one
 * load balancer can share the record of proofs seen, in Redis.
 */
describe('DPoP proofs at an API guarded by the SDK', () => {
  let server: TestServer;
  let token: string;
  let keys: CryptoKeyPair;
  const redis: Redis[] = [];
  const prefix = `tessera-test:dpop:${randomUUID()}:`;

  beforeAll(async () => {
    server = await startTestServer('sqlite');
    const admin = new Tessera({ baseUrl: server.url, rootKey: server.rootKey });
    const created = await admin.oauth.createClient({ name: 'bound', scopes: ['orders:read'], audience: [AUDIENCE], dpopBound: true });
    const client = created.result as { clientId: string; clientSecret: string };
    const config = await oidc.discovery(new URL(server.url), client.clientId, undefined, oidc.ClientSecretBasic(client.clientSecret), {
      algorithm: 'oauth2',
      execute: [oidc.allowInsecureRequests],
    });
    keys = (await generateKeyPair('ES256', { extractable: true })) as unknown as CryptoKeyPair;
    const handle = oidc.getDPoPHandle(config, keys);
    token = (await oidc.clientCredentialsGrant(config, { resource: AUDIENCE }, { DPoP: handle })).access_token;
  });
  afterAll(async () => {
    for (const r of redis) {
      const left = await r.keys(`${prefix}*`);
      if (left.length > 0) await r.del(...left);
      r.disconnect();
    }
    await server?.close();
  });

  /** A proof made the way any DPoP client makes one, for a method and URL of our choosing. */
  async function proof(htu: string, htm = 'GET'): Promise<string> {
    const ath = base64url.encode(new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token))));
    return new SignJWT({ htm, htu, ath, jti: randomUUID(), iat: Math.floor(Date.now() / 1000) })
      .setProtectedHeader({ alg: 'ES256', typ: 'dpop+jwt', jwk: await exportJWK(keys.publicKey) })
      .sign(keys.privateKey as CryptoKey);
  }

  async function api(options: Record<string, unknown>): Promise<FastifyInstance> {
    const app = Fastify();
    const { requireAccessToken } = tessera({ baseUrl: server.url, algorithms: ['EdDSA'], ...options });
    app.get('/orders', { preHandler: requireAccessToken({ audience: AUDIENCE }) }, async () => ({ ok: true }));
    return app;
  }
  const call = async (app: FastifyInstance, host: string, dpop: string) =>
    app.inject({ method: 'GET', url: '/orders', headers: { host, authorization: `DPoP ${token}`, dpop } });

  it('htu is checked against the configured public URL, never against the Host header', async () => {
    // Without a public URL, a proof made for any host the caller names in Host is not enough.
    const unconfigured = await api({});
    const forged = await call(unconfigured, 'evil.example', await proof('http://evil.example/orders'));
    expect(forged.statusCode).toBe(401);
    expect(forged.headers['www-authenticate']).toContain('error="invalid_dpop_proof"');
    await unconfigured.close();

    const configured = await api({ publicUrl: 'https://orders.example' });
    expect((await call(configured, 'evil.example', await proof('https://orders.example/orders'))).statusCode).toBe(200);
    expect((await call(configured, 'evil.example', await proof('http://evil.example/orders'))).statusCode).toBe(401);
    expect((await call(configured, 'orders.example', await proof('https://orders.example/other'))).statusCode).toBe(401);
    await configured.close();

    for (const bad of ['orders.example', 'ftp://orders.example', 'https://orders.example/?a=1', 'https://u:p@orders.example'])
      expect(() => tessera({ baseUrl: server.url, algorithms: ['EdDSA'], publicUrl: bad }), bad).toThrow(TypeError);
  });

  it('replicas sharing a Redis replay store refuse a proof another replica accepted (real Redis)', async () => {
    const replica = () => {
      const r = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: false });
      redis.push(r);
      return new AccessTokenVerifier({
        issuer: server.url,
        algorithms: ['EdDSA'],
        dpopReplayStore: new RedisDpopReplayStore(r, { prefix }),
      });
    };
    const [a, b] = [replica(), replica()];
    const url = 'https://orders.example/orders';
    const p = await proof(url);
    const presented = { token, scheme: 'DPoP' as const, method: 'GET', url, dpop: p };
    expect(await a.verify(presented, { audience: AUDIENCE })).toMatchObject({ valid: true });
    expect(await b.verify(presented, { audience: AUDIENCE })).toMatchObject({
      valid: false,
      code: 'invalid_dpop_proof',
      description: 'the DPoP proof was used before',
    });
    // A fresh proof passes on either; the record expires on its own in Redis.
    expect(await b.verify({ ...presented, dpop: await proof(url) }, { audience: AUDIENCE })).toMatchObject({ valid: true });
    const stored = await redis[0]!.keys(`${prefix}*`);
    expect(stored).toHaveLength(2);
    const ttl = await redis[0]!.pttl(stored[0]!);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(120_000);
  });
});
