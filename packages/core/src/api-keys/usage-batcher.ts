import { every, type Ticker } from '../lifecycle/every.js';
import type { UsageUpdate } from '../store/records.js';
import type { Store } from '../store/store.js';

/**
 * Collects last-used times, use counts and spent credits on the verify path (and root keys'
 * last-used times on the management API) and writes them in batches, so a call never waits for a
 * database write.
 */
export class UsageBatcher {
  private pending = new Map<string, UsageUpdate>();
  /** Root keys used since the last write, by id: their last-used time. */
  private rootKeysUsed = new Map<string, number>();
  private ticker: Ticker | undefined;
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly store: Pick<Store, 'applyUsage' | 'touchRootKeys'>,
    private readonly intervalMs = 1000,
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  start(): void {
    this.ticker ??= every(this.intervalMs, () => this.flush(), this.onError);
  }

  record(keyId: string, now: number, credits?: UsageUpdate['credits']): void {
    const u = this.pending.get(keyId);
    if (u === undefined) {
      const first: UsageUpdate = { keyId, lastUsedAt: now, count: 1 };
      if (credits !== undefined) first.credits = credits;
      this.pending.set(keyId, first);
      return;
    }
    u.lastUsedAt = now;
    u.count++;
    if (credits !== undefined) u.credits = credits;
  }

  /** A root key authenticated a management call: its last-used time, written with the next batch. */
  recordRootKey(id: string, now: number): void {
    this.rootKeysUsed.set(id, now);
  }

  /** Credits spent but not yet written, for a record just reloaded from the store. */
  pendingCredits(keyId: string, version: number): UsageUpdate['credits'] | undefined {
    const c = this.pending.get(keyId)?.credits;
    return c !== undefined && c.version === version ? c : undefined;
  }

  /**
   * Writes what is pending; on failure it stays pending (merged with newer use) for the next try.
   * When a write is already under way, waits for it and then writes what came in since, so
   * everything recorded before the call is written when it resolves.
   */
  async flush(): Promise<void> {
    while (this.flushing !== undefined) await this.flushing;
    if (this.pending.size === 0 && this.rootKeysUsed.size === 0) return;
    const batch = this.pending;
    const rootKeys = this.rootKeysUsed;
    this.pending = new Map();
    this.rootKeysUsed = new Map();
    const usage = async () => {
      if (batch.size === 0) return;
      await this.store.applyUsage([...batch.values()]).catch((err: unknown) => {
        for (const [id, u] of batch) {
          const newer = this.pending.get(id);
          if (newer === undefined) this.pending.set(id, u);
          else {
            newer.count += u.count;
            newer.credits ??= u.credits;
          }
        }
        this.onError(err);
      });
    };
    const lastUsed = async () => {
      if (rootKeys.size === 0) return;
      await this.store.touchRootKeys([...rootKeys].map(([id, lastUsedAt]) => ({ id, lastUsedAt }))).catch((err: unknown) => {
        for (const [id, at] of rootKeys) if (!this.rootKeysUsed.has(id)) this.rootKeysUsed.set(id, at);
        this.onError(err);
      });
    };
    this.flushing = Promise.all([usage(), lastUsed()])
      .then(() => undefined)
      .finally(() => {
        this.flushing = undefined;
      });
    return this.flushing;
  }

  async stop(): Promise<void> {
    await this.ticker?.stop();
    this.ticker = undefined;
    await this.flush();
  }
}
