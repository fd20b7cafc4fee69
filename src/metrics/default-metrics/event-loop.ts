/**
 * nodejs_eventloop_lag_*, measured honestly:
 * - a JS timer every `eventLoopMonitoringPrecision` ms records how late it fires (core/loop-delay.ts,
 *   the probe the sampler uses too), so an idle loop reports ~0, not the timer's resolution;
 * - statistics cover the last complete window of `eventLoopWindowMs` (default 5 s), rotated by our own
 *   timer, so scrapes do not reset them: two scrapers see the same numbers and the scrape does not
 *   measure itself (prom-client #561, #370);
 * - a stall that ends just before a rotation is counted in that window. monitorEventLoopDelay() lost
 *   it: its reset() forgets the timestamp its timer would have measured the stall from
 *   (test/metrics/default-metrics/event-loop.test.ts);
 * - `nodejs_eventloop_lag_seconds` is the mean lateness over the window (prom-client reports the delay of
 *   one setImmediate scheduled during the scrape).
 */
import { LoopDelayProbe, type LoopDelayStats } from '../../core/loop-delay.js';
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

export function eventLoop(config: DefaultMetricsConfig): void {
  const { registers, prefix, labels, labelNames } = resolve(config);
  const resolutionMs = config.eventLoopMonitoringPrecision ?? 10;
  const windowMs = config.eventLoopWindowMs ?? 5000;
  const probe = new LoopDelayProbe(resolutionMs);
  probe.start();
  let last: LoopDelayStats | null | undefined;
  const timer = setInterval(() => {
    last = probe.take();
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
                // before the first window closes: what there is so far
                const s = last === undefined ? probe.peek() : last;
                const v =
                  s === null
                    ? [0, 0, 0, 0, 0, 0, 0, 0]
                    : [s.meanSeconds, s.minSeconds, s.maxSeconds, s.meanSeconds, s.stddevSeconds, s.p50Seconds, s.p90Seconds, s.p99Seconds];
                for (let j = 0; j < gauges.length; j++) gauges[j]!.set(labels, v[j]!);
              },
            }
          : {}),
      }),
    );
  }
}
