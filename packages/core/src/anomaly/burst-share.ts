import type { UsageEvent } from '../usage/usage-event.js';

/** What a node adds to the shared per-address counters: one address's failures in one minute. */
export interface BurstDelta {
  /** `<workspace>|<address>`. */
  source: string;
  minute: number;
  failures: number;
}

/** Every node's failures of one address in one minute, as read back from the shared store. */
export type BurstTotal = BurstDelta;

/** An address failing often enough on this node to be shared: its failures per minute. */
interface Hot {
  workspaceId: string;
  keyspaceId: string | null;
  ip: string;
  network: string | null;
  first: number;
  last: number;
  notFound: number;
  malformed: number;
  /** Minute → [counted here, sent]. */
  minutes: Map<number, [number, number]>;
}

/**
 * The per-address failure counts a node shares when nodes share detection state: only addresses
 * that fail often on this node (a few a minute) are shared, so stray typos cost nothing. Judged
 * on every node's counts together, a burst split over nodes is seen whole.
 */
export class BurstShare {
  private readonly hot = new Map<string, Hot>();
  private readonly merged = new Map<string, number>();

  has(id: string): boolean {
    return this.hot.has(id);
  }

  /** Counts a failure of an address that is hot on this node (`times`: its recent failures here). */
  note(id: string, e: UsageEvent, times: readonly number[]): void {
    let h = this.hot.get(id);
    if (h === undefined) {
      h = {
        workspaceId: e.workspaceId,
        keyspaceId: e.keyspaceId,
        ip: e.ip!,
        network: e.network,
        first: e.ts,
        last: e.ts,
        notFound: 0,
        malformed: 0,
        minutes: new Map(),
      };
      this.hot.set(id, h);
      // The failures that made it hot are shared too.
      for (const t of times) if (t !== e.ts) this.count(h, t);
    }
    h.last = e.ts;
    h.keyspaceId = e.keyspaceId;
    if (e.outcome === 'NOT_FOUND') h.notFound++;
    else h.malformed++;
    this.count(h, e.ts);
  }

  private count(h: Hot, ts: number): void {
    const m = Math.floor(ts / 60_000);
    const c = h.minutes.get(m);
    if (c === undefined) h.minutes.set(m, [1, 0]);
    else c[0]++;
    h.first = Math.min(h.first, ts);
  }

  /** Takes what this node counted since the last call. */
  drain(): BurstDelta[] {
    const out: BurstDelta[] = [];
    for (const [source, h] of this.hot)
      for (const [minute, c] of h.minutes)
        if (c[0] > c[1]) {
          out.push({ source, minute, failures: c[0] - c[1] });
          c[1] = c[0];
        }
    return out;
  }

  /** Addresses hot lately (failed here within `windowMs` of `now`); the others are forgotten. */
  sources(now: number, windowMs: number): string[] {
    const out: string[] = [];
    const old = Math.floor(now / 60_000) - 2;
    for (const [id, h] of this.hot)
      if (now - h.last <= windowMs) {
        out.push(id);
        for (const m of h.minutes.keys())
          if (m < old) {
            h.minutes.delete(m);
            this.merged.delete(`${id}|${m}`);
          }
      } else if (now - h.last > 2 * windowMs + 60_000) {
        this.hot.delete(id);
        for (const m of h.minutes.keys()) this.merged.delete(`${id}|${m}`);
      }
    return out;
  }

  /** Lays every node's counts over this node's. */
  merge(totals: readonly BurstTotal[]): void {
    for (const t of totals) this.merged.set(`${t.source}|${t.minute}`, t.failures);
  }

  /**
   * Failures of an address over the last minute, every node's when known: the current minute's
   * and the part of the previous one still inside the window.
   */
  recent(id: string, now: number): { count: number; hot: Hot } | undefined {
    const h = this.hot.get(id);
    if (h === undefined) return undefined;
    const m = Math.floor(now / 60_000);
    const at = (minute: number) => Math.max(this.merged.get(`${id}|${minute}`) ?? 0, h.minutes.get(minute)?.[0] ?? 0);
    const count = at(m) + at(m - 1) * (1 - (now % 60_000) / 60_000);
    return { count, hot: h };
  }
}
