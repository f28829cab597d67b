import type { Metric, Registry } from 'prom-client';

/**
 * A histogram without labels for the verify path: an observation is a few comparisons and three
 * additions (prom-client's own histogram spends about 200 ns on label bookkeeping it does not need
 * here). It registers itself and reads out in prom-client's format, so `/metrics` shows it as any
 * other histogram.
 */
export class FixedHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly counts: Float64Array;
  private sum = 0;
  private count = 0;

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly bounds: readonly number[],
    registry: Registry,
  ) {
    this.counts = new Float64Array(bounds.length);
    registry.registerMetric(this as unknown as Metric);
  }

  observe(value: number): void {
    this.sum += value;
    this.count++;
    const b = this.bounds;
    for (let i = 0; i < b.length; i++) {
      if (value <= b[i]!) {
        this.counts[i]!++;
        return;
      }
    }
  }

  get() {
    const bucket = `${this.name}_bucket`;
    let below = 0;
    const values: { labels: Record<string, string | number>; value: number; metricName: string }[] = this.bounds.map((le, i) => ({
      labels: { le },
      value: (below += this.counts[i]!),
      metricName: bucket,
    }));
    values.push(
      { labels: { le: '+Inf' }, value: this.count, metricName: bucket },
      { labels: {}, value: this.sum, metricName: `${this.name}_sum` },
      { labels: {}, value: this.count, metricName: `${this.name}_count` },
    );
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }

  reset(): void {
    this.counts.fill(0);
    this.sum = 0;
    this.count = 0;
  }
}
