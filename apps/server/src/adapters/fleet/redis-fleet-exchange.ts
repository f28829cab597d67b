import type { BurstDelta, BurstTotal, FleetDelta, FleetExchange, FleetTotals, MinuteCount } from '@tessera/core';
import type { Redis } from 'ioredis';

/** Counters outlive the window they are judged in by a margin, then Redis drops them. */
const TTL_MS = 30 * 60_000;
/** Per-address counters are judged over the last minute. */
const BURST_TTL_MS = 3 * 60_000;
/** Per-key uses are judged in the minute under way; every key's uses set the scale over the two before. */
const RATE_TTL_MS = 5 * 60_000;
/** Resolved findings kept for nodes to read (each reads them within a second or so). */
const LESSONS_KEPT = 1000;

/**
 * Claims a finding (KEYS[1]) at ARGV[1] (ms) for ARGV[2] ms: refused (0) while a claim made less
 * than that long before holds, else set with the time it was made at (1). One script, so two
 * nodes claiming at once cannot both win.
 */
const CLAIM = `
local held = redis.call('GET', KEYS[1])
if held and tonumber(ARGV[1]) - tonumber(held) < tonumber(ARGV[2]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`;

/** Moves a claim's time on to ARGV[1] unless it holds a later one. */
const RENEW = `
local held = redis.call('GET', KEYS[1])
if held and tonumber(held) >= tonumber(ARGV[1]) then return 0 end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
return 1`;

type Lesson = Parameters<FleetExchange['teach']>[0];
type RateExchange = FleetExchange['rates'];

/**
 * The fleet-wide failure counters of every node, in Redis: per scope and minute a hash (`n`, and
 * `o:<outcome>`) and a HyperLogLog of the failing addresses (distinct counts merge without
 * keeping the addresses; about 1% error). Each exchange is one pipeline: this node's increments,
 * then everyone's totals for the window. A finding is claimed by one script (`CLAIM`), so one
 * node records it; a resolved one is told to every node through a stream.
 */
export class RedisFleetExchange implements FleetExchange {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  async exchange(deltas: readonly FleetDelta[], scopes: readonly string[], from: number, to: number): Promise<FleetTotals[]> {
    const p = this.redis.pipeline();
    for (const d of deltas) {
      const key = this.key(d.scope, d.minute);
      p.hincrby(key, 'n', d.failures);
      for (const [outcome, n] of Object.entries(d.outcomes)) p.hincrby(key, `o:${outcome}`, n);
      p.pexpire(key, TTL_MS);
      if (d.sources.length > 0) {
        p.pfadd(`${key}:src`, ...d.sources);
        p.pexpire(`${key}:src`, TTL_MS);
      }
    }
    const reads: { scope: string; minutes: number[]; hashes: number; union: number; singles: number }[] = [];
    let at = p.length;
    for (const scope of scopes) {
      const minutes: number[] = [];
      for (let m = from; m <= to; m++) {
        minutes.push(m);
        p.hgetall(this.key(scope, m));
      }
      for (const m of minutes) p.pfcount(`${this.key(scope, m)}:src`);
      // The window proper starts after the two lead minutes the caller asks for (to fold its baseline).
      p.pfcount(...minutes.slice(2).map((m) => `${this.key(scope, m)}:src`));
      reads.push({ scope, minutes, hashes: at, singles: at + minutes.length, union: at + 2 * minutes.length });
      at += 2 * minutes.length + 1;
    }
    const results = (await p.exec()) ?? [];
    for (const [err] of results) if (err !== null) throw err;
    return reads.map((r) => {
      const counts = new Map<number, MinuteCount>();
      r.minutes.forEach((m, i) => {
        const h = results[r.hashes + i]![1] as Record<string, string>;
        if (h.n === undefined) return;
        const outcomes: Record<string, number> = {};
        for (const [k, v] of Object.entries(h)) if (k.startsWith('o:')) outcomes[k.slice(2)] = Number(v);
        counts.set(m, { failures: Number(h.n), outcomes, sources: Number(results[r.singles + i]![1]) });
      });
      return { scope: r.scope, minutes: counts, windowSources: Number(results[r.union]![1]), windowEnd: to };
    });
  }

  /** Per address and minute a counter (`<prefix>burst:<workspace>|<address>:<minute>`), dropped after three minutes. */
  async bursts(deltas: readonly BurstDelta[], sources: readonly string[], minute: number): Promise<BurstTotal[]> {
    const p = this.redis.pipeline();
    for (const d of deltas) {
      const key = `${this.prefix}burst:${d.source}:${d.minute}`;
      p.incrby(key, d.failures);
      p.pexpire(key, BURST_TTL_MS);
    }
    const at = p.length;
    const reads: { source: string; minute: number }[] = [];
    for (const source of sources)
      for (const m of [minute - 1, minute]) {
        reads.push({ source, minute: m });
        p.get(`${this.prefix}burst:${source}:${m}`);
      }
    const results = (await p.exec()) ?? [];
    for (const [err] of results) if (err !== null) throw err;
    return reads.map((r, i) => ({ ...r, failures: Number(results[at + i]![1] ?? 0) }));
  }

  /**
   * Per busy key and minute a counter (`<prefix>rate:<key>:<minute>`), and per minute one of every
   * key's uses (`<prefix>uses:<minute>`), dropped after five minutes.
   */
  async rates(...[deltas, uses, keys, minute]: Parameters<RateExchange>): ReturnType<RateExchange> {
    const p = this.redis.pipeline();
    for (const d of deltas) {
      const key = `${this.prefix}rate:${d.keyId}:${d.minute}`;
      p.incrby(key, d.uses);
      p.pexpire(key, RATE_TTL_MS);
    }
    for (const u of uses) {
      p.incrby(`${this.prefix}uses:${u.minute}`, u.uses);
      p.pexpire(`${this.prefix}uses:${u.minute}`, RATE_TTL_MS);
    }
    const at = p.length;
    for (const k of keys) p.get(`${this.prefix}rate:${k}:${minute}`);
    for (const m of [minute - 2, minute - 1]) p.get(`${this.prefix}uses:${m}`);
    const results = (await p.exec()) ?? [];
    for (const [err] of results) if (err !== null) throw err;
    const value = (i: number) => results[at + i]![1] as string | null;
    return {
      totals: keys.map((keyId, i) => ({ keyId, minute, uses: Number(value(i) ?? 0) })),
      uses: [minute - 2, minute - 1].flatMap((m, i) => {
        const v = value(keys.length + i);
        return v === null ? [] : [{ minute: m, uses: Number(v) }];
      }),
    };
  }

  /**
   * The claim holds the time it was made at, and is refused while a claim made less than `ttlMs`
   * before `at` holds; Redis drops it `ttlMs` after it was set, so nothing is left behind.
   */
  async claim(fingerprint: string, ttlMs: number, at: number): Promise<boolean> {
    return (await this.redis.eval(CLAIM, 1, `${this.prefix}fleet:claim:${fingerprint}`, at, ttlMs)) === 1;
  }

  async renew(fingerprint: string, ttlMs: number, at: number): Promise<void> {
    await this.redis.eval(RENEW, 1, `${this.prefix}fleet:claim:${fingerprint}`, at, ttlMs);
  }

  async release(fingerprint: string): Promise<void> {
    await this.redis.del(`${this.prefix}fleet:claim:${fingerprint}`);
  }

  /** Resolved findings go to a stream (`<prefix>fleet:lessons`) of the last thousand, which every node reads on. */
  async teach(lesson: Lesson): Promise<void> {
    await this.redis.xadd(`${this.prefix}fleet:lessons`, 'MAXLEN', '~', LESSONS_KEPT, '*', 'l', JSON.stringify(lesson));
  }

  async lessons(cursor: string | undefined): Promise<{ lessons: Lesson[]; cursor: string }> {
    const key = `${this.prefix}fleet:lessons`;
    if (cursor === undefined) {
      // A node starting reads from here on: what was resolved before, it replayed or never saw.
      const last = await this.redis.xrevrange(key, '+', '-', 'COUNT', 1);
      return { lessons: [], cursor: last[0]?.[0] ?? '0-0' };
    }
    const read = await this.redis.xread('COUNT', 100, 'STREAMS', key, cursor);
    const entries = read?.[0]?.[1] ?? [];
    return {
      lessons: entries.map(([, fields]) => JSON.parse(fields[1]!) as Lesson),
      cursor: entries.at(-1)?.[0] ?? cursor,
    };
  }

  private key(scope: string, minute: number): string {
    return `${this.prefix}fleet:${scope}:${minute}`;
  }
}
