/**
 * RunWriter: appends one run's samples, processes and events to the store. Rows are buffered in memory
 * and committed in one transaction at most once a second (`flush`), so the recorder's tick costs no SQL.
 *
 * Durability: the store runs in WAL mode with synchronous=NORMAL. A commit is in the WAL file as soon as
 * the transaction returns, so a recorder killed by SIGKILL (or crashing) loses only rows not yet
 * committed: at most the last second. Only an OS crash or power loss can also drop the last commits
 * (NORMAL skips the fsync per commit); synchronous=FULL would cover that at one fsync per second.
 */
import { sqliteErrorWords, type SqlDatabase } from './sqlite.js';
import { PerfscopeError } from '../core/errors.js';
import type { RunEvent, RunMeta } from '../core/run-data.js';
import { ColumnBuffer } from './column-buffer.js';
import { scopeSystem, scopeTree } from './schema.js';

/** How often `flush()` commits, at most: the loss bound on a kill. */
export const commitIntervalMs = 1000;

/** A process as `addProcess` takes it. */
export interface ProcessInfo {
  pid: number;
  ppid: number;
  comm: string;
  cmdline: string | null;
  /** Seconds since run start. */
  firstSeen: number;
}

interface ProcessRow extends ProcessInfo {
  exited: number | null;
  dirty: boolean;
}

/**
 * Writes one run. Not safe to share between threads; all calls are synchronous. `append`,
 * `addProcess`, `processExited` and `addEvent` only buffer and never throw; `flush` and `finish` commit
 * and throw PerfscopeError('EIO') when the store cannot be written (the buffered rows are kept).
 */
export class RunWriter {
  readonly id: number;
  private readonly buffers = new Map<number, ColumnBuffer>();
  private readonly processes = new Map<number, ProcessRow>();
  private pendingEvents: RunEvent[] = [];
  private nextEventSeq = 0;
  private lastCommitMs: number;
  private finished = false;
  private sampleCount = 0;
  private lastCommittedT: number | null = null;
  private readonly stmts: ReturnType<typeof prepare>;
  private readonly commitTx: () => void;

  /** @internal Use RunStore.createRun. */
  constructor(
    private readonly db: SqlDatabase,
    id: number,
    private readonly meta: RunMeta,
    private readonly nowMs: () => number,
    private readonly storePath: string,
  ) {
    this.id = id;
    this.stmts = prepare(db);
    this.commitTx = () => db.transaction(() => this.writePending());
    this.lastCommitMs = nowMs();
  }

  /** Buffers one row. scope 'tree' = RunData.samples, 'system' = RunData.system, a PID = that process. */
  append(scope: 'tree' | 'system' | number, t: number, values: Record<string, number | null>): void {
    if (this.finished) return;
    const key = scope === 'tree' ? scopeTree : scope === 'system' ? scopeSystem : scope;
    let buf = this.buffers.get(key);
    if (buf === undefined) {
      buf = new ColumnBuffer();
      this.buffers.set(key, buf);
    }
    buf.append(t, values);
  }

  /** Records a process of the tree; call before appending rows for its PID. A PID seen again replaces it. */
  addProcess(p: ProcessInfo): void {
    if (this.finished) return;
    this.processes.set(p.pid, { pid: p.pid, ppid: p.ppid, comm: p.comm, cmdline: p.cmdline, firstSeen: p.firstSeen, exited: null, dirty: true });
  }

  /** Marks a process gone at `t` seconds since run start. */
  processExited(pid: number, t: number): void {
    const p = this.processes.get(pid);
    if (this.finished || p === undefined) return;
    p.exited = t;
    p.dirty = true;
  }

  addEvent(e: RunEvent): void {
    if (this.finished) return;
    this.pendingEvents.push(e);
  }

  /** Tree rows committed so far. */
  get committedRows(): number {
    return this.sampleCount;
  }

  /** Timestamp of the last committed tree row, or null before the first commit. */
  get committedUntil(): number | null {
    return this.lastCommittedT;
  }

  /** Timestamp of the first buffered (not yet committed) tree row, or null when none waits. */
  get pendingSince(): number | null {
    const tree = this.buffers.get(scopeTree);
    return tree !== undefined && tree.rows > 0 ? tree.firstT() : null;
  }

  /** Tree rows buffered and not yet committed. */
  get pendingRows(): number {
    return this.pendingTreeRows();
  }

  /** Memory held by the buffered rows of every scope (8 bytes a value), for callers that bound it. */
  bufferedBytes(): number {
    let n = 0;
    for (const buf of this.buffers.values()) n += buf.rows * (buf.names.length + 1) * 8;
    return n;
  }

  /** Commits the buffered rows when >= 1 s passed since the last commit, or now when `force`; true if it did. */
  flush(force = false): boolean {
    if (this.finished) return false;
    const now = this.nowMs();
    if (!force && now - this.lastCommitMs < commitIntervalMs) return false;
    this.commit();
    this.lastCommitMs = now;
    return true;
  }

  /**
   * Commits everything with the final meta (endedAtMs, exitCode, signal, sampleCount, missedDeadlines)
   * and marks the run finished. sampleCount defaults to the tree rows written. Later calls are ignored.
   */
  finish(patch: Partial<RunMeta>): void {
    if (this.finished) return;
    const meta: RunMeta = { ...this.meta, sampleCount: this.sampleCount + this.pendingTreeRows(), ...patch, id: this.id };
    this.guard(() =>
      this.db.transaction(() => {
        this.writePending();
        this.stmts.finishRun.run(JSON.stringify({ ...meta, id: null }), this.id);
      }),
    );
    this.afterCommit();
    this.finished = true;
  }

  private pendingTreeRows(): number {
    return this.buffers.get(scopeTree)?.rows ?? 0;
  }

  private commit(): void {
    this.guard(this.commitTx);
    this.afterCommit();
  }

  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      // The transaction rolled back and the buffers are untouched, so the next flush retries the same rows.
      throw new PerfscopeError('EIO', `cannot write run ${this.id} to ${this.storePath}: ${sqliteErrorWords(err)}`, { cause: err });
    }
  }

  /** Inside a transaction: writes columns, chunks, processes, events and the run's counters. */
  private writePending(): void {
    const s = this.stmts;
    for (const [scope, buf] of this.buffers) {
      for (let i = buf.persistedNames; i < buf.names.length; i++) s.insertColumn.run(this.id, scope, i, buf.names[i]);
      if (buf.rows === 0) continue;
      s.insertChunk.run(this.id, scope, buf.nextSeq, buf.firstT(), buf.lastT(), buf.names.length, buf.pack());
    }
    for (const p of this.processes.values()) {
      if (p.dirty) s.upsertProcess.run(this.id, p.pid, p.ppid, p.comm, p.cmdline, p.firstSeen, p.exited);
    }
    let seq = this.nextEventSeq;
    for (const e of this.pendingEvents) s.insertEvent.run(this.id, seq++, e.t, e.kind, e.pid ?? null, e.detail ?? null);
    const tree = this.buffers.get(scopeTree);
    if (tree !== undefined && tree.rows > 0) s.updateCounters.run(tree.rows, tree.lastT(), this.id);
  }

  /** After a successful transaction: drops what was written from the buffers. */
  private afterCommit(): void {
    this.sampleCount += this.pendingTreeRows();
    const tree = this.buffers.get(scopeTree);
    if (tree !== undefined && tree.rows > 0) this.lastCommittedT = tree.lastT();
    for (const buf of this.buffers.values()) {
      buf.persistedNames = buf.names.length;
      if (buf.rows > 0) buf.nextSeq++;
      buf.clear();
    }
    for (const p of this.processes.values()) p.dirty = false;
    this.nextEventSeq += this.pendingEvents.length;
    this.pendingEvents = [];
  }
}

function prepare(db: SqlDatabase) {
  return {
    insertColumn: db.prepare('INSERT INTO series_columns (run_id, scope, ordinal, name) VALUES (?, ?, ?, ?)'),
    insertChunk: db.prepare(
      'INSERT INTO chunks (run_id, scope, seq, t_first, t_last, column_count, data) VALUES (?, ?, ?, ?, ?, ?, ?)',
    ),
    upsertProcess: db.prepare(
      `INSERT INTO processes (run_id, pid, ppid, comm, cmdline, first_seen, exited) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (run_id, pid) DO UPDATE SET ppid = excluded.ppid, comm = excluded.comm,
         cmdline = excluded.cmdline, first_seen = excluded.first_seen, exited = excluded.exited`,
    ),
    insertEvent: db.prepare('INSERT INTO events (run_id, seq, t, kind, pid, detail) VALUES (?, ?, ?, ?, ?, ?)'),
    updateCounters: db.prepare('UPDATE runs SET sample_count = sample_count + ?, last_t = ? WHERE id = ?'),
    finishRun: db.prepare('UPDATE runs SET meta = ?, finished = 1 WHERE id = ?'),
  };
}
