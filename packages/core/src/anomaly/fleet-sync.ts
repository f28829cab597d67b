import { randomBytes } from 'node:crypto';
import type { AnomalyEngine, Repeat } from './anomaly-engine.js';
import type { BurstDelta, BurstTotal } from './burst-share.js';
import type { BenignFinding } from './detector.js';
import type { FleetDelta, FleetTotals } from './fleet-tally.js';
import type { RateDelta, RateTotal, UsesDelta } from './rate-share.js';

/** A finding resolved on one node, for the others: its cool-down ends, and a benign one teaches. */
export interface Lesson {
  /** The node that resolved it (it learned already). */
  node: string;
  fingerprint: string;
  benign: BenignFinding | null;
}

/**
 * The port through which nodes share the fleet-wide counters (Redis in the server): each adds
 * what it counted and reads back everyone's totals, and a finding is claimed by one node only.
 */
export interface FleetExchange {
  /** Adds this node's counts and answers every node's for `scopes`, minutes `from`..`to`. */
  exchange(deltas: readonly FleetDelta[], scopes: readonly string[], from: number, to: number): Promise<FleetTotals[]>;
  /** Adds this node's per-address failures and answers every node's for `sources`, minutes `minute - 1` and `minute`. */
  bursts(deltas: readonly BurstDelta[], sources: readonly string[], minute: number): Promise<BurstTotal[]>;
  /**
   * Adds this node's uses of busy keys and of every key, and answers every node's: of `keys` in
   * `minute`, and of every key in the two minutes before it.
   */
  rates(
    deltas: readonly RateDelta[],
    uses: readonly UsesDelta[],
    keys: readonly string[],
    minute: number,
  ): Promise<{ totals: RateTotal[]; uses: UsesDelta[] }>;
  /**
   * True for the first node to claim a finding's fingerprint within `ttlMs` of `at`, false for the
   * others. `at` is the detection's own time (the finding's `detectedAt`): a claim is judged in the
   * time the detectors judge in, not in the store's (a replay or a simulated clock runs faster).
   */
  claim(fingerprint: string, ttlMs: number, at: number): Promise<boolean>;
  /**
   * Moves a claim's time on to `at` (when later), or makes it: its finding was judged again, so
   * the claim lasts as long as the finding goes on, and `ttlMs` after.
   */
  renew(fingerprint: string, ttlMs: number, at: number): Promise<void>;
  /** Drops a claim (its finding was resolved: the next one is claimed anew). */
  release(fingerprint: string): Promise<void>;
  /** Tells every node of a resolved finding. */
  teach(lesson: Lesson): Promise<void>;
  /** Lessons after `cursor` (undefined: none yet, only where the next begin), and the cursor after them. */
  lessons(cursor: string | undefined): Promise<{ lessons: Lesson[]; cursor: string }>;
}

export interface FleetSyncOptions {
  /** Exchanges at most this often. */
  everyMs: number;
  /**
   * A fleet-wide or per-address claim lasts this long after the finding was last judged (by any
   * node): less than the quiet gap that ends an incident, so the next incident is claimed anew.
   */
  claimMs: number;
}

/**
 * Shares one node's detection state with the others, at most once per `everyMs`: off the verify
 * path (the usage recorder's batch calls it), one round trip each time. Shared are the fleet-wide
 * failure counters, the failures of often-failing addresses, the uses of busy keys, and the
 * findings operators resolve (a benign one teaches every node, not only the one that took the call).
 */
export class FleetSync {
  private last = -Infinity;
  private cursor: string | undefined;
  private readonly o: FleetSyncOptions;
  /** This node, in the lessons it sends. */
  readonly node = randomBytes(6).toString('hex');

  constructor(
    private readonly exchange: FleetExchange,
    private readonly engine: AnomalyEngine,
    options: Partial<FleetSyncOptions> = {},
  ) {
    this.o = { everyMs: options.everyMs ?? 1000, claimMs: options.claimMs ?? 10 * 60_000 };
    engine.bursts?.share();
    engine.rates?.share();
  }

  /** Sends what this node counted and lays every node's totals over its own view; learns what other nodes resolved. */
  async sync(now: number): Promise<void> {
    if (now - this.last < this.o.everyMs) return;
    this.last = now;
    const minute = Math.floor(now / 60_000);
    // Pipelines on one connection: together they take one round trip.
    await Promise.all([this.syncBursts(now, minute), this.syncRates(minute), this.syncFleet(now), this.learn(now)]);
  }

  private async syncBursts(now: number, minute: number): Promise<void> {
    const shared = this.engine.bursts?.share();
    if (shared === undefined) return;
    const deltas = shared.drain();
    const sources = shared.sources(now, 60_000);
    if (sources.length > 0 || deltas.length > 0) shared.merge(await this.exchange.bursts(deltas, sources, minute));
  }

  private async syncRates(minute: number): Promise<void> {
    const shared = this.engine.rates?.share();
    if (shared === undefined) return;
    const { deltas, uses } = shared.drain();
    const keys = shared.keys(minute);
    const back = await this.exchange.rates(deltas, uses, keys, minute);
    shared.merge(back.totals, back.uses, minute);
  }

  private async syncFleet(now: number): Promise<void> {
    const detector = this.engine.fleet;
    if (detector === undefined) return;
    const deltas = detector.tally.drain();
    const scopes = detector.activeScopes(now);
    if (scopes.length === 0) return;
    const [from, to] = detector.window(now);
    detector.tally.merge(await this.exchange.exchange(deltas, scopes, from - 2, to));
  }

  /** Findings other nodes resolved: their cool-down ends here too, and a benign one teaches this node's detectors. */
  private async learn(now: number): Promise<void> {
    const { lessons, cursor } = await this.exchange.lessons(this.cursor);
    this.cursor = cursor;
    for (const l of lessons) {
      if (l.node === this.node) continue;
      this.engine.forget(l.fingerprint);
      if (l.benign !== null) this.engine.learnBenign(l.benign, now);
    }
  }

  /** Whether this node records a finding: the first node to raise it does, the others count it as that node's. */
  claim(draft: Claimed): Promise<boolean> {
    return this.exchange.claim(claimOf(draft), this.ttlOf(draft), draft.detectedAt);
  }

  /**
   * The aggregate findings judged again (an incident still under way, on whichever node): their
   * claims are renewed, so no node claims a second finding for it, and a later one is claimed anew.
   */
  async renew(repeats: readonly Repeat[]): Promise<void> {
    for (const { draft } of repeats)
      if (draft !== undefined) await this.exchange.renew(claimOf(draft), this.ttlOf(draft), draft.detectedAt);
  }

  /** Per key, as long as a finding's cool-down: a node that sees the same misuse later counts it a repeat. */
  private ttlOf(draft: Claimed): number {
    return draft.kind === 'fleet_failures' || draft.kind === 'failed_burst' ? this.o.claimMs : this.engine.cooldownMs;
  }

  /** A finding was resolved on this node: its claim is dropped, and every node learns it. */
  async resolved(f: BenignFinding & { fingerprint: string }, benign: boolean): Promise<void> {
    await this.exchange.release(claimOf(f));
    await this.exchange.teach({
      node: this.node,
      fingerprint: f.fingerprint,
      benign: benign
        ? {
            kind: f.kind,
            workspaceId: f.workspaceId,
            keyId: f.keyId,
            keyspaceId: f.keyspaceId,
            subject: f.subject,
            details: f.details,
            detectedAt: f.detectedAt,
          }
        : null,
    });
  }
}

type Claimed = { kind: string; workspaceId: string; keyspaceId: string | null; fingerprint: string; detectedAt: number };

/** What a finding is claimed as: the fleet-wide ones per scope (one incident, whatever its severity), the others per fingerprint. */
function claimOf(draft: { kind: string; workspaceId: string; keyspaceId: string | null; fingerprint: string }): string {
  return draft.kind === 'fleet_failures' ? `fleet_failures|${draft.workspaceId}|${draft.keyspaceId ?? '*'}` : draft.fingerprint;
}
