import type { BurstDelta, BurstTotal } from './burst-share.js';
import type { FailedBurstDetector } from './failed-burst-detector.js';
import type { FleetFailureDetector } from './fleet-failure-detector.js';
import type { FleetDelta, FleetTotals } from './fleet-tally.js';

/**
 * The port through which nodes share the fleet-wide counters (Redis in the server): each adds
 * what it counted and reads back everyone's totals, and a finding is claimed by one node only.
 */
export interface FleetExchange {
  /** Adds this node's counts and answers every node's for `scopes`, minutes `from`..`to`. */
  exchange(deltas: readonly FleetDelta[], scopes: readonly string[], from: number, to: number): Promise<FleetTotals[]>;
  /** Adds this node's per-address failures and answers every node's for `sources`, minutes `minute - 1` and `minute`. */
  bursts(deltas: readonly BurstDelta[], sources: readonly string[], minute: number): Promise<BurstTotal[]>;
  /** True for the first node to claim a finding's fingerprint within `ttlMs`; false for the others. */
  claim(fingerprint: string, ttlMs: number): Promise<boolean>;
}

/**
 * Shares one node's fleet-wide counters with the others, at most once per `everyMs`: off the
 * verify path (the usage recorder's batch calls it), one round trip each time.
 */
export class FleetSync {
  private last = -Infinity;

  constructor(
    private readonly exchange: FleetExchange,
    private readonly detector: FleetFailureDetector,
    /** The per-address detector, whose counts of often-failing addresses nodes share too. */
    private readonly bursts?: FailedBurstDetector,
    private readonly everyMs = 1000,
    /** A claim outlives a window and a little: a later incident is claimed anew. */
    private readonly claimMs = 15 * 60_000,
  ) {
    bursts?.share();
  }

  /** Sends what this node counted and lays every node's totals over its own view. */
  async sync(now: number): Promise<void> {
    if (now - this.last < this.everyMs) return;
    this.last = now;
    const shared = this.bursts?.share();
    if (shared !== undefined) {
      const deltas = shared.drain();
      const sources = shared.sources(now, 60_000);
      if (sources.length > 0 || deltas.length > 0) shared.merge(await this.exchange.bursts(deltas, sources, Math.floor(now / 60_000)));
    }
    const deltas = this.detector.tally.drain();
    const scopes = this.detector.activeScopes(now);
    if (scopes.length === 0) return;
    const [from, to] = this.detector.window(now);
    this.detector.tally.merge(await this.exchange.exchange(deltas, scopes, from - 2, to));
  }

  /** Whether this node records a finding that every node may raise from the same totals. */
  claim(draft: { kind: string; workspaceId: string; keyspaceId: string | null; fingerprint: string }): Promise<boolean> {
    if (draft.kind === 'failed_burst') return this.exchange.claim(draft.fingerprint, this.claimMs);
    return this.exchange.claim(`fleet_failures|${draft.workspaceId}|${draft.keyspaceId ?? '*'}`, this.claimMs);
  }
}
