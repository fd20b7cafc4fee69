/** nodejs_active_resources{type} and nodejs_active_resources_total (process.getActiveResourcesInfo). */
import { Gauge } from '../gauge.js';
import { resolve, type DefaultMetricsConfig } from './common.js';

export const metricNames = ['nodejs_active_resources', 'nodejs_active_resources_total'];

export function activeResources(config: DefaultMetricsConfig): void {
  if (typeof process.getActiveResourcesInfo !== 'function') return;
  const { registers, prefix, labels, labelNames } = resolve(config);
  const byType = new Gauge({
    name: prefix + metricNames[0]!,
    help: 'Number of active resources that are currently keeping the event loop alive, grouped by async resource type.',
    labelNames: ['type', ...labelNames],
    registers,
    collect() {
      const counts = new Map<string, number>();
      for (const r of process.getActiveResourcesInfo()) counts.set(r, (counts.get(r) ?? 0) + 1);
      byType.reset();
      for (const [type, n] of counts) byType.set({ type, ...labels }, n);
    },
  });
  const total = new Gauge({
    name: prefix + metricNames[1]!,
    help: 'Total number of active resources.',
    registers,
    labelNames,
    collect() {
      total.set(labels, process.getActiveResourcesInfo().length);
    },
  });
}
