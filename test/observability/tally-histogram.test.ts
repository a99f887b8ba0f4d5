import { describe, expect, it } from '@jest/globals';
import { Histogram, Registry } from 'prom-client';
import { TallyHistogram } from '../../src/observability/tally-histogram.js';

const buckets = [0.0001, 0.001, 0.01, 0.1];

describe('the tally histogram', () => {
  it('exports exactly what prom-client’s histogram exports for the same observations', async () => {
    const ours = new Registry();
    const theirs = new Registry();
    const tally = new TallyHistogram({ name: 'x_seconds', help: 'h', buckets, registers: [ours] });
    const reference = new Histogram({ name: 'x_seconds', help: 'h', buckets, registers: [theirs] });
    for (const v of [0, 0.00005, 0.0001, 0.0002, 0.001, 0.05, 0.1, 0.2, 7]) {
      tally.observe(v);
      reference.observe(v);
    }
    expect(await ours.metrics()).toBe(await theirs.metrics());
    const samples = async (r: Registry) =>
      (await r.getMetricsAsJSON()).flatMap((m) =>
        m.values.map((v) => ({
          labels: v.labels,
          value: v.value,
          metricName: (v as { metricName?: string }).metricName,
        })),
      );
    expect(await samples(ours)).toEqual(await samples(theirs));
  });

  it('starts again from zero when the registry is reset', async () => {
    const registry = new Registry();
    const tally = new TallyHistogram({ name: 'y_seconds', help: 'h', buckets, registers: [registry] });
    tally.observe(0.5);
    registry.resetMetrics();
    expect(await registry.metrics()).toContain('y_seconds_count 0');
  });
});
