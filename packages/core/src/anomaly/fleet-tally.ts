import type { UsageEvent } from '../usage/usage-event.js';

/** One scope's failures in one minute: how many, by outcome, and from how many addresses. */
export interface MinuteCount {
  failures: number;
  outcomes: Record<string, number>;
  sources: number;
}

/** What a node adds to the shared counters: one scope's minute, since the last exchange. */
export interface FleetDelta {
  scope: string;
  minute: number;
  failures: number;
  outcomes: Record<string, number>;
  /** Addresses first seen in this minute by this node since the last exchange. */
  sources: string[];
}

/** Counters of every node together, as read back from the shared store. */
export interface FleetTotals {
  scope: string;
  /** Minute → its merged count. */
  minutes: Map<number, MinuteCount>;
  /** Distinct addresses over the window that ends at `windowEnd` (a union, not a sum). */
  windowSources: number;
  windowEnd: number;
}

interface Cell {
  failures: number;
  outcomes: Map<string, number>;
  sources: Set<string>;
  /** What is not sent to the shared counters yet. */
  pendingFailures: number;
  pendingOutcomes: Map<string, number>;
  pendingSources: string[];
}

/** Addresses kept per scope and minute: enough to count a spread attack, bounded under a flood. */
const MAX_SOURCES = 5_000;

/**
 * Failed verifications per scope (a workspace, or a keyspace in it) and minute, with their
 * distinct sources. Alone it is this node's view; with shared counters (Redis), `merge` lays the
 * totals of every node over it, so a guessing campaign split over nodes is counted as one.
 */
export class FleetTally {
  private readonly cells = new Map<string, Map<number, Cell>>();
  private readonly merged = new Map<string, FleetTotals>();
  /** Scope → window end → every node's distinct sources in that window, as last read. */
  private readonly mergedWindows = new Map<string, Map<number, number>>();

  add(scope: string, e: UsageEvent, live: boolean): void {
    const minute = Math.floor(e.ts / 60_000);
    let byMinute = this.cells.get(scope);
    if (byMinute === undefined) this.cells.set(scope, (byMinute = new Map()));
    let c = byMinute.get(minute);
    if (c === undefined) {
      c = { failures: 0, outcomes: new Map(), sources: new Set(), pendingFailures: 0, pendingOutcomes: new Map(), pendingSources: [] };
      byMinute.set(minute, c);
    }
    c.failures++;
    c.outcomes.set(e.outcome, (c.outcomes.get(e.outcome) ?? 0) + 1);
    const fresh = e.ip !== null && c.sources.size < MAX_SOURCES && !c.sources.has(e.ip);
    if (fresh) c.sources.add(e.ip!);
    if (!live) return;
    c.pendingFailures++;
    c.pendingOutcomes.set(e.outcome, (c.pendingOutcomes.get(e.outcome) ?? 0) + 1);
    if (fresh) c.pendingSources.push(e.ip!);
  }

  /** A scope's count in a minute: every node's when merged totals cover it, else this node's. */
  minute(scope: string, minute: number): MinuteCount | undefined {
    const m = this.merged.get(scope)?.minutes.get(minute);
    if (m !== undefined) return m;
    const c = this.cells.get(scope)?.get(minute);
    return c === undefined ? undefined : { failures: c.failures, outcomes: Object.fromEntries(c.outcomes), sources: c.sources.size };
  }

  /** Distinct sources of a scope in the minutes `from`..`to`. */
  windowSources(scope: string, from: number, to: number): number {
    const m = this.mergedWindows.get(scope)?.get(to);
    if (m !== undefined) return m;
    const byMinute = this.cells.get(scope);
    if (byMinute === undefined) return 0;
    const all = new Set<string>();
    for (let t = from; t <= to; t++) for (const s of byMinute.get(t)?.sources ?? []) all.add(s);
    return all.size;
  }

  /** A few of the addresses of a window, for the evidence (this node's). */
  sampleSources(scope: string, from: number, to: number, n: number): string[] {
    const out: string[] = [];
    const byMinute = this.cells.get(scope);
    for (let t = to; t >= from && out.length < n; t--)
      for (const s of byMinute?.get(t)?.sources ?? []) {
        if (out.length >= n) break;
        if (!out.includes(s)) out.push(s);
      }
    return out;
  }

  /** Scopes with failures on this node since `minute`. */
  activeScopes(minute: number): string[] {
    const out: string[] = [];
    for (const [scope, byMinute] of this.cells)
      for (const t of byMinute.keys())
        if (t >= minute) {
          out.push(scope);
          break;
        }
    return out;
  }

  /** Takes what this node counted since the last call, for the shared counters. */
  drain(): FleetDelta[] {
    const out: FleetDelta[] = [];
    for (const [scope, byMinute] of this.cells)
      for (const [minute, c] of byMinute) {
        if (c.pendingFailures === 0) continue;
        out.push({
          scope,
          minute,
          failures: c.pendingFailures,
          outcomes: Object.fromEntries(c.pendingOutcomes),
          sources: c.pendingSources,
        });
        c.pendingFailures = 0;
        c.pendingOutcomes = new Map();
        c.pendingSources = [];
      }
    return out;
  }

  /** Lays every node's totals over this node's counts. */
  merge(totals: readonly FleetTotals[]): void {
    for (const t of totals) {
      this.merged.set(t.scope, t);
      let w = this.mergedWindows.get(t.scope);
      if (w === undefined) this.mergedWindows.set(t.scope, (w = new Map()));
      w.set(t.windowEnd, t.windowSources);
    }
  }

  /** Forgets minutes before `minute`. */
  prune(minute: number): void {
    for (const [scope, byMinute] of this.cells) {
      for (const t of byMinute.keys()) if (t < minute) byMinute.delete(t);
      if (byMinute.size === 0) this.cells.delete(scope);
    }
    for (const [scope, m] of this.merged) if (m.windowEnd < minute) this.merged.delete(scope);
    for (const [scope, w] of this.mergedWindows) {
      for (const t of w.keys()) if (t < minute) w.delete(t);
      if (w.size === 0) this.mergedWindows.delete(scope);
    }
  }
}
