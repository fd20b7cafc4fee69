/** What every default collector receives. */
import type { Registry } from '../registry.js';

export interface DefaultMetricsConfig {
  register?: Registry;
  prefix?: string;
  labels?: Record<string, string | number>;
  gcDurationBuckets?: number[];
  /** Resolution of the event-loop delay sampler, ms (default 10). */
  eventLoopMonitoringPrecision?: number;
  /** Length of the window event-loop delay and utilisation are reported over, ms (default 5000). */
  eventLoopWindowMs?: number;
  /** /proc root (tests). */
  procRoot?: string;
  enableExemplars?: boolean;
}

export interface Resolved {
  registers: Registry[] | undefined;
  prefix: string;
  labels: Record<string, string | number>;
  labelNames: string[];
  config: DefaultMetricsConfig;
}

export function resolve(config: DefaultMetricsConfig): Resolved {
  const labels = config.labels ?? {};
  return {
    registers: config.register ? [config.register] : undefined,
    prefix: config.prefix ?? '',
    labels,
    labelNames: Object.keys(labels),
    config,
  };
}
