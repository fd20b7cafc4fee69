/** Options of the Sampler and monitor(), resolved and validated once (STYLE.md 9). */
import { usageError } from '../core/errors.js';
import { systemClock, type Clock } from '../core/clock.js';

export interface SamplerOptions {
  /** Root process to sample. Default: this process. */
  pid?: number;
  /** Include all descendants of `pid` (following children that start and exit). Default true. */
  children?: boolean;
  /** Sampling period in ms, 10 ms to 24 h. Default 1000. */
  intervalMs?: number;
  /** Stop after this long (ms); the last sample is at the deadline that reaches it. Default: until stopped. */
  durationMs?: number;
  /** Also sample the whole system (CPU per core, memory, load, disks, network). Default true. */
  system?: boolean;
  /** Keep a series for every process of the tree too. Default: same as `children`. */
  perProcess?: boolean;
  /** CPU time from per-thread schedstat (ns) instead of 10 ms ticks: ±0.6 instead of ±6 points at 10 Hz, ~4x the read cost. */
  precise?: boolean;
  /** USS and PSS from smaps_rollup (~30x the cost of a plain snapshot). Default false. */
  smaps?: boolean;
  /** Event-loop delay/utilisation, heap and GC of this Node process. Default: when `pid` is this process. */
  runtime?: boolean;
  /**
   * Counters (CPU seconds, I/O bytes, faults) count from the first sample ('first', for attaching to a
   * running process) or from the process's start ('zero', for a process we just started). Default 'first'.
   */
  counters?: 'first' | 'zero';
  /**
   * Whether the pending tick keeps the process alive. Default false for a Sampler (a background monitor
   * never holds a service open); monitor() and the CLI set it, since they wait for the end.
   */
  keepAlive?: boolean;
  /**
   * Tick in a worker thread that sleeps on a futex (`Atomics.wait`) until each deadline, and deliver the
   * events to this thread in batches: sample 0 at once, then at most once a second, and at the end
   * (stop() delivers what was sampled before it). Adds up to ~1 s of delivery latency; in exchange this
   * thread's event loop wakes once a second instead of on every tick (10 Hz, one PID: ~0.9x the CPU of
   * the default, see BENCHMARKS.md Sampling) and a blocked event loop no longer delays samples. Ignored
   * (ticks stay on this thread) when `runtime` is on, since those values are this thread's, and with an
   * injected clock. Default false.
   */
  thread?: boolean;
  /**
   * Tick on perfscope's native thread (an optional N-API addon, built on install when a C compiler is
   * there): it sleeps until each absolute deadline and re-reads the kept-open /proc files, and this
   * thread parses what it captured in batches, delivered like `thread: true` (sample 0 at once, then
   * about once a second, and the rest on stop()). Sample times are the native thread's read times. At
   * 10 Hz, one PID, the cheapest way to monitor (see BENCHMARKS.md Sampling). Used when the addon is
   * built and the run re-reads a fixed set of files: one process (children and perProcess off), not
   * precise, no smaps, runtime off, the real clock; otherwise the sampler falls back to `thread` or the
   * event loop, and `engine` tells which ran. Default false.
   */
  native?: boolean;
  /** Injected for tests. */
  clock?: Clock;
  procRoot?: string;
  cgroupRoot?: string;
}

export type ResolvedSamplerOptions = Required<Omit<SamplerOptions, 'durationMs'>> & { durationMs: number | null };

export const minIntervalMs = 10;
export const maxIntervalMs = 24 * 3600 * 1000;

export function resolveSamplerOptions(o: SamplerOptions = {}): ResolvedSamplerOptions {
  const pid = o.pid ?? process.pid;
  if (!Number.isSafeInteger(pid) || pid < 1) throw usageError(`pid must be a positive integer, got ${String(o.pid)}`);
  const intervalMs = o.intervalMs ?? 1000;
  if (typeof intervalMs !== 'number' || !Number.isFinite(intervalMs) || intervalMs < minIntervalMs || intervalMs > maxIntervalMs) {
    throw usageError(`interval must be between ${minIntervalMs} ms and 24 h, got ${String(o.intervalMs)} ms`);
  }
  const durationMs = o.durationMs ?? null;
  if (durationMs !== null && (typeof durationMs !== 'number' || !Number.isFinite(durationMs) || durationMs <= 0)) {
    throw usageError(`duration must be a positive number of ms, got ${String(o.durationMs)}`);
  }
  const counters = o.counters ?? 'first';
  if (counters !== 'first' && counters !== 'zero') throw usageError(`counters must be 'first' or 'zero', got ${String(counters)}`);
  const children = o.children ?? true;
  return {
    pid,
    children,
    intervalMs,
    durationMs,
    system: o.system ?? true,
    perProcess: o.perProcess ?? children,
    precise: o.precise ?? false,
    smaps: o.smaps ?? false,
    runtime: o.runtime ?? pid === process.pid,
    counters,
    keepAlive: o.keepAlive ?? false,
    thread: o.thread ?? false,
    native: o.native ?? false,
    clock: o.clock ?? systemClock,
    procRoot: o.procRoot ?? '/proc',
    cgroupRoot: o.cgroupRoot ?? '/sys/fs/cgroup',
  };
}

