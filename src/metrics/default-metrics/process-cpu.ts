/** process_cpu_{user,system}_seconds_total and process_cpu_seconds_total: CPU time since the process started. */
import { Counter } from '../counter.js';
import { resolve, type DefaultMetricsConfig } from './common.js';

export const metricNames = ['process_cpu_user_seconds_total', 'process_cpu_system_seconds_total', 'process_cpu_seconds_total'];

export function processCpu(config: DefaultMetricsConfig): void {
  const { registers, prefix, labels, labelNames } = resolve(config);
  // cumulative since process start (client_golang's meaning); prom-client counts from collector creation
  let last = { user: 0, system: 0 };
  const user = new Counter({
    name: prefix + metricNames[0]!,
    help: 'Total user CPU time spent in seconds.',
    registers,
    labelNames,
    collect() {
      const now = process.cpuUsage();
      const du = Math.max(0, now.user - last.user);
      const ds = Math.max(0, now.system - last.system);
      last = now;
      user.inc(labels, du / 1e6);
      system.inc(labels, ds / 1e6);
      total.inc(labels, (du + ds) / 1e6);
    },
  });
  const system = new Counter({ name: prefix + metricNames[1]!, help: 'Total system CPU time spent in seconds.', registers, labelNames });
  const total = new Counter({ name: prefix + metricNames[2]!, help: 'Total user and system CPU time spent in seconds.', registers, labelNames });
}
