import { hash as oneShotHash, randomBytes } from 'node:crypto';

/**
 * The verify path's in-memory index of records by key. Entries are found by a salted SHA-256
 * of the presented key — one fast hash, with a salt made fresh for each process so a heap dump
 * holds nothing precomputable — and evicted with the CLOCK algorithm (a hit sets a flag; no
 * reordering on the hot path). Unknown keys are remembered in a smaller, short-lived negative
 * cache so a flood of them does not reach the store.
 */
/**
 * What the cache holds: the caller's own object, with a flag the cache sets on every hit (CLOCK).
 * No wrapper object per entry: with a million keys each object is ~50 bytes and a cache miss.
 */
export interface CacheEntry {
  readonly id: string;
  hot: boolean;
}

const NEGATIVE = Symbol('negative');
export type Lookup<T> = T | typeof NEGATIVE | undefined;
export const isNegative = <T>(l: Lookup<T>): l is typeof NEGATIVE => l === NEGATIVE;

export interface RecordCacheOptions {
  maxEntries: number;
  maxNegativeEntries: number;
  negativeTtlMs: number;
}

export class RecordCache<T extends CacheEntry> {
  private readonly salt = randomBytes(32).toString('base64');
  private readonly entries = new Map<string, T>();
  /** A record's entry by its id: a key (one string) has one digest, so one entry. */
  private readonly digestById = new Map<string, string>();
  /**
   * An unknown key's negative entry by the hash it would be stored under, so creating that key
   * forgets it. Known records are forgotten by id only (every change names the id): a map entry
   * fewer per cached key.
   */
  private readonly digestByHash = new Map<string, string>();
  private readonly negative = new Map<string, { expires: number; hash: string }>();
  /** Bumped by every invalidation; a load that started before one is not cached. */
  generation = 0;
  hits = 0;
  /** Lookups that went to the store; counted by the caller, which knows when a miss was not one (a malformed key). */
  misses = 0;

  constructor(private readonly options: RecordCacheOptions) {}

  digest(key: string): string {
    return oneShotHash('sha256', this.salt + key, 'binary');
  }

  get(digest: string, now: number): Lookup<T> {
    const entry = this.entries.get(digest);
    if (entry !== undefined) {
      entry.hot = true;
      this.hits++;
      return entry;
    }
    const neg = this.negative.get(digest);
    if (neg !== undefined) {
      if (neg.expires > now) {
        this.hits++;
        return NEGATIVE;
      }
      this.negative.delete(digest);
      this.digestByHash.delete(neg.hash);
    }
    return undefined;
  }

  set(digest: string, entry: T): T {
    this.forget(digest);
    if (this.entries.size >= this.options.maxEntries) this.evictOne();
    entry.hot = false;
    this.entries.set(digest, entry);
    // Should a record come under a second digest, the first entry goes: one entry per record.
    const previous = this.digestById.get(entry.id);
    if (previous !== undefined) this.forget(previous);
    this.digestById.set(entry.id, digest);
    return entry;
  }

  setNegative(digest: string, hash: string, now: number): void {
    if (this.negative.size >= this.options.maxNegativeEntries) {
      const oldest = this.negative.keys().next().value;
      if (oldest !== undefined) this.forget(oldest);
    }
    this.negative.set(digest, { expires: now + this.options.negativeTtlMs, hash });
    this.digestByHash.set(hash, digest);
  }

  /** A cached entry by its id, without marking it used; undefined when none is cached. */
  peekById(id: string): T | undefined {
    const digest = this.digestById.get(id);
    return digest === undefined ? undefined : this.entries.get(digest);
  }

  /**
   * Replaces the cached entry of a record with `change(entry)`, for a change known without reading
   * the store; like {@link invalidateId}, a load under way is not cached. False when none is cached.
   */
  replaceById(id: string, change: (entry: T) => T): boolean {
    this.generation++;
    const digest = this.digestById.get(id);
    const entry = digest === undefined ? undefined : this.entries.get(digest);
    if (digest === undefined || entry === undefined) return false;
    this.set(digest, change(entry));
    return true;
  }

  /** Forgets every entry of a record, e.g. after it changed. */
  invalidateId(id: string): void {
    this.generation++;
    const digest = this.digestById.get(id);
    if (digest !== undefined) this.forget(digest);
  }

  /** Forgets an unknown key remembered under a stored hash (e.g. a key just created with it). */
  invalidateHash(hash: string): void {
    this.generation++;
    const digest = this.digestByHash.get(hash);
    if (digest !== undefined) this.forget(digest);
  }

  clear(): void {
    this.generation++;
    this.entries.clear();
    this.digestById.clear();
    this.digestByHash.clear();
    this.negative.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private forget(digest: string): void {
    const entry = this.entries.get(digest);
    if (entry !== undefined) {
      this.entries.delete(digest);
      if (this.digestById.get(entry.id) === digest) this.digestById.delete(entry.id);
    }
    const neg = this.negative.get(digest);
    if (neg !== undefined) {
      this.negative.delete(digest);
      this.digestByHash.delete(neg.hash);
    }
  }

  /** CLOCK: skip (and clear) recently used entries from the oldest end, evict the first cold one. */
  private evictOne(): void {
    for (let scanned = 0; scanned <= this.entries.size; scanned++) {
      const first = this.entries.entries().next().value;
      if (first === undefined) return;
      const [digest, entry] = first;
      if (!entry.hot) return this.forget(digest);
      entry.hot = false;
      this.entries.delete(digest);
      this.entries.set(digest, entry);
    }
  }
}
