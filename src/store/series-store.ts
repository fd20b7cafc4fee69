/**
 * SeriesStore: `perfscope serve`'s history, one SQLite file (node:sqlite or better-sqlite3, see
 * sqlite.ts) apart from the run store. Series are named by their exposition key (`name{labels}`) and
 * grouped in blocks (`host`, `group:<name>`); samples live in chunks, one row per (block, time span)
 * per tier, each a chunk-codec BLOB of a time column and one column per series. Two tiers: `raw`
 * (every tick) and `minute` (per minute: min, mean, max of each series), each pruned by its own
 * retention. One writer at a time: the writer's PID and host are recorded, and a second live writer
 * is refused.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, resolve } from 'node:path';
import { PerfscopeError, errnoWordsOf } from '../core/errors.js';
import { openDatabase, type SqlDatabase, type SqlStatement } from './sqlite.js';

export type Tier = 'raw' | 'minute';

/** The newest schema this code reads and writes (`PRAGMA user_version`). */
export const seriesSchemaVersion = 1;
const FORMAT = 'perfscope-serve-history';

const ddl = `
  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
  CREATE TABLE series (
    id     INTEGER PRIMARY KEY,
    block  TEXT NOT NULL,
    key    TEXT NOT NULL UNIQUE,        -- name{labels}, the exposition's series identity
    name   TEXT NOT NULL,
    labels TEXT NOT NULL                -- the label values as a JSON object
  );
  -- rowid tables: BLOBs of a few KB sit badly in WITHOUT ROWID b-tree nodes (measured 3x the file).
  CREATE TABLE raw_chunks (
    start_ms REAL    NOT NULL,          -- wall ms of the first row
    block    TEXT    NOT NULL,
    end_ms   REAL    NOT NULL,          -- wall ms of the last row
    rows     INTEGER NOT NULL,
    data     BLOB    NOT NULL           -- chunk-codec: times, then one column per series id
  );
  CREATE UNIQUE INDEX raw_chunks_start ON raw_chunks (start_ms, block);
  CREATE TABLE minute_chunks (
    start_ms REAL    NOT NULL,          -- wall ms of the first tick folded in
    block    TEXT    NOT NULL,
    end_ms   REAL    NOT NULL,
    rows     INTEGER NOT NULL,
    data     BLOB    NOT NULL           -- chunk-codec: minute starts, then per series id*4+0 min, +1 mean, +2 max
  );
  CREATE UNIQUE INDEX minute_chunks_start ON minute_chunks (start_ms, block);
  CREATE TABLE events (
    t_ms   REAL NOT NULL,
    kind   TEXT NOT NULL,
    detail TEXT
  );
  CREATE INDEX events_t ON events (t_ms);
`;

export interface SeriesStoreOptions {
  path: string;
  /** Open for reading only: the file must exist; no writer lock is taken. */
  readonly?: boolean;
}

export interface StoredChunk {
  block: string;
  startMs: number;
  endMs: number;
  rows: number;
  data: Uint8Array;
}

export interface StoredSeries {
  id: number;
  key: string;
  block: string;
  name: string;
  labels: Record<string, string>;
}

export interface StoredEvent {
  tMs: number;
  kind: string;
  detail: string | null;
}

/**
 * A handle on one history file. Synchronous; one per thread. Every failure is a PerfscopeError('EIO')
 * naming the path (a second live writer: 'EUSAGE').
 */
export class SeriesStore {
  readonly path: string;
  private readonly db: SqlDatabase;
  private readonly ids = new Map<string, number>();
  private readonly stmts: Record<string, SqlStatement> = {};

  private constructor(path: string, db: SqlDatabase) {
    this.path = path;
    this.db = db;
  }

  static open(options: SeriesStoreOptions): SeriesStore {
    const path = resolve(options.path);
    const readonly = options.readonly === true;
    if (readonly && !existsSync(path)) throw new PerfscopeError('ENOTFOUND', `no history at ${path}`);
    if (!readonly) {
      try {
        mkdirSync(dirname(path), { recursive: true });
      } catch (err) {
        throw new PerfscopeError('EIO', `cannot create the directory of ${path}: ${errnoWordsOf(err)}`, { cause: err });
      }
    }
    let db: SqlDatabase | undefined;
    try {
      db = openDatabase(path, { readonly });
      const version = Number(db.pragma('user_version'));
      const tables = Number((db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number }).n);
      if (version === 0 && tables === 0 && !readonly) {
        db.exec('PRAGMA page_size = 8192');
        db.exec('PRAGMA journal_mode = WAL');
        db.transaction(() => {
          db!.exec(ddl);
          db!.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('format', FORMAT);
          db!.exec(`PRAGMA user_version = ${seriesSchemaVersion}`);
        });
      } else {
        const format = tables > 0 ? formatOf(db) : null;
        if (format !== FORMAT) {
          throw new PerfscopeError('EIO', `cannot use ${path} as serve's history: not a perfscope serve history file${format === null && tables > 0 ? ' (another SQLite database, e.g. the run store?)' : ''}`);
        }
        if (version > seriesSchemaVersion) {
          throw new PerfscopeError('EIO', `cannot use ${path}: written by a newer perfscope (history schema ${version}, this one reads up to ${seriesSchemaVersion})`);
        }
      }
      if (!readonly) {
        db.exec('PRAGMA journal_mode = WAL');
        // NORMAL in WAL survives a killed process (the WAL is written at commit); only OS crashes need FULL.
        db.exec('PRAGMA synchronous = NORMAL');
        // Checkpoint at 4 MiB of WAL (the default 1000 pages would let it grow to 8 MiB).
        db.exec('PRAGMA wal_autocheckpoint = 512');
      }
      db.exec('PRAGMA busy_timeout = 5000');
      // 1 MiB of page cache (the default is 2): writes append, reads are rare and range-wise.
      db.exec('PRAGMA cache_size = -1024');
    } catch (err) {
      db?.close();
      if (err instanceof PerfscopeError) throw err;
      throw new PerfscopeError('EIO', `cannot open history ${path}: ${errnoWordsOf(err)}`, { cause: err });
    }
    const store = new SeriesStore(path, db);
    if (!readonly) store.takeWriterLock();
    return store;
  }

  /** Records this process as the writer; refuses when another live process on this host holds it. */
  private takeWriterLock(): void {
    const raw = this.getMeta('writer');
    if (raw !== null) {
      try {
        const w = JSON.parse(raw) as { pid: number; host: string };
        if (w.host === hostname() && w.pid !== process.pid && alive(w.pid)) {
          this.db.close();
          throw new PerfscopeError('EUSAGE', `${this.path} is in use by another perfscope serve (PID ${w.pid}); give this one its own --store`);
        }
      } catch (err) {
        if (err instanceof PerfscopeError) throw err;
      }
    }
    this.setMeta('writer', JSON.stringify({ pid: process.pid, host: hostname(), sinceMs: Date.now() }));
  }

  private stmt(sql: string): SqlStatement {
    return (this.stmts[sql] ??= this.db.prepare(sql));
  }

  private guard<T>(what: string, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (err instanceof PerfscopeError) throw err;
      throw new PerfscopeError('EIO', `${what} ${this.path}: ${errnoWordsOf(err)}`, { cause: err });
    }
  }

  getMeta(key: string): string | null {
    return this.guard('cannot read', () => {
      const row = this.stmt('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined;
      return row?.value ?? null;
    });
  }

  setMeta(key: string, value: string): void {
    this.guard('cannot write', () => this.stmt('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value));
  }

  /** The id of a series (created if new). */
  seriesId(key: string, block: string, name: string, labels: Readonly<Record<string, string>>): number {
    const cached = this.ids.get(key);
    if (cached !== undefined) return cached;
    return this.guard('cannot write', () => {
      this.stmt('INSERT INTO series (block, key, name, labels) VALUES (?, ?, ?, ?) ON CONFLICT (key) DO NOTHING').run(block, key, name, JSON.stringify(labels));
      const row = this.stmt('SELECT id FROM series WHERE key = ?').get(key) as { id: number };
      this.ids.set(key, Number(row.id));
      return Number(row.id);
    });
  }

  /** What the given series ids are. Unknown ids are left out. */
  seriesByIds(ids: Iterable<number>): Map<number, StoredSeries> {
    const out = new Map<number, StoredSeries>();
    this.guard('cannot read', () => {
      const st = this.stmt('SELECT key, block, name, labels FROM series WHERE id = ?');
      for (const id of ids) {
        if (out.has(id)) continue;
        const row = st.get(id) as { key: string; block: string; name: string; labels: string } | undefined;
        if (row) out.set(id, { id, key: row.key, block: row.block, name: row.name, labels: JSON.parse(row.labels) as Record<string, string> });
      }
    });
    return out;
  }

  /** Writes chunks (inserted, or replacing the row with the same start and block) in one transaction. */
  writeChunks(tier: Tier, chunks: readonly StoredChunk[]): void {
    if (chunks.length === 0) return;
    const table = tier === 'raw' ? 'raw_chunks' : 'minute_chunks';
    this.guard('cannot write', () =>
      this.db.transaction(() => {
        const st = this.stmt(
          `INSERT INTO ${table} (start_ms, block, end_ms, rows, data) VALUES (?, ?, ?, ?, ?) ON CONFLICT (start_ms, block) DO UPDATE SET end_ms = excluded.end_ms, rows = excluded.rows, data = excluded.data`,
        );
        for (const c of chunks) st.run(c.startMs, c.block, c.endMs, c.rows, c.data);
      }),
    );
  }

  /** Chunks of a tier overlapping [fromMs, toMs], oldest first; of `blocks` only when given. */
  readChunks(tier: Tier, fromMs: number, toMs: number, blocks?: readonly string[]): StoredChunk[] {
    const table = tier === 'raw' ? 'raw_chunks' : 'minute_chunks';
    // A chunk spans at most an hour (minute tier) or a minute (raw): look that far back for its start.
    const lookbackMs = tier === 'raw' ? 120_000 : 7_200_000;
    return this.guard('cannot read', () => {
      const rows = this.stmt(
        `SELECT start_ms, block, end_ms, rows, data FROM ${table} WHERE start_ms >= ? AND start_ms <= ? AND end_ms >= ? ORDER BY start_ms`,
      ).all(fromMs - lookbackMs, toMs, fromMs) as { start_ms: number; block: string; end_ms: number; rows: number; data: Uint8Array }[];
      const wanted = blocks === undefined ? null : new Set(blocks);
      const out: StoredChunk[] = [];
      for (const r of rows) {
        if (wanted !== null && !wanted.has(r.block)) continue;
        out.push({ block: r.block, startMs: Number(r.start_ms), endMs: Number(r.end_ms), rows: Number(r.rows), data: r.data });
      }
      return out;
    });
  }

  /** The oldest start and newest end of a tier's chunks, or null when empty. */
  span(tier: Tier): { fromMs: number; toMs: number } | null {
    const table = tier === 'raw' ? 'raw_chunks' : 'minute_chunks';
    return this.guard('cannot read', () => {
      const row = this.stmt(`SELECT min(start_ms) AS a, max(end_ms) AS b FROM ${table}`).get() as { a: number | null; b: number | null };
      return row.a === null || row.b === null ? null : { fromMs: Number(row.a), toMs: Number(row.b) };
    });
  }

  /** Deletes a tier's chunks that ended before `beforeMs`; returns how many. */
  prune(tier: Tier, beforeMs: number): number {
    const table = tier === 'raw' ? 'raw_chunks' : 'minute_chunks';
    return this.guard('cannot write', () => Number(this.stmt(`DELETE FROM ${table} WHERE start_ms < ? AND end_ms < ?`).run(beforeMs, beforeMs).changes));
  }

  addEvent(tMs: number, kind: string, detail: string | null): void {
    this.guard('cannot write', () => this.stmt('INSERT INTO events (t_ms, kind, detail) VALUES (?, ?, ?)').run(tMs, kind, detail));
  }

  events(fromMs: number, toMs: number): StoredEvent[] {
    return this.guard('cannot read', () =>
      (this.stmt('SELECT t_ms, kind, detail FROM events WHERE t_ms >= ? AND t_ms <= ? ORDER BY t_ms').all(fromMs, toMs) as { t_ms: number; kind: string; detail: string | null }[]).map(
        (r) => ({ tMs: Number(r.t_ms), kind: r.kind, detail: r.detail }),
      ),
    );
  }

  pruneEvents(beforeMs: number): void {
    this.guard('cannot write', () => this.stmt('DELETE FROM events WHERE t_ms < ?').run(beforeMs));
  }

  /** Bytes on disk: the file plus its WAL. */
  sizeBytes(): number {
    let n = 0;
    for (const p of [this.path, `${this.path}-wal`]) {
      try {
        n += statSync(p).size;
      } catch {
        // no WAL right now
      }
    }
    return n;
  }

  /** Releases the writer record (when ours) and closes the file. Idempotent. */
  close(): void {
    if (!this.db.isOpen) return;
    try {
      const raw = this.getMeta('writer');
      if (raw !== null && (JSON.parse(raw) as { pid: number }).pid === process.pid) this.db.prepare("DELETE FROM meta WHERE key = 'writer'").run();
    } catch {
      // read-only, or the file went bad: closing is all that is left
    }
    this.db.close();
  }
}

function formatOf(db: SqlDatabase): string | null {
  try {
    const row = db.prepare("SELECT value FROM meta WHERE key = 'format'").get() as { value: string } | undefined;
    return row?.value ?? null;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
