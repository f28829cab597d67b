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
import { rollUp } from './usage-rollups.js';
import { storedEvents } from './stored-events.js';
import { every, type Ticker } from '../lifecycle/every.js';

export interface UsageRecorderOptions {
  /** How often the batch is written (ms). */
  intervalMs: number;
  /** Events held between writes at most; beyond it new events are counted as dropped. */
  maxBuffered: number;
  /** Rows of raw events stored per write at most (alike events share a row; roll-ups and detection still see every event). */
  maxStoredPerFlush: number;
  /** Unknown keys looked up per write to find deleted ones being tried. */
  maxDeletedLookups: number;
}

const DEFAULTS: UsageRecorderOptions = { intervalMs: 1000, maxBuffered: 200_000, maxStoredPerFlush: 50_000, maxDeletedLookups: 100 };

/**
 * The batch being filled: the events themselves (one fixed shape, passed on as they are, never
 * copied) and, beside them, what only the write needs.
 */
interface Batch {
  events: UsageEvent[];
  /** Per event, the key's granted scopes (a reference to the cached record's array, not a copy). */
  granted: (readonly string[] | undefined)[];
  /** For NOT_FOUND keys, by event index: their stored-hash candidates, to look for a deleted key off the hot path. */
  hashes: Map<number, string[]>;
}

const emptyBatch = (): Batch => ({ events: [], granted: [], hashes: new Map() });

/** Something that reads each batch after it is taken: the anomaly detectors. */
export type BatchListener = (events: readonly UsageEvent[]) => Promise<void> | void;

/**
 * Usage events for every verification: `record` appends to an in-memory batch (O(1), no await);
 * a timer takes the batch, lets the detectors read it, and writes the raw events (those alike
 * within a second as one row with their count), the roll-ups and the scopes exercised in one
 * transaction.
 */
export class UsageRecorder implements VerificationSink {
  private buffer: Batch = emptyBatch();
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
    const b = this.buffer;
    if (b.events.length >= this.options.maxBuffered) {
      this.stats.dropped++;
      return;
    }
    this.stats.recorded++;
    // An unknown but well-formed key may be a deleted one: keep its hashes (never the key) to look it up later.
    if (result.code === 'NOT_FOUND' && this.lookups < this.options.maxDeletedLookups) {
      this.lookups++;
      const k = this.deps.keyring;
      b.hashes.set(
        b.events.length,
        k.pepperVersions.map((v) => k.hash('api_key', input.key, v)),
      );
    }
    b.granted.push(result.scopes);
    b.events.push({
      ts: this.deps.clock.now(),
      workspaceId: input.workspaceId,
      keyId: result.keyId ?? null,
      // A key refused by a keyspace pin is still an attempt on that keyspace (fleet-wide detection counts it there).
      keyspaceId: result.keyspaceId ?? input.keyspaceId ?? null,
      ownerId: result.ownerId ?? null,
      outcome: result.code,
      ip: input.ip ?? null,
      network: null,
      userAgent: input.userAgent ?? null,
      cost: result.valid ? (input.cost ?? 1) : 0,
      resource: input.resource ?? null,
      method: input.method ?? null,
      scopes: input.scopes ?? null,
    });
  }

  start(): void {
    this.ticker ??= every(this.options.intervalMs, () => this.flush(), this.onError);
  }

  async stop(): Promise<void> {
    await this.ticker?.stop();
    this.ticker = undefined;
    await this.flushing;
    await this.flush();
  }

  /** Takes what is pending and processes it; resolves when it is written. */
  async flush(): Promise<void> {
    while (this.flushing !== undefined) await this.flushing;
    if (this.buffer.events.length === 0) {
      if (!this.woken) return;
      this.woken = false;
      this.flushing = this.notify([]).finally(() => {
        this.flushing = undefined;
      });
      return this.flushing;
    }
    this.woken = false;
    const batch = this.buffer;
    this.buffer = emptyBatch();
    this.lookups = 0;
    this.flushing = this.process(batch).finally(() => {
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

  private async process(batch: Batch): Promise<void> {
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
    // Detection first: a store outage must not blind it.
    await this.notify(events);
    const rows = storedEvents(events);
    const stored = rows.length > this.options.maxStoredPerFlush ? rows.slice(0, this.options.maxStoredPerFlush) : rows;
    try {
      await store.transaction(async (tx) => {
        await tx.insertUsageEvents(stored);
        await tx.addRollups(rollUp(events));
        if (scopeUses.length > 0) await tx.touchScopeUsage(scopeUses);
      });
      for (const row of stored) this.stats.stored += row.count ?? 1;
    } catch (err) {
      // Usage is analytics: a batch that cannot be written is counted and let go, never retried twice into the roll-ups.
      this.stats.lost += events.length;
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
