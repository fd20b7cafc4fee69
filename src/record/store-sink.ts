/**
 * The store side of a recording, made so that a store fault stops only the store writes: sampling,
 * the in-memory run and every other output go on. A failed commit leaves its rows in the writer's
 * buffers (see RunWriter); they are retried after 1, 2, then every 5 seconds, so a disk that fills for
 * a moment or a lock held by another process costs nothing in the end. While the store cannot be
 * written, at most `maxBufferedBytes` (64 MiB) wait in memory; rows past that are dropped and named. What the
 * store finally lacks is said in one line (`outcome().lost`).
 *
 * The run is created in the store at its first sample: a recording that never samples (a PID that
 * does not exist, a command gone before its first tick) leaves no run behind.
 */
import type { PerfscopeError } from '../core/errors.js';
import type { RunEvent, RunMeta } from '../core/run-data.js';
import { formatBytes } from '../core/units.js';
import { sqliteErrorWords } from '../store/sqlite.js';
import type { RunStore, RunWriter } from '../store/store.js';
import type { RunSink } from './recorder.js';
import type { NoteListener } from './notes.js';

/** How the store fared. */
export interface StoreOutcome {
  /** The store file. */
  path: string;
  /** The run's id in the store, or null when it was not kept (no sample was taken, or the store failed at once). */
  runId: number | null;
  /** Every sample of the run is in the store, and the run is marked finished. */
  complete: boolean;
  /** The first store fault met (PerfscopeError 'EIO'), or null. */
  error: PerfscopeError | null;
  /** What the store lacks, in one sentence, or null when nothing is missing. */
  lost: string | null;
}

/** Retry delays after consecutive failures; the last repeats. */
const retryDelaysMs = [1000, 2000, 5000];
/** Rows waiting for a store that cannot be written stop being kept past this (a 25-column tree at 10 Hz: ~9 h). */
export const defaultMaxBufferedBytes = 64 * 1024 * 1024;

export interface StoreSinkOptions {
  /** Memory the rows waiting for the store may take before later ones are dropped; default 64 MiB. */
  maxBufferedBytes?: number;
  /** Monotonic ms for the retry schedule; default performance.now(). */
  nowMs?: () => number;
}

type Op = (w: RunWriter) => void;

export class StoreSink implements RunSink {
  private writer: RunWriter | null = null;
  /** Calls made before the run exists in the store, replayed when it is created. */
  private queue: Op[] = [];
  private queuedBytes = 0;
  private failure: PerfscopeError | null = null;
  private failing = false;
  private failures = 0;
  private nextTryMs = 0;
  private dropped: { fromT: number; toT: number; rows: number } | null = null;
  private rows = 0;
  private lastT: number | null = null;
  private finished = false;
  private finishFailed = false;

  private readonly maxBufferedBytes: number;
  private readonly nowMs: () => number;

  constructor(
    private readonly store: RunStore,
    private readonly meta: () => RunMeta,
    private readonly onNote: NoteListener,
    options: StoreSinkOptions = {},
  ) {
    this.maxBufferedBytes = options.maxBufferedBytes ?? defaultMaxBufferedBytes;
    this.nowMs = options.nowMs ?? (() => performance.now());
  }

  /** The run's id once it exists in the store. */
  get id(): number | null {
    return this.writer?.id ?? null;
  }

  append(scope: 'tree' | 'system' | number, t: number, values: Record<string, number | null>): void {
    if (this.finished) return;
    if (scope === 'tree') {
      this.rows++;
      this.lastT = t;
    }
    if (this.writer === null && !this.failing) this.create();
    if (this.failing && this.bufferedBytes() > this.maxBufferedBytes) {
      if (scope === 'tree') this.dropped = { fromT: this.dropped?.fromT ?? t, toT: t, rows: (this.dropped?.rows ?? 0) + 1 };
      return;
    }
    // The tick's path once the run exists: straight to the writer, no closure, nothing counted.
    if (this.writer !== null) this.writer.append(scope, t, values);
    else this.op((w) => w.append(scope, t, values), 8 * (Object.keys(values).length + 1));
  }

  addProcess(p: { pid: number; ppid: number; comm: string; cmdline: string | null; firstSeen: number }): void {
    this.op((w) => w.addProcess(p), 64);
  }

  processExited(pid: number, t: number): void {
    this.op((w) => w.processExited(pid, t), 16);
  }

  addEvent(e: RunEvent): void {
    this.op((w) => w.addEvent(e), 64);
  }

  /** Commits once a second; while the store fails, retries on the back-off schedule. Never throws. */
  flush(force = false): void {
    if (this.finished) return;
    if (this.failing) {
      if (this.nowMs() < this.nextTryMs) return;
      this.retry();
      return;
    }
    if (this.writer === null) return;
    try {
      this.writer.flush(force);
    } catch (err) {
      this.fail(err as PerfscopeError);
    }
  }

  /**
   * At the end of a recording, before finish(): while the store fails, keeps retrying on its schedule
   * for up to `waitMs` (a lock released or space freed in that time still gets every row in).
   */
  async settle(waitMs: number): Promise<void> {
    const deadline = this.nowMs() + waitMs;
    while (this.failing && !this.finished) {
      const wait = Math.max(0, this.nextTryMs - this.nowMs());
      if (this.nowMs() + wait > deadline) return;
      await new Promise((r) => setTimeout(r, wait));
      this.retry();
    }
  }

  /** Commits what is left with the final metadata; a failure is kept for outcome(), never thrown. */
  finish(patch: Partial<RunMeta>): void {
    if (this.finished) return;
    if (this.writer === null && this.failing && this.rows > 0) this.create();
    if (this.writer !== null) {
      try {
        this.writer.finish(patch);
        this.failing = false;
      } catch (err) {
        this.fail(err as PerfscopeError);
        this.finishFailed = true;
      }
    }
    this.finished = true;
  }

  outcome(): StoreOutcome {
    const w = this.writer;
    const base = { path: this.store.path, runId: w?.id ?? null, error: this.failure };
    if (w === null) {
      const lost = this.rows === 0 ? null : `run not kept in the store ${this.store.path}: ${this.failure?.message ?? 'it was never created'}`;
      return { ...base, complete: this.rows === 0 && this.failure === null, lost };
    }
    const parts: string[] = [];
    const why = this.failure === null ? 'store fault' : sqliteErrorWords(this.failure.cause ?? this.failure);
    if (this.finishFailed) {
      const stored = w.committedRows;
      const from = w.pendingSince;
      const missing = this.rows - stored - (this.dropped?.rows ?? 0);
      if (missing > 0) {
        const span = from !== null && this.lastT !== null ? `, ${seconds(from)} to ${seconds(this.lastT)}` : '';
        parts.push(`the last ${missing} of its ${this.rows} samples${span}, could not be written (${why})`);
      } else {
        parts.push(`it could not be marked finished (${why})`);
      }
    }
    if (this.dropped !== null) {
      const d = this.dropped;
      parts.push(`${d.rows} sample${d.rows === 1 ? '' : 's'} from ${seconds(d.fromT)} to ${seconds(d.toT)} were dropped while the store could not be written (over ${formatBytes(this.maxBufferedBytes)} waited in memory)`);
    }
    const complete = parts.length === 0;
    const lost = complete ? null : `run ${w.id} in the store ${this.store.path} is incomplete: ${parts.join('; ')}`;
    return { ...base, complete, lost };
  }

  /** Runs `op` on the writer, or queues it until the run exists. */
  private op(op: Op, bytes: number): void {
    if (this.finished) return;
    if (this.writer === null) {
      this.queue.push(op);
      this.queuedBytes += bytes;
      return;
    }
    op(this.writer);
  }

  private bufferedBytes(): number {
    return this.writer === null ? this.queuedBytes : this.writer.bufferedBytes();
  }

  /** Creates the run (at the first sample) and replays what came before; a failure starts the retries. */
  private create(): boolean {
    try {
      this.writer = this.store.createRun(this.meta());
    } catch (err) {
      this.fail(err as PerfscopeError);
      return false;
    }
    const queued = this.queue;
    this.queue = [];
    this.queuedBytes = 0;
    for (const op of queued) op(this.writer);
    return true;
  }

  private retry(): void {
    if (this.writer === null && !this.create()) return;
    try {
      this.writer!.flush(true);
    } catch (err) {
      this.fail(err as PerfscopeError);
      return;
    }
    this.failing = false;
    this.failures = 0;
    const gap = this.dropped;
    if (gap !== null) {
      this.writer!.addEvent({ t: gap.toT, kind: 'note', detail: `store: ${gap.rows} samples from ${gap.fromT} s to ${gap.toT} s not kept (the store could not be written)` });
    }
    this.onNote({ level: 'note', message: `the store ${this.store.path} is written again${gap === null ? ': nothing was lost' : ''}` });
  }

  private fail(err: PerfscopeError): void {
    this.failure ??= err;
    this.failures++;
    this.nextTryMs = this.nowMs() + retryDelaysMs[Math.min(this.failures - 1, retryDelaysMs.length - 1)]!;
    if (this.failing) return;
    this.failing = true;
    const at = this.lastT === null ? '' : ` at ${seconds(this.lastT)}`;
    this.onNote({
      level: 'warning',
      message: `${err.message}${at}; sampling goes on, samples wait in memory and the store is retried every few seconds`,
    });
  }
}

/** A time of the run as people read it in these messages: "12.30 s". */
function seconds(t: number): string {
  return `${t.toFixed(2)} s`;
}
