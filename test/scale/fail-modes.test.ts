import { MemoryKeyring, RootKeyService, LocalInvalidationBus, systemClock, generateKey } from '@tessera/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, TEST_DATABASE_URL, type TestDatabase } from '../support/databases.js';
import { startNode, type InProcessNode } from './support/node.js';
import { dropPrefix, TEST_REDIS_URL, testPrefix, until } from './support/redis.js';
import { TcpProxy } from './support/tcp-proxy.js';

/**
 * Fault injection: two nodes share PostgreSQL and Redis through proxies this test controls.
 * Cutting a proxy is, for the node behind it, the server going away; the shared servers are
 * never stopped.
 */
const prefix = testPrefix();
let db: TestDatabase;
let pg: TcpProxy;
let redisA: TcpProxy;
let redisB: TcpProxy;
let a: InProcessNode;
let b: InProcessNode;
let keyspaceId: string;

beforeAll(async () => {
  db = await createTestDatabase('postgres');
  [pg, redisA, redisB] = await Promise.all([
    TcpProxy.start(TEST_DATABASE_URL),
    TcpProxy.start(TEST_REDIS_URL),
    TcpProxy.start(TEST_REDIS_URL),
  ]);
  const keyring = MemoryKeyring.generate();
  const { key: rootKey } = await new RootKeyService({
    store: db.store,
    keyring,
    clock: systemClock,
    bus: new LocalInvalidationBus(),
  }).bootstrap();
  const common = { databaseUrl: pg.url(db.url!), schema: db.schema!, redisPrefix: prefix, keyring, rootKey };
  a = await startNode({ ...common, redisUrl: redisA.url(TEST_REDIS_URL) });
  b = await startNode({ ...common, redisUrl: redisB.url(TEST_REDIS_URL) });
  keyspaceId = (await a.api('POST', '/v1/keyspaces', { name: 'faults', prefix: 'sk_fault' })).body.id;
});

afterAll(async () => {
  await Promise.all([pg?.restore(), redisA?.restore(), redisB?.restore()]);
  await a?.close();
  await b?.close();
  await Promise.all([pg?.close(), redisA?.close(), redisB?.close()]);
  await db?.drop();
  await dropPrefix(prefix);
});

async function createKey(body: Record<string, unknown> = {}): Promise<{ keyId: string; key: string }> {
  const r = await a.api('POST', '/v1/keys', { keyspaceId, ...body });
  expect(r.status).toBe(201);
  // The creation's own invalidation travels too; let it land before a test caches the key.
  await new Promise((res) => setTimeout(res, 100));
  return r.body;
}

const verify = async (node: InProcessNode, key: string) => node.api('POST', '/v1/keys/verify', { key });

/** Verifies in a loop until stopped; collects every status and code. */
function load(node: InProcessNode, key: string) {
  const seen: string[] = [];
  let running = true;
  const done = (async () => {
    while (running) {
      const r = await verify(node, key).catch((e: Error) => ({ status: 0, body: { code: e.message } }));
      seen.push(`${r.status} ${r.body?.code}`);
      await new Promise((res) => setTimeout(res, 2));
    }
  })();
  return {
    seen,
    async stop() {
      running = false;
      await done;
      return seen;
    },
  };
}

describe('PostgreSQL unreachable during load', () => {
  it('keeps cached keys valid and known revocations refused, fails closed for unknown keys, answers 503 for management, and recovers by itself', async () => {
    const good = await createKey();
    const revoked = await createKey();
    expect((await verify(b, good.key)).body.code).toBe('VALID');
    expect((await verify(b, revoked.key)).body.code).toBe('VALID');
    await a.api('POST', `/v1/keys/${revoked.keyId}/revoke`, {});
    await until(async () => (await verify(b, revoked.key)).body.code === 'REVOKED');
    const traffic = load(b, good.key);

    await pg.cut();
    try {
      expect(await verify(b, good.key)).toMatchObject({ status: 200, body: { valid: true, code: 'VALID' } });
      expect(await verify(b, revoked.key)).toMatchObject({ status: 200, body: { valid: false, code: 'REVOKED' } });
      const unknown = await verify(b, generateKey('sk_fault'));
      expect(unknown).toMatchObject({ status: 503, body: { code: 'STORE_UNAVAILABLE', status: 503 } });
      expect(unknown.type).toMatch(/^application\/problem\+json/);
      for (const [method, path, body] of [
        ['GET', `/v1/keys/${good.keyId}`, undefined],
        ['POST', '/v1/keys', { keyspaceId }],
        ['POST', `/v1/keys/${good.keyId}/revoke`, {}],
      ] as const) {
        const r = await b.api(method, path, body);
        expect(r, `${method} ${path}`).toMatchObject({ status: 503, body: { code: 'STORE_UNAVAILABLE' } });
        expect(r.type).toMatch(/^application\/problem\+json/);
      }
      expect((await fetch(`${b.url}/readyz`)).status).toBe(503);
      expect((await fetch(`${b.url}/healthz`)).status).toBe(200);
    } finally {
      await pg.restore();
    }

    await until(async () => (await fetch(`${b.url}/readyz`)).status === 200);
    const fresh = await b.api('POST', '/v1/keys', { keyspaceId });
    expect(fresh.status).toBe(201);
    expect((await verify(a, fresh.body.key)).body.code).toBe('VALID');
    expect((await b.api('GET', `/v1/keys/${good.keyId}`)).status).toBe(200);
    const seen = await traffic.stop();
    expect(seen.length).toBeGreaterThan(5);
    expect(seen.filter((s) => s !== '200 VALID')).toEqual([]);
  });
});

describe('Redis unreachable during load', () => {
  it('a node cut off from the bus drops its cache when it comes back, so a revocation it missed holds', async () => {
    const k = await createKey();
    expect((await verify(b, k.key)).body.code).toBe('VALID');
    const resyncs = b.shared.resyncs;
    await redisB.cut();
    await a.api('POST', `/v1/keys/${k.keyId}/revoke`, {});
    // node B missed the message: during the partition it answers from its cache (documented)
    expect((await verify(b, k.key)).body.code).toBe('VALID');
    await redisB.restore();
    await until(() => b.shared.resyncs > resyncs);
    expect((await verify(b, k.key)).body.code).toBe('REVOKED');
    expect(await b.metric('tessera_bus_resyncs_total')).toBeGreaterThan(0);
  });

  it('an invalidation a node could not send is sent when Redis is back', async () => {
    const k = await createKey();
    expect((await verify(b, k.key)).body.code).toBe('VALID');
    await redisA.cut();
    try {
      expect((await a.api('POST', `/v1/keys/${k.keyId}/revoke`, {})).status).toBe(200);
      expect((await verify(a, k.key)).body.code).toBe('REVOKED'); // the node that changed it knows at once
    } finally {
      await redisA.restore();
    }
    await until(async () => (await verify(b, k.key)).body.code === 'REVOKED');
  });

  it('limits rates locally with a warning metric, without a crash or a 5xx, and shares them again after', async () => {
    const k = await createKey({ ratelimits: [{ name: 'requests', limit: 5, windowMs: 86_400_000 }] });
    expect((await verify(b, k.key)).body.ratelimits[0].remaining).toBe(4);
    const before = await b.metric('tessera_ratelimit_fallback_total');
    await redisB.cut();
    let codes: string[];
    try {
      codes = [];
      for (let i = 0; i < 7; i++) {
        const r = await verify(b, k.key);
        expect(r.status).toBe(200);
        codes.push(r.body.code);
      }
    } finally {
      await redisB.restore();
    }
    // the local counter starts from zero: this node alone admits up to the limit
    expect(codes).toEqual(['VALID', 'VALID', 'VALID', 'VALID', 'VALID', 'RATE_LIMITED', 'RATE_LIMITED']);
    expect(await b.metric('tessera_ratelimit_fallback_total')).toBe(before + 7);
    await until(() => b.shared.up);
    // shared again: 1 counted before the outage, 1 now
    const back = await verify(b, k.key);
    expect(back.body).toMatchObject({ code: 'VALID', ratelimits: [{ remaining: 3 }] });
    expect(await b.metric('tessera_shared_state_up')).toBe(1);
  });
});
