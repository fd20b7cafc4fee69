/**
 * The clock the sampler runs on. Injected so tests can run on fake time; the real one is the monotonic
 * clock for deadlines and intervals and the wall clock only for labelling samples.
 */
export interface Clock {
  /** Monotonic milliseconds (fractional), never goes backwards; for deadlines and rates. */
  monotonicMs(): number;
  /** Wall-clock milliseconds since the Unix epoch; for labelling only. */
  wallMs(): number;
  /** Calls `fn` once, at or after monotonic time `atMs`. The returned handle cancels it. */
  setTimer(atMs: number, fn: () => void): TimerHandle;
}

export interface TimerHandle {
  cancel(): void;
  /** Lets the process exit while this timer is pending (no-op on fake clocks). */
  unref(): void;
}

/**
 * The handle of a real timer: its methods live on the prototype, so arming a timer allocates the
 * Timeout and this one object (it was a handle plus two closures per tick). The Timeout itself cannot
 * be reused: `timeout.refresh()` re-arms with the same delay, and a deadline's delay varies.
 */
class SystemTimer implements TimerHandle {
  private readonly timeout: NodeJS.Timeout;

  constructor(timeout: NodeJS.Timeout) {
    this.timeout = timeout;
  }

  cancel(): void {
    clearTimeout(this.timeout);
  }

  unref(): void {
    this.timeout.unref();
  }
}

/** The real clock: `performance.now()`-based monotonic time with `setTimeout` timers. */
export const systemClock: Clock = {
  monotonicMs: () => performance.now(),
  wallMs: () => performance.timeOrigin + performance.now(),
  setTimer(atMs, fn) {
    return new SystemTimer(setTimeout(fn, Math.max(0, atMs - performance.now())));
  },
};

/**
 * A manual clock for tests: time moves only when `advance()` is called, and timers due by then fire in
 * deadline order. `lag` lets a test simulate a late timer or a slow tick.
 */
export class FakeClock implements Clock {
  private nowMs: number;
  private readonly wallOriginMs: number;
  private timers: { atMs: number; seq: number; fn: () => void }[] = [];
  private seq = 0;

  constructor(startMs = 1000, wallOriginMs = 1_700_000_000_000) {
    this.nowMs = startMs;
    this.wallOriginMs = wallOriginMs - startMs;
  }

  monotonicMs(): number {
    return this.nowMs;
  }

  wallMs(): number {
    return this.wallOriginMs + this.nowMs;
  }

  setTimer(atMs: number, fn: () => void): TimerHandle {
    const entry = { atMs, seq: this.seq++, fn };
    this.timers.push(entry);
    return {
      cancel: () => {
        this.timers = this.timers.filter((t) => t !== entry);
      },
      unref: () => {},
    };
  }

  /** Number of timers still pending. */
  get pending(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, firing each due timer at its own deadline (or now, if later). */
  advance(ms: number): void {
    const end = this.nowMs + ms;
    for (;;) {
      this.timers.sort((a, b) => a.atMs - b.atMs || a.seq - b.seq);
      const next = this.timers[0];
      if (next === undefined || next.atMs > end) break;
      this.timers.shift();
      if (next.atMs > this.nowMs) this.nowMs = next.atMs;
      next.fn();
    }
    if (end > this.nowMs) this.nowMs = end;
  }

  /** Moves time forward without firing timers (simulates a blocked event loop). */
  stall(ms: number): void {
    this.nowMs += ms;
  }
}
