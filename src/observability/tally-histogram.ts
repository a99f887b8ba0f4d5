import type { Registry } from 'prom-client';

/** A histogram's definition. */
export interface TallyHistogramOptions {
  readonly name: string;
  readonly help: string;
  /** Upper bounds, ascending. */
  readonly buckets: readonly number[];
  readonly registers: readonly Registry[];
}

/** One exported sample, in the shape prom-client's registry formats. */
interface Sample {
  readonly labels: Readonly<Record<string, string | number>>;
  readonly value: number;
  readonly metricName: string;
}

/**
 * A label-less Prometheus histogram whose `observe` is a few array writes: the check
 * duration is observed on every forwardAuth check, and prom-client's own histogram hashes
 * its labels and walks its maps each time (about 2% of a cached check, docs/performance.md).
 * Registered on prom-client registries as a metric of their own (`get()` answers in
 * prom-client's shape), so `/metrics` shows the usual `_bucket{le}`, `_sum` and `_count`.
 */
export class TallyHistogram {
  readonly name: string;
  readonly help: string;
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly bounds: Float64Array;
  private readonly counts: Float64Array;
  private sum = 0;
  private count = 0;

  constructor(options: TallyHistogramOptions) {
    this.name = options.name;
    this.help = options.help;
    this.bounds = Float64Array.from(options.buckets);
    this.counts = new Float64Array(options.buckets.length);
    for (const registry of options.registers) registry.registerMetric(this as never);
  }

  /** Counts one observation (seconds). */
  observe(value: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]) i++;
    if (i < bounds.length) this.counts[i] = this.counts[i] + 1;
    this.sum += value;
    this.count++;
  }

  /** The samples prom-client's registry formats: cumulative buckets, then `+Inf`, sum and count. */
  get(): Promise<{ name: string; help: string; type: string; aggregator: string; values: Sample[] }> {
    const values: Sample[] = [];
    let cumulative = 0;
    for (let i = 0; i < this.bounds.length; i++) {
      cumulative += this.counts[i];
      values.push({ labels: { le: this.bounds[i] }, value: cumulative, metricName: `${this.name}_bucket` });
    }
    values.push(
      { labels: { le: '+Inf' }, value: this.count, metricName: `${this.name}_bucket` },
      { labels: {}, value: this.sum, metricName: `${this.name}_sum` },
      { labels: {}, value: this.count, metricName: `${this.name}_count` },
    );
    return Promise.resolve({ name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values });
  }

  /** Back to zero (`registry.resetMetrics()`). */
  reset(): void {
    this.counts.fill(0);
    this.sum = 0;
    this.count = 0;
  }
}
