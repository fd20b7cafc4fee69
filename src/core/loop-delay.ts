/**
 * Event-loop delay, measured by a JS timer every `resolutionMs` that records how late it fired. Used by
 * the sampler (per sampling interval) and by the default metrics (`nodejs_eventloop_lag_*`, per window),
 * so it lives below both.
 *
 * Why not Node's monitorEventLoopDelay(): its reset() also forgets the previous timestamp, so a stall
 * that ends just before a reset is never recorded (reproduced: a 150 ms block followed by reset() left
 * max at 10.1 ms; test/metrics/default-metrics/event-loop.test.ts shows it for the lag metrics). Here a
 * stall still in progress when the figures are taken (the timer is overdue right now) is counted then,
 * and not again afterwards. Values are kept in a bounded reservoir (4096, uniform sampling beyond);
 * min, max, mean and standard deviation cover every recorded value.
 */
import { systemClock, type Clock, type TimerHandle } from './clock.js';

const reservoirSize = 4096;

/** Delays (lateness of the probe's timer, the resolution not included) of one interval, in seconds. */
export interface LoopDelayStats {
  minSeconds: number;
  maxSeconds: number;
  meanSeconds: number;
  stddevSeconds: number;
  p50Seconds: number;
  p90Seconds: number;
  p99Seconds: number;
  /** Delays recorded (timer firings, plus a stall in progress when taken). */
  count: number;
}

export class LoopDelayProbe {
  private readonly values = new Float64Array(reservoirSize);
  private n = 0;
  private seen = 0;
  private minMs = Infinity;
  private maxMs = 0;
  private sumMs = 0;
  private sumSqMs = 0;
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

  /** Stats of the delays recorded since the previous take(), or null when none was; starts a new interval. */
  take(): LoopDelayStats | null {
    // A stall still in progress (the timer is overdue right now) counts in this interval, once.
    const now = this.clock.monotonicMs();
    const pending = this.timer ? Math.max(0, now - this.expected) : 0;
    if (pending > 0) {
      this.record(pending);
      this.expected = now;
    }
    const out = this.stats();
    this.n = 0;
    this.seen = 0;
    this.minMs = Infinity;
    this.maxMs = 0;
    this.sumMs = 0;
    this.sumSqMs = 0;
    return out;
  }

  /** Stats of the current interval so far (a stall in progress included), without starting a new one. */
  peek(): LoopDelayStats | null {
    const pending = this.timer ? Math.max(0, this.clock.monotonicMs() - this.expected) : 0;
    return this.stats(pending > 0 ? pending : undefined);
  }

  /** The figures of the values recorded so far, plus `extraMs` (a stall in progress) when given. */
  private stats(extraMs?: number): LoopDelayStats | null {
    const extra = extraMs === undefined ? 0 : 1;
    const seen = this.seen + extra;
    if (seen === 0) return null;
    const sorted = new Float64Array(Math.min(this.n + extra, reservoirSize));
    sorted.set(this.values.subarray(0, Math.min(this.n, sorted.length)));
    if (extra === 1) sorted[sorted.length - 1] = extraMs!;
    sorted.sort();
    const n = sorted.length;
    const q = (p: number): number => sorted[Math.min(n - 1, Math.floor(p * n))]! / 1000;
    const x = extraMs ?? 0;
    const mean = (this.sumMs + x) / seen;
    const variance = Math.max(0, (this.sumSqMs + x * x) / seen - mean * mean);
    return {
      minSeconds: Math.min(this.minMs, extraMs ?? Infinity) / 1000,
      maxSeconds: Math.max(this.maxMs, x) / 1000,
      meanSeconds: mean / 1000,
      stddevSeconds: Math.sqrt(variance) / 1000,
      p50Seconds: q(0.5),
      p90Seconds: q(0.9),
      p99Seconds: q(0.99),
      count: seen,
    };
  }

  private record(ms: number): void {
    this.seen++;
    if (ms < this.minMs) this.minMs = ms;
    if (ms > this.maxMs) this.maxMs = ms;
    this.sumMs += ms;
    this.sumSqMs += ms * ms;
    if (this.n < reservoirSize) this.values[this.n++] = ms;
    else {
      const j = Math.floor(Math.random() * this.seen);
      if (j < reservoirSize) this.values[j] = ms;
    }
  }
}
