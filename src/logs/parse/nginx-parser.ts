/**
 * nginx (and Apache) combined access log with the request time in seconds as the last field:
 *
 *   10.2.16.17 - alice [24/Nov/2026:17:00:00 +0000] "GET /api/users/62949 HTTP/1.1" 200 39747 "-" "Mozilla/5.0 …" 0.021
 *
 * i.e. `log_format timed '$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent
 * "$http_referer" "$http_user_agent" $request_time';` (extra fields between the user agent and the
 * request time are allowed; their quotes must be closed). The whole shape is walked before the last
 * number is taken: a line cut after the status (`…HTTP/1.1" 20`) must not pass for a 20-second request.
 * nginx escapes `"` inside fields as `\x22`, so quoted fields end at the next `"`.
 */
import { bytesOf, matchAt, parseDecimal } from './bytes.js';
import { KeyCache } from './key-cache.js';
import type { KeyKind, LogParser } from './log-parser.js';
import { classify } from './malformed.js';
import { CALL, ERROR, OTHER, type ParseResult, type ParsedLine } from './parsed-line.js';
import { NginxTimeReader } from './timestamps.js';

const USER_SEP = bytesOf(' - ');
const TIME_END = bytesOf('] "');
const QUOTE_SPACE_QUOTE = bytesOf('" "');

/** Whether `buf[from, to)` holds an even number of `"` (every quoted field in it closed). */
function quotesClosed(buf: Uint8Array, from: number, to: number): boolean {
  let open = false;
  for (let i = from; i < to; i++) if (buf[i] === 34) open = !open;
  return !open;
}

export class NginxParser implements LogParser {
  readonly format = 'nginx' as const;
  readonly defaultKey: KeyKind = 'route';
  readonly keyKinds: readonly KeyKind[] = ['route'];
  readonly functions = new KeyCache(16);
  readonly methods = new KeyCache(16);
  private readonly time = new NginxTimeReader();

  parse(buf: Buffer, start: number, end: number, out: ParsedLine): ParseResult {
    out.reset();
    if (end === start) return OTHER;
    // short fields are walked here; a call of Buffer#indexOf costs more than ~20 bytes of loop
    let addrEnd = start;
    while (addrEnd < end && buf[addrEnd] !== 32) addrEnd++;
    if (addrEnd === start || addrEnd >= end || !matchAt(buf, addrEnd, end, USER_SEP)) {
      return out.malformed(classify(buf, start, end, 'foreign'), 'not an access log line');
    }
    // `- [` (no user) is the common case
    const open = buf[addrEnd + 3] === 45 && buf[addrEnd + 4] === 32 && buf[addrEnd + 5] === 91 ? addrEnd + 5 : buf.indexOf(91 /* [ */, addrEnd + 3);
    if (open < 0 || open >= end || buf[open - 1] !== 32) return out.malformed(classify(buf, start, end, 'foreign'), 'no [time]');
    const timeStart = open + 1;
    if (timeStart + NginxTimeReader.length > end) return out.malformed(classify(buf, start, end, 'truncated'), 'cut off in the time');
    const t = this.time.read(buf, timeStart);
    if (t !== t) return out.malformed(classify(buf, start, end, 'foreign'), 'no [dd/Mon/yyyy:HH:MM:SS +zzzz] time');
    const timeEnd = timeStart + NginxTimeReader.length;
    if (!matchAt(buf, timeEnd, end, TIME_END)) return out.malformed(classify(buf, start, end, timeEnd + 3 > end ? 'truncated' : 'foreign'), 'no "request" after the time');
    const reqStart = timeEnd + TIME_END.length;
    const reqEnd = buf.indexOf(34, reqStart);
    if (reqEnd < 0 || reqEnd >= end) return out.malformed(classify(buf, start, end, 'truncated'), 'cut off in the request');
    // status, bytes
    let p = reqEnd + 1;
    if (buf[p] !== 32) return out.malformed(classify(buf, start, end, 'foreign'), 'no status after the request');
    p++;
    let status = 0;
    const statusStart = p;
    while (p < end && buf[p]! >= 48 && buf[p]! <= 57) status = status * 10 + buf[p++]! - 48;
    if (p - statusStart !== 3 || buf[p] !== 32) return out.malformed(classify(buf, start, end, p >= end ? 'truncated' : 'foreign'), 'no 3-digit status');
    p++;
    const bytesStart = p;
    while (p < end && ((buf[p]! >= 48 && buf[p]! <= 57) || buf[p] === 45)) p++;
    if (p === bytesStart || buf[p] !== 32 || buf[p + 1] !== 34) return out.malformed(classify(buf, start, end, p + 2 > end ? 'truncated' : 'foreign'), 'no body size and referer');
    // "referer" "user agent"
    const refEnd = buf[p + 2] === 45 && buf[p + 3] === 34 ? p + 3 : buf.indexOf(34, p + 2);
    if (refEnd < 0 || refEnd >= end || !matchAt(buf, refEnd, end, QUOTE_SPACE_QUOTE)) return out.malformed(classify(buf, start, end, 'truncated'), 'cut off in the referer');
    const uaEnd = buf.indexOf(34, refEnd + QUOTE_SPACE_QUOTE.length);
    if (uaEnd < 0 || uaEnd >= end) return out.malformed(classify(buf, start, end, 'truncated'), 'cut off in the user agent');
    if (uaEnd + 1 === end) return out.malformed(classify(buf, start, end, 'truncated'), 'no request time after the user agent');
    if (buf[uaEnd + 1] !== 32) return out.malformed(classify(buf, start, end, 'foreign'), 'no request time after the user agent');
    // the request time: the last field
    let numStart = end;
    while (numStart > uaEnd + 1 && buf[numStart - 1] !== 32) numStart--;
    // fields between the user agent and it (none in the combined format) must close their quotes: a
    // line cut inside `"10.0.0.1, 10.0` must not read as a 10-second request
    if (numStart > uaEnd + 2 && !quotesClosed(buf, uaEnd + 1, numStart)) {
      return out.malformed(classify(buf, start, end, 'truncated'), 'cut off in a quoted field after the user agent');
    }
    const seconds = parseDecimal(buf, numStart, end);
    if (!(seconds >= 0 && seconds < Infinity)) {
      return out.malformed(classify(buf, start, end, 'bad-value'), `request time '${buf.toString('latin1', numStart, Math.min(end, numStart + 40))}' is not a number of seconds`);
    }
    out.timeMs = t;
    out.seconds = seconds;
    out.status = status;
    if (status >= 500) {
      out.failed = true;
      out.level = ERROR;
    }
    // METHOD SP target [SP protocol]: a method is 1-20 of [A-Z_-], then a space inside the request
    const spMax = Math.min(reqEnd, reqStart + 21);
    let sp = reqStart;
    let validMethod = true;
    for (; sp < spMax; sp++) {
      const c = buf[sp]!;
      if (c === 32) break;
      if (!((c >= 65 && c <= 90) || c === 45 || c === 95)) {
        validMethod = false;
        break;
      }
    }
    if (!validMethod || sp === reqStart || sp === spMax) {
      out.badRequest = true;
      return CALL;
    }
    let targetEnd = buf.indexOf(32, sp + 1);
    if (targetEnd < 0 || targetEnd > reqEnd) targetEnd = reqEnd;
    out.method = this.methods.internFew(buf, reqStart, sp);
    out.urlBuf = buf;
    out.urlStart = sp + 1;
    out.urlEnd = targetEnd;
    return CALL;
  }
}
