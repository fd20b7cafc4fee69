/** nodejs_version_info{version,major,minor,patch} 1. */
import { Gauge } from '../gauge.js';
import { resolve, type DefaultMetricsConfig } from './common.js';

export const metricNames = ['nodejs_version_info'];

export function nodeVersion(config: DefaultMetricsConfig): void {
  const { registers, prefix, labels, labelNames } = resolve(config);
  const [major, minor, patch] = process.version.slice(1).split('.').map(Number);
  const g = new Gauge({
    name: prefix + metricNames[0]!,
    help: 'Node.js version info.',
    labelNames: ['version', 'major', 'minor', 'patch', ...labelNames],
    registers,
    aggregator: 'first',
    collect() {
      g.labels(process.version, major!, minor!, patch!, ...Object.values(labels)).set(1);
    },
  });
}
