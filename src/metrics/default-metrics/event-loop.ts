/**
 * nodejs_eventloop_lag_*, measured honestly:
 * - a libuv timer with `eventLoopMonitoringPrecision` ms resolution records how late it fires
 *   (`monitorEventLoopDelay`); the resolution itself is subtracted, so an idle loop reports ~0, not 10 ms;
 * - statistics cover the last complete window of `eventLoopWindowMs` (default 5 s), rotated by our own
 *   timer, so scrapes do not reset them: two scrapers see the same numbers and the scrape does not
 *   measure itself (prom-client #561, #370);
 * - `nodejs_eventloop_lag_seconds` is the mean lateness over that window (prom-client reports the delay of
 *   one setImmediate scheduled during the scrape).
 * Bare module specifiers ('perf_hooks', not 'node:perf_hooks') keep `jest.mock()` of them working.
 */
import { monitorEventLoopDelay } from 'perf_hooks';
import { Gauge } from '../gauge.js';
import { resolve, type DefaultMetricsConfig } from './common.js';

export const metricNames = [
  'nodejs_eventloop_lag_seconds',
  'nodejs_eventloop_lag_min_seconds',
  'nodejs_eventloop_lag_max_seconds',
  'nodejs_eventloop_lag_mean_seconds',
  'nodejs_eventloop_lag_stddev_seconds',
  'nodejs_eventloop_lag_p50_seconds',
  'nodejs_eventloop_lag_p90_seconds',
  'nodejs_eventloop_lag_p99_seconds',
];

interface Snapshot {
  min: number;
  max: number;
  mean: number;
  stddev: number;
  p50: number;
  p90: number;
  p99: number;
}

export function eventLoop(config: DefaultMetricsConfig): void {
  const { registers, prefix, labels, labelNames } = resolve(config);
  const resolutionMs = config.eventLoopMonitoringPrecision ?? 10;
  const windowMs = config.eventLoopWindowMs ?? 5000;
  const h = monitorEventLoopDelay({ resolution: resolutionMs });
  h.enable();
  const resNs = resolutionMs * 1e6;
  const lateness = (ns: number): number => (Number.isFinite(ns) ? Math.max(0, ns - resNs) / 1e9 : 0);
  const take = (reset: boolean): Snapshot => {
    const s: Snapshot = {
      min: h.count > 0 ? lateness(h.min) : 0,
      max: h.count > 0 ? lateness(h.max) : 0,
      mean: h.count > 0 ? lateness(h.mean) : 0,
      stddev: h.count > 0 ? h.stddev / 1e9 : 0,
      p50: h.count > 0 ? lateness(h.percentile(50)) : 0,
      p90: h.count > 0 ? lateness(h.percentile(90)) : 0,
      p99: h.count > 0 ? lateness(h.percentile(99)) : 0,
    };
    if (reset) h.reset();
    return s;
  };
  let last: Snapshot | undefined;
  const timer = setInterval(() => {
    last = take(true);
  }, windowMs);
  timer.unref();

  const gauges: Gauge[] = [];
  const help = [
    'Lag of event loop in seconds.',
    'The minimum recorded event loop delay.',
    'The maximum recorded event loop delay.',
    'The mean of the recorded event loop delays.',
    'The standard deviation of the recorded event loop delays.',
    'The 50th percentile of the recorded event loop delays.',
    'The 90th percentile of the recorded event loop delays.',
    'The 99th percentile of the recorded event loop delays.',
  ];
  const aggregators = ['average', 'min', 'max', 'average', 'average', 'average', 'average', 'average'] as const;
  for (let i = 0; i < metricNames.length; i++) {
    gauges.push(
      new Gauge({
        name: prefix + metricNames[i]!,
        help: help[i]!,
        registers,
        labelNames,
        aggregator: aggregators[i]!,
        ...(i === 0
          ? {
              collect() {
                const s = last ?? take(false); // before the first window closes: what we have so far
                const v = [s.mean, s.min, s.max, s.mean, s.stddev, s.p50, s.p90, s.p99];
                for (let j = 0; j < gauges.length; j++) gauges[j]!.set(labels, v[j]!);
              },
            }
          : {}),
      }),
    );
  }
}
