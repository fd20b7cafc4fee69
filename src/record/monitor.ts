/**
 * monitor(): the one-call form of the classic "sample cpu_percent, memory_percent and io_counters of a
 * process for a duration at an interval" loop, done with deadlines and without the 0.0-first-sample trap.
 */
import { usageError } from '../core/errors.js';
import type { RunData } from '../core/run-data.js';
import type { SamplerOptions } from '../sampling/options.js';
import { RunRecorder } from './recorder.js';
import { Sampler, type Sample } from '../sampling/sampler.js';
import { samplerFault } from '../sampling/sample.js';
import { treeColumns } from '../sampling/catalogue.js';

export interface MonitorOptions extends Omit<SamplerOptions, 'intervalMs' | 'durationMs'> {
  /** How long to sample, in seconds (like the classic recipe). Required unless `durationMs` or `signal` is given. */
  duration?: number;
  /** Sampling period in seconds. Default 1. */
  interval?: number;
  durationMs?: number;
  intervalMs?: number;
  /** Stops sampling early; the promise still resolves with what was recorded. */
  signal?: AbortSignal;
}

/** psutil's `pio` fields, one entry per sample (null where /proc/PID/io is not readable). */
export interface IoCounters {
  read_count: number;
  write_count: number;
  read_bytes: number;
  write_bytes: number;
  read_chars: number;
  write_chars: number;
}

/** The run, plus its tree columns at the top level under the classic names. */
export interface MonitorResult extends RunData {
  timestamp: number[];
  cpu_percent: (number | null)[];
  memory_percent: (number | null)[];
  io_counters: (IoCounters | null)[];
  [column: string]: unknown;
}

function toMs(seconds: number | undefined, ms: number | undefined, what: string): number | undefined {
  if (ms !== undefined) return ms;
  if (seconds === undefined) return undefined;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0) {
    throw usageError(`${what} must be a positive number of seconds, got ${String(seconds)}`);
  }
  return seconds * 1000;
}

/**
 * Samples `pid` (default: this process) and its children every `interval` seconds for `duration`
 * seconds, and resolves to the columns. The first cpu_percent is null (no earlier reading), never 0.0.
 * Ticks on the native thread where it applies (`native` defaults to true here: one process, addon
 * built; see SamplerOptions.native), else on the event loop.
 * Rejects with PerfscopeError ENOPROC/EACCESS when the process cannot be read, ESAMPLER (the fault as
 * `cause`) when sampling fails mid-run; ends early (resolving) when the process exits.
 */
export async function monitor(options: MonitorOptions): Promise<MonitorResult> {
  const durationMs = toMs(options.duration, options.durationMs, 'duration');
  const intervalMs = toMs(options.interval, options.intervalMs, 'interval') ?? 1000;
  if (durationMs === undefined && options.signal === undefined) {
    throw usageError('monitor() needs a duration (seconds) or an AbortSignal to know when to stop');
  }
  // native: the columns arrive at the end, so batched delivery costs nothing here (see SamplerOptions.native).
  const sampler = new Sampler({ keepAlive: true, native: true, ...options, intervalMs, durationMs });
  const recorder = new RunRecorder(sampler, { command: null });
  const onAbort = (): void => sampler.stop('stopped');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  try {
    sampler.start();
    if (options.signal?.aborted) sampler.stop('stopped');
    const end = await sampler.done;
    if (end.error !== null) throw samplerFault(end.error);
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
  return withClassicColumns(recorder.finish());
}

/** Adds the top-level classic columns (shared arrays, not copies) to a run. */
export function withClassicColumns(run: RunData): MonitorResult {
  const c = treeColumns(run.samples);
  const io: (IoCounters | null)[] = c.timestamp.map((_, i) => {
    const rb = c.io_read_bytes?.[i];
    if (rb === null || rb === undefined) return null;
    return {
      read_count: c.io_read_syscalls?.[i] ?? 0,
      write_count: c.io_write_syscalls?.[i] ?? 0,
      read_bytes: rb,
      write_bytes: c.io_write_bytes?.[i] ?? 0,
      read_chars: c.io_read_chars?.[i] ?? 0,
      write_chars: c.io_write_chars?.[i] ?? 0,
    };
  });
  return {
    ...run.samples,
    ...run,
    timestamp: c.timestamp,
    cpu_percent: c.cpu_percent ?? [],
    memory_percent: c.memory_percent ?? [],
    io_counters: io,
  };
}

/** Streams samples of a process until `signal` aborts or the process exits (the streaming form). */
export async function* samples(options: Omit<MonitorOptions, 'duration' | 'durationMs'> & { duration?: number }): AsyncGenerator<Sample> {
  const sampler = new Sampler({
    keepAlive: true,
    ...options,
    intervalMs: toMs(options.interval, options.intervalMs, 'interval') ?? 1000,
    durationMs: toMs(options.duration, undefined, 'duration'),
  });
  const onAbort = (): void => sampler.stop('stopped');
  options.signal?.addEventListener('abort', onAbort, { once: true });
  const it = sampler[Symbol.asyncIterator]();
  sampler.start();
  try {
    yield* it;
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
    sampler.stop('stopped');
  }
}
