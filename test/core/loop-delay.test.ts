import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/core/clock.js';
import { LoopDelayProbe } from '../../src/core/loop-delay.js';

const block = (ms: number): void => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a real 150 ms block that ends right before take() is counted (monitorEventLoopDelay reset() loses it)', async () => {
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

test('the stall is counted once, in the interval it ended in, not again in the next (fake clock: exact)', () => {
  const clock = new FakeClock();
  const probe = new LoopDelayProbe(10, clock);
  probe.start();
  clock.advance(30); // three timers, each on time
  clock.stall(120); // the loop is blocked: the timer due at +40 ms cannot fire
  const first = probe.take();
  assert.ok(first !== null);
  assert.equal(first.maxSeconds, 0.11, 'the overdue timer counts at take(): 150 - 40 ms');
  assert.equal(first.count, 4);
  clock.advance(60); // the overdue timer fires now, then six on time
  const second = probe.take();
  probe.stop();
  assert.ok(second !== null);
  assert.equal(second.maxSeconds, 0, 'the stall is not counted again');
  assert.equal(second.count, 7);
  assert.equal(clock.pending, 0, 'stop() cancels the timer');
});

test('a stall at the start of an interval is counted in full; no timer fired, no stats', () => {
  const clock = new FakeClock();
  const probe = new LoopDelayProbe(10, clock);
  assert.equal(probe.take(), null, 'not started');
  probe.start();
  assert.equal(probe.take(), null, 'nothing recorded yet');
  clock.stall(250);
  clock.advance(5); // the timer fires 240 ms late
  const s = probe.take();
  probe.stop();
  assert.deepEqual(s, {
    minSeconds: 0.24,
    maxSeconds: 0.24,
    meanSeconds: 0.24,
    stddevSeconds: 0,
    p50Seconds: 0.24,
    p90Seconds: 0.24,
    p99Seconds: 0.24,
    count: 1,
  });
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
