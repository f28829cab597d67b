/** The last two peaks (failures, sources) of each hour. */
export class HourPeaks {
  private readonly last: Float32Array;
  private readonly prev: Float32Array;
  private readonly seen: Uint8Array;

  constructor(n: number) {
    this.last = new Float32Array(2 * n);
    this.prev = new Float32Array(2 * n);
    this.seen = new Uint8Array(n);
  }

  push(i: number, failures: number, sources: number): void {
    this.prev[2 * i] = this.last[2 * i]!;
    this.prev[2 * i + 1] = this.last[2 * i + 1]!;
    this.last[2 * i] = failures;
    this.last[2 * i + 1] = sources;
    this.seen[i] = Math.min(this.seen[i]! + 1, 2);
  }

  /** The last peak of an hour. */
  peak(i: number): [number, number] {
    return [this.last[2 * i]!, this.last[2 * i + 1]!];
  }

  /** Makes a peak usual at once (both of the last two at least this high). */
  teach(i: number, failures: number, sources: number): void {
    for (const a of [this.last, this.prev]) {
      a[2 * i] = Math.max(a[2 * i]!, failures);
      a[2 * i + 1] = Math.max(a[2 * i + 1]!, sources);
    }
    this.seen[i] = 2;
  }

  /** The lower of the last two peaks: a pattern seen on two days (weeks) running, never one burst. */
  usual(i: number): [number, number] | undefined {
    if (this.seen[i]! < 2) return undefined;
    return [Math.min(this.last[2 * i]!, this.prev[2 * i]!), Math.min(this.last[2 * i + 1]!, this.prev[2 * i + 1]!)];
  }
}
