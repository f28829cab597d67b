import type { FleetFailureDetector } from './fleet-failure-detector.js';
import type { FleetDelta, FleetTotals } from './fleet-tally.js';

/**
 * The port through which nodes share the fleet-wide counters (Redis in the server): each adds
 * what it counted and reads back everyone's totals, and a finding is claimed by one node only.
 */
export interface FleetExchange {
  /** Adds this node's counts and answers every node's for `scopes`, minutes `from`..`to`. */
  exchange(deltas: readonly FleetDelta[], scopes: readonly string[], from: number, to: number): Promise<FleetTotals[]>;
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
    private readonly everyMs = 1000,
    /** A claim outlives a window and a little: a later incident is claimed anew. */
    private readonly claimMs = 15 * 60_000,
  ) {}

  /** Sends what this node counted and lays every node's totals over its own view. */
  async sync(now: number): Promise<void> {
    if (now - this.last < this.everyMs) return;
    this.last = now;
    const deltas = this.detector.tally.drain();
    const scopes = this.detector.activeScopes(now);
    if (scopes.length === 0) return;
    const [from, to] = this.detector.window(now);
    this.detector.tally.merge(await this.exchange.exchange(deltas, scopes, from - 2, to));
  }

  /** Whether this node records a finding that every node may raise from the same totals. */
  claim(draft: { workspaceId: string; keyspaceId: string | null }): Promise<boolean> {
    return this.exchange.claim(`fleet_failures|${draft.workspaceId}|${draft.keyspaceId ?? '*'}`, this.claimMs);
  }
}
