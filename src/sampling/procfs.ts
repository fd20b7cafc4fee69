/**
 * Low-level access to /proc: kept-open files re-read with pread, one-shot reads for scans, the
 * kernel constants from the auxiliary vector, and the hand-written number scanning the readers share.
 */
import { closeSync, openSync, readFileSync, readSync, statfsSync } from 'node:fs';
import { errnoError, type CaptureSlot } from './native.js';
import type { ProcfsOptions } from './types.js';

/** ProcfsOptions with every default filled in. */
export interface ResolvedProcfsOptions {
  procRoot: string;
  cgroupRoot: string;
}

/** Fills in the defaults ('/proc', '/sys/fs/cgroup'); a trailing '/' is dropped. */
export function resolveProcfsOptions(options?: ProcfsOptions): ResolvedProcfsOptions {
  return {
    procRoot: trimSlash(options?.procRoot ?? '/proc'),
    cgroupRoot: trimSlash(options?.cgroupRoot ?? '/sys/fs/cgroup'),
  };
}

function trimSlash(path: string): string {
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

/**
 * One /proc file opened once and re-read from offset 0 on every `read()` into a reused buffer.
 * Errors (ESRCH once the process is gone, EACCES on permission-checked files) are thrown as the raw
 * errno error; the owner decides what they mean. Not for concurrent use; `close()` is idempotent.
 */
export class ProcFile {
  readonly path: string;
  private fd: number;
  private buf: Buffer;
  /** A result captured by the native ticker (src/sampling/native.ts) for the next read(): text or -errno. */
  private fed: string | number | null = null;

  /** Opens `path` read-only; throws the errno error (ENOENT, EACCES, ...) if it cannot. */
  constructor(path: string, initialBytes = 4096) {
    this.path = path;
    this.fd = openSync(path, 'r');
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  /**
   * The whole file as a latin1 string (bytes map 1:1 to chars; /proc text is ASCII apart from
   * names). pread at 0 on a kept fd measured 2.8x cheaper than readFileSync and 15x than fs.promises.
   */
  read(): string {
    if (this.fed !== null) return this.takeFed();
    if (this.fd < 0) throw Object.assign(new Error(`${this.path} is closed`), { code: 'EBADF' });
    for (;;) {
      const n = readSync(this.fd, this.buf, 0, this.buf.length, 0);
      // A full buffer may mean a truncated file: grow and read again from offset 0.
      if (n < this.buf.length) return this.buf.toString('latin1', 0, n);
      this.buf = Buffer.allocUnsafe(this.buf.length * 2);
    }
  }

  /** This file as a slot of the native ticker: each tick's text is fed to the next read(). */
  captureSlot(vital: boolean): CaptureSlot {
    return { fd: this.fd, kind: 'text', capacity: this.buf.length, vital, feed: (v) => (this.fed = v) };
  }

  private takeFed(): string {
    const v = this.fed!;
    this.fed = null;
    if (typeof v === 'string') return v;
    throw errnoError(v, 'read', this.path);
  }

  close(): void {
    this.fed = null;
    if (this.fd >= 0) {
      const fd = this.fd;
      this.fd = -1;
      closeSync(fd);
    }
  }
}

let scratch = Buffer.allocUnsafe(4096);

/**
 * Reads a whole /proc file with one open + read(s) + close into a shared scratch buffer, for scans
 * where keeping a file open does not pay. Throws the raw errno error.
 */
export function readProcFileOnce(path: string, encoding: 'latin1' | 'utf8' = 'latin1'): string {
  const fd = openSync(path, 'r');
  try {
    for (;;) {
      const n = readSync(fd, scratch, 0, scratch.length, 0);
      if (n < scratch.length) return scratch.toString(encoding, 0, n);
      scratch = Buffer.allocUnsafe(scratch.length * 2);
    }
  } finally {
    closeSync(fd);
  }
}

/** Kernel constants a reader needs to turn /proc units into seconds and bytes. */
export interface Auxv {
  clockTicksPerSecond: number;
  pageSizeBytes: number;
}

const AT_PAGESZ = 6;
const AT_CLKTCK = 17;
const auxvCache = new Map<string, Auxv>();

/**
 * AT_CLKTCK and AT_PAGESZ from `<procRoot>/self/auxv` (64-bit little-endian key/value pairs), cached
 * per procRoot; 100 and 4096 when the file is missing or unreadable (fixture trees usually lack it).
 */
export function readAuxv(procRoot = '/proc'): Auxv {
  const cached = auxvCache.get(procRoot);
  if (cached) return cached;
  const result: Auxv = { clockTicksPerSecond: 100, pageSizeBytes: 4096 };
  let bytes: Buffer | null = null;
  try {
    bytes = readFileSync(`${procRoot}/self/auxv`);
  } catch {
    bytes = null;
  }
  if (bytes) {
    for (let off = 0; off + 16 <= bytes.length; off += 16) {
      const key = bytes.readBigUInt64LE(off);
      if (key === 0n) break; // AT_NULL ends the vector
      const value = Number(bytes.readBigUInt64LE(off + 8));
      if (key === BigInt(AT_CLKTCK) && value > 0) result.clockTicksPerSecond = value;
      else if (key === BigInt(AT_PAGESZ) && value > 0) result.pageSizeBytes = value;
    }
  }
  auxvCache.set(procRoot, result);
  return result;
}

const PROC_SUPER_MAGIC = 0x9fa0;
const procfsCache = new Map<string, boolean>();

/**
 * True when `procRoot` is a mounted procfs (not a fixture tree): only there does
 * `stat(<pid>/fd).size` count open fds. Cached per procRoot.
 */
export function isRealProcfs(procRoot: string): boolean {
  let real = procfsCache.get(procRoot);
  if (real === undefined) {
    try {
      real = statfsSync(procRoot).type === PROC_SUPER_MAGIC;
    } catch {
      real = false;
    }
    procfsCache.set(procRoot, real);
  }
  return real;
}

/**
 * A cursor over /proc text for hand-written number scanning (measured cheaper than split/regex on
 * every line). `pos` is public so parsers can jump with indexOf and then scan from there.
 */
export class Scanner {
  text = '';
  pos = 0;

  reset(text: string, pos = 0): this {
    this.text = text;
    this.pos = pos;
    return this;
  }

  /**
   * Skips blanks, then parses an optionally negative decimal integer (as a double: counters above
   * 2^53 lose precision but keep their magnitude). Returns NaN, consuming nothing, if no digit follows.
   */
  int(): number {
    const s = this.text;
    let i = this.pos;
    let c = s.charCodeAt(i);
    while (c === 32 || c === 9) c = s.charCodeAt(++i);
    let negative = false;
    if (c === 45) {
      negative = true;
      c = s.charCodeAt(++i);
    }
    if (!(c >= 48 && c <= 57)) return NaN;
    let n = 0;
    while (c >= 48 && c <= 57) {
      n = n * 10 + (c - 48);
      c = s.charCodeAt(++i);
    }
    this.pos = i;
    return negative ? -n : n;
  }

  /** Skips `count` blank-separated fields. */
  skipFields(count: number): void {
    const s = this.text;
    let i = this.pos;
    for (let k = 0; k < count; k++) {
      let c = s.charCodeAt(i);
      while (c === 32 || c === 9) c = s.charCodeAt(++i);
      while (i < s.length && c !== 32 && c !== 9 && c !== 10) c = s.charCodeAt(++i);
    }
    this.pos = i;
  }

  /**
   * Moves to just after the first `key` at a line start found at or after `pos` (or, failing
   * that, anywhere in the text) and returns true; returns false and leaves `pos` alone if absent.
   * Keys in kernel order make this one forward pass over the text.
   */
  seekKey(key: string): boolean {
    const s = this.text;
    let at = findLineKey(s, key, this.pos);
    if (at < 0 && this.pos > 0) at = findLineKey(s, key, 0);
    if (at < 0) return false;
    this.pos = at + key.length;
    return true;
  }

  /**
   * Like seekKey, then parses the number that follows (blanks skipped); `missing` when the key is
   * absent or no number follows. parseInt over a short slice instead of a character loop: see
   * `intAt`. Leaves `pos` just after the key (the next seekKey starts there).
   */
  keyInt(key: string, missing: number): number {
    if (!this.seekKey(key)) return missing;
    const n = intAt(this.text, this.pos);
    return n === n ? n : missing; // NaN check without a call
  }
}

/**
 * The integer at `pos` of /proc text (leading blanks skipped, optional sign; NaN if no digit), by the
 * parseInt builtin over a slice of at most 32 chars, instead of a charCodeAt loop: per read the two cost
 * the same at 10 Hz, but a loop soon earns a TurboFan compile (int 9.9 ms, keyInt 9.0 ms of background
 * CPU in a monitor's first 40 s; BENCHMARKS.md Sampling, "First 20 s and steady state").
 */
export function intAt(text: string, pos: number): number {
  return parseInt(text.slice(pos, pos + 32), 10);
}

function findLineKey(s: string, key: string, from: number): number {
  let at = s.indexOf(key, from);
  while (at > 0 && s.charCodeAt(at - 1) !== 10) at = s.indexOf(key, at + 1);
  return at;
}
