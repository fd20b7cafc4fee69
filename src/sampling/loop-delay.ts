/**
 * Event-loop delay per sampling interval, measured by a JS timer every `resolutionMs` that records how
 * late it fired. Node's monitorEventLoopDelay() cannot be used per interval: its reset() also forgets
 * the previous timestamp, so a stall that ends just before a reset is never recorded (reproduced here:
 * a 150 ms block followed by reset() left max at 10.1 ms). Values are kept in a bounded reservoir.
 */
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
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly resolutionMs = 10) {}

  start(): void {
    if (this.timer) return;
    this.expected = performance.now() + this.resolutionMs;
    const tick = (): void => {
      const now = performance.now();
      this.record(Math.max(0, now - this.expected));
      this.expected = now + this.resolutionMs;
      this.timer = setTimeout(tick, this.resolutionMs);
      this.timer.unref();
    };
    this.timer = setTimeout(tick, this.resolutionMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  /** Stats of the delays recorded since the previous call, or null when none was. */
  take(): LoopDelayStats | null {
    // A stall still in progress (the timer is overdue right now) counts too.
    const pending = this.timer ? Math.max(0, performance.now() - this.expected) : 0;
    if (pending > 0) {
      this.record(pending);
      this.expected = performance.now();
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
