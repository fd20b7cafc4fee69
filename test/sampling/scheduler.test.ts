import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/core/clock.js';
import { PerfscopeError } from '../../src/core/errors.js';
import { DeadlineScheduler, type TickInfo } from '../../src/sampling/scheduler.js';

function run(intervalMs: number, work: (t: TickInfo, clock: FakeClock) => void = () => {}) {
  const clock = new FakeClock();
  const ticks: TickInfo[] = [];
  const s = new DeadlineScheduler({
    intervalMs,
    clock,
    onTick: (t) => {
      ticks.push(t);
      work(t, clock);
    },
  });
  return { clock, ticks, s };
}

test('ticks land on absolute deadlines even when each tick takes time', () => {
  const { clock, ticks, s } = run(100, (_t, c) => c.stall(7));
  s.start();
  clock.advance(10_000);
  s.stop();
  assert.equal(ticks.length, 101);
  for (const [k, t] of ticks.entries()) {
    assert.equal(t.index, k);
    assert.equal(t.deadlineMs, 1000 + k * 100);
    assert.equal(t.actualMs, t.deadlineMs, `tick ${k} ran at its deadline`);
  }
  assert.equal(s.missedTotal, 0);
});

test('a stall longer than the interval skips and counts deadlines instead of bursting', () => {
  const { clock, ticks, s } = run(100, (t, c) => {
    if (t.index === 3) c.stall(350); // tick 3 blocks the loop for 3.5 intervals
  });
  s.start();
  clock.advance(1000);
  s.stop();
  const indices = ticks.map((t) => t.index);
  // tick 3 ran at 300 and ended at 650: deadlines 4, 5 are gone, 6 runs late at 650.
  assert.deepEqual(indices, [0, 1, 2, 3, 6, 7, 8, 9, 10]);
  assert.equal(ticks[4]!.missed, 2);
  assert.equal(ticks[4]!.actualMs, 1650);
  assert.equal(s.missedTotal, 2);
  // Afterwards the schedule is back on the original grid.
  assert.equal(ticks[5]!.actualMs, 1700);
});

test('a late tick within one interval is not a miss, and the next one is on the grid', () => {
  const { clock, ticks, s } = run(100, (t, c) => {
    if (t.index === 1) c.stall(60);
  });
  s.start();
  clock.advance(400);
  s.stop();
  assert.deepEqual(
    ticks.map((t) => [t.index, t.actualMs]),
    [
      [0, 1000],
      [1, 1100],
      [2, 1200],
      [3, 1300],
      [4, 1400],
    ],
  );
  assert.equal(s.missedTotal, 0);
});

test('stop() cancels the pending timer and no further tick runs', () => {
  const { clock, ticks, s } = run(50);
  s.start();
  clock.advance(120);
  s.stop();
  assert.equal(clock.pending, 0);
  clock.advance(1000);
  assert.equal(ticks.length, 3);
});

test('an exception in a tick stops the scheduler and reaches onError', () => {
  const clock = new FakeClock();
  const errors: unknown[] = [];
  const s = new DeadlineScheduler({
    intervalMs: 10,
    clock,
    onTick: (t) => {
      if (t.index === 2) throw new Error('boom');
    },
    onError: (e) => errors.push(e),
  });
  s.start();
  clock.advance(100);
  assert.equal(errors.length, 1);
  assert.equal(s.isRunning, false);
});

test('rejects a non-positive interval', () => {
  assert.throws(() => new DeadlineScheduler({ intervalMs: 0, clock: new FakeClock(), onTick: () => {} }), (e: unknown) => e instanceof PerfscopeError && e.code === 'EUSAGE' && /intervalMs must be a positive finite number, got 0/.test(e.message));
});

test('real clock: ticks are scheduled, timestamps recorded (no timing assertion)', async () => {
  const { systemClock } = await import('../../src/core/clock.js');
  const ticks: TickInfo[] = [];
  await new Promise<void>((resolve) => {
    const s = new DeadlineScheduler({
      intervalMs: 10,
      clock: systemClock,
      ref: true,
      onTick: (t) => {
        ticks.push(t);
        if (ticks.length === 5) {
          s.stop();
          resolve();
        }
      },
    });
    s.start();
  });
  assert.equal(ticks.length, 5);
  for (let i = 1; i < ticks.length; i++) assert.ok(ticks[i]!.index > ticks[i - 1]!.index);
});
