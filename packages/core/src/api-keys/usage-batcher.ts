import type { UsageUpdate } from '../store/records.js';
import type { Store } from '../store/store.js';

/**
 * Collects last-used times, use counts and spent credits on the verify path and writes them
 * in batches, so a verification never waits for a database write.
 */
export class UsageBatcher {
  private pending = new Map<string, UsageUpdate>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly store: Pick<Store, 'applyUsage'>,
    private readonly intervalMs = 1000,
    private readonly onError: (err: unknown) => void = () => {},
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.flush(), this.intervalMs);
    this.timer.unref();
  }

  record(keyId: string, now: number, credits?: UsageUpdate['credits']): void {
    const u = this.pending.get(keyId);
    if (u === undefined) {
      this.pending.set(keyId, { keyId, lastUsedAt: now, count: 1, ...(credits && { credits }) });
      return;
    }
    u.lastUsedAt = now;
    u.count++;
    if (credits !== undefined) u.credits = credits;
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
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    this.flushing = this.store
      .applyUsage([...batch.values()])
      .catch((err: unknown) => {
        for (const [id, u] of batch) {
          const newer = this.pending.get(id);
          if (newer === undefined) this.pending.set(id, u);
          else {
            newer.count += u.count;
            newer.credits ??= u.credits;
          }
        }
        this.onError(err);
      })
      .finally(() => {
        this.flushing = undefined;
      });
    return this.flushing;
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }
}
