/**
 * Output files people keep (`--json`, `--csv`, `--plot`, `--html`, `export -o`, `report --png`): where a
 * path really leads, checks before any work starts, and writes that are whole or absent.
 *
 * A regular file (or a new one) is written to a temp file beside it, fsynced and renamed over it, with
 * symlinks followed first so the link is written through, never replaced. Anything else is written in
 * place: `-` and the descriptor paths (/dev/stdout, /dev/stderr, /dev/fd/N, /proc/self/fd/N) to the
 * descriptor itself (renaming over /dev/stdout would replace the device node), a FIFO or a character
 * device by opening it for writing.
 */
import {
  accessSync,
  closeSync,
  constants,
  fstatSync,
  fsyncSync,
  lstatSync,
  openSync,
  readlinkSync,
  realpathSync,
  renameSync,
  statSync,
  unlinkSync,
  writeSync,
  type Stats,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { randomBytes } from 'node:crypto';
import { PerfscopeError, errnoWordsOf, isErrno, usageError } from './errors.js';

/** Where an output path leads. */
export type OutputTarget =
  /** A regular file, existing or to be created, symlinks resolved: written atomically. */
  | { kind: 'file'; path: string }
  /** An open descriptor of this process (`-` is 1): written in place. */
  | { kind: 'fd'; fd: number }
  /** A FIFO or a character device: opened and written in place. */
  | { kind: 'special'; path: string; type: 'fifo' | 'device' };

const fdPath = /^\/(?:dev\/fd|proc\/self\/fd)\/(\d+)$/;

/**
 * Resolves an output path. `-` is standard output. Throws PerfscopeError('EUSAGE') for what can never
 * be an output file: an empty name, a directory, a block device or a socket.
 */
export function resolveOutput(path: string): OutputTarget {
  if (path === '') throw usageError('an output file name is empty');
  if (path === '-' || path === '/dev/stdout') return { kind: 'fd', fd: 1 };
  if (path === '/dev/stderr') return { kind: 'fd', fd: 2 };
  const m = fdPath.exec(path) ?? new RegExp(`^/proc/${process.pid}/fd/(\\d+)$`).exec(path);
  if (m) return { kind: 'fd', fd: Number(m[1]) };
  let st: Stats;
  try {
    st = statSync(path);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return { kind: 'file', path: danglingTarget(path) };
    throw new PerfscopeError('EUSAGE', `cannot use ${path} as an output: ${errnoWordsOf(err)}`, { cause: err });
  }
  if (st.isFile()) return { kind: 'file', path: realpathSync(path) };
  if (st.isFIFO()) return { kind: 'special', path, type: 'fifo' };
  if (st.isCharacterDevice()) return { kind: 'special', path, type: 'device' };
  const what = st.isDirectory() ? 'a directory' : st.isBlockDevice() ? 'a block device' : 'a socket';
  throw usageError(`cannot write ${path}: it is ${what}`);
}

/** A path that does not exist: itself, or where its chain of (dangling) symlinks ends. */
function danglingTarget(path: string): string {
  let p = resolve(path);
  for (let hops = 0; hops < 40; hops++) {
    let link: string;
    try {
      if (!lstatSync(p).isSymbolicLink()) return p;
      link = readlinkSync(p);
    } catch {
      return p;
    }
    p = resolve(dirname(p), link);
  }
  throw usageError(`cannot write ${path}: too many levels of symbolic links`);
}

/** Identity of an existing file (device and inode), or null. */
function identity(path: string): string | null {
  try {
    const st = statSync(path);
    return `${st.dev}:${st.ino}`;
  } catch {
    return null;
  }
}

export interface CheckOutputOptions {
  /** Files this output must never be (the run store and its -wal/-shm/-journal files), with a name for the message. */
  protect?: { path: string; what: string }[];
}

/**
 * Checks, before any work, that `path` can be written: its directory exists and is writable (a regular
 * file is renamed into place), a FIFO or device is writable, a descriptor is open, and it is none of
 * the protected files. Returns the target; throws PerfscopeError('EUSAGE') saying what is wrong.
 */
export function checkOutput(path: string, options: CheckOutputOptions = {}): OutputTarget {
  const target = resolveOutput(path);
  const ids = new Set<string>();
  if (target.kind === 'fd') {
    try {
      const st = fstatSync(target.fd);
      ids.add(`${st.dev}:${st.ino}`);
    } catch (err) {
      throw usageError(`cannot write ${path}: descriptor ${target.fd} is not open (${errnoWordsOf(err)})`);
    }
  } else if (target.kind === 'special') {
    try {
      accessSync(target.path, constants.W_OK);
    } catch (err) {
      throw usageError(`cannot write ${path}: ${errnoWordsOf(err)}`);
    }
  } else {
    const dir = dirname(target.path);
    let st: Stats;
    try {
      st = statSync(dir);
    } catch (err) {
      throw usageError(`cannot write ${path}: ${isErrno(err, 'ENOENT') ? `no such directory ${dir}` : errnoWordsOf(err)}`);
    }
    if (!st.isDirectory()) throw usageError(`cannot write ${path}: ${dir} is not a directory`);
    try {
      accessSync(dir, constants.W_OK);
    } catch (err) {
      throw usageError(`cannot write ${path}: directory ${dir}: ${errnoWordsOf(err)}`);
    }
    const id = identity(target.path);
    if (id !== null) ids.add(id);
  }
  for (const p of options.protect ?? []) {
    const abs = resolve(p.path);
    const real = identity(abs);
    const samePath = target.kind === 'file' && (target.path === abs || target.path === realOrSelf(abs));
    if (samePath || (real !== null && ids.has(real))) throw usageError(`refusing to write ${path}: it is ${p.what}`);
  }
  return target;
}

function realOrSelf(path: string): string {
  try {
    return realpathSync(path);
  } catch {
    return path;
  }
}

/** The store file and the files SQLite keeps beside it, as `protect` entries for checkOutput. */
export function storeFiles(storePath: string): { path: string; what: string }[] {
  return ['', '-wal', '-shm', '-journal'].map((suffix) => ({ path: `${storePath}${suffix}`, what: `the run store${suffix ? ` (its ${suffix.slice(1)} file)` : ''} ${storePath}` }));
}

/**
 * Writes `data` to an output path (see the module comment for what each kind of path gets). Failures:
 * PerfscopeError('EIO') naming the path (or 'EUSAGE' for a path that can never be an output).
 */
export function writeOutput(path: string, data: string | Uint8Array, target: OutputTarget = resolveOutput(path)): void {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  if (target.kind === 'file') {
    writeFileAtomic(target.path, bytes, path);
    return;
  }
  if (target.kind === 'fd') {
    try {
      writeAll(target.fd, bytes);
    } catch (err) {
      const name = target.fd === 1 ? 'standard output' : target.fd === 2 ? 'standard error' : path;
      throw new PerfscopeError('EIO', `cannot write ${name}: ${errnoWordsOf(err)}`, { cause: err });
    }
    return;
  }
  let fd: number | undefined;
  try {
    // O_NONBLOCK: a FIFO with no reader fails at once (ENXIO) instead of blocking this thread forever.
    fd = openSync(target.path, constants.O_WRONLY | constants.O_NOCTTY | (target.type === 'fifo' ? constants.O_NONBLOCK : 0));
    writeAll(fd, bytes);
  } catch (err) {
    const words = isErrno(err, 'ENXIO') ? 'no reader on the other end of the FIFO (start the reader first)' : errnoWordsOf(err);
    throw new PerfscopeError('EIO', `cannot write ${path}: ${words}`, { cause: err });
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Longest a descriptor may refuse every byte (EAGAIN: a full pipe whose reader is not reading) before the write fails. */
const stallLimitMs = 30_000;
const pause = new Int32Array(new SharedArrayBuffer(4));

/** Writes every byte to `fd`, waiting out EAGAIN (a non-blocking pipe that is full) for up to stallLimitMs. */
function writeAll(fd: number, bytes: Uint8Array): void {
  let off = 0;
  let stalledSince = 0;
  while (off < bytes.length) {
    try {
      off += writeSync(fd, bytes, off, Math.min(bytes.length - off, 1 << 20));
      stalledSince = 0;
    } catch (err) {
      if (!isErrno(err, 'EAGAIN')) throw err;
      const now = performance.now();
      if (stalledSince === 0) stalledSince = now;
      else if (now - stalledSince > stallLimitMs) throw new Error(`nothing read from it for ${stallLimitMs / 1000} s`);
      Atomics.wait(pause, 0, 0, 2);
    }
  }
}

/**
 * Writes `data` to a temp file in the same directory, fsyncs it and renames it over `path`, so readers
 * see the old file or the complete new one, never a half-written one. `path` must be a regular file's
 * (use writeOutput for any output path). Failures: PerfscopeError('EIO') naming `shownAs`.
 */
export function writeFileAtomic(path: string, data: string | Uint8Array, shownAs = path): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx', 0o666);
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // The temp file was never created or is already renamed.
    }
    // ENOENT here can only be the directory: the file itself is created.
    const words = isErrno(err, 'ENOENT') ? 'no such directory' : errnoWordsOf(err);
    throw new PerfscopeError('EIO', `cannot write ${shownAs}: ${words}`, { cause: err });
  }
}
