/** process_open_fds and process_max_fds (Linux, from /proc). */
import { Gauge } from '../gauge.js';
import { resolve, type DefaultMetricsConfig } from './common.js';
import { countOpenFds, readMaxFds } from './procfs.js';

export const metricNames = ['process_open_fds', 'process_max_fds'];

export function openFileDescriptors(config: DefaultMetricsConfig): void {
  if (process.platform !== 'linux') return;
  const { registers, prefix, labels, labelNames } = resolve(config);
  const open = new Gauge({
    name: prefix + metricNames[0]!,
    help: 'Number of open file descriptors.',
    registers,
    labelNames,
    collect() {
      const n = countOpenFds(config.procRoot);
      if (n !== undefined) open.set(labels, n);
    },
  });
}

export function maxFileDescriptors(config: DefaultMetricsConfig): void {
  const { registers, prefix, labels, labelNames } = resolve(config);
  const maxFds = readMaxFds(config.procRoot); // a limit: read once, as prom-client does
  if (maxFds === undefined) return;
  const max = new Gauge({
    name: prefix + metricNames[1]!,
    help: 'Maximum number of open file descriptors.',
    registers,
    labelNames,
    collect() {
      max.set(labels, maxFds);
    },
  });
}
