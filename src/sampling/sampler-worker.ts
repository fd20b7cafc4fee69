/**
 * The Sampler's worker thread (`SamplerOptions.thread`): runs an ordinary main-thread-less Sampler on
 * an `AtomicsClock` — one futex wait (`Atomics.wait`) per deadline instead of a libuv timer — and posts
 * its events to the owning thread in batches. Control words (Int32Array over a SharedArrayBuffer):
 * see `Ctl` in thread-engine.ts.
 */
import { workerData, type MessagePort } from 'node:worker_threads';
import type { Clock, TimerHandle } from '../core/clock.js';
import { Sampler } from './sampler.js';
import { Ctl, type ThreadEvent, type ThreadWorkerData } from './thread-engine.js';

/** The one pending timer of a DeadlineScheduler; fired by `run()`'s wait loop. */
class PendingTimer implements TimerHandle {
  cancelled = false;
  constructor(
    readonly atMs: number,
    readonly fn: () => void,
  ) {}
  cancel(): void {
    this.cancelled = true;
  }
  unref(): void {}
}

/** A Clock whose timers do not touch the event loop: `run()` sleeps on the control word until each is due. */
class AtomicsClock implements Clock {
  pending: PendingTimer | null = null;
  monotonicMs(): number {
    return performance.now();
  }
  wallMs(): number {
    return performance.timeOrigin + performance.now();
  }
  setTimer(atMs: number, fn: () => void): TimerHandle {
    this.pending = new PendingTimer(atMs, fn);
    return this.pending;
  }
}

function run(data: ThreadWorkerData, port: MessagePort): void {
  const ctl = new Int32Array(data.ctl);
  const clock = new AtomicsClock();
  let events: ThreadEvent[] = [];
  let lastFlushMs = -Infinity;
  const flush = (): void => {
    if (events.length === 0) return;
    port.postMessage(events);
    events = [];
    lastFlushMs = performance.now();
  };
  const finish = (): void => {
    flush();
    Atomics.store(ctl, Ctl.done, 1);
    Atomics.notify(ctl, Ctl.done);
  };
  Atomics.store(ctl, Ctl.started, 1);
  // Paired with stop() on the owner (store stop, then load started): one of the two sees the other.
  if (Atomics.load(ctl, Ctl.stop) !== 0) {
    finish();
    return;
  }
  let sampler: Sampler;
  try {
    sampler = new Sampler({ ...data.options, clock, thread: false, runtime: false, keepAlive: false });
  } catch (err) {
    events.push(['error', err]);
    finish();
    return;
  }
  sampler.on('sample', (s) => events.push(['sample', s]));
  sampler.on('process-start', (p) => events.push(['process-start', p]));
  sampler.on('process-exec', (p) => events.push(['process-exec', p]));
  sampler.on('process-exit', (p) => events.push(['process-exit', p]));
  sampler.on('error', (err) => events.push(['error', err]));
  sampler.on('end', (reason) => events.push(['end', reason]));
  try {
    sampler.start();
  } catch (err) {
    events.push(['error', err]);
    finish();
    return;
  }
  flush(); // sample 0 at once
  for (;;) {
    if (Atomics.load(ctl, Ctl.stop) !== 0) {
      sampler.stop('stopped');
      break;
    }
    const timer = clock.pending;
    if (timer === null || timer.cancelled) break; // the sampler ended by itself
    const waitMs = timer.atMs - performance.now();
    if (waitMs > 0) {
      // Woken early by stop() (value changed) or at the deadline: either way, loop and look again.
      Atomics.wait(ctl, Ctl.stop, 0, waitMs);
      continue;
    }
    clock.pending = null;
    timer.fn();
    if (performance.now() - lastFlushMs >= data.batchMs) flush();
  }
  finish();
}

const data = workerData as ThreadWorkerData;
run(data, data.port);
