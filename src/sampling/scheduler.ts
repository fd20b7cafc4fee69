/**
 * Runs a tick on absolute deadlines `t0 + k·interval` of the monotonic clock: lateness never
 * accumulates (a `read(); sleep(interval)` loop drifted +53 ms after 60 ticks at 10 Hz here,
 * `setInterval` +23 ms, deadlines under 1 ms). A tick that cannot run before the next deadline has
 * passed is skipped and counted, never queued or run in a burst.
 */
import type { Clock, TimerHandle } from '../core/clock.js';
import { usageError } from '../core/errors.js';

export interface TickInfo {
  /** Index of the deadline this tick serves (0 = start); gaps are missed deadlines. */
  index: number;
  /** The deadline and the time the tick actually ran, monotonic ms. */
  deadlineMs: number;
  actualMs: number;
  /** Deadlines skipped since the previous tick. */
  missed: number;
}

export interface SchedulerOptions {
  intervalMs: number;
  clock: Clock;
  /** Runs synchronously on each tick; an exception stops the scheduler and goes to `onError`. */
  onTick(tick: TickInfo): void;
  onError?(err: unknown): void;
  /** Whether a pending timer keeps the process alive (default false: the monitor never holds it open). */
  ref?: boolean;
}

/** Node timers have 1 ms resolution and may fire up to ~1 ms early; earlier than this re-arms. */
const earlyToleranceMs = 1;

export class DeadlineScheduler {
  private readonly opts: SchedulerOptions;
  private t0 = 0;
  private next = 0;
  private timer: TimerHandle | null = null;
  private running = false;
  /** fire() bound once, so arming a timer creates no closure per tick. */
  private readonly onTimer = (): void => this.fire();
  /** Total deadlines skipped since start. */
  missedTotal = 0;
  ticks = 0;

  constructor(opts: SchedulerOptions) {
    if (!(opts.intervalMs > 0) || !Number.isFinite(opts.intervalMs)) {
      throw usageError(`intervalMs must be a positive finite number, got ${opts.intervalMs}`);
    }
    this.opts = opts;
  }

  get isRunning(): boolean {
    return this.running;
  }

  /** Monotonic time of deadline `k`. */
  deadline(k: number): number {
    return this.t0 + k * this.opts.intervalMs;
  }

  /** Starts ticking; tick 0 runs immediately (synchronously) at t0 = now. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.t0 = this.opts.clock.monotonicMs();
    this.next = 0;
    this.fire();
  }

  stop(): void {
    this.running = false;
    this.timer?.cancel();
    this.timer = null;
  }

  private arm(): void {
    if (!this.running) return;
    this.timer = this.opts.clock.setTimer(this.deadline(this.next), this.onTimer);
    if (this.opts.ref !== true) this.timer.unref();
  }

  private fire(): void {
    this.timer = null;
    if (!this.running) return;
    const { clock, intervalMs } = this.opts;
    const now = clock.monotonicMs();
    if (now < this.deadline(this.next) - earlyToleranceMs) {
      this.arm();
      return;
    }
    // The latest deadline that has passed: everything between `next` and it is missed.
    const due = Math.max(this.next, Math.floor((now - this.t0 + earlyToleranceMs) / intervalMs));
    const missed = due - this.next;
    this.missedTotal += missed;
    this.next = due + 1;
    this.ticks++;
    try {
      this.opts.onTick({ index: due, deadlineMs: this.deadline(due), actualMs: now, missed });
    } catch (err) {
      this.stop();
      if (this.opts.onError) this.opts.onError(err);
      else throw err;
      return;
    }
    this.arm();
  }
}
