/**
 * nodejs_eventloop_utilization_ratio: the fraction of the last window (default 5 s) the event loop spent
 * busy (performance.eventLoopUtilization), rotated by our own timer so scrapes do not change it.
 */
import { performance, type EventLoopUtilization } from 'perf_hooks';
import { Gauge } from '../gauge.js';
import { resolve, type DefaultMetricsConfig } from './common.js';

export const metricNames = ['nodejs_eventloop_utilization_ratio'];

export function eventLoopUtilization(config: DefaultMetricsConfig): void {
  const { registers, prefix, labels, labelNames } = resolve(config);
  const windowMs = config.eventLoopWindowMs ?? 5000;
  let windowStart: EventLoopUtilization = performance.eventLoopUtilization();
  let last: number | undefined;
  const timer = setInterval(() => {
    const now = performance.eventLoopUtilization();
    last = performance.eventLoopUtilization(now, windowStart).utilization;
    windowStart = now;
  }, windowMs);
  timer.unref();
  const g = new Gauge({
    name: prefix + metricNames[0]!,
    help: 'Fraction of the last window the event loop was busy (0..1).',
    registers,
    labelNames,
    aggregator: 'average',
    collect() {
      g.set(labels, last ?? performance.eventLoopUtilization(performance.eventLoopUtilization(), windowStart).utilization);
    },
  });
}
