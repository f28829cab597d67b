import {
  MemoryRateLimiter,
  type CreditLimiter,
  type CreditOutcome,
  type CreditSpend,
  type RateLimitCheck,
  type RateLimitOutcome,
  type RateLimitState,
} from '@tessera/core';
import type { Redis } from 'ioredis';

/**
 * Rate limits and credits shared by every node, in Redis. One Lua script per verification does
 * both, atomically: it reads every window counter, and only if all allow the request it counts
 * it and spends the credits. Windows are fixed and aligned to multiples of `windowMs`, as in
 * the in-memory limiter, so every node agrees on them (given clocks kept in step by NTP).
 *
 * When Redis cannot be reached the node falls back to its own in-memory limiter (`local`, the
 * default: each node then admits up to the limit, and credits are spent on the node's copy) or
 * refuses every limited request (`deny`). Each fallback is counted for the warning metric.
 */
const SCRIPT = `
local n = tonumber(ARGV[1])
local counts = {}
local allowed = 1
for i = 1, n do
  local c = tonumber(redis.call('GET', KEYS[i]) or '0')
  counts[i] = c
  if c >= tonumber(ARGV[1 + i]) then allowed = 0 end
end
if allowed == 1 then
  for i = 1, n do
    counts[i] = redis.call('INCR', KEYS[i])
    if counts[i] == 1 then redis.call('PEXPIRE', KEYS[i], ARGV[1 + n + i]) end
  end
end
local b = 2 + 2 * n
if ARGV[b] ~= '1' or allowed == 0 then return {allowed, counts} end
local ck = KEYS[n + 1]
local cost = tonumber(ARGV[b + 1])
local kr, kt = tonumber(ARGV[b + 2]), tonumber(ARGV[b + 3])
local amount, interval = tonumber(ARGV[b + 4]), tonumber(ARGV[b + 5])
local created, now = tonumber(ARGV[b + 6]), tonumber(ARGV[b + 7])
local st = redis.call('HMGET', ck, 'r', 't')
local r, t = tonumber(st[1]), tonumber(st[2])
-- Merge what the node knows: a later refill wins, then the lower balance.
if r == nil or kt > t or (kt == t and kr < r) then r, t = kr, kt end
if amount >= 0 then
  local from = t
  if from < 0 then from = created end
  if now >= from + interval then r, t = amount, now end
end
local enough = 0
if cost <= r then
  enough = 1
  r = r - cost
end
redis.call('HSET', ck, 'r', string.format('%d', r), 't', string.format('%d', t))
redis.call('PEXPIRE', ck, ARGV[b + 8])
return {allowed, counts, enough, string.format('%d', r), string.format('%d', t)}
`;

/** Credit counters outlive their last use by this long; the store keeps the balance anyway. */
const CREDITS_TTL_MS = 7 * 86_400_000;

export interface RedisRateLimiterOptions {
  /** Prefix of every key, so several deployments (or test runs) can share one Redis. */
  prefix: string;
  failMode: 'local' | 'deny';
  /** Called on every fallback (for the warning metric and a throttled log line). */
  onFallback?: (err: unknown) => void;
}

type ScriptReply = [number, number[], number?, string?, string?];

export class RedisRateLimiter implements CreditLimiter {
  private readonly local = new MemoryRateLimiter();
  fallbacks = 0;

  constructor(
    private readonly redis: Redis,
    private readonly options: RedisRateLimiterOptions,
  ) {
    redis.defineCommand('tesseraConsume', { lua: SCRIPT });
  }

  async consume(checks: readonly RateLimitCheck[], now: number): Promise<RateLimitOutcome> {
    return this.run(checks, undefined, now);
  }

  async consumeWithCredits(
    checks: readonly RateLimitCheck[],
    credits: CreditSpend,
    now: number,
  ): Promise<RateLimitOutcome & { credits?: CreditOutcome }> {
    return this.run(checks, credits, now);
  }

  private async run(
    checks: readonly RateLimitCheck[],
    credits: CreditSpend | undefined,
    now: number,
  ): Promise<RateLimitOutcome & { credits?: CreditOutcome }> {
    const p = this.options.prefix;
    const starts = checks.map((c) => now - (now % c.windowMs));
    // Identities are encoded once more: any id is one Redis key, with no `:` or `{…}` hash tag of its own.
    const keys = checks.map((c, i) => `${p}rl:${encodeURIComponent(c.id)}:${starts[i]}`);
    const args: (string | number)[] = [
      checks.length,
      ...checks.map((c) => c.limit),
      ...checks.map((c, i) => starts[i]! + c.windowMs - now + 1000),
    ];
    if (credits === undefined) args.push(0);
    else {
      keys.push(`${p}credits:${encodeURIComponent(credits.keyId)}:${credits.version}`);
      args.push(
        1,
        credits.cost,
        credits.known.remaining,
        credits.known.refilledAt ?? -1,
        credits.refill?.amount ?? -1,
        (credits.refill?.intervalSeconds ?? 0) * 1000,
        credits.createdAt,
        now,
        CREDITS_TTL_MS,
      );
    }
    let reply: ScriptReply;
    try {
      if (this.redis.status !== 'ready') throw new Error(`Redis connection is ${this.redis.status}`);
      reply = (await (
        this.redis as unknown as { tesseraConsume(n: number, ...a: (string | number)[]): Promise<ScriptReply> }
      ).tesseraConsume(keys.length, ...keys, ...args)) as ScriptReply;
    } catch (err) {
      this.fallbacks++;
      this.options.onFallback?.(err);
      if (this.options.failMode === 'deny') {
        return {
          allowed: false,
          states: checks.map((c, i) => ({ name: c.name, limit: c.limit, remaining: 0, reset: starts[i]! + c.windowMs })),
        };
      }
      return this.local.consume(checks, now);
    }
    const [allowed, counts] = reply;
    const states: RateLimitState[] = checks.map((c, i) => ({
      name: c.name,
      limit: c.limit,
      remaining: Math.max(0, c.limit - counts[i]!),
      reset: starts[i]! + c.windowMs,
    }));
    const outcome: RateLimitOutcome & { credits?: CreditOutcome } = { allowed: allowed === 1, states };
    if (credits !== undefined && allowed === 1) {
      const t = Number(reply[4]);
      outcome.credits = { enough: reply[2] === 1, remaining: Number(reply[3]), refilledAt: t < 0 ? null : t };
    }
    return outcome;
  }
}
