/**
 * The few SQLite calls the store makes, over two engines: Node's built-in `node:sqlite` where it exists
 * unflagged (Node >= 22.13, 24), else better-sqlite3 12 (Node 20, which has no node:sqlite).
 *
 * Why not better-sqlite3 everywhere: on Node 24, 12.x aborts the process when a Statement is collected
 * after the Environment is gone (`Assertion failed: (env) != nullptr` in RemoveEnvironmentCleanupHook,
 * reproduced here in our store tests on v24.21.0; upstream WiseLibs/better-sqlite3#1515), and 13.x,
 * which fixes it, does not run on Node 20. better-sqlite3 is therefore not installed with perfscope
 * (it compiles from source, ~80 s): Node 20 users add it themselves, as the error below says.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { PerfscopeError } from '../core/errors.js';

export interface SqlRunResult {
  changes: number | bigint;
  lastInsertRowid: number | bigint;
}

export interface SqlStatement {
  run(...params: unknown[]): SqlRunResult;
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}

export interface SqlDatabase {
  readonly engine: 'node:sqlite' | 'better-sqlite3';
  exec(sql: string): void;
  prepare(sql: string): SqlStatement;
  /** The single value a `PRAGMA name` returns (or sets, with `name = value`). */
  pragma(statement: string): unknown;
  /** Runs `fn` inside a transaction (nested calls join the outer one); rolls back on a throw. */
  transaction<T>(fn: () => T): T;
  readonly isOpen: boolean;
  close(): void;
}

export interface OpenOptions {
  readonly: boolean;
  /**
   * Read the file as it is now, taking no lock and creating no -shm file (readonly only): for a store
   * in a directory this user cannot write, when no recorder is writing it (its -wal file is empty).
   */
  snapshot?: boolean;
}

// Minimal shapes of the two engines, so neither's types are needed at compile time.
interface NodeSqliteModule {
  DatabaseSync: new (path: string | URL, options?: { readOnly?: boolean }) => {
    exec(sql: string): void;
    prepare(sql: string): SqlStatement;
    close(): void;
    readonly isOpen?: boolean;
  };
}
interface BetterSqliteDb {
  exec(sql: string): void;
  prepare(sql: string): SqlStatement;
  pragma(sql: string, options: { simple: true }): unknown;
  transaction<T>(fn: () => T): () => T;
  readonly open: boolean;
  close(): void;
}
type BetterSqliteCtor = new (path: string | Buffer, options: { readonly: boolean; fileMustExist?: boolean }) => BetterSqliteDb;

let nodeSqlite: NodeSqliteModule | null | undefined;

/** node:sqlite when this Node has it without a flag; its one-time ExperimentalWarning is not printed. */
function loadNodeSqlite(): NodeSqliteModule | null {
  if (nodeSqlite !== undefined) return nodeSqlite;
  const get = (process as { getBuiltinModule?: (id: string) => unknown }).getBuiltinModule;
  if (typeof get !== 'function') return (nodeSqlite = null);
  const emit = process.emitWarning;
  // Loading node:sqlite warns once on stderr (Node 24: "SQLite is an experimental feature"), which
  // would land in the middle of the CLI's output; every other warning still goes through.
  process.emitWarning = function (this: unknown, warning: string | Error, ...rest: unknown[]) {
    const text = typeof warning === 'string' ? warning : warning.message;
    if (/SQLite is an experimental feature/.test(text)) return;
    return (emit as (...a: unknown[]) => void).call(process, warning, ...rest);
  } as typeof process.emitWarning;
  try {
    const mod = get.call(process, 'node:sqlite') as NodeSqliteModule | undefined;
    nodeSqlite = mod && typeof mod.DatabaseSync === 'function' ? mod : null;
  } catch {
    nodeSqlite = null;
  } finally {
    process.emitWarning = emit;
  }
  return nodeSqlite;
}

function loadBetterSqlite(): BetterSqliteCtor | null {
  try {
    return createRequire(import.meta.url)('better-sqlite3') as BetterSqliteCtor;
  } catch {
    return null;
  }
}

/** Which engine `openDatabase` would use here (PERFSCOPE_SQLITE=better-sqlite3|node:sqlite forces one). */
export function sqliteEngine(env: NodeJS.ProcessEnv = process.env): SqlDatabase['engine'] | null {
  const forced = env.PERFSCOPE_SQLITE;
  if (forced === 'better-sqlite3') return loadBetterSqlite() ? 'better-sqlite3' : null;
  if (forced === 'node:sqlite') return loadNodeSqlite() ? 'node:sqlite' : null;
  if (loadNodeSqlite()) return 'node:sqlite';
  return loadBetterSqlite() ? 'better-sqlite3' : null;
}

/** Opens (or creates, unless readonly) the database file with the engine this Node supports. */
export function openDatabase(path: string, options: OpenOptions): SqlDatabase {
  const engine = sqliteEngine();
  if (engine === 'node:sqlite') return new NodeSqliteDatabase(loadNodeSqlite()!, path, options);
  if (engine === 'better-sqlite3') return new BetterSqliteDatabase(loadBetterSqlite()!, path, options);
  throw new PerfscopeError(
    'EUNSUPPORTED',
    `the run store needs node:sqlite (Node 22.13 and later) or, on Node 20, the better-sqlite3 package, which perfscope does not install (it compiles from source): run 'npm install better-sqlite3@12' in your project, or use --no-store (this is Node ${process.version})`,
  );
}

class NodeSqliteDatabase implements SqlDatabase {
  readonly engine = 'node:sqlite';
  private readonly db: InstanceType<NodeSqliteModule['DatabaseSync']>;
  private depth = 0;
  private open = true;

  constructor(mod: NodeSqliteModule, path: string, options: OpenOptions) {
    if (options.snapshot === true) {
      // immutable=1: SQLite reads the file without locks, -wal or -shm (a URI; node:sqlite accepts URL objects).
      const url = pathToFileURL(path);
      url.search = 'immutable=1';
      this.db = new mod.DatabaseSync(url, { readOnly: true });
    } else {
      this.db = new mod.DatabaseSync(path, options.readonly ? { readOnly: true } : {});
    }
  }

  exec(sql: string): void {
    this.db.exec(sql);
  }

  prepare(sql: string): SqlStatement {
    return this.db.prepare(sql);
  }

  pragma(statement: string): unknown {
    const row = this.db.prepare(`PRAGMA ${statement}`).get() as Record<string, unknown> | undefined;
    return row === undefined ? undefined : Object.values(row)[0];
  }

  transaction<T>(fn: () => T): T {
    if (this.depth > 0) return fn();
    this.db.exec('BEGIN');
    this.depth++;
    try {
      const out = fn();
      this.db.exec('COMMIT');
      return out;
    } catch (err) {
      try {
        this.db.exec('ROLLBACK');
      } catch {
        // The engine already rolled back (e.g. after SQLITE_FULL); the original error is what matters.
      }
      throw err;
    } finally {
      this.depth--;
    }
  }

  get isOpen(): boolean {
    return this.open;
  }

  close(): void {
    if (!this.open) return;
    this.open = false;
    this.db.close();
  }
}

class BetterSqliteDatabase implements SqlDatabase {
  readonly engine = 'better-sqlite3';
  private readonly db: BetterSqliteDb;

  constructor(Ctor: BetterSqliteCtor, path: string, options: OpenOptions) {
    if (options.snapshot === true) {
      // better-sqlite3 takes no URI filenames: open a copy in memory. Bytes 18-19 say "WAL"; an in-memory
      // database has no WAL, so they are set to the rollback-journal value (1) or SQLite refuses the copy.
      const bytes = readFileSync(path);
      if (bytes.length >= 20 && bytes[18] === 2) bytes[18] = bytes[19] = 1;
      this.db = new Ctor(bytes, { readonly: true });
    } else {
      this.db = new Ctor(path, { readonly: options.readonly, fileMustExist: options.readonly });
    }
  }

  exec(sql: string): void {
    this.db.exec(sql);
  }

  prepare(sql: string): SqlStatement {
    return this.db.prepare(sql);
  }

  pragma(statement: string): unknown {
    return this.db.pragma(statement, { simple: true });
  }

  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  get isOpen(): boolean {
    return this.db.open;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

/** SQLite's primary result codes that a user can act on, in words (extended codes map to their primary). */
const primaryWords: Readonly<Record<number, string>> = {
  5: 'the store is locked by another process (busy)',
  6: 'the store is locked',
  8: 'the store is read-only',
  10: 'disk I/O error',
  11: 'the store file is corrupt',
  13: 'no space left on device (or the database is full)',
  14: 'cannot open the store file',
  26: 'not an SQLite database',
};
const primaryByName: Readonly<Record<string, number>> = {
  SQLITE_BUSY: 5,
  SQLITE_LOCKED: 6,
  SQLITE_READONLY: 8,
  SQLITE_IOERR: 10,
  SQLITE_CORRUPT: 11,
  SQLITE_FULL: 13,
  SQLITE_CANTOPEN: 14,
  SQLITE_NOTADB: 26,
};

/**
 * SQLite's primary result code of an error from either engine (better-sqlite3: `code` 'SQLITE_FULL',
 * 'SQLITE_IOERR_WRITE', ...; node:sqlite: numeric `errcode`), or null when it is not an SQLite error.
 */
export function sqlitePrimaryCode(err: unknown): number | null {
  if (typeof err !== 'object' || err === null) return null;
  const e = err as { code?: unknown; errcode?: unknown };
  if (typeof e.errcode === 'number') return e.errcode & 0xff;
  if (typeof e.code === 'string' && e.code.startsWith('SQLITE_')) {
    const name = Object.keys(primaryByName).find((k) => e.code === k || (e.code as string).startsWith(`${k}_`));
    return name === undefined ? 1 : primaryByName[name]!;
  }
  return null;
}

/** What an SQLite error means to a user ("no space left on device (or the database is full)"), else its message. */
export function sqliteErrorWords(err: unknown): string {
  const code = sqlitePrimaryCode(err);
  const words = code === null ? undefined : primaryWords[code];
  if (words !== undefined) return words;
  return err instanceof Error ? err.message : String(err);
}
