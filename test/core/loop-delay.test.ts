import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LoopDelayProbe } from '../../src/core/loop-delay.js';

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

test('peek() sees a stall in progress without starting a new interval; take() then counts it once', async () => {
  const probe = new LoopDelayProbe(10);
  probe.start();
  await sleep(50);
  block(120);
  const peeked = probe.peek();
  assert.ok(peeked !== null && peeked.maxSeconds >= 0.1, `peek max ${peeked?.maxSeconds}`);
  const taken = probe.take();
  probe.stop();
  assert.ok(taken !== null && taken.maxSeconds >= 0.1 && taken.count === peeked.count, `take ${JSON.stringify(taken)}`);
  assert.ok(taken.minSeconds <= taken.p50Seconds && taken.p50Seconds <= taken.p90Seconds && taken.p90Seconds <= taken.p99Seconds && taken.p99Seconds <= taken.maxSeconds);
  assert.ok(taken.meanSeconds > 0 && taken.stddevSeconds > 0);
  assert.equal(probe.take(), null, 'stopped: nothing new');
});
