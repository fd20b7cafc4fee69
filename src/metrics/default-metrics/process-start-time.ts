/** process_start_time_seconds. */
import { Gauge } from '../gauge.js';
import { resolve, type DefaultMetricsConfig } from './common.js';

export const metricNames = ['process_start_time_seconds'];
const startSeconds = Math.round(Date.now() / 1000 - process.uptime());

export function processStartTime(config: DefaultMetricsConfig): void {
  const { registers, prefix, labels, labelNames } = resolve(config);
  const g = new Gauge({
    name: prefix + metricNames[0]!,
    help: 'Start time of the process since unix epoch in seconds.',
    registers,
    labelNames,
    aggregator: 'omit',
    collect() {
      g.set(labels, startSeconds);
    },
  });
}
