/**
 * The statistics of a dudect-style timing test (Reparaz, Balasch and Verbauwhede, "Dude, is my
 * code constant time?", 2017): Welch's t between two classes of measurements, computed on the
 * raw data and on the data cropped above several percentiles, since the slow tail is mostly
 * noise from the machine. |t| above 4.5 says the two classes are told apart.
 */

export function welchT(a: readonly number[], b: readonly number[]): number {
  const [ma, va] = meanVariance(a);
  const [mb, vb] = meanVariance(b);
  const se = Math.sqrt(va / a.length + vb / b.length);
  return se === 0 ? 0 : (ma - mb) / se;
}

function meanVariance(xs: readonly number[]): [number, number] {
  let mean = 0;
  let m2 = 0;
  // Welford's method: stable for many samples.
  xs.forEach((x, i) => {
    const d = x - mean;
    mean += d / (i + 1);
    m2 += d * (x - mean);
  });
  return [mean, xs.length > 1 ? m2 / (xs.length - 1) : 0];
}

/** The value below which a share `p` of the sorted values lie. */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))]!;
}

export const CROPS = [0.5, 0.75, 0.9, 0.95, 0.99] as const;

export interface TimingReport {
  /** The largest |t| over the raw data and every crop: the verdict. */
  maxAbsT: number;
  /** t on the raw data and after each crop, by crop percentile (1 = raw). */
  byCrop: Record<string, number>;
  /** Medians of the two classes, in nanoseconds. */
  medians: [number, number];
  n: [number, number];
}

/** Welch's t on the raw data and with both classes cropped at percentiles of the pooled data. */
export function compareTimings(a: readonly number[], b: readonly number[]): TimingReport {
  const pooled = [...a, ...b].sort((x, y) => x - y);
  const byCrop: Record<string, number> = { '1': welchT(a, b) };
  for (const p of CROPS) {
    const limit = percentile(pooled, p);
    byCrop[String(p)] = welchT(
      a.filter((x) => x <= limit),
      b.filter((x) => x <= limit),
    );
  }
  const median = (xs: readonly number[]) =>
    percentile(
      [...xs].sort((x, y) => x - y),
      0.5,
    );
  return { maxAbsT: Math.max(...Object.values(byCrop).map(Math.abs)), byCrop, medians: [median(a), median(b)], n: [a.length, b.length] };
}

/** `n` of each class, in random order: noise from the machine then falls on both alike. */
export function interleaved(n: number): (0 | 1)[] {
  const order: (0 | 1)[] = [...Array<0>(n).fill(0), ...Array<1>(n).fill(1)];
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order;
}
