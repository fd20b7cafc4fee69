/**
 * Byte-level helpers for the log parsers: needles compared and numbers read straight from a Buffer,
 * so a line costs no string. Measured on 1M-line generated logs on our 2-vCPU VM when the parsers were designed: reading fields from bytes instead
 * of decoding each chunk to a string took the Python-layout log from 1.08 s to 0.82 s and the ECS log
 * from 1.82 s to 1.12 s, at half the RSS.
 */

/** The bytes of an ASCII or UTF-8 needle. */
export const bytesOf = (text: string): Uint8Array => new Uint8Array(Buffer.from(text, 'utf8'));

/** Whether `needle` sits in `buf` at `pos` (and fits before `end`). */
export function matchAt(buf: Uint8Array, pos: number, end: number, needle: Uint8Array): boolean {
  const n = needle.length;
  if (pos + n > end) return false;
  for (let i = 0; i < n; i++) if (buf[pos + i] !== needle[i]) return false;
  return true;
}

/** Whether `buf[start, end)` ends with `needle`. */
export function endsWith(buf: Uint8Array, start: number, end: number, needle: Uint8Array): boolean {
  return end - start >= needle.length && matchAt(buf, end - needle.length, end, needle);
}

/** Exact powers of ten: a correctly rounded quotient needs an exactly representable divisor. */
const POW10 = [1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22];
const MAX_EXACT = 2 ** 53;

/**
 * An unsigned decimal (`123`, `0.021125`, `12.`) in `buf[start, end)`, or NaN when the bytes are
 * anything else (sign, exponent, `nan`, empty). Equal to `parseFloat` of the same text: an integer
 * mantissa below 2^53 divided by an exact power of ten is correctly rounded (one IEEE division of two
 * exact values); longer numbers go through `Number()`.
 */
export function parseDecimal(buf: Uint8Array, start: number, end: number): number {
  if (start >= end) return NaN;
  let mantissa = 0;
  let i = start;
  let digits = 0;
  for (; i < end; i++) {
    const c = buf[i]! - 48;
    if (c < 0 || c > 9) break;
    mantissa = mantissa * 10 + c;
    digits++;
  }
  let frac = 0;
  if (i < end) {
    if (buf[i] !== 46 /* . */) return NaN;
    i++;
    for (; i < end; i++) {
      const c = buf[i]! - 48;
      if (c < 0 || c > 9) return NaN;
      mantissa = mantissa * 10 + c;
      frac++;
    }
  }
  if (digits + frac === 0) return NaN;
  if (mantissa < MAX_EXACT && frac <= 22) return frac === 0 ? mantissa : mantissa / POW10[frac]!;
  return Number(Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString('latin1'));
}

/** An unsigned integer of 1+ digits in `buf[start, end)`, or NaN. */
export function parseUint(buf: Uint8Array, start: number, end: number): number {
  if (start >= end) return NaN;
  let v = 0;
  for (let i = start; i < end; i++) {
    const c = buf[i]! - 48;
    if (c < 0 || c > 9) return NaN;
    v = v * 10 + c;
  }
  return v;
}

/** The value of `n` ASCII digits at `pos`, or -1 when one is not a digit. */
export function digitsAt(buf: Uint8Array, pos: number, n: number): number {
  let v = 0;
  for (let i = 0; i < n; i++) {
    const c = buf[pos + i]! - 48;
    if (!(c >= 0 && c <= 9)) return -1;
    v = v * 10 + c;
  }
  return v;
}

/** Where a number made of `[0-9.]` starting at `pos` ends (pos itself when there is none). */
export function numberEnd(buf: Uint8Array, pos: number, end: number): number {
  let i = pos;
  while (i < end) {
    const c = buf[i]!;
    if ((c >= 48 && c <= 57) || c === 46) i++;
    else break;
  }
  return i;
}

/**
 * The end of a JSON string whose opening quote is at `pos - 1`: the index of its closing quote, or -1
 * when the line ends first. `escaped` (out) tells whether a backslash occurred inside.
 */
export function jsonStringEnd(buf: Uint8Array, pos: number, end: number, out: { escaped: boolean }): number {
  out.escaped = false;
  for (let i = pos; i < end; i++) {
    const c = buf[i];
    if (c === 34) return i;
    if (c === 92) {
      out.escaped = true;
      i++;
    }
  }
  return -1;
}

/** Counts `{` minus `}` in `buf[start, end)` (strings included: a caller only uses a zero as a hint). */
export function braceBalance(buf: Uint8Array, start: number, end: number): number {
  let depth = 0;
  for (let i = start; i < end; i++) {
    const c = buf[i];
    if (c === 123) depth++;
    else if (c === 125) depth--;
  }
  return depth;
}

/**
 * Finds a needle within a line, in JavaScript. `Buffer#indexOf` with a needle has no end (a needle
 * that is rare in a log made every line scan the rest of the 4 MiB chunk) and a fixed cost per call
 * that dominated short searches: 2.9 µs per call for `"req":{"id":` found 60 bytes on, measured on
 * the pino log, against about 1 ns a byte for this loop.
 */
export class Finder {
  private readonly first: number;

  constructor(readonly needle: Uint8Array) {
    this.first = needle[0]!;
  }

  /** The first occurrence within `buf[from, end)`, or -1. */
  find(buf: Uint8Array, from: number, end: number): number {
    const needle = this.needle;
    const n = needle.length;
    const first = this.first;
    const last = end - n;
    for (let i = from; i <= last; i++) {
      if (buf[i] !== first) continue;
      let k = 1;
      while (k < n && buf[i + k] === needle[k]) k++;
      if (k === n) return i;
    }
    return -1;
  }
}

/**
 * Finds the last occurrence of a needle within a line, backwards, skipping as Horspool's search does:
 * a window that does not match moves back by the distance to the nearest byte of the needle (after
 * its first) equal to the byte under the window's start, or by the needle's length. On pino's
 * `},"res":{"statusCode":`, found ~110 bytes before the line's tail, that is ~20 steps instead of a
 * comparison per byte.
 */
export class LastFinder {
  /** By byte: how far back the next window that can match starts (1 to the needle's length). */
  private readonly shift = new Uint8Array(256);

  constructor(readonly needle: Uint8Array) {
    const n = needle.length;
    if (n === 0 || n > 255) throw new RangeError(`LastFinder: a needle of 1 to 255 bytes, got ${n}`);
    this.shift.fill(n);
    for (let k = n - 1; k >= 1; k--) this.shift[needle[k]!] = k;
  }

  /** The highest i with `from <= i` and the needle at `buf[i, i + length)` within `end`, or -1. */
  find(buf: Uint8Array, from: number, end: number): number {
    const needle = this.needle;
    const n = needle.length;
    const first = needle[0]!;
    const shift = this.shift;
    let i = end - n;
    while (i >= from) {
      const c = buf[i]!;
      if (c === first) {
        let k = 1;
        while (k < n && buf[i + k] === needle[k]) k++;
        if (k === n) return i;
      }
      i -= shift[c]!;
    }
    return -1;
  }
}

/** The value of the JSON string whose content is `buf[start, end)` (unescaped when `escaped`). */
export function jsonStringValue(buf: Buffer, start: number, end: number, escaped: boolean): string {
  if (!escaped) return buf.toString('utf8', start, end);
  return JSON.parse(buf.toString('utf8', start - 1, end + 1)) as string;
}

/**
 * A constant compared four bytes at a time through a DataView over the line's ArrayBuffer: on an
 * 84-byte constant, 30 ns against 110 ns for a byte loop and 100 ns for `Buffer#compare` (Node 20,
 * microbenchmark in the same process). Used for the long constant runs of the JSON formats.
 */
export class Needle {
  readonly bytes: Uint8Array;
  readonly length: number;
  private readonly words: Uint32Array;

  constructor(text: string | Uint8Array) {
    const b = typeof text === 'string' ? Buffer.from(text, 'utf8') : Buffer.from(text);
    this.bytes = new Uint8Array(b);
    this.length = b.length;
    this.words = new Uint32Array(b.length >>> 2);
    for (let k = 0; k < this.words.length; k++) this.words[k] = b.readUInt32LE(k * 4);
  }

  /** Whether the needle sits at `pos` of `buf` (before `end`); `dv` views `buf` (DataViews.of). */
  at(dv: DataView, buf: Uint8Array, pos: number, end: number): boolean {
    const n = this.length;
    if (pos < 0 || pos + n > end) return false;
    const words = this.words;
    for (let k = 0; k < words.length; k++) if (dv.getUint32(pos + 4 * k, true) !== words[k]) return false;
    const bytes = this.bytes;
    for (let i = words.length * 4; i < n; i++) if (buf[pos + i] !== bytes[i]) return false;
    return true;
  }
}

/**
 * The bytes of a run of a line that a parser walked and accepted last, compared like a Needle: a
 * writer repeats most of its line from line to line (logger, pid, host, service), so a run equal to the
 * last accepted one is accepted by one comparison instead of field by field. The same bytes walk the
 * same way, so a match stands for the walk it replaces; anything else is walked and, when accepted,
 * remembered in its place (copied into the run's own arrays: no allocation per change).
 */
export class RepeatedRun {
  /** Runs longer than this are not remembered. */
  static readonly maxBytes = 512;
  private readonly bytes = new Uint8Array(RepeatedRun.maxBytes);
  private readonly words = new Uint32Array(RepeatedRun.maxBytes >>> 2);
  private wordCount = 0;
  /** Bytes of the run; -1 while there is none. */
  length = -1;

  /** Remembers `buf[start, end)` in place of the last run (a longer one is forgotten instead). */
  remember(buf: Uint8Array, start: number, end: number): void {
    const n = end - start;
    if (n > RepeatedRun.maxBytes) {
      this.length = -1;
      return;
    }
    const bytes = this.bytes;
    for (let i = 0; i < n; i++) bytes[i] = buf[start + i]!;
    const count = n >>> 2;
    for (let k = 0; k < count; k++) {
      const i = 4 * k;
      this.words[k] = (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24)) >>> 0;
    }
    this.wordCount = count;
    this.length = n;
  }

  /** Whether the run sits at `pos` of `buf` and fits before `end`; `dv` views `buf` (DataViews.of). */
  at(dv: DataView, buf: Uint8Array, pos: number, end: number): boolean {
    const n = this.length;
    if (n < 0 || pos + n > end) return false;
    const words = this.words;
    const count = this.wordCount;
    for (let k = 0; k < count; k++) if (dv.getUint32(pos + 4 * k, true) !== words[k]) return false;
    const bytes = this.bytes;
    for (let i = count * 4; i < n; i++) if (buf[pos + i] !== bytes[i]) return false;
    return true;
  }
}

/**
 * One DataView over the bytes of `buf` (its byte 0 is `buf[0]`), made again only when another buffer
 * comes: the line reader hands every line of a chunk in one buffer object, so the check is one
 * comparison per line. Reading `buf.buffer` and `buf.byteOffset` per line instead cost ~7 % of an ECS
 * run in V8's slow paths (`TypedArrayPrototypeBuffer`, `GetBuffer` and the load ICs around them, perf).
 */
export class DataViews {
  private buf: Uint8Array | null = null;
  private view: DataView = new DataView(new ArrayBuffer(0));

  of(buf: Uint8Array): DataView {
    if (buf !== this.buf) {
      this.buf = buf;
      this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
    }
    return this.view;
  }
}
