/** Options of recordCommand() and recordProcess(), resolved and validated once (STYLE.md 9). */
import { resolve } from 'node:path';
import { usageError } from '../core/errors.js';
import { resolveSamplerOptions, type SamplerOptions } from '../sampling/options.js';
import { defaultStorePath } from '../store/store.js';
import type { NoteListener } from './notes.js';
import type { RunOutputsSpec } from './outputs.js';
import type { StatusStream } from './status-line.js';

/** What recordCommand() and recordProcess() share. */
export interface RecordOptions {
  /** Sampling period in ms (10 ms to 24 h); default 1000. */
  intervalMs?: number;
  /** End the recording after this long (a recorded command is then stopped); default: until it ends. */
  durationMs?: number;
  /** Follow descendants; default true. */
  children?: boolean;
  /** Sample the whole system too; default true. */
  system?: boolean;
  /** CPU time from per-thread schedstat (ns); default false. */
  precise?: boolean;
  /** USS and PSS from smaps_rollup; default false. */
  smaps?: boolean;
  /** The run store file, or false to keep no run; default defaultStorePath() ($PERFSCOPE_STORE, ...). */
  store?: string | false;
  /** Files written at the end; each checked before the recording starts. */
  outputs?: RunOutputsSpec;
  /**
   * A terminal to draw the live status line on (e.g. process.stderr). It is drawn only where a
   * recorded command's output does not go to the same terminal (see statusLineFits). Default none.
   */
  status?: StatusStream | null;
  /** Hears notes and warnings as they happen; they are in the result too. */
  onNote?: NoteListener;
  /** Ends the recording early (a recorded command is stopped as for durationMs); the result is still returned. */
  signal?: AbortSignal;
  /** At the end, how long a store that cannot be written is still retried, in ms; default 5000. */
  storeRetryMs?: number;
  /** Injected for tests: the procfs and cgroup roots the sampler reads. */
  procRoot?: string;
  cgroupRoot?: string;
}

export interface ResolvedRecordOptions {
  sampler: SamplerOptions;
  storePath: string | null;
  outputs: RunOutputsSpec;
  status: StatusStream | null;
  onNote: NoteListener;
  signal: AbortSignal | null;
  storeRetryMs: number;
}

/** Validates and fills in defaults; PerfscopeError('EUSAGE') names the bad value. */
export function resolveRecordOptions(o: RecordOptions): ResolvedRecordOptions {
  const sampler: SamplerOptions = {
    intervalMs: o.intervalMs ?? 1000,
    children: o.children ?? true,
    system: o.system ?? true,
    precise: o.precise ?? false,
    smaps: o.smaps ?? false,
  };
  if (o.durationMs !== undefined) sampler.durationMs = o.durationMs;
  if (o.procRoot !== undefined) sampler.procRoot = o.procRoot;
  if (o.cgroupRoot !== undefined) sampler.cgroupRoot = o.cgroupRoot;
  // Settled now, before anything starts: the Sampler itself is made only once the PID is known.
  resolveSamplerOptions({ ...sampler, pid: process.pid });
  if (o.store !== undefined && o.store !== false && (typeof o.store !== 'string' || o.store === '')) {
    throw usageError(`store must be a file path or false, got ${JSON.stringify(o.store)}`);
  }
  const storeRetryMs = o.storeRetryMs ?? 5000;
  if (!(storeRetryMs >= 0)) throw usageError(`storeRetryMs must be >= 0, got ${String(o.storeRetryMs)}`);
  return {
    sampler,
    storePath: o.store === false ? null : resolve(o.store ?? defaultStorePath()),
    outputs: { ...o.outputs },
    status: o.status ?? null,
    onNote: o.onNote ?? (() => {}),
    signal: o.signal ?? null,
    storeRetryMs,
  };
}
