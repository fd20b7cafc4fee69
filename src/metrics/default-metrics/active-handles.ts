/** nodejs_active_handles{type}, nodejs_active_handles_total, and the same for requests. */
import { Gauge } from '../gauge.js';
import { resolve, type DefaultMetricsConfig } from './common.js';

export const metricNames = ['nodejs_active_handles', 'nodejs_active_handles_total', 'nodejs_active_requests', 'nodejs_active_requests_total'];

type Lister = () => unknown[];
const proc = process as unknown as { _getActiveHandles?: Lister; _getActiveRequests?: Lister };

function byConstructorName(list: unknown[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const x of list) {
    const name = (x as { constructor?: { name?: string } } | null)?.constructor?.name;
    if (name === undefined) continue;
    out.set(name, (out.get(name) ?? 0) + 1);
  }
  return out;
}

function pair(config: DefaultMetricsConfig, list: Lister | undefined, base: string, what: string, kind: string): void {
  if (typeof list !== 'function') return;
  const { registers, prefix, labels, labelNames } = resolve(config);
  const byType = new Gauge({
    name: prefix + base,
    help: `Number of active libuv ${what} grouped by ${kind} type. Every ${kind} type is C++ class name.`,
    labelNames: ['type', ...labelNames],
    registers,
    collect() {
      byType.reset();
      for (const [type, n] of byConstructorName(list.call(process))) byType.set({ type, ...labels }, n);
    },
  });
  const total = new Gauge({
    name: `${prefix}${base}_total`,
    help: `Total number of active ${what}.`,
    registers,
    labelNames,
    collect() {
      total.set(labels, list.call(process).length);
    },
  });
}

export function activeHandles(config: DefaultMetricsConfig): void {
  pair(config, proc._getActiveHandles, 'nodejs_active_handles', 'handles', 'handle');
}

export function activeRequests(config: DefaultMetricsConfig): void {
  pair(config, proc._getActiveRequests, 'nodejs_active_requests', 'requests', 'request');
}
