import { limitIdentity, type CreditSpend, type RateLimitCheck } from '@tessera/core';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RedisRateLimiter } from '../../apps/server/src/adapters/rate-limiter/redis.js';
import { dropPrefix, TEST_REDIS_URL, testPrefix, until } from './support/redis.js';
import { TcpProxy } from './support/tcp-proxy.js';

const prefix = testPrefix();
const connections: Redis[] = [];
let proxy: TcpProxy;

function connection(url = TEST_REDIS_URL): Redis {
  const r = new Redis(url, { enableOfflineQueue: false, maxRetriesPerRequest: 1, commandTimeout: 500, retryStrategy: () => 50 });
  r.on('error', () => {});
  connections.push(r);
  return r;
}

async function limiter(failMode: 'local' | 'deny' = 'local', url?: string): Promise<RedisRateLimiter> {
  const r = connection(url);
  await until(() => r.status === 'ready');
  return new RedisRateLimiter(r, { prefix, failMode });
}

const HOUR = 3_600_000;
// Far from a window edge, so a window never rolls over mid-test.
const now = Math.floor(Date.now() / HOUR) * HOUR + HOUR / 2;
const check = (id: string, limit: number, name = 'requests'): RateLimitCheck => ({ id, name, limit, windowMs: HOUR });
const credits = (keyId: string, remaining: number, over: Partial<CreditSpend> = {}): CreditSpend => ({
  keyId,
  version: 1,
  cost: 1,
  known: { remaining, refilledAt: null },
  refill: null,
  createdAt: now - 1000,
  ...over,
});

beforeAll(async () => {
  proxy = await TcpProxy.start(TEST_REDIS_URL);
});
afterAll(async () => {
  for (const c of connections) c.disconnect();
  await proxy.close();
  await dropPrefix(prefix);
});

describe('RedisRateLimiter', () => {
  it('admits exactly the limit across three nodes under concurrent load', async () => {
    const nodes = await Promise.all([limiter(), limiter(), limiter()]);
    const results = await Promise.all(
      Array.from({ length: 300 }, (_, i) => nodes[i % 3]!.consume([check('key_exact:requests', 100)], now)),
    );
    expect(results.filter((r) => r.allowed)).toHaveLength(100);
    const remaining = results.filter((r) => r.allowed).map((r) => r.states[0]!.remaining);
    expect(new Set(remaining).size).toBe(100); // every admitted request saw its own count
    expect(Math.min(...remaining)).toBe(0);
    expect(results.at(-1)!.states[0]).toMatchObject({ name: 'requests', limit: 100, remaining: 0, reset: now - (now % HOUR) + HOUR });
  });

  it('counts a request only when every limit allows it', async () => {
    const l = await limiter();
    const checks = [check('key_multi:burst', 2, 'burst'), check('key_multi:hour', 3, 'hour')];
    const allowed = [];
    for (let i = 0; i < 5; i++) allowed.push((await l.consume(checks, now)).allowed);
    expect(allowed).toEqual([true, true, false, false, false]);
    // the refused requests did not use up the wider limit
    expect((await l.consume([check('key_multi:hour', 3, 'hour')], now)).allowed).toBe(true);
    expect((await l.consume([check('key_multi:hour', 3, 'hour')], now)).allowed).toBe(false);
  });

  it('starts a new counter in the next window', async () => {
    const l = await limiter();
    expect((await l.consume([check('key_window:r', 1)], now)).allowed).toBe(true);
    expect((await l.consume([check('key_window:r', 1)], now)).allowed).toBe(false);
    expect((await l.consume([check('key_window:r', 1)], now + HOUR)).allowed).toBe(true);
  });

  it('spends credits exactly once across nodes, with the limits in the same step', async () => {
    const nodes = await Promise.all([limiter(), limiter(), limiter()]);
    const results = await Promise.all(
      Array.from({ length: 120 }, (_, i) => nodes[i % 3]!.consumeWithCredits([], credits('key_credits', 50), now)),
    );
    expect(results.filter((r) => r.credits!.enough)).toHaveLength(50);
    expect(results.map((r) => r.credits!.remaining).sort((a, b) => a - b)[0]).toBe(0);
    // a cost larger than what is left is refused without spending
    const big = await nodes[0]!.consumeWithCredits([], credits('key_credits', 50, { cost: 5 }), now);
    expect(big.credits).toEqual({ enough: false, remaining: 0, refilledAt: null });
  });

  it('does not spend credits when a rate limit refuses', async () => {
    const l = await limiter();
    const limits = [check('key_both:r', 2)];
    const outcomes = [];
    for (let i = 0; i < 4; i++) outcomes.push(await l.consumeWithCredits(limits, credits('key_both', 10), now));
    expect(outcomes.map((o) => o.allowed)).toEqual([true, true, false, false]);
    expect(outcomes[1]!.credits!.remaining).toBe(8);
    expect(outcomes[2]!.credits).toBeUndefined();
  });

  it('refills after the interval and merges what a node knows (later refill, then lower balance)', async () => {
    const l = await limiter();
    const refill = { amount: 5, intervalSeconds: 60 };
    const base = { refill, known: { remaining: 2, refilledAt: now - 1000 } };
    expect((await l.consumeWithCredits([], credits('key_refill', 2, base), now)).credits).toEqual({
      enough: true,
      remaining: 1,
      refilledAt: now - 1000,
    });
    // a node that spent locally during an outage knows a lower balance: it wins
    const lower = await l.consumeWithCredits(
      [],
      credits('key_refill', 0, { ...base, cost: 0, known: { remaining: 0, refilledAt: now - 1000 } }),
      now,
    );
    expect(lower.credits).toEqual({ enough: true, remaining: 0, refilledAt: now - 1000 });
    // a stale node knowing a higher balance does not bring credits back
    const stale = await l.consumeWithCredits([], credits('key_refill', 2, base), now);
    expect(stale.credits).toEqual({ enough: false, remaining: 0, refilledAt: now - 1000 });
    const later = now - 1000 + 60_000;
    expect((await l.consumeWithCredits([], credits('key_refill', 2, base), later)).credits).toEqual({
      enough: true,
      remaining: 4,
      refilledAt: later,
    });
  });

  it('starts a fresh balance when a management change bumps the version', async () => {
    const l = await limiter();
    await l.consumeWithCredits([], credits('key_version', 1), now);
    expect((await l.consumeWithCredits([], credits('key_version', 1), now)).credits!.enough).toBe(false);
    expect((await l.consumeWithCredits([], credits('key_version', 7, { version: 2 }), now)).credits).toEqual({
      enough: true,
      remaining: 6,
      refilledAt: null,
    });
  });

  it('falls back to local limits while Redis is unreachable, counts it, and recovers', async () => {
    const l = await limiter('local', proxy.url(TEST_REDIS_URL));
    expect((await l.consume([check('key_fallback:r', 3)], now)).allowed).toBe(true);
    await proxy.cut();
    // the local limiter starts from zero: each node alone admits up to the limit
    const local = [];
    for (let i = 0; i < 4; i++) local.push((await l.consume([check('key_fallback:r', 3)], now)).allowed);
    expect(local).toEqual([true, true, true, false]);
    expect(l.fallbacks).toBe(4);
    const c = await l.consumeWithCredits([], credits('key_fallback', 5), now);
    expect(c.credits).toBeUndefined(); // the verifier spends on its own copy then
    await proxy.restore();
    await until(() => (l as unknown as { redis: Redis }).redis.status === 'ready');
    const back = await l.consume([check('key_fallback:r', 3)], now);
    expect(back.states[0]!.remaining).toBe(1); // the shared counter again: 1 before the outage + this one
    expect(l.fallbacks).toBe(5);
  });

  it('refuses limited requests while Redis is unreachable in deny mode', async () => {
    const l = await limiter('deny', proxy.url(TEST_REDIS_URL));
    await proxy.cut();
    try {
      const r = await l.consume([check('key_deny:r', 3)], now);
      expect(r).toEqual({ allowed: false, states: [{ name: 'requests', limit: 3, remaining: 0, reset: now - (now % HOUR) + HOUR }] });
    } finally {
      await proxy.restore();
    }
  });

  it('keeps owner-wide counters apart when owner ids and limit names hold `:` (or look like an encoding)', async () => {
    const a = await limiter();
    const owner = (ownerId: string, name: string): RateLimitCheck => ({
      id: limitIdentity({ id: 'key_x', workspaceId: 'ws_default', ownerId }, { name, limit: 1, windowMs: HOUR, identity: 'owner' }),
      name,
      limit: 1,
      windowMs: HOUR,
    });
    const checks = [owner('a:b', 'c'), owner('a', 'b:c'), owner('a%3Ab', 'c'), owner('{tag}', 'c')];
    expect(new Set(checks.map((c) => c.id)).size).toBe(4);
    for (const c of checks) expect((await a.consume([c], now)).allowed).toBe(true);
    for (const c of checks) expect((await a.consume([c], now)).allowed).toBe(false);
  });
});
