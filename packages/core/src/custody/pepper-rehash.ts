import type { KeyRecord, RootKeyRecord } from '../store/records.js';
import type { Store } from '../store/store.js';

/**
 * Lazy re-hashing after a pepper rotation. Only verification ever sees a plain key again, so an API
 * key or root key found under an old pepper version is offered here with its hash under the current
 * version, and written back off the verify path, in batches. Once every live key was used, old
 * pepper versions cost nothing: lookups under old versions are only tried for keys not found under
 * the new one. This is also how keys made under 0.1.0's plain pepper move to a labelled one.
 */
export class PepperRehasher {
  private readonly pending = new Map<
    string,
    { kind: 'key' | 'root_key'; id: string; hash: string; pepperVersion: number; fromHash: string }
  >();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  rehashed = 0;

  constructor(
    private readonly store: Pick<Store, 'transaction'>,
    private readonly onError: (err: unknown) => void = () => {},
    private readonly maxPending = 10_000,
  ) {}

  /** An API key found under an old pepper version, with its hash under `pepperVersion`. */
  offer(record: KeyRecord, hash: string, pepperVersion: number): void {
    this.add('key', record, hash, pepperVersion);
  }

  /** A root key found under an old pepper version, with its hash under `pepperVersion`. */
  offerRootKey(record: RootKeyRecord, hash: string, pepperVersion: number): void {
    this.add('root_key', record, hash, pepperVersion);
  }

  private add(kind: 'key' | 'root_key', record: { id: string; hash: string }, hash: string, pepperVersion: number): void {
    // Ids carry their kind's prefix (`key_…`, `rk_…`), so one map holds both without collisions.
    if (this.pending.size >= this.maxPending || this.pending.has(record.id)) return;
    this.pending.set(record.id, { kind, id: record.id, hash, pepperVersion, fromHash: record.hash });
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
      for (const [, r] of batch) {
        const current = r.kind === 'key' ? await tx.getKey(r.id) : await tx.getRootKey(r.id);
        if (current === undefined || current.hash !== r.fromHash) continue;
        if (r.kind === 'key') await tx.updateKey(r.id, { hash: r.hash, pepperVersion: r.pepperVersion });
        else await tx.updateRootKey(r.id, { hash: r.hash, pepperVersion: r.pepperVersion });
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
