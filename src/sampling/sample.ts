/**
 * What a Sampler produces, whatever engine ran its ticks: samples, the processes it saw, how it ended.
 * Plain data (it crosses threads by structured clone).
 */
import { PerfscopeError } from '../core/errors.js';
import type { ProcessRow, RuntimeRow, SystemRow, TreeRow } from './catalogue.js';

/** A row of values by column name; a Sample's rows are typed by the catalogue (catalogue.ts). */
export type Row = Record<string, number | null>;

export interface Sample {
  /** Deadline index (0 = start); gaps are missed deadlines. */
  index: number;
  /** Seconds since the sampler started, measured when the tick ran. */
  t: number;
  wallMs: number;
  /** How late the tick ran after its deadline, ms. */
  lateMs: number;
  /** Deadlines skipped just before this sample. */
  missed: number;
  /** Tree totals (or the single process); with `runtime`, this Node process's figures too. */
  tree: TreeRow & Partial<RuntimeRow>;
  system: SystemRow | null;
  /** Per-process rows keyed by PID, when `perProcess`. */
  processes: Map<number, ProcessRow> | null;
}

export interface ProcessInfo {
  pid: number;
  ppid: number;
  comm: string;
  cmdline: string | null;
  /** Seconds since the sampler started when the process was first seen. */
  t: number;
}

export type EndReason = 'duration' | 'process-exited' | 'stopped' | 'error';

/** How a sampler ended: the reason, and the fault when the reason is 'error' (else null). */
export interface SamplerEnd {
  reason: EndReason;
  error: Error | null;
}

/** Where the ticks run: this thread's event loop, a worker thread (`thread`), or the native thread (`native`). */
export type Engine = 'event-loop' | 'thread' | 'native';

/**
 * Delivery batches of `thread: true` and `native: true` (the ticks themselves run on time in the worker
 * or the native thread). Measured at 10 Hz, one PID (2026-11-24): batches every 250 ms cost
 * the owning thread 0.09-0.11 % of a core and the whole monitor 1.19x psutil; every 1 s, 0.06-0.07 % and
 * 0.95-1.06x. Each delivery wakes the owner's event loop, the cost this mode exists to avoid.
 */
export const batchMs = 1000;

/** A sampler's fault as callers report it (monitor() rejects with it, the CLI prints it): ESAMPLER, the fault as `cause`. */
export function samplerFault(error: Error): PerfscopeError {
  return new PerfscopeError('ESAMPLER', `sampling failed: ${error.message}`, { cause: error });
}
