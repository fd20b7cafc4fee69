/** nodejs_gc_duration_seconds{kind}: a histogram fed by a PerformanceObserver on 'gc' entries. */
import { constants, PerformanceObserver } from 'perf_hooks';
import { Histogram } from '../histogram.js';
import { resolve, type DefaultMetricsConfig } from './common.js';

export const metricNames = ['nodejs_gc_duration_seconds'];
const DEFAULT_GC_DURATION_BUCKETS = [0.001, 0.01, 0.1, 1, 2, 5];

const kinds: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};

export function gc(config: DefaultMetricsConfig): void {
  const { registers, prefix, labels, labelNames } = resolve(config);
  const h = new Histogram({
    name: prefix + metricNames[0]!,
    help: 'Garbage collection duration by kind, one of major, minor, incremental or weakcb.',
    labelNames: ['kind', ...labelNames],
    buckets: config.gcDurationBuckets ?? DEFAULT_GC_DURATION_BUCKETS,
    registers,
  });
  const obs = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = kinds[(entry as unknown as { detail?: { kind?: number } }).detail?.kind ?? -1];
      h.observe({ kind, ...labels }, entry.duration / 1000);
    }
  });
  obs.observe({ entryTypes: ['gc'] });
}
