import type { KeyRecord } from '../store/records.js';
import type { Store } from '../store/store.js';

/**
 * Lazy re-hashing after a pepper rotation. Only verification ever sees a plain key again, so a key
 * found under an old pepper version is offered here with its hash under the current version, and
 * written back off the verify path, in batches. Once every live key was used, old pepper versions
 * cost nothing; `findKeyByHash` under old versions is only tried for keys not found under the new one.
 */
export class PepperRehasher {
  private readonly pending = new Map<string, { hash: string; pepperVersion: number; fromHash: string }>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  rehashed = 0;

  constructor(
    private readonly store: Pick<Store, 'transaction'>,
    private readonly onError: (err: unknown) => void = () => {},
    private readonly maxPending = 10_000,
  ) {}

  offer(record: KeyRecord, hash: string, pepperVersion: number): void {
    if (this.pending.size >= this.maxPending || this.pending.has(record.id)) return;
    this.pending.set(record.id, { hash, pepperVersion, fromHash: record.hash });
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      this.flushing = this.flush().catch(this.onError);
    }, 100);
    this.timer.unref?.();
  }

  /** Writes what is pending; a key changed in between (its hash no longer the old one) is left alone. */
  async flush(): Promise<void> {
    await this.flushing;
    const batch = [...this.pending];
    this.pending.clear();
    if (batch.length === 0) return;
    await this.store.transaction(async (tx) => {
      for (const [id, r] of batch) {
        const current = await tx.getKey(id);
        if (current === undefined || current.hash !== r.fromHash) continue;
        await tx.updateKey(id, { hash: r.hash, pepperVersion: r.pepperVersion });
        this.rehashed++;
      }
    });
  }

  async stop(): Promise<void> {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    await this.flush();
  }
}
