/** process_resident_memory_bytes (+ process_virtual_memory_bytes, process_heap_bytes on Linux, from /proc). */
import { Gauge } from '../gauge.js';
import { resolve, type DefaultMetricsConfig } from './common.js';
import { readStatusMemory } from './procfs.js';

export const metricNames =
  process.platform === 'linux'
    ? ['process_resident_memory_bytes', 'process_virtual_memory_bytes', 'process_heap_bytes']
    : ['process_resident_memory_bytes'];

export function processMemory(config: DefaultMetricsConfig): void {
  const { registers, prefix, labels, labelNames } = resolve(config);
  if (process.platform !== 'linux') {
    const rss = new Gauge({
      name: prefix + metricNames[0]!,
      help: 'Resident memory size in bytes.',
      registers,
      labelNames,
      collect() {
        rss.set(labels, process.memoryUsage.rss());
      },
    });
    return;
  }
  const rss = new Gauge({
    name: prefix + metricNames[0]!,
    help: 'Resident memory size in bytes.',
    registers,
    labelNames,
    collect() {
      const m = readStatusMemory(config.procRoot);
      if (m === undefined) return;
      rss.set(labels, m.rss);
      vsize.set(labels, m.vsize);
      heap.set(labels, m.data);
    },
  });
  const vsize = new Gauge({ name: prefix + metricNames[1]!, help: 'Virtual memory size in bytes.', registers, labelNames });
  const heap = new Gauge({ name: prefix + metricNames[2]!, help: 'Process heap size in bytes.', registers, labelNames });
}
