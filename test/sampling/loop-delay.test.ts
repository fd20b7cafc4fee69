import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { LoopDelayProbe } from '../../src/sampling/loop-delay.js';
import { RuntimeProbe } from '../../src/sampling/runtime.js';

const block = (ms: number): void => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a stall that ends right before take() is counted (monitorEventLoopDelay reset() loses it)', async () => {
  const probe = new LoopDelayProbe(10);
  probe.start();
  await sleep(50);
  probe.take();
  block(150);
  const s = probe.take();
  probe.stop();
  assert.ok(s !== null);
  // The loop was blocked for 150 ms, so the probe's timer was at least ~140 ms late.
  assert.ok(s.maxSeconds >= 0.1, `max ${s.maxSeconds}`);
});

test('the stall is counted once, not again in the next interval', async () => {
  const probe = new LoopDelayProbe(10);
  probe.start();
  await sleep(30);
  block(120);
  const first = probe.take();
  await sleep(60);
  const second = probe.take();
  probe.stop();
  assert.ok(first !== null && first.maxSeconds >= 0.1);
  assert.ok(second !== null && second.maxSeconds < 0.1, `second interval max ${second?.maxSeconds}`);
});

test('RuntimeProbe reports heap, utilisation and GC counts', async () => {
  const r = new RuntimeProbe();
  await sleep(30);
  // A real collection, so the GC count must move (gc() exposed at run time, no test-runner flag needed).
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  await sleep(30);
  const s = r.sample();
  r.close();
  assert.ok(s.heap_used_bytes > 0 && s.heap_total_bytes >= s.heap_used_bytes);
  assert.ok(s.event_loop_utilization !== null && s.event_loop_utilization >= 0 && s.event_loop_utilization <= 1);
  assert.ok(s.gc_count >= 1, `gc_count ${s.gc_count} after a forced collection`);
  assert.ok(s.gc_pause_seconds > 0);
  assert.ok(s.event_loop_delay_max_seconds !== null);
});
