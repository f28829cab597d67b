import { randomBytes } from 'node:crypto';
import { revocationOf, type Invalidation } from '@tessera/core';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { openPgInvalidationBus } from '../../apps/server/src/adapters/invalidation-bus/postgres-notify.js';
import { openRedisInvalidationBus } from '../../apps/server/src/adapters/invalidation-bus/redis.js';
import type { BusTiming, RemoteInvalidationBus } from '../../apps/server/src/adapters/invalidation-bus/remote.js';
import { TEST_DATABASE_URL } from '../support/databases.js';
import { TEST_REDIS_URL, until } from './support/redis.js';

/**
 * The acknowledged bus on a real Redis and a real PostgreSQL: a change's `publish` returns only
 * once every live peer has dropped the record, so a revocation answered on one node is already
 * refused on the others. A peer that stops answering is waited for only until the timeout, and
 * not at all once it is gone.
 */
const TIMING: BusTiming = { ackTimeoutMs: 300, heartbeatMs: 100, peerTtlMs: 400 };
const closers: (() => Promise<void>)[] = [];

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

interface Node {
  bus: RemoteInvalidationBus;
  heard: Invalidation[];
}

async function redisNodes(n: number, channel = `tessera-test-bus-${randomBytes(4).toString('hex')}`): Promise<Node[]> {
  const nodes: Node[] = [];
  for (let i = 0; i < n; i++) {
    const pub = new Redis(TEST_REDIS_URL);
    const sub = new Redis(TEST_REDIS_URL);
    const bus = await openRedisInvalidationBus(pub, sub, channel, {}, 3000, TIMING);
    const node: Node = { bus, heard: [] };
    bus.subscribe((m) => node.heard.push(m));
    nodes.push(node);
    closers.push(async () => {
      await bus.close();
      pub.disconnect();
      sub.disconnect();
    });
  }
  await knowEachOther();
  return nodes;
}

async function pgNodes(n: number): Promise<Node[]> {
  const channel = `tessera_test_bus_${randomBytes(4).toString('hex')}`;
  const nodes: Node[] = [];
  for (let i = 0; i < n; i++) {
    const bus = await openPgInvalidationBus(TEST_DATABASE_URL, channel, {}, 3000, TIMING);
    const node: Node = { bus, heard: [] };
    bus.subscribe((m) => node.heard.push(m));
    nodes.push(node);
    closers.push(() => bus.close());
  }
  await knowEachOther();
  return nodes;
}

/** Long enough for every node to hear every other one's heartbeat (a publish then waits for all). */
const knowEachOther = () => new Promise((r) => setTimeout(r, TIMING.heartbeatMs * 3));

const revoke = (i: number): Invalidation => ({ kind: 'key', id: `key_${i}`, hash: `hash_${i}` });

describe('the acknowledged invalidation bus', () => {
  it('on Redis: publish returns once both peers have the change (100 trials)', async () => {
    const [a, b, c] = await redisNodes(3);
    for (let i = 0; i < 100; i++) {
      await a!.bus.publish(revoke(i));
      // No waiting here: the peers must have it already.
      expect(b!.heard.at(-1)).toEqual(revoke(i));
      expect(c!.heard.at(-1)).toEqual(revoke(i));
    }
    expect(a!.bus.ackTimeouts).toBe(0);
  });

  it("on Redis: carries a keyspace's change (its gateway routes) like a key's", async () => {
    const [a, b] = await redisNodes(2);
    await a!.bus.publish({ kind: 'keyspace', id: 'ks_routes' });
    expect(b!.heard.at(-1)).toEqual({ kind: 'keyspace', id: 'ks_routes' });
  });

  it('on Redis: a node that shuts down says goodbye, and the others stop waiting for it at once', async () => {
    const [a, b] = await redisNodes(2);
    await b!.bus.close();
    await new Promise((r) => setTimeout(r, 20)); // the goodbye crosses Redis
    const start = performance.now();
    await a!.bus.publish(revoke(1));
    expect(performance.now() - start).toBeLessThan(TIMING.ackTimeoutMs);
    expect(a!.bus.ackTimeouts).toBe(0);
  });

  it('on Redis: a silent peer is waited for until the timeout, and not after it is no longer heard', async () => {
    const channel = `tessera-test-bus-${randomBytes(4).toString('hex')}`;
    const [a] = await redisNodes(1, channel);
    // A peer that sends heartbeats but never acknowledges (a node stuck or cut off from its subscription).
    const mute = new Redis(TEST_REDIS_URL);
    closers.push(async () => void mute.disconnect());
    const beat = setInterval(() => void mute.publish(channel, JSON.stringify({ n: 'mute-node', h: 1 })), TIMING.heartbeatMs);
    await new Promise((r) => setTimeout(r, TIMING.heartbeatMs * 2));
    let start = performance.now();
    await a!.bus.publish(revoke(1));
    const waited = performance.now() - start;
    expect(waited).toBeGreaterThanOrEqual(TIMING.ackTimeoutMs - 5);
    expect(a!.bus.ackTimeouts).toBe(1);
    clearInterval(beat);
    await new Promise((r) => setTimeout(r, TIMING.peerTtlMs + 50));
    start = performance.now();
    await a!.bus.publish(revoke(2));
    expect(performance.now() - start).toBeLessThan(TIMING.ackTimeoutMs);
    expect(a!.bus.ackTimeouts).toBe(1);
  });

  it('on Redis: a revocation carries what it wrote to every peer; a malformed one is heard as a plain change', async () => {
    const channel = `tessera-test-bus-${randomBytes(4).toString('hex')}`;
    const [a, b] = await redisNodes(2, channel);
    const revocation: Invalidation = { kind: 'key', id: 'key_r', hash: 'hash_r', revoked: { at: 1_767_225_600_000, reason: 'leaked' } };
    await a!.bus.publish(revocation);
    expect(b!.heard).toEqual([revocation]);
    expect(revocationOf(b!.heard[0]!)).toEqual({ at: 1_767_225_600_000, reason: 'leaked' });
    // A peer's message with a revocation that is not one: the key is still dropped, nothing is taken from it.
    const raw = new Redis(TEST_REDIS_URL);
    closers.push(async () => raw.disconnect());
    for (const revoked of [{ at: 'soon', reason: null }, { at: 1.5, reason: null }, { at: 1, reason: 7 }, 'yes', null])
      await raw.publish(channel, JSON.stringify({ n: 'node-elsewhere', v: 2, m: { kind: 'key', id: 'key_m', hash: 'hash_m', revoked } }));
    await until(() => b!.heard.length === 6);
    for (const m of b!.heard.slice(1)) {
      expect(m).toMatchObject({ kind: 'key', id: 'key_m', hash: 'hash_m' });
      expect(revocationOf(m)).toBeUndefined();
    }
  });

  it('on Redis: a bulk change of 300 records goes as one message with one acknowledgement per peer', async () => {
    const acks: number[] = [];
    const published: number[] = [];
    const channel = `tessera-test-bus-${randomBytes(4).toString('hex')}`;
    const [b, c] = await redisNodes(2, channel);
    const pub = new Redis(TEST_REDIS_URL);
    const sub = new Redis(TEST_REDIS_URL);
    const a = await openRedisInvalidationBus(
      pub,
      sub,
      channel,
      { onPeerAck: (ms) => acks.push(ms), onPublished: (ms) => published.push(ms) },
      3000,
      TIMING,
    );
    closers.push(async () => {
      await a.close();
      pub.disconnect();
      sub.disconnect();
    });
    await knowEachOther();
    const changes = Array.from({ length: 300 }, (_, i) => revoke(i));
    await a.publishMany(changes);
    // No waiting: both peers have all 300 once it returns, from one message each.
    expect(b!.heard).toEqual(changes);
    expect(c!.heard).toEqual(changes);
    expect(published).toHaveLength(1);
    expect(acks).toHaveLength(2);
    expect(a.ackTimeouts).toBe(0);
  });

  it('on Redis: with a peer of an older release (it reads one change per message), a bulk change goes one by one', async () => {
    const channel = `tessera-test-bus-${randomBytes(4).toString('hex')}`;
    const [a] = await redisNodes(1, channel);
    // An older node: heartbeats without a protocol version, one acknowledgement per `m`, and `ms` unread.
    const old = { pub: new Redis(TEST_REDIS_URL), sub: new Redis(TEST_REDIS_URL), singles: 0, batches: 0 };
    closers.push(async () => {
      old.pub.disconnect();
      old.sub.disconnect();
    });
    await old.sub.subscribe(channel);
    old.sub.on('message', (_ch: string, payload: string) => {
      const e = JSON.parse(payload);
      if (e.n === 'old-node') return;
      if (e.ms !== undefined) old.batches++;
      if (e.m !== undefined) {
        old.singles++;
        void old.pub.publish(channel, JSON.stringify({ n: 'old-node', a: e.i, to: e.n }));
      }
    });
    const beat = setInterval(() => void old.pub.publish(channel, JSON.stringify({ n: 'old-node', h: 1 })), TIMING.heartbeatMs);
    closers.push(async () => clearInterval(beat));
    await knowEachOther();
    await a!.bus.publishMany(Array.from({ length: 50 }, (_, i) => revoke(i)));
    expect(old.batches).toBe(0);
    expect(old.singles).toBe(50);
    expect(a!.bus.ackTimeouts).toBe(0);
  });

  it('on PostgreSQL LISTEN/NOTIFY: a bulk change is cut into messages NOTIFY carries, each acknowledged', async () => {
    const [a, b, c] = await pgNodes(3);
    const changes = Array.from({ length: 300 }, (_, i) => revoke(i));
    await a!.bus.publishMany(changes);
    expect(b!.heard).toEqual(changes);
    expect(c!.heard).toEqual(changes);
    expect(a!.bus.ackTimeouts).toBe(0);
    expect(a!.bus.publishFailures).toBe(0);
  });

  it('on PostgreSQL LISTEN/NOTIFY: publish returns once the peers have the change (50 trials)', async () => {
    const [a, b, c] = await pgNodes(3);
    for (let i = 0; i < 50; i++) {
      await a!.bus.publish(revoke(i));
      expect(b!.heard.at(-1)).toEqual(revoke(i));
      expect(c!.heard.at(-1)).toEqual(revoke(i));
    }
    expect(a!.bus.ackTimeouts).toBe(0);
  });
});
