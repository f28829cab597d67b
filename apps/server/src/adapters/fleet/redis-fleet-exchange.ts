import type { BurstDelta, BurstTotal, FleetDelta, FleetExchange, FleetTotals, MinuteCount } from '@tessera/core';
import type { Redis } from 'ioredis';

/** Counters outlive the window they are judged in by a margin, then Redis drops them. */
const TTL_MS = 30 * 60_000;
/** Per-address counters are judged over the last minute. */
const BURST_TTL_MS = 3 * 60_000;

/**
 * The fleet-wide failure counters of every node, in Redis: per scope and minute a hash (`n`, and
 * `o:<outcome>`) and a HyperLogLog of the failing addresses (distinct counts merge without
 * keeping the addresses; about 1% error). Each exchange is one pipeline: this node's increments,
 * then everyone's totals for the window. A finding is claimed with `SET NX`, so one node records it.
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

  async claim(fingerprint: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(`${this.prefix}fleet:claim:${fingerprint}`, '1', 'PX', ttlMs, 'NX')) === 'OK';
  }

  private key(scope: string, minute: number): string {
    return `${this.prefix}fleet:${scope}:${minute}`;
  }
}
