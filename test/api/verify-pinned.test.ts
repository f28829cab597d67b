import { Tessera } from '@tessera/sdk';
import { tessera } from '@tessera/sdk/fastify';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';

/**
 * A route can pin verification to a keyspace or an environment, so a test key cannot pass a
 * production route. A key outside the pin answers exactly as an unknown key does (NOT_FOUND, no
 * details), spends nothing and counts against no limit.
 */
describe.each(DIALECTS)('verification pinned to a keyspace or an environment (%s)', (dialect) => {
  let s: TestServer;
  let prod: string;
  let sandbox: string;
  let live: { keyId: string; key: string };
  let test: { keyId: string; key: string };
  let bare: { keyId: string; key: string };
  beforeAll(async () => {
    s = await startTestServer(dialect);
    prod = (await s.api('POST', '/v1/keyspaces', { name: 'prod', prefix: 'sk_live' })).body.id;
    sandbox = (await s.api('POST', '/v1/keyspaces', { name: 'sandbox', prefix: 'sk_test' })).body.id;
    live = (await s.api('POST', '/v1/keys', { keyspaceId: prod, environment: 'production' })).body;
    test = (await s.api('POST', '/v1/keys', { keyspaceId: sandbox, environment: 'test', credits: { remaining: 5 } })).body;
    bare = (await s.api('POST', '/v1/keys', { keyspaceId: prod })).body;
  });
  afterAll(() => s.close());

  const verify = (body: Record<string, unknown>) => s.api('POST', '/v1/keys/verify', body);

  it('a key of another keyspace or environment answers like an unknown key', async () => {
    expect((await verify({ key: live.key, keyspaceId: prod })).body).toMatchObject({ valid: true, code: 'VALID' });
    expect((await verify({ key: live.key, environment: 'production' })).body).toMatchObject({ valid: true, code: 'VALID' });
    expect((await verify({ key: live.key, keyspaceId: prod, environment: 'production' })).body.code).toBe('VALID');
    const unknown = (await verify({ key: 'sk_live_' + 'A'.repeat(43) + '000000' })).body;
    for (const body of [
      { key: test.key, keyspaceId: prod },
      { key: test.key, environment: 'production' },
      { key: live.key, keyspaceId: sandbox },
      { key: live.key, keyspaceId: prod, environment: 'test' },
      { key: bare.key, environment: 'production' }, // no environment is not production
      { key: live.key, keyspaceId: 'ks_doesnotexist' },
    ]) {
      const r = await verify(body);
      expect(r.status).toBe(200);
      expect(r.body, JSON.stringify(body)).toEqual({ valid: false, code: 'NOT_FOUND' });
    }
    expect(['NOT_FOUND', 'MALFORMED']).toContain(unknown.code);
    expect((await verify({ key: live.key, keyspaceId: 'not an id' })).status).toBe(400);
    expect((await verify({ key: live.key, environment: 'white space' })).status).toBe(400);
  });

  it('a refused pinned verification spends no credit', async () => {
    for (let i = 0; i < 3; i++) expect((await verify({ key: test.key, keyspaceId: prod })).body.code).toBe('NOT_FOUND');
    const r = await verify({ key: test.key, keyspaceId: sandbox, environment: 'test' });
    expect(r.body).toMatchObject({ valid: true, credits: { remaining: 4 } });
  });

  it('the SDK pins too, in verifyKey and in the middleware, and its cache keeps pinned answers apart', async () => {
    const client = new Tessera({ baseUrl: s.url, rootKey: s.rootKey });
    // Cached unpinned first: the pinned call must not be answered from that entry.
    expect((await client.verifyKey(bare.key)).result).toMatchObject({ valid: true });
    expect((await client.verifyKey(bare.key, { keyspaceId: sandbox })).result).toEqual({ valid: false, code: 'NOT_FOUND' });
    expect((await client.verifyKey(bare.key, { keyspaceId: prod })).result).toMatchObject({ valid: true });

    const app: FastifyInstance = Fastify();
    const { requireApiKey } = tessera({ baseUrl: s.url, rootKey: s.rootKey });
    app.get('/live', { preHandler: requireApiKey({ keyspaceId: prod, environment: 'production', cost: 0 }) }, async () => ({ ok: true }));
    expect(() => requireApiKey({ environment: '' })).toThrow(TypeError);
    const call = (key: string) => app.inject({ method: 'GET', url: '/live', headers: { authorization: `Bearer ${key}` } });
    expect((await call(live.key)).statusCode).toBe(200);
    const refused = await call(test.key);
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toMatchObject({ code: 'NOT_FOUND' });
    expect((await call(bare.key)).statusCode).toBe(401);
    await app.close();
  });
});
