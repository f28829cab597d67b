import type { VerificationSink } from '../api-keys/verification-sink.js';
import type { VerifyInput, VerifyResult } from '../api-keys/verify-result.js';
import type { Clock } from '../clock.js';
import type { Keyring } from '../custody/envelope-keyring.js';
import { parseScopeExpression, scopeGrants, scopesIn } from '../scopes/scope-expression.js';
import type { KeyRecord } from '../store/records.js';
import type { Repos } from '../store/store.js';
import type { Transactional } from './monitoring-store.js';
import { networkOf, type UsageEvent } from './usage-event.js';
import type { ScopeUse, UsageRepos } from './usage-repos.js';
import { rollUpInto, type RollupRow } from './usage-rollups.js';
import { eachVerification, storedEvents } from './stored-events.js';
import { UsageBatch } from './usage-batch.js';
import { every, type Ticker } from '../lifecycle/every.js';

export interface UsageRecorderOptions {
  /** How often the batch is taken and the detectors read it (ms). */
  intervalMs: number;
  /**
   * How often what the batches leave for analytics (raw events, roll-ups, scopes exercised) is
   * written (ms): several batches in one transaction, and a busy key's roll-up rows updated once
   * instead of once a batch. `flush()` and `stop()` write at once.
   */
  storeIntervalMs: number;
  /** Events held in a batch at most; beyond it new events are counted as dropped. */
  maxBuffered: number;
  /**
   * Rows of raw events kept from one batch at most (alike events share a row; roll-ups and
   * detection still see every event); once this many wait, they are written without waiting for
   * `storeIntervalMs`, so no write holds much more than a batch's worth.
   */
  maxStoredPerFlush: number;
  /** Unknown keys looked up per write to find deleted ones being tried. */
  maxDeletedLookups: number;
}

const DEFAULTS: UsageRecorderOptions = {
  intervalMs: 1000,
  storeIntervalMs: 1000,
  maxBuffered: 200_000,
  maxStoredPerFlush: 50_000,
  maxDeletedLookups: 100,
};

/** What batches left to write: their rows, their roll-ups summed, the scopes exercised. */
interface Unwritten {
  rows: UsageEvent[];
  rollups: Map<string, RollupRow>;
  scopeUses: ScopeUse[];
  /** Verifications the rows stand for, and in all (some rows may have been cut). */
  stored: number;
  events: number;
  /** When the first of them was taken. */
  since: number;
}

const nothingWritten = (since: number): Unwritten => ({ rows: [], rollups: new Map(), scopeUses: [], stored: 0, events: 0, since });

/** Something that reads each batch after it is taken: the anomaly detectors. */
export type BatchListener = (events: readonly UsageEvent[]) => Promise<void> | void;

/**
 * Usage events for every verification: `record` appends to an in-memory batch (O(1), no await);
 * a timer takes the batch and lets the detectors read it. What it leaves for analytics — the raw
 * events (those alike within a second as one row with their count), the roll-ups and the scopes
 * exercised — is written every `storeIntervalMs`, the batches since in one transaction.
 */
export class UsageRecorder implements VerificationSink {
  private buffer = new UsageBatch();
  private unwritten: Unwritten | undefined;
  private lookups = 0;
  private ticker: Ticker | undefined;
  private flushing: Promise<void> | undefined;
  private readonly listeners: BatchListener[] = [];
  private woken = false;
  private readonly expressions = new Map<string, string[]>();
  private readonly options: UsageRecorderOptions;
  /** Counters for metrics. */
  readonly stats = { recorded: 0, dropped: 0, stored: 0, lost: 0 };

  constructor(
    private readonly deps: { store: Pick<Repos, 'findKeyByHash'> & Transactional<UsageRepos>; keyring: Keyring; clock: Clock },
    options: Partial<UsageRecorderOptions> = {},
    private readonly onError: (err: unknown) => void = () => {},
  ) {
    this.options = { ...DEFAULTS, ...options };
  }

  /** The listeners run at the next flush even if no event came (signals counted elsewhere wait to be judged). */
  wake(): void {
    this.woken = true;
  }

  onBatch(listener: BatchListener): void {
    this.listeners.push(listener);
  }

  record(input: VerifyInput, result: VerifyResult): void {
    // An unknown but well-formed key may be a deleted one: keep its hashes (never the key) to look it up later.
    let hashes: string[] | undefined;
    if (result.code === 'NOT_FOUND' && this.lookups < this.options.maxDeletedLookups) {
      this.lookups++;
      const k = this.deps.keyring;
      hashes = k.pepperVersions.map((v) => k.hash('api_key', input.key, v));
    }
    if (this.buffer.add(input, result, this.deps.clock.now(), hashes, this.options.maxBuffered)) this.stats.recorded++;
    else this.stats.dropped++;
  }

  start(): void {
    this.ticker ??= every(this.options.intervalMs, () => this.flush(false), this.onError);
  }

  async stop(): Promise<void> {
    await this.ticker?.stop();
    this.ticker = undefined;
    await this.flushing;
    await this.flush();
  }

  /**
   * Takes what is pending and lets the detectors read it; resolves when it is written. The timer
   * passes `write = false`: then it is written with the batches after it, once `storeIntervalMs`
   * has passed since the oldest unwritten one.
   */
  async flush(write = true): Promise<void> {
    while (this.flushing !== undefined) await this.flushing;
    const due = (): boolean => {
      const u = this.unwritten;
      if (u === undefined) return false;
      return write || u.rows.length >= this.options.maxStoredPerFlush || this.deps.clock.now() - u.since >= this.options.storeIntervalMs;
    };
    if (this.buffer.events.length === 0) {
      if (!this.woken && !due()) return;
      const woken = this.woken;
      this.woken = false;
      this.flushing = (async () => {
        if (woken) await this.notify([]);
        if (due()) await this.write();
      })().finally(() => {
        this.flushing = undefined;
      });
      return this.flushing;
    }
    this.woken = false;
    const batch = this.buffer;
    this.buffer = new UsageBatch();
    this.lookups = 0;
    this.flushing = (async () => {
      await this.process(batch);
      if (due()) await this.write();
    })().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  private async notify(events: readonly UsageEvent[]): Promise<void> {
    for (const listener of this.listeners) {
      try {
        await listener(events);
      } catch (err) {
        this.onError(err);
      }
    }
  }

  private async process(batch: UsageBatch): Promise<void> {
    const { store } = this.deps;
    const scopeUses: ScopeUse[] = [];
    const found = new Map<string, KeyRecord | undefined>();
    // A batch holds few distinct addresses: each is parsed once.
    const networks = new Map<string, string | null>();
    const { events } = batch;
    for (let i = 0; i < events.length; i++) {
      const p = events[i]!;
      if (p.ip !== null) {
        let network = networks.get(p.ip);
        if (network === undefined) networks.set(p.ip, (network = networkOf(p.ip) ?? null));
        p.network = network;
      }
      const hashes = batch.hashes.get(i);
      if (hashes !== undefined) {
        for (const h of hashes) {
          if (!found.has(h)) found.set(h, await store.findKeyByHash(h).catch(() => undefined));
          const key = found.get(h);
          if (key !== undefined && key.deletedAt !== null && key.workspaceId === p.workspaceId) {
            p.keyId = key.id;
            p.keyspaceId = key.keyspaceId;
            p.ownerId = key.ownerId;
            p.deleted = true;
            break;
          }
        }
      }
      const granted = batch.granted[i];
      if (p.outcome === 'VALID' && p.scopes !== null && p.keyId !== null && granted !== undefined) {
        for (const scope of this.leaves(p.scopes)) {
          if (granted.some((g) => scopeGrants(g, scope))) scopeUses.push({ keyId: p.keyId, scope, ts: p.ts });
        }
      }
    }
    // Detection first: a store outage must not blind it. The detectors see every verification.
    await this.notify(batch.verifications === events.length ? events : eachVerification(events, batch.verifications));
    const u = (this.unwritten ??= nothingWritten(this.deps.clock.now()));
    const rows = storedEvents(events);
    for (let i = 0; i < rows.length && i < this.options.maxStoredPerFlush; i++) {
      u.rows.push(rows[i]!);
      u.stored += rows[i]!.count ?? 1;
    }
    rollUpInto(u.rollups, events);
    for (const use of scopeUses) u.scopeUses.push(use);
    u.events += batch.verifications;
  }

  /** Writes what the batches left, in one transaction. */
  private async write(): Promise<void> {
    const u = this.unwritten;
    if (u === undefined) return;
    this.unwritten = undefined;
    try {
      await this.deps.store.transaction(async (tx) => {
        await tx.insertUsageEvents(u.rows);
        await tx.addRollups([...u.rollups.values()]);
        if (u.scopeUses.length > 0) await tx.touchScopeUsage(u.scopeUses);
      });
      this.stats.stored += u.stored;
    } catch (err) {
      // Usage is analytics: what cannot be written is counted and let go, never retried twice into the roll-ups.
      this.stats.lost += u.events;
      this.onError(err);
    }
  }

  private leaves(expression: string): string[] {
    let leaves = this.expressions.get(expression);
    if (leaves === undefined) {
      try {
        leaves = [...new Set(scopesIn(parseScopeExpression(expression)))];
      } catch {
        leaves = [];
      }
      if (this.expressions.size >= 1000) this.expressions.clear();
      this.expressions.set(expression, leaves);
    }
    return leaves;
  }
}
