/**
 * RunStore: the embedded recording store, one SQLite file (node:sqlite or better-sqlite3, see sqlite.ts) holding many runs.
 * WAL mode lets `perfscope ls/show` read while a recorder writes; see writer.ts for durability.
 */
import { mkdirSync, existsSync, readFileSync, statSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { openDatabase, sqliteErrorWords, sqlitePrimaryCode, type SqlDatabase } from './sqlite.js';
import { PerfscopeError, errnoWordsOf, isErrno, usageError } from '../core/errors.js';
import type { ProcessSeries, RunData, RunEvent, RunEventKind, RunMeta, SeriesColumns } from '../core/run-data.js';
import { emptyStatRecord, parseStat } from '../sampling/process.js';
import { readProcFileOnce } from '../sampling/procfs.js';
import { unpackChunk } from './column-buffer.js';
import { checkSchema, migrate, scopeSystem, scopeTree, storedSchemaVersion } from './schema.js';
import { RunWriter } from './writer.js';

export { RunWriter, commitIntervalMs, type ProcessInfo } from './writer.js';

export interface StoreOptions {
  /** The store file; default `defaultStorePath()`. Its directory is created unless `readonly`. */
  path?: string;
  /** Open for reading only: the file must exist, nothing is created or migrated. */
  readonly?: boolean;
  /** Monotonic milliseconds for the writers' once-a-second commits; default `performance.now()`. */
  nowMs?: () => number;
  /**
   * How long a statement waits for another connection's write lock before failing SQLITE_BUSY; default
   * 5000 ms. A recorder sets it short: the wait blocks its thread, and its writer retries later anyway.
   */
  busyTimeoutMs?: number;
}

/** `finished`: finish() was called; `recording`: its recorder is alive; `interrupted`: it died first. */
export type RunStatus = 'recording' | 'finished' | 'interrupted';

/** One line of `listRuns()`. */
export interface RunSummaryRow {
  id: number;
  startedAt: string;
  startedAtMs: number;
  command: string[] | null;
  pid: number;
  host: string;
  /** Wall time of a finished run; for others, the timestamp of the last committed sample. */
  durationSeconds: number | null;
  sampleCount: number;
  exitCode: number | null;
  signal: string | null;
  status: RunStatus;
}

/** `$PERFSCOPE_STORE`, else `$XDG_DATA_HOME/perfscope/runs.db`, else `~/.local/share/perfscope/runs.db`. */
export function defaultStorePath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PERFSCOPE_STORE) return resolve(env.PERFSCOPE_STORE);
  // The XDG spec says to ignore a relative XDG_DATA_HOME.
  const xdg = env.XDG_DATA_HOME;
  const dataHome = xdg && isAbsolute(xdg) ? xdg : join(env.HOME || homedir(), '.local', 'share');
  return join(dataHome, 'perfscope', 'runs.db');
}

interface RunRow {
  id: number;
  meta: string;
  recorder_pid: number;
  recorder_host: string;
  recorder_start_ticks: number | null;
  recorder_boot_id: string | null;
  finished: number;
  sample_count: number;
  last_t: number | null;
}

/** A run named by a user: an id, `last`, or `-N` (the Nth most recent: -1 is the last). */
export type RunRef = string;

/** Whether `ref` names a stored run rather than a file: a positive id, `last`, or `-N`. */
export function isRunRef(ref: string): boolean {
  return ref === 'last' || /^-?\d+$/.test(ref);
}

/**
 * A handle on one store file. Synchronous; one per thread. Errors reading or writing the file are
 * PerfscopeError('EIO') naming the path; an unknown run id is PerfscopeError('ENOTFOUND').
 */
export class RunStore {
  /** The store file's absolute path. */
  readonly path: string;
  private readonly db: SqlDatabase;
  private readonly nowMs: () => number;
  /** The columns of `runs` this file has (a read-only store written by an older perfscope lacks some). */
  private readonly runColumns: string;

  private constructor(path: string, db: SqlDatabase, nowMs: () => number, version: number) {
    this.path = path;
    this.db = db;
    this.nowMs = nowMs;
    const recorderColumns = version >= 2 ? 'recorder_start_ticks, recorder_boot_id' : 'NULL AS recorder_start_ticks, NULL AS recorder_boot_id';
    this.runColumns = `id, meta, recorder_pid, recorder_host, ${recorderColumns}, finished, sample_count, last_t`;
  }

  /** Opens (creating unless readonly) the store; unreadable, corrupt or foreign files throw EIO. */
  static open(options: StoreOptions = {}): RunStore {
    const path = resolve(options.path ?? defaultStorePath());
    const readonly = options.readonly === true;
    if (readonly && !existsSync(path)) {
      throw new PerfscopeError('ENOTFOUND', `no store at ${path} (nothing recorded there yet)`);
    }
    if (!readonly) {
      try {
        mkdirSync(dirname(path), { recursive: true });
      } catch (err) {
        throw new PerfscopeError('EIO', `cannot create the store directory ${dirname(path)}: ${dirProblem(dirname(path), err)}`, { cause: err });
      }
      if (isDirectory(path)) throw new PerfscopeError('EIO', `cannot open store ${path}: it is a directory`);
    }
    let db: SqlDatabase | undefined;
    try {
      try {
        db = openDatabase(path, { readonly });
        checkSchema(db);
      } catch (err) {
        // A store in a directory this user cannot write (no -shm can be made): read it as it is, when no
        // recorder is writing it. Measured: both engines fail SQLITE_READONLY(_DIRECTORY) or CANTOPEN here.
        const code = sqlitePrimaryCode(err);
        if (!readonly || (code !== 8 && code !== 14) || walHasContent(path)) throw err;
        db?.close();
        db = openDatabase(path, { readonly, snapshot: true });
      }
      // Reading a page early makes a corrupt or non-SQLite file fail here, not in a later query.
      const schema = checkSchema(db);
      if (schema.state === 'foreign') throw new PerfscopeError('EIO', `cannot open store ${path}: ${schema.reason}`);
      if (readonly && schema.state === 'empty') {
        throw new PerfscopeError('EIO', `cannot open store ${path}: not an initialised perfscope store`);
      }
      if (!readonly) {
        // 16 KiB pages: a 1 s chunk (~2 KB) no longer fills a 4 KiB page alone. Measured (bench/store.bench.ts,
        // 1 h at 10 Hz x 25 columns): 4 KiB 14.2 MiB, 8 KiB 9.5, 16 KiB 8.2 (0.1 ms per commit), 64 KiB 7.8
        // MiB but 0.2 ms per commit and 77 ms checkpoints.
        if (schema.state === 'empty') db.exec('PRAGMA page_size = 16384');
        db.exec('PRAGMA journal_mode = WAL');
        // NORMAL in WAL survives process kills (the WAL is written at commit); only OS crashes need FULL.
        db.exec('PRAGMA synchronous = NORMAL');
        if (schema.state === 'empty') migrate(db, 0);
        else if (schema.state === 'outdated') migrate(db, schema.version);
      }
      db.exec('PRAGMA foreign_keys = ON');
      // Two recorders on one store take turns at commits of a few ms; wait rather than fail.
      db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.round(options.busyTimeoutMs ?? 5000))}`);
    } catch (err) {
      db?.close();
      if (err instanceof PerfscopeError) throw err;
      throw new PerfscopeError('EIO', `cannot open store ${path}: ${sqliteErrorWords(err)}`, { cause: err });
    }
    return new RunStore(path, db, options.nowMs ?? (() => performance.now()), storedSchemaVersion(db));
  }

  /** Starts a run: stores `meta`, sets `meta.id` to the new id and returns its writer. */
  createRun(meta: RunMeta): RunWriter {
    const id = this.guard(() => {
      const stored = JSON.stringify({ ...meta, id: null });
      const self = recorderIdentity();
      const info = this.db
        .prepare('INSERT INTO runs (meta, started_at_ms, recorder_pid, recorder_host, recorder_start_ticks, recorder_boot_id) VALUES (?, ?, ?, ?, ?, ?)')
        .run(stored, meta.startedAtMs, process.pid, hostname(), self.startTicks, self.bootId);
      return Number(info.lastInsertRowid);
    });
    meta.id = id;
    return new RunWriter(this.db, id, { ...meta }, this.nowMs, this.path);
  }

  /** Every run, oldest first. */
  listRuns(): RunSummaryRow[] {
    const rows = this.guard(
      () => this.db.prepare(`SELECT ${this.runColumns} FROM runs ORDER BY id`).all() as RunRow[],
    );
    return rows.map((row) => {
      const meta = JSON.parse(row.meta) as RunMeta;
      const status = runStatus(row);
      const durationSeconds =
        status === 'finished' && meta.endedAtMs !== null ? (meta.endedAtMs - meta.startedAtMs) / 1000 : row.last_t;
      return {
        id: row.id,
        startedAt: meta.startedAt,
        startedAtMs: meta.startedAtMs,
        command: meta.command,
        pid: meta.pid,
        host: meta.host,
        durationSeconds,
        sampleCount: status === 'finished' ? meta.sampleCount : row.sample_count,
        exitCode: meta.exitCode,
        signal: meta.signal,
        status,
      };
    });
  }

  /** Whether the run is finished, still being recorded, or was interrupted. */
  runStatus(id: number): RunStatus {
    return runStatus(this.runRow(id));
  }

  /** The whole run as RunData; an unfinished run has endedAtMs null and the rows committed so far. */
  getRun(id: number): RunData {
    return this.guard(() =>
      this.db.transaction(() => {
        // One read transaction: a concurrent writer's commit cannot land between these queries.
        const row = this.runRow(id);
        const meta = JSON.parse(row.meta) as RunMeta;
        meta.id = row.id;
        if (row.finished === 0) meta.sampleCount = row.sample_count;
        const series = this.readSeries(id);
        const run: RunData = { meta, samples: series.get(scopeTree) ?? { timestamp: [] }, events: this.readEvents(id) };
        const system = series.get(scopeSystem);
        if (system !== undefined) run.system = system;
        const processes = this.readProcesses(id, series);
        if (processes.length > 0) run.processes = processes;
        return run;
      }),
    );
  }

  /** Removes a run and all its rows. */
  deleteRun(id: number): void {
    this.guard(() => {
      const info = this.db.prepare('DELETE FROM runs WHERE id = ?').run(id);
      if (info.changes === 0) throw this.noRun(id);
    });
  }

  /**
   * Removes runs, all or none (one transaction). Unknown ids are PerfscopeError('ENOTFOUND'); a run
   * still being recorded is refused (EUSAGE) unless `force`, since its recorder would fail on its
   * next commit.
   */
  deleteRuns(ids: readonly number[], options: { force?: boolean } = {}): void {
    this.guard(() =>
      this.db.transaction(() => {
        for (const id of ids) {
          if (options.force !== true && this.runStatus(id) === 'recording') {
            throw usageError(`run ${id} is still being recorded (its recorder is alive); stop it first`);
          }
          const info = this.db.prepare('DELETE FROM runs WHERE id = ?').run(id);
          if (info.changes === 0) throw this.noRun(id);
        }
      }),
    );
  }

  /**
   * The id a user's reference names: a positive id as is (checked to exist), `last` or `-1` the most
   * recent run, `-2` the one before, and so on. Unknown: PerfscopeError('ENOTFOUND'); not a reference:
   * 'EUSAGE'.
   */
  resolveRef(ref: RunRef): number {
    if (/^\d+$/.test(ref) && Number(ref) > 0 && Number.isSafeInteger(Number(ref))) {
      const id = Number(ref);
      this.runRow(id);
      return id;
    }
    const back = ref === 'last' ? 1 : /^-\d+$/.test(ref) ? -Number(ref) : 0;
    if (back < 1 || !Number.isSafeInteger(back)) throw usageError(`'${ref}' names no run: use a run id, 'last', or -1, -2, ... for the most recent ones`);
    const row = this.guard(() => this.db.prepare('SELECT id FROM runs ORDER BY id DESC LIMIT 1 OFFSET ?').get(back - 1) as { id: number } | undefined);
    if (row !== undefined) return row.id;
    const count = this.guard(() => Number((this.db.prepare('SELECT count(*) AS n FROM runs').get() as { n: number }).n));
    if (count === 0) throw new PerfscopeError('ENOTFOUND', `no runs in ${this.path} yet`);
    throw new PerfscopeError('ENOTFOUND', `no run ${ref} in ${this.path}: it holds ${count} run${count === 1 ? '' : 's'}`);
  }

  /** Closes the file. Writers of this store must not be used afterwards. */
  close(): void {
    this.db.close();
  }

  private runRow(id: number): RunRow {
    const row = this.guard(
      () =>
        this.db
          .prepare(`SELECT ${this.runColumns} FROM runs WHERE id = ?`)
          .get(id) as RunRow | undefined,
    );
    if (row === undefined) throw this.noRun(id);
    return row;
  }

  /** @internal */
  private noRun(id: number): PerfscopeError {
    return new PerfscopeError('ENOTFOUND', `no run ${id} in ${this.path}`);
  }

  private readSeries(id: number): Map<number, SeriesColumns> {
    const names = new Map<number, string[]>();
    const nameRows = this.db
      .prepare('SELECT scope, name FROM series_columns WHERE run_id = ? ORDER BY scope, ordinal')
      .all(id) as { scope: number; name: string }[];
    for (const { scope, name } of nameRows) {
      let list = names.get(scope);
      if (list === undefined) names.set(scope, (list = []));
      list.push(name);
    }
    const out = new Map<number, SeriesColumns>();
    const state = new Map<number, { timestamp: number[]; columns: (number | null)[][] }>();
    const chunks = this.db
      .prepare('SELECT scope, column_count, data FROM chunks WHERE run_id = ? ORDER BY scope, seq')
      .all(id) as { scope: number; column_count: number; data: Uint8Array }[];
    for (const { scope, column_count: columnCount, data } of chunks) {
      let s = state.get(scope);
      if (s === undefined) {
        s = { timestamp: [], columns: (names.get(scope) ?? []).map(() => []) };
        state.set(scope, s);
      }
      unpackChunk(data, columnCount, s.timestamp, s.columns);
    }
    for (const [scope, list] of names) {
      const s = state.get(scope) ?? { timestamp: [], columns: list.map(() => []) };
      const cols: SeriesColumns = { timestamp: s.timestamp };
      list.forEach((name, i) => {
        cols[name] = s.columns[i]!;
      });
      out.set(scope, cols);
    }
    return out;
  }

  private readEvents(id: number): RunEvent[] {
    const rows = this.db.prepare('SELECT t, kind, pid, detail FROM events WHERE run_id = ? ORDER BY seq').all(id) as {
      t: number;
      kind: RunEventKind;
      pid: number | null;
      detail: string | null;
    }[];
    return rows.map((r) => {
      const e: RunEvent = { t: r.t, kind: r.kind };
      if (r.pid !== null) e.pid = r.pid;
      if (r.detail !== null) e.detail = r.detail;
      return e;
    });
  }

  private readProcesses(id: number, series: Map<number, SeriesColumns>): ProcessSeries[] {
    const rows = this.db
      .prepare('SELECT pid, ppid, comm, cmdline, first_seen, exited FROM processes WHERE run_id = ? ORDER BY first_seen, pid')
      .all(id) as { pid: number; ppid: number; comm: string; cmdline: string | null; first_seen: number; exited: number | null }[];
    return rows.map((r) => ({
      pid: r.pid,
      ppid: r.ppid,
      comm: r.comm,
      cmdline: r.cmdline,
      firstSeen: r.first_seen,
      exited: r.exited,
      samples: series.get(r.pid) ?? { timestamp: [] },
    }));
  }

  /** Runs a query, turning SQLite failures (corruption, I/O, a closed store) into EIO naming the file. */
  private guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (err instanceof PerfscopeError) throw err;
      throw new PerfscopeError('EIO', `store ${this.path}: ${sqliteErrorWords(err)}`, { cause: err });
    }
  }
}

/**
 * A run without finish() is 'recording' while its recorder process lives (checked on this host only):
 * the same PID, start time and boot, so a recorder killed and its PID reused by another process is
 * 'interrupted'. Runs written before the start time was kept (store schema 1) can only check the PID.
 */
function runStatus(row: RunRow): RunStatus {
  if (row.finished !== 0) return 'finished';
  // Another host's recorder cannot be probed; assume it is still recording.
  if (row.recorder_host !== hostname()) return 'recording';
  if (!processAlive(row.recorder_pid)) return 'interrupted';
  if (row.recorder_start_ticks === null) return 'recording';
  const now = identityOf(row.recorder_pid);
  const same = now.startTicks === row.recorder_start_ticks && (row.recorder_boot_id === null || now.bootId === row.recorder_boot_id);
  return same ? 'recording' : 'interrupted';
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return isErrno(err, 'EPERM');
  }
}

/** A process's start time (clock ticks after boot) and this boot's id; nulls where /proc cannot tell. */
function identityOf(pid: number | 'self'): { startTicks: number | null; bootId: string | null } {
  let startTicks: number | null = null;
  try {
    const st = emptyStatRecord();
    if (parseStat(readProcFileOnce(`/proc/${pid}/stat`), st)) startTicks = st.startTimeTicks;
  } catch {
    // Gone, or /proc is not there: nothing to compare.
  }
  let bootId: string | null = null;
  try {
    bootId = readFileSync('/proc/sys/kernel/random/boot_id', 'latin1').trim() || null;
  } catch {
    // Not Linux, or no procfs.
  }
  return { startTicks, bootId };
}

let selfIdentity: { startTicks: number | null; bootId: string | null } | undefined;

function recorderIdentity(): { startTicks: number | null; bootId: string | null } {
  selfIdentity ??= identityOf('self');
  return selfIdentity;
}

/** Whether the store's -wal file holds frames (a recorder is writing, or one was killed before its checkpoint). */
function walHasContent(path: string): boolean {
  try {
    return statSync(`${path}-wal`).size > 0;
  } catch {
    return false;
  }
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Why a store directory cannot be made, in words (a file in the way rather than "EEXIST"). */
function dirProblem(dir: string, err: unknown): string {
  if (isErrno(err, 'EEXIST')) return 'a file of that name is in the way';
  if (isErrno(err, 'ENOTDIR')) return 'a parent is a file, not a directory';
  return errnoWordsOf(err);
}
