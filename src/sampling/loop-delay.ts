/**
 * Event-loop delay per sampling interval, measured by a JS timer every `resolutionMs` that records how
 * late it fired. Node's monitorEventLoopDelay() cannot be used per interval: its reset() also forgets
 * the previous timestamp, so a stall that ends just before a reset is never recorded (reproduced here:
 * a 150 ms block followed by reset() left max at 10.1 ms). Values are kept in a bounded reservoir.
 */
import { systemClock, type Clock, type TimerHandle } from '../core/clock.js';

const reservoirSize = 4096;

export interface LoopDelayStats {
  p50Seconds: number;
  p99Seconds: number;
  maxSeconds: number;
  count: number;
}

export class LoopDelayProbe {
  private readonly values = new Float64Array(reservoirSize);
  private n = 0;
  private seen = 0;
  private maxMs = 0;
  private expected = 0;
  private timer: TimerHandle | null = null;

  /** `clock` is injected for tests (the probe's timer never keeps the process alive). */
  constructor(
    private readonly resolutionMs = 10,
    private readonly clock: Clock = systemClock,
  ) {}

  start(): void {
    if (this.timer) return;
    const clock = this.clock;
    const arm = (): void => {
      this.timer = clock.setTimer(this.expected, tick);
      this.timer.unref();
    };
    const tick = (): void => {
      const now = clock.monotonicMs();
      this.record(Math.max(0, now - this.expected));
      this.expected = now + this.resolutionMs;
      arm();
    };
    this.expected = clock.monotonicMs() + this.resolutionMs;
    arm();
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = null;
  }

  /** Stats of the delays recorded since the previous call, or null when none was. */
  take(): LoopDelayStats | null {
    // A stall still in progress (the timer is overdue right now) counts too.
    const now = this.clock.monotonicMs();
    const pending = this.timer ? Math.max(0, now - this.expected) : 0;
    if (pending > 0) {
      this.record(pending);
      this.expected = now;
    }
    if (this.n === 0) return null;
    const sorted = this.values.subarray(0, this.n).sort();
    const q = (p: number): number => sorted[Math.min(this.n - 1, Math.floor(p * this.n))]!;
    const out = { p50Seconds: q(0.5) / 1000, p99Seconds: q(0.99) / 1000, maxSeconds: this.maxMs / 1000, count: this.seen };
    this.n = 0;
    this.seen = 0;
    this.maxMs = 0;
    return out;
  }

  private record(ms: number): void {
    this.seen++;
    if (ms > this.maxMs) this.maxMs = ms;
    if (this.n < reservoirSize) this.values[this.n++] = ms;
    else {
      const j = Math.floor(Math.random() * this.seen);
      if (j < reservoirSize) this.values[j] = ms;
    }
  }
}
