/** nodejs_heap_size_{total,used}_bytes, nodejs_external_memory_bytes, nodejs_heap_space_size_*_bytes{space}. */
import { getHeapSpaceStatistics } from 'v8';
import { Gauge } from '../gauge.js';
import { resolve, type DefaultMetricsConfig } from './common.js';

export const heapMetricNames = ['nodejs_heap_size_total_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_external_memory_bytes'];
export const heapSpaceMetricNames = [
  'nodejs_heap_space_size_total_bytes',
  'nodejs_heap_space_size_used_bytes',
  'nodejs_heap_space_size_available_bytes',
];

export function heapSize(config: DefaultMetricsConfig): void {
  const { registers, prefix, labels, labelNames } = resolve(config);
  const total = new Gauge({
    name: prefix + heapMetricNames[0]!,
    help: 'Process heap size from Node.js in bytes.',
    registers,
    labelNames,
    collect() {
      let m: NodeJS.MemoryUsage;
      try {
        m = process.memoryUsage();
      } catch {
        return;
      }
      total.set(labels, m.heapTotal);
      used.set(labels, m.heapUsed);
      external.set(labels, m.external);
    },
  });
  const used = new Gauge({ name: prefix + heapMetricNames[1]!, help: 'Process heap size used from Node.js in bytes.', registers, labelNames });
  const external = new Gauge({ name: prefix + heapMetricNames[2]!, help: 'Node.js external memory size in bytes.', registers, labelNames });
}

export function heapSpaces(config: DefaultMetricsConfig): void {
  const { registers, prefix, labels, labelNames } = resolve(config);
  const kinds = ['total', 'used', 'available'];
  const g = kinds.map(
    (k, i) =>
      new Gauge({
        name: prefix + heapSpaceMetricNames[i]!,
        help: `Process heap space size ${k} from Node.js in bytes.`,
        labelNames: ['space', ...labelNames],
        registers,
      }),
  );
  g[0]!.collect = () => {
    for (const s of getHeapSpaceStatistics()) {
      const space = s.space_name.slice(0, s.space_name.indexOf('_space'));
      const l = { space, ...labels };
      g[0]!.set(l, s.space_size);
      g[1]!.set(l, s.space_used_size);
      g[2]!.set(l, s.space_available_size);
    }
  };
}
