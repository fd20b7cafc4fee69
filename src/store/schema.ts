/**
 * The store's tables and their migrations. `PRAGMA user_version` holds the schema version; a store
 * written by a newer perfscope is refused rather than misread.
 *
 * Layout: `runs` holds one row per run (RunMeta as JSON plus the recorder's pid/host and running
 * counters); samples live in `chunks`, one row per (run, scope) per commit, whose BLOB packs that
 * second's rows column-major as little-endian float64 (timestamp first, NaN = null), with the column
 * names kept once per (run, scope) in `series_columns`.
 */
import type { SqlDatabase } from './sqlite.js';

/** The newest schema this code reads and writes. */
export const schemaVersion = 2;

/** Scope numbers in `chunks.scope`/`series_columns.scope`: PIDs are > 0, so these never collide. */
export const scopeTree = 0;
export const scopeSystem = -1;

const migrations: readonly string[] = [
  // 0 -> 1
  `
  CREATE TABLE runs (
    id            INTEGER PRIMARY KEY,
    meta          TEXT    NOT NULL,            -- RunMeta as JSON; final once finished = 1
    started_at_ms REAL    NOT NULL,
    recorder_pid  INTEGER NOT NULL,            -- who writes it, to tell 'recording' from 'interrupted'
    recorder_host TEXT    NOT NULL,
    finished      INTEGER NOT NULL DEFAULT 0,
    sample_count  INTEGER NOT NULL DEFAULT 0,  -- tree rows committed so far
    last_t        REAL                         -- timestamp of the last committed tree row
  );
  CREATE TABLE series_columns (
    run_id  INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    scope   INTEGER NOT NULL,
    ordinal INTEGER NOT NULL,
    name    TEXT    NOT NULL,
    PRIMARY KEY (run_id, scope, ordinal)
  ) WITHOUT ROWID;
  CREATE TABLE chunks (
    run_id       INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    scope        INTEGER NOT NULL,
    seq          INTEGER NOT NULL,
    t_first      REAL    NOT NULL,
    t_last       REAL    NOT NULL,
    column_count INTEGER NOT NULL,             -- the first N of the scope's series_columns
    data         BLOB    NOT NULL,             -- float64 LE column-major: timestamp, then N columns
    PRIMARY KEY (run_id, scope, seq)
  );
  CREATE TABLE processes (
    run_id     INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    pid        INTEGER NOT NULL,
    ppid       INTEGER NOT NULL,
    comm       TEXT    NOT NULL,
    cmdline    TEXT,
    first_seen REAL    NOT NULL,
    exited     REAL,
    PRIMARY KEY (run_id, pid)
  ) WITHOUT ROWID;
  CREATE TABLE events (
    run_id INTEGER NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    seq    INTEGER NOT NULL,
    t      REAL    NOT NULL,
    kind   TEXT    NOT NULL,
    pid    INTEGER,
    detail TEXT,
    PRIMARY KEY (run_id, seq)
  ) WITHOUT ROWID;
  `,
  // 1 -> 2: the recorder's start time and boot, so a recorder killed and its PID reused is not "recording"
  // forever (a PID alone names a process only while it lives).
  `
  ALTER TABLE runs ADD COLUMN recorder_start_ticks INTEGER;  -- its start time, clock ticks after boot (stat field 22)
  ALTER TABLE runs ADD COLUMN recorder_boot_id TEXT;         -- /proc/sys/kernel/random/boot_id when it started
  `,
];

/** What `checkSchema` found: ready to use, empty (a fresh file), or not ours / too new. */
export type SchemaState =
  | { state: 'current' }
  | { state: 'empty' }
  | { state: 'outdated'; version: number }
  | { state: 'foreign'; reason: string };

/** The schema version of an open store (`PRAGMA user_version`). */
export function storedSchemaVersion(db: SqlDatabase): number {
  return Number(db.pragma('user_version'));
}

/** Reads the schema version and tells whether this code can use the database as a store. */
export function checkSchema(db: SqlDatabase): SchemaState {
  const version = storedSchemaVersion(db);
  if (version === schemaVersion) return { state: 'current' };
  if (version > schemaVersion) {
    return { state: 'foreign', reason: `written by a newer perfscope (store schema ${version}, this one reads up to ${schemaVersion})` };
  }
  if (version === 0) {
    const tables = Number((db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get() as { n: number }).n);
    return tables === 0 ? { state: 'empty' } : { state: 'foreign', reason: 'not a perfscope store (an SQLite database with other tables)' };
  }
  return { state: 'outdated', version };
}

/** Brings a writable database up to `schemaVersion`, each step in its own transaction. */
export function migrate(db: SqlDatabase, from: number): void {
  for (let v = from; v < schemaVersion; v++) {
    const ddl = migrations[v]!;
    db.transaction(() => {
      db.exec(ddl);
      db.exec(`PRAGMA user_version = ${v + 1}`);
    });
  }
}
