import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_DATABASE_URL } from '../support/databases.js';
import { buildServer, percentile, spawnNode, stopNode, tessera, withPg, type ProcessNode } from './support/process-node.js';
import { dropPrefix, TEST_REDIS_URL, testPrefix, until } from './support/redis.js';
import { inOneWindow } from '../support/windows.js';

/**
 * Three `tessera serve` processes on loopback sharing one PostgreSQL schema and one Redis
 * prefix, as in the reference deployment (docs/deployment.md).
 */
const schema = `tessera_mn_${randomBytes(5).toString('hex')}`;
const prefix = testPrefix();
const dirs: string[] = [];
let nodes: ProcessNode[] = [];
let rootKey: string;
let keyspaceId: string;
const HOUR = 3_600_000;

beforeAll(async () => {
  buildServer();
  await withPg(TEST_DATABASE_URL, (c) => c.query(`create schema ${schema}`));
  const env = {
    TESSERA_DATABASE_URL: TEST_DATABASE_URL,
    TESSERA_DATABASE_SCHEMA: schema,
    TESSERA_REDIS_URL: TEST_REDIS_URL,
    TESSERA_REDIS_PREFIX: prefix,
    TESSERA_USAGE_FLUSH_MS: '100',
    TESSERA_LOG_LEVEL: 'info',
  };
  const first = mkdtempSync(join(tmpdir(), 'tessera-mn-'));
  dirs.push(first);
  const init = await tessera(['init', '--data-dir', first, '--json'], env);
  expect(init.status, init.stderr).toBe(0);
  rootKey = JSON.parse(init.stdout).rootKey;
  // Every node needs the same keyring: copy the data dir of the first one.
  for (let i = 1; i < 3; i++) {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-mn-'));
    cpSync(first, dir, { recursive: true });
    dirs.push(dir);
  }
  nodes = await Promise.all(dirs.map((d) => spawnNode(d, env, rootKey)));
  keyspaceId = (await nodes[0]!.api('POST', '/v1/keyspaces', { name: 'multi', prefix: 'sk_multi' })).body.id;
});

afterAll(async () => {
  await Promise.all(nodes.map((n) => stopNode(n)));
  await withPg(TEST_DATABASE_URL, (c) => c.query(`drop schema if exists ${schema} cascade`));
  await dropPrefix(prefix);
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const verify = (node: ProcessNode, key: string, extra: object = {}) => node.api('POST', '/v1/keys/verify', { key, ...extra });

async function createKeys(n: number, body: object = {}): Promise<{ keyId: string; key: string }[]> {
  const out = [];
  for (let i = 0; i < n; i++) {
    const r = await nodes[0]!.api('POST', '/v1/keys', { keyspaceId, ...body });
    expect(r.status).toBe(201);
    out.push(r.body);
  }
  return out;
}

/** Runs `total` calls with `concurrency` at a time. */
async function pool<T>(total: number, concurrency: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(total);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        results[i] = await fn(i);
      }
    }),
  );
  return results;
}

/** Key cache misses (reads of the store) on nodes 2 and 3. */
async function peerMisses(): Promise<number[]> {
  const misses = await Promise.all([nodes[1]!, nodes[2]!].map((n) => n.metric('tessera_key_cache_misses_total')));
  expect(misses.every(Number.isFinite)).toBe(true); // a series gone would compare NaN with NaN
  return misses;
}

describe('three nodes sharing PostgreSQL and Redis', () => {
  it('a revocation answered by node 1 is already refused by nodes 2 and 3 (200 trials)', async () => {
    const trials = await createKeys(200);
    await new Promise((r) => setTimeout(r, 300)); // the creations' own invalidations land first
    // Nodes 2 and 3 hold every key in their caches before the revocation.
    await pool(400, 16, (i) => verify(nodes[1 + (i % 2)]!, trials[i >> 1]!.key).then((r) => expect(r.body.code).toBe('VALID')));
    // The revoke call returns once every live node has dropped the key (the bus's acknowledgements),
    // so the time it takes is the propagation, and the very next verify anywhere must refuse.
    const ms: number[] = [];
    const missesBefore = await peerMisses();
    for (const t of trials) {
      const start = performance.now();
      const revoked = await nodes[0]!.api('POST', `/v1/keys/${t.keyId}/revoke`, {});
      ms.push(performance.now() - start);
      expect(revoked.status).toBe(200);
      const answers = await Promise.all([nodes[1]!, nodes[2]!].map((node) => verify(node, t.key)));
      expect(answers.map((a) => a.body.code)).toEqual(['REVOKED', 'REVOKED']);
    }
    // The revocations carried what they wrote: nodes 2 and 3 answered from their copies, no store read.
    expect(await peerMisses()).toEqual(missesBefore);
    ms.sort((a, b) => a - b);
    const p50 = percentile(ms, 50);
    const p99 = percentile(ms, 99);
    console.log(
      `revocation, call to answer with nodes 2 and 3 confirmed, over ${ms.length} trials: p50 ${p50.toFixed(2)} ms, p99 ${p99.toFixed(2)} ms, max ${ms.at(-1)!.toFixed(2)} ms`,
    );
    // Target p99 < 100 ms; the bound here leaves room for a loaded CI machine.
    expect(p99).toBeLessThan(1000);
  });

  it("node 1's metrics say where each revoke spent its time, phase by phase, and how long each peer took to acknowledge", async () => {
    const metrics = await (await fetch(`${nodes[0]!.url}/metrics`)).text();
    const value = (series: string) =>
      Number(
        metrics
          .split('\n')
          .find((l) => l.startsWith(`${series} `))
          ?.split(' ')[1],
      );
    // The 200 revocations of the test before, each through every phase: one statement (write, audit,
    // commit: the rest of its round trip), then publish; no transaction to begin.
    for (const phase of ['write', 'audit', 'commit', 'publish'])
      expect(value(`tessera_key_change_phase_seconds_count{action="revoke",phase="${phase}"}`)).toBe(200);
    expect(value('tessera_key_change_phase_seconds_count{action="revoke",phase="begin"}')).toBeNaN();
    const publishSeconds = value('tessera_key_change_phase_seconds_sum{action="revoke",phase="publish"}');
    expect(publishSeconds).toBeGreaterThan(0);
    // Every invalidation node 1 sent (creations too) was sent and acknowledged by both peers.
    const published = value('tessera_bus_publish_seconds_count{phase="acknowledgements"}');
    expect(published).toBeGreaterThanOrEqual(400);
    expect(value('tessera_bus_publish_seconds_count{phase="send"}')).toBe(published);
    expect(value('tessera_bus_peer_ack_seconds_count')).toBe(2 * published);
  });

  it("a bulk revoke of an owner's 300 keys on node 1 is refused by nodes 2 and 3 as soon as it answers", async () => {
    const owned = await createKeys(300, { ownerId: 'owner-bulk' });
    await new Promise((r) => setTimeout(r, 300));
    await pool(600, 16, (i) => verify(nodes[1 + (i % 2)]!, owned[i >> 1]!.key).then((r) => expect(r.body.code).toBe('VALID')));
    const missesBefore = await peerMisses();
    const start = performance.now();
    const revoked = await nodes[0]!.api('POST', '/v1/keys/revoke-by-owner', { ownerId: 'owner-bulk' });
    const ms = performance.now() - start;
    expect(revoked.status).toBe(200);
    expect(revoked.body.keyIds).toHaveLength(300);
    const codes = new Set<string>();
    await pool(600, 16, (i) => verify(nodes[1 + (i % 2)]!, owned[i >> 1]!.key).then((r) => void codes.add(r.body.code)));
    expect([...codes]).toEqual(['REVOKED']);
    expect(await peerMisses()).toEqual(missesBefore);
    console.log(`bulk revoke of 300 keys, call to answer with nodes 2 and 3 confirmed: ${ms.toFixed(1)} ms`);
  });

  it('a limit of 100 across three nodes under concurrent load admits exactly 100', async () => {
    await inOneWindow(HOUR, 20_000);
    const [k] = await createKeys(1, { ratelimits: [{ name: 'requests', limit: 100, windowMs: HOUR }] });
    const results = await pool(300, 30, (i) => verify(nodes[i % 3]!, k!.key));
    expect(results.every((r) => r.status === 200)).toBe(true);
    const valid = results.filter((r) => r.body.code === 'VALID').length;
    console.log(`limit 100 across 3 nodes, 300 concurrent requests: ${valid} admitted`);
    expect(valid).toBe(100);
    expect(results.filter((r) => r.body.code === 'RATE_LIMITED')).toHaveLength(200);
  });

  it('an owner-wide limit is shared by all keys of the owner on every node', async () => {
    await inOneWindow(HOUR, 20_000);
    const owner = `org_${randomBytes(4).toString('hex')}`;
    const keys = await createKeys(3, { ownerId: owner, ratelimits: [{ name: 'org', limit: 30, windowMs: HOUR, identity: 'owner' }] });
    const results = await pool(90, 15, (i) => verify(nodes[i % 3]!, keys[(i >> 2) % 3]!.key));
    expect(results.filter((r) => r.body.code === 'VALID')).toHaveLength(30);
    const [other] = await createKeys(1, {
      ownerId: `${owner}_b`,
      ratelimits: [{ name: 'org', limit: 30, windowMs: HOUR, identity: 'owner' }],
    });
    expect((await verify(nodes[1]!, other!.key)).body.code).toBe('VALID');
  });

  it('credits are spent exactly once across nodes and written to the store without loss or double counting', async () => {
    const [k] = await createKeys(1, { credits: { remaining: 60 } });
    const results = await pool(150, 30, (i) => verify(nodes[i % 3]!, k!.key));
    expect(results.filter((r) => r.body.code === 'VALID')).toHaveLength(60);
    expect(results.filter((r) => r.body.code === 'USAGE_EXCEEDED')).toHaveLength(90);
    await until(
      async () => {
        const r = await nodes[2]!.api('GET', `/v1/keys/${k!.keyId}`);
        return r.body.credits.remaining === 0 && r.body.usageCount === 60;
      },
      5000,
      50,
    );
    // a spend of 0 checks without spending; a management change of credits starts afresh
    expect((await verify(nodes[0]!, k!.key, { cost: 0 })).body).toMatchObject({ code: 'VALID', credits: { remaining: 0 } });
    expect((await nodes[1]!.api('PATCH', `/v1/keys/${k!.keyId}`, { credits: { remaining: 5 } })).status).toBe(200);
    await until(async () => (await verify(nodes[2]!, k!.key, { cost: 2 })).body.code === 'VALID', 5000, 20);
    expect((await verify(nodes[0]!, k!.key, { cost: 3 })).body).toMatchObject({ code: 'VALID', credits: { remaining: 0 } });
  });

  it("an OAuth client's secret rotation and deletion on node 1 reach the client caches of nodes 2 and 3", async () => {
    const created = await nodes[0]!.api('POST', '/v1/oauth/clients', { name: 'multi-node', scopes: ['read'] });
    expect(created.status).toBe(201);
    const { clientId, clientSecret } = created.body as { clientId: string; clientSecret: string };
    const grant = (node: ProcessNode, secret: string) =>
      fetch(`${node.url}/oauth/token`, {
        method: 'POST',
        headers: {
          authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`,
          'content-type': 'application/x-www-form-urlencoded',
        },
        body: 'grant_type=client_credentials',
      }).then((r) => r.status);
    const others = [nodes[1]!, nodes[2]!];
    /** Waits until every other node answers `status`; how long that took, in ms. */
    const seenBy = async (secret: string, status: number) => {
      const start = performance.now();
      await until(async () => (await Promise.all(others.map((n) => grant(n, secret)))).every((s) => s === status), 5000, 5);
      return performance.now() - start;
    };
    // Nodes 2 and 3 authenticate the client, so it sits in their caches.
    for (const n of others) expect(await grant(n, clientSecret)).toBe(200);

    const rotated = await nodes[0]!.api('POST', `/v1/oauth/clients/${clientId}/rotate-secret`, {});
    expect(rotated.status).toBe(200);
    const rotation = await seenBy(clientSecret, 401);
    for (const n of others) expect(await grant(n, rotated.body.clientSecret as string)).toBe(200);

    expect((await nodes[0]!.api('DELETE', `/v1/oauth/clients/${clientId}`)).status).toBe(204);
    const deletion = await seenBy(rotated.body.clientSecret as string, 401);
    console.log(`client changes seen by nodes 2 and 3: rotation ${rotation.toFixed(1)} ms, deletion ${deletion.toFixed(1)} ms`);
  });

  it('SIGTERM drains in-flight requests and flushes usage before exiting', async () => {
    const [k] = await createKeys(1);
    const node = nodes[2]!;
    let sent = 0;
    const answers: (number | string)[] = [];
    const load = pool(400, 20, async () => {
      sent++;
      if (sent === 150) node.proc.kill('SIGTERM');
      const r = await verify(node, k!.key).then(
        (x) => (x.status === 200 ? x.body.code : x.status),
        (e: Error) => `refused: ${(e.cause as Error | undefined)?.message ?? e.message}`,
      );
      answers.push(r);
    });
    await load;
    expect(await node.exited).toBe(0);
    const valid = answers.filter((a) => a === 'VALID').length;
    expect(valid).toBeGreaterThanOrEqual(100);
    // Nothing but a valid answer, a 503 while closing, or a refused connection once it stopped listening.
    expect(answers.filter((a) => a !== 'VALID' && a !== 503 && !String(a).startsWith('refused'))).toEqual([]);
    // Every acknowledged verification was counted: the last flush happened before exit.
    const stored = await nodes[0]!.api('GET', `/v1/keys/${k!.keyId}`);
    expect(stored.body.usageCount).toBe(valid);
  });
});
