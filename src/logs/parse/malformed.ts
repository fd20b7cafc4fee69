/** Telling the kinds of malformed lines apart, and showing one safely. */
import { isUtf8 } from 'node:buffer';
import type { MalformedKind } from './parsed-line.js';

/** Invalid UTF-8, NUL or other C0 controls than tab, VT, FF and CR: not text. */
export function looksBinary(buf: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const c = buf[i]!;
    if (c < 0x20 && c !== 9 && c !== 11 && c !== 12 && c !== 13) return true;
  }
  return !isUtf8(buf.subarray(start, end));
}

/** `binary` when the bytes are not text, else `fallback`. */
export function classify(buf: Uint8Array, start: number, end: number, fallback: MalformedKind): MalformedKind {
  return looksBinary(buf, start, end) ? 'binary' : fallback;
}

const MAX_EXAMPLE_CHARS = 200;

/**
 * A line as printable text: UTF-8 decoded (invalid bytes as U+FFFD), control characters (C0, DEL,
 * C1, line and paragraph separators) written as `\xNN`/`\uNNNN`, cut to 200 characters with `…`.
 * Safe for a terminal and, once HTML-escaped, for a page.
 */
export function printable(buf: Uint8Array, start: number, end: number): string {
  const cut = Math.min(end, start + MAX_EXAMPLE_CHARS * 4);
  let text = Buffer.from(buf.buffer, buf.byteOffset + start, cut - start).toString('utf8');
  let more = cut < end;
  if (text.length > MAX_EXAMPLE_CHARS) {
    text = text.slice(0, MAX_EXAMPLE_CHARS);
    more = true;
  }
  return escapeControls(text) + (more ? '…' : '');
}

/** Binary bytes shown as they are: printable ASCII kept, every other byte as `\xNN`, cut to 200 bytes. */
export function printableBytes(buf: Uint8Array, start: number, end: number): string {
  let out = '';
  const stop = Math.min(end, start + MAX_EXAMPLE_CHARS);
  for (let i = start; i < stop; i++) {
    const c = buf[i]!;
    out += c >= 0x20 && c < 0x7f && c !== 0x5c ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, '0')}`;
  }
  return stop < end ? `${out}…` : out;
}

/** Control characters of `text` (C0, DEL, C1, U+2028/2029) as visible escapes. */
export function escapeControls(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}
