/**
 * The native ticker (native/ticker.c, an optional N-API addon built on install): a thread that sleeps
 * until each absolute deadline and re-reads the readers' kept-open /proc files, while this thread
 * parses what it captured in batches. At 10 Hz that replaces ten event-loop wake-ups a second (a timer,
 * JavaScript run cold each time) with ten futex wake-ups of a thread that runs no JavaScript and one
 * event-loop turn a second, where the batch's parsing runs warm. See BENCHMARKS.md Sampling.
 */
import { createRequire } from 'node:module';
import { getSystemErrorName } from 'node:util';
import { readNativeBuildStatus } from './native-build.js';

/** One kept-open file the native thread re-reads on each tick, and where its result goes. */
export interface CaptureSlot {
  fd: number;
  /** 'text': the whole file (pread at 0); 'count': entries of a directory (size of /proc/PID/fd). */
  kind: 'text' | 'count';
  /** Initial read buffer size in bytes (grown while a read fills it). */
  capacity: number;
  /** ESRCH/ENOENT on this file means the process is gone: the thread stops after that tick. */
  vital: boolean;
  /** Takes the captured result (text, count, or -errno) just before the parse that reads it. */
  feed(value: string | number): void;
}

/** [index, deadlineMs, actualMs, wallMs, missed, ...one result per slot] (native monotonic ms). */
export type NativeTick = [number, number, number, number, number, ...(string | number)[]];

interface TickerSpec {
  fds: number[];
  kinds: number[];
  capacities: number[];
  vital: number[];
  intervalMs: number;
  t0Ms: number;
  firstIndex: number;
  lastIndex: number;
  batchTicks: number;
}

interface Addon {
  start(spec: TickerSpec, onReady: () => void): object;
  drain(handle: object): { ticks: NativeTick[]; ended: boolean };
  stop(handle: object): void;
  ref(handle: object, keepAlive: boolean): void;
  monotonicMs(): number;
}

let addon: Addon | null | undefined;
let unavailable = '';

/**
 * The addon, or null with `nativeUnavailableReason()` saying why: not built (no compiler at install,
 * see scripts/build-native.js), not Linux, or switched off with PERFSCOPE_NATIVE=0.
 */
export function loadNative(): Addon | null {
  if (addon !== undefined) return addon;
  addon = null;
  if (process.env.PERFSCOPE_NATIVE === '0') unavailable = 'switched off by PERFSCOPE_NATIVE=0';
  else if (process.platform !== 'linux') unavailable = `not built for ${process.platform}`;
  else {
    try {
      addon = createRequire(import.meta.url)('../../native/build/Release/perfscope_native.node') as Addon;
    } catch (err) {
      const build = readNativeBuildStatus();
      const detail = err instanceof Error ? err.message.split('\n')[0] : String(err);
      unavailable =
        build && !build.built && build.reason
          ? `not built when perfscope was installed: ${build.reason}`
          : `the addon is not built (npm install builds it with node-gyp; ${detail})`;
      // Said once, on first use: the install's own line is hidden by npm.
      process.emitWarning(`the perfscope native ticker is not available (${unavailable}); sampling on the event loop instead. 'npx perfscope doctor' shows the details`, {
        code: 'PERFSCOPE_NATIVE',
      });
    }
  }
  return addon;
}

export function nativeUnavailableReason(): string {
  loadNative();
  return unavailable;
}

/**
 * Gives the C library's free heap pages back to the kernel (glibc's malloc_trim, native/memory.c):
 * true when some were released, false when none were, null without the addon or outside glibc. For a
 * long-running process after transient allocations; a few hundred µs on a small heap.
 */
export function trimMalloc(): boolean | null {
  const a = loadNative() as (Addon & { trimMalloc?: () => boolean | null }) | null;
  return a !== null && typeof a.trimMalloc === 'function' ? a.trimMalloc() : null;
}

/** An errno error shaped like Node's fs errors, for a -errno captured by the native thread. */
export function errnoError(negErrno: number, syscall: string, path: string): NodeJS.ErrnoException {
  let code: string;
  try {
    code = getSystemErrorName(negErrno);
  } catch {
    code = 'EUNKNOWN';
  }
  return Object.assign(new Error(`${code}: ${syscall} '${path}'`), { errno: negErrno, code, syscall, path });
}

export interface NativeTickerOptions {
  slots: CaptureSlot[];
  intervalMs: number;
  /** Deadline 0, on the caller's monotonic clock (performance.now()). */
  t0Ms: number;
  firstIndex: number;
  /** The last deadline index to sample, or null for no end. */
  lastIndex: number | null;
  batchTicks: number;
  keepAlive: boolean;
  /** Called on this thread when a batch is waiting; `drain()` takes it. */
  onReady(): void;
}

/**
 * A running native ticker. Tick times come back on the caller's clock (performance.now() ms): the
 * native clock is CLOCK_MONOTONIC, the one performance.now() counts from, so one offset maps them.
 */
export class NativeTicker {
  private readonly addon: Addon;
  private readonly handle: object;
  private readonly offsetMs: number;
  private stopped = false;

  constructor(native: Addon, o: NativeTickerOptions) {
    this.addon = native;
    this.offsetMs = performance.now() - native.monotonicMs();
    this.handle = native.start(
      {
        fds: o.slots.map((s) => s.fd),
        kinds: o.slots.map((s) => (s.kind === 'text' ? 0 : 1)),
        capacities: o.slots.map((s) => s.capacity),
        vital: o.slots.map((s) => (s.vital ? 1 : 0)),
        intervalMs: o.intervalMs,
        t0Ms: o.t0Ms - this.offsetMs,
        firstIndex: o.firstIndex,
        lastIndex: o.lastIndex ?? -1,
        batchTicks: o.batchTicks,
      },
      o.onReady,
    );
    native.ref(this.handle, o.keepAlive);
  }

  /** The ticks captured since the last drain, times mapped to the caller's clock; `ended` once the thread stopped by itself. */
  drain(): { ticks: NativeTick[]; ended: boolean } {
    const batch = this.addon.drain(this.handle);
    const off = this.offsetMs;
    for (const t of batch.ticks) {
      t[1] += off;
      t[2] += off;
    }
    return batch;
  }

  /** Wakes and joins the thread (it finishes at most the tick it is in); `drain()` then returns the rest. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.addon.stop(this.handle);
  }
}
