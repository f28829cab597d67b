/**
 * A map that holds at most `max` entries and forgets the oldest-inserted first. Recency is not
 * tracked on reads: a read costs one lookup, and a hot entry is re-inserted each time it is
 * revalidated anyway.
 */
export class BoundedCache<V> {
  private readonly map = new Map<string, V>();

  constructor(private readonly max: number) {}

  get(key: string): V | undefined {
    return this.map.get(key);
  }

  set(key: string, value: V): void {
    this.map.delete(key);
    if (this.map.size >= this.max) this.map.delete(this.map.keys().next().value!);
    this.map.set(key, value);
  }

  delete(key: string): void {
    this.map.delete(key);
  }

  /** Deletes every entry `drop` picks. */
  sweep(drop: (value: V) => boolean): void {
    for (const [key, value] of this.map) if (drop(value)) this.map.delete(key);
  }

  clear(): void {
    this.map.clear();
  }

  get size(): number {
    return this.map.size;
  }
}
