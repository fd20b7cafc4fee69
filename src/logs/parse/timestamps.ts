/**
 * Timestamps of the four formats read from bytes, with the minute cached: consecutive lines share
 * their date, hour and minute, so a line usually costs a 16-byte comparison and five digits instead of
 * a Date. Every parser returns ms since the epoch, or NaN when the bytes are not a valid time.
 */
import { DataViews, digitsAt } from './bytes.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * The bytes of the last minute read, compared four at a time through a DataView over the line's
 * buffer (a 16–17-byte key: 4–5 comparisons instead of 16–17 byte loads and comparisons), the
 * minute's last word first since it changes most.
 */
class MinuteCache {
  private readonly key: Uint8Array;
  private readonly words: Uint32Array;
  private readonly views = new DataViews();
  private valid = false;
  baseMs = 0;

  constructor(length: number) {
    this.key = new Uint8Array(length);
    this.words = new Uint32Array(length >>> 2);
  }

  /** Whether `buf[pos, pos+length)` is the cached minute (the caller checked the bytes are there). */
  hit(buf: Uint8Array, pos: number): boolean {
    if (!this.valid) return false;
    const dv = this.views.of(buf);
    const words = this.words;
    for (let k = words.length - 1; k >= 0; k--) if (dv.getUint32(pos + 4 * k, true) !== words[k]) return false;
    const key = this.key;
    for (let i = words.length * 4; i < key.length; i++) if (buf[pos + i] !== key[i]) return false;
    return true;
  }

  store(buf: Uint8Array, pos: number, baseMs: number): void {
    const key = this.key;
    for (let i = 0; i < key.length; i++) key[i] = buf[pos + i]!;
    for (let k = 0; k < this.words.length; k++) {
      const i = 4 * k;
      this.words[k] = (key[i]! | (key[i + 1]! << 8) | (key[i + 2]! << 16) | (key[i + 3]! << 24)) >>> 0;
    }
    this.baseMs = baseMs;
    this.valid = true;
  }
}

/** Whether y-mo-d h:mi is a real calendar time (Date would roll 2026-02-31 over into March). */
function validParts(y: number, mo: number, d: number, h: number, mi: number): boolean {
  return y >= 0 && mo >= 1 && mo <= 12 && d >= 1 && d <= 31 && h >= 0 && h <= 23 && mi >= 0 && mi <= 59;
}

/**
 * Python logging's default asctime, `2026-11-24 17:50:59,123` (23 bytes; `.` accepted for `,`), in
 * local time as Python writes it.
 */
export class AsctimeReader {
  static readonly length = 23;
  private readonly cache = new MinuteCache(16);

  read(buf: Uint8Array, pos: number): number {
    if (buf[pos + 4] !== 45 || buf[pos + 7] !== 45 || buf[pos + 10] !== 32 || buf[pos + 13] !== 58 || buf[pos + 16] !== 58) return NaN;
    const sep = buf[pos + 19];
    if (sep !== 44 && sep !== 46) return NaN;
    const ss = digitsAt(buf, pos + 17, 2);
    const ms = digitsAt(buf, pos + 20, 3);
    if (ss < 0 || ss > 60 || ms < 0) return NaN;
    if (!this.cache.hit(buf, pos)) {
      const y = digitsAt(buf, pos, 4);
      const mo = digitsAt(buf, pos + 5, 2);
      const d = digitsAt(buf, pos + 8, 2);
      const h = digitsAt(buf, pos + 11, 2);
      const mi = digitsAt(buf, pos + 14, 2);
      if (!validParts(y, mo, d, h, mi)) return NaN;
      const date = new Date(y, mo - 1, d, h, mi);
      if (date.getDate() !== d) return NaN;
      this.cache.store(buf, pos, date.getTime());
    }
    return this.cache.baseMs + ss * 1000 + ms;
  }
}

/**
 * ISO 8601 as `Date#toISOString` writes it, `2026-11-24T08:50:59.123Z` (24 bytes), read from bytes;
 * any other ISO shape (no fraction, more digits, an offset) through `Date.parse` of `text`.
 */
export class IsoReader {
  private readonly cache = new MinuteCache(16);

  /** The fast shape only; NaN for anything else (then call `parseText`). */
  readExact(buf: Uint8Array, pos: number, end: number): number {
    if (end - pos !== 24 || buf[pos + 23] !== 90 /* Z */ || buf[pos + 19] !== 46) return NaN;
    if (buf[pos + 4] !== 45 || buf[pos + 7] !== 45 || buf[pos + 10] !== 84 || buf[pos + 13] !== 58 || buf[pos + 16] !== 58) return NaN;
    const ss = digitsAt(buf, pos + 17, 2);
    const ms = digitsAt(buf, pos + 20, 3);
    if (ss < 0 || ss > 60 || ms < 0) return NaN;
    if (!this.cache.hit(buf, pos)) {
      const y = digitsAt(buf, pos, 4);
      const mo = digitsAt(buf, pos + 5, 2);
      const d = digitsAt(buf, pos + 8, 2);
      const h = digitsAt(buf, pos + 11, 2);
      const mi = digitsAt(buf, pos + 14, 2);
      if (!validParts(y, mo, d, h, mi)) return NaN;
      const base = Date.UTC(y, mo - 1, d, h, mi);
      if (new Date(base).getUTCDate() !== d) return NaN;
      this.cache.store(buf, pos, base);
    }
    return this.cache.baseMs + ss * 1000 + ms;
  }
}

/** Any ISO 8601 date-time with a zone (`Z` or `±hh:mm`), or NaN. Without a zone: NaN (ambiguous). */
export function parseIsoText(text: string): number {
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)$/.test(text)) return NaN;
  return Date.parse(text);
}

/** nginx/Apache `$time_local`, `24/Nov/2026:17:00:00 +0000` (26 bytes). */
export class NginxTimeReader {
  static readonly length = 26;
  private readonly cache = new MinuteCache(17);
  private zoneKey = -1;
  /**
   * The last time read, whole (an access log has a line every few ms: ~140 a second in the bench's):
   * bytes 0-23 as six little-endian words and bytes 24-25, and its value. Unrolled, not a
   * MinuteCache(26): that one's loops cost ~15 ms more per 1M lines (the parse, 15 alternating rounds).
   */
  private readonly lastWords = new Int32Array(6);
  private lastTail = -1;
  private lastMs = NaN;
  private readonly views = new DataViews();

  read(buf: Uint8Array, pos: number): number {
    const dv = this.views.of(buf);
    const w = this.lastWords;
    if (
      dv.getInt32(pos, true) === w[0] &&
      dv.getInt32(pos + 4, true) === w[1] &&
      dv.getInt32(pos + 8, true) === w[2] &&
      dv.getInt32(pos + 12, true) === w[3] &&
      dv.getInt32(pos + 16, true) === w[4] &&
      dv.getInt32(pos + 20, true) === w[5] &&
      dv.getUint16(pos + 24, true) === this.lastTail
    ) {
      return this.lastMs;
    }
    const ms = this.readNew(buf, pos);
    if (ms === ms) {
      for (let k = 0; k < 6; k++) w[k] = dv.getInt32(pos + 4 * k, true);
      this.lastTail = dv.getUint16(pos + 24, true);
      this.lastMs = ms;
    }
    return ms;
  }

  private readNew(buf: Uint8Array, pos: number): number {
    if (buf[pos + 2] !== 47 || buf[pos + 6] !== 47 || buf[pos + 11] !== 58 || buf[pos + 14] !== 58 || buf[pos + 17] !== 58 || buf[pos + 20] !== 32) return NaN;
    const sign = buf[pos + 21];
    if (sign !== 43 && sign !== 45) return NaN;
    const zone = digitsAt(buf, pos + 22, 4);
    const ss = digitsAt(buf, pos + 18, 2);
    if (ss < 0 || ss > 60 || zone < 0) return NaN;
    const zoneKey = sign * 10000 + zone;
    if (zoneKey !== this.zoneKey || !this.cache.hit(buf, pos)) {
      const d = digitsAt(buf, pos, 2);
      const mon = String.fromCharCode(buf[pos + 3]!, buf[pos + 4]!, buf[pos + 5]!);
      const mo = MONTHS.indexOf(mon) + 1;
      const y = digitsAt(buf, pos + 7, 4);
      const h = digitsAt(buf, pos + 12, 2);
      const mi = digitsAt(buf, pos + 15, 2);
      const zh = Math.floor(zone / 100);
      const zm = zone % 100;
      if (!validParts(y, mo, d, h, mi) || zh > 23 || zm > 59) return NaN;
      const utc = Date.UTC(y, mo - 1, d, h, mi);
      if (new Date(utc).getUTCDate() !== d) return NaN;
      const offsetMs = (sign === 45 ? -1 : 1) * (zh * 60 + zm) * 60_000;
      this.cache.store(buf, pos, utc - offsetMs);
      this.zoneKey = zoneKey;
    }
    return this.cache.baseMs + ss * 1000;
  }
}
