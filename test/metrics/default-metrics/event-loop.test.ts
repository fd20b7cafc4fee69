/**
 * nodejs_eventloop_lag_*: a stall is reported in the window it ends in, even when it ends right before
 * the window rotates (monitorEventLoopDelay's reset() forgot it: the timer that would have recorded it
 * had not fired yet), and scrapes do not reset the figures.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { collectDefaultMetrics, Registry } from '../../../src/metrics/index.js';

const block = (ms: number): void => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function gauge(r: Registry, name: string): Promise<number> {
  const m = (await r.getMetricsAsJSON()).find((x) => x.name === name);
  assert.ok(m, name);
  return m.values[0]!.value;
}

test('a stall that ends right before the window rotates is reported (reset() used to lose it)', async () => {
  // Timers armed together (window W = 400 ms): B at 300 ms blocks 120 ms, A at 350 ms blocks 250 ms.
  // B's stall makes A's timer and the window's rotation (400 ms) due in the same pass of Node's timer
  // list, so the rotation runs the instant A's stall ends, before any libuv handle gets a turn:
  // monitorEventLoopDelay's timer had not yet recorded A's stall, and its reset() dropped it
  // (the old figures showed B's ~0.12 s at most).
  const windowMs = 400;
  setTimeout(() => block(120), 300);
  setTimeout(() => block(250), 350);
  const r = new Registry();
  collectDefaultMetrics({ register: r, eventLoopWindowMs: windowMs });
  await sleep(900); // both stalls, their window closed, well before the next rotation
  const max = await gauge(r, 'nodejs_eventloop_lag_max_seconds');
  assert.ok(max >= 0.2, `the 250 ms stall is seen: max lag ${max} s`);
  // scrapes do not reset: a second scrape of the same window reads the same
  assert.equal(await gauge(r, 'nodejs_eventloop_lag_max_seconds'), max);
  r.clear();
});

test('the eight figures of a window are consistent with each other', async () => {
  const r = new Registry();
  collectDefaultMetrics({ register: r, eventLoopWindowMs: 200 });
  await sleep(50);
  block(60); // one stall in the window, so the figures are not all zero
  await sleep(400);
  const v = async (suffix: string) => gauge(r, `nodejs_eventloop_lag_${suffix}seconds`);
  const [lag, min, max, mean, stddev, p50, p90, p99] = await Promise.all(['', 'min_', 'max_', 'mean_', 'stddev_', 'p50_', 'p90_', 'p99_'].map(v));
  assert.ok(0 <= min! && min! <= p50! && p50! <= p90! && p90! <= p99! && p99! <= max!, `min ${min} p50 ${p50} p90 ${p90} p99 ${p99} max ${max}`);
  assert.ok(min! <= mean! && mean! <= max!, `mean ${mean}`);
  assert.equal(lag, mean, 'nodejs_eventloop_lag_seconds is the mean lateness');
  assert.ok(stddev! >= 0);
  r.clear();
});
