/**
 * pino / pino-http JSON lines:
 *
 *   {"level":30,"time":1764003600017,"pid":7,"hostname":"h","req":{"id":1,"method":"GET","url":"/api/x?y=1",
 *    …,"headers":{…}},"res":{"statusCode":200,"headers":{…}}[,"err":{"type":"…","message":"…",…}],
 *    "responseTime":21,"msg":"request completed"}
 *
 * `responseTime` is milliseconds (pino-http). Request lines in pino's key order are read from bytes:
 * the head (`{"level":N,"time":T`) and the tail (`"responseTime":N,"msg":"…"}`, pino writes `msg`
 * last) are anchored, so a cut line never passes; `req` and `res` are found by searches bounded to the
 * line. Everything else (other key orders, ISO times, escapes in the URL, perfscope's own call lines
 * written through pino with `event.duration` and `log.origin.function`) goes through `JSON.parse`.
 */
import { Finder, LastFinder, bytesOf, jsonStringEnd, jsonStringValue, matchAt, parseDecimal, parseUint } from './bytes.js';
import { parseJsonLine } from './json-line.js';
import { KeyCache } from './key-cache.js';
import type { KeyKind, LogParser } from './log-parser.js';
import { CALL, ERROR, INFO, OTHER, WARN, type ParseResult, type ParsedLine } from './parsed-line.js';

const LEVEL = bytesOf('{"level":');
const TIME = bytesOf(',"time":');
const PID = bytesOf('"pid":');
const HOSTNAME = bytesOf(',"hostname":"');
const REQ = bytesOf('"req":{"id":');
const METHOD = bytesOf(',"method":"');
const URL = bytesOf('","url":"');
const STATUS = bytesOf('},"res":{"statusCode":');
const ERR = bytesOf('},"err":{"type":"');
const ERR_MESSAGE = bytesOf(',"message":"');
const RESPONSE_TIME = bytesOf(',"responseTime":');
const MSG = bytesOf(',"msg":"');

export class PinoParser implements LogParser {
  readonly format = 'pino' as const;
  readonly defaultKey: KeyKind = 'route';
  readonly keyKinds: readonly KeyKind[] = ['route', 'function'];
  readonly functions = new KeyCache();
  readonly methods = new KeyCache(16);
  private readonly s = { escaped: false };
  private readonly req = new Finder(REQ);
  private readonly err = new Finder(ERR);
  private readonly status = new LastFinder(STATUS);

  parse(buf: Buffer, start: number, end: number, out: ParsedLine): ParseResult {
    out.reset();
    if (end === start) return OTHER;
    if (this.fast(buf, start, end, out)) return CALL;
    out.reset();
    return parseJsonLine(buf, start, end, out, this, 'pino');
  }

  private fast(buf: Buffer, start: number, end: number, out: ParsedLine): boolean {
    if (buf[end - 1] !== 125 || !matchAt(buf, start, end, LEVEL)) return false;
    let p = start + LEVEL.length;
    let level = 0;
    while (p < end && buf[p]! >= 48 && buf[p]! <= 57) level = level * 10 + buf[p++]! - 48;
    if (level === 0 || !matchAt(buf, p, end, TIME)) return false;
    p += TIME.length;
    const timeStart = p;
    while (p < end && buf[p]! >= 48 && buf[p]! <= 57) p++;
    const time = parseUint(buf, timeStart, p);
    if (time !== time || buf[p] !== 44) return false;

    // the tail, from the end: ,"responseTime":N,"msg":"…"}  (a message with a quote or backslash: JSON.parse)
    let q = end - 2;
    if (buf[q] !== 34) return false;
    q--;
    while (q > p && buf[q] !== 34) {
      if (buf[q] === 92) return false;
      q--;
    }
    const msgStart = q + 1;
    const msgEnd = end - 2;
    if (!matchAt(buf, q - MSG.length + 1, end, MSG)) return false;
    const numEnd = q - MSG.length + 1;
    let numStart = numEnd;
    while (numStart > p && ((buf[numStart - 1]! >= 48 && buf[numStart - 1]! <= 57) || buf[numStart - 1] === 46)) numStart--;
    const rt = numStart - RESPONSE_TIME.length;
    if (numStart === numEnd || !matchAt(buf, rt, end, RESPONSE_TIME)) return false;
    const ms = parseDecimal(buf, numStart, numEnd);
    if (!(ms >= 0)) return false;

    // req: id, method, url first (pino-http's serializer); right after pid and hostname in pino's
    // default bindings, else searched for
    let req = -1;
    if (matchAt(buf, p + 1, end, PID)) {
      let r = p + 1 + PID.length;
      while (r < rt && buf[r]! >= 48 && buf[r]! <= 57) r++;
      if (matchAt(buf, r, end, HOSTNAME)) {
        r = jsonStringEnd(buf, r + HOSTNAME.length, rt, this.s) + 1;
        if (r > 0 && buf[r] === 44 && matchAt(buf, r + 1, end, REQ)) req = r + 1;
      }
    }
    if (req < 0) req = this.req.find(buf, p, rt);
    if (req < 0) return false;
    p = req + REQ.length;
    if (buf[p] === 34) {
      p = jsonStringEnd(buf, p + 1, rt, this.s) + 1;
      if (p === 0) return false;
    } else {
      while (p < rt && buf[p]! >= 48 && buf[p]! <= 57) p++;
    }
    if (!matchAt(buf, p, end, METHOD)) return false;
    const methodStart = p + METHOD.length;
    let methodEnd = methodStart;
    while (methodEnd < rt && buf[methodEnd]! >= 65 && buf[methodEnd]! <= 90) methodEnd++;
    if (methodEnd === methodStart || !matchAt(buf, methodEnd, end, URL)) return false;
    const urlStart = methodEnd + URL.length;
    const urlEnd = jsonStringEnd(buf, urlStart, rt, this.s);
    if (urlEnd < 0 || this.s.escaped) return false;
    // res.statusCode: the last `},"res":{"statusCode":` before responseTime (a quote inside a string
    // is escaped, so the bytes can only be structure; err, when there, comes after res). Searched
    // backwards over res's headers: less than the native needle search from the URL on, which
    // crosses req's headers too.
    const st = this.status.find(buf, urlEnd + 1, rt);
    if (st < 0) return false;
    p = st + STATUS.length;
    let status = 0;
    while (p < rt && buf[p]! >= 48 && buf[p]! <= 57) status = status * 10 + buf[p++]! - 48;
    if (status === 0 || (buf[p] !== 44 && buf[p] !== 125)) return false;

    out.timeMs = time;
    out.seconds = ms / 1000;
    out.status = status;
    out.level = level >= 50 ? ERROR : level >= 40 ? WARN : INFO;
    out.failed = level >= 50 || status >= 500;
    out.method = this.methods.internFew(buf, methodStart, methodEnd);
    out.urlBuf = buf;
    out.urlStart = urlStart;
    out.urlEnd = urlEnd;
    if (out.failed || level >= 40) {
      // the error's `Type: message`, else the line's own message
      const err = out.failed ? this.err.find(buf, p, rt) : -1;
      if (err >= 0) {
        const typeStart = err + ERR.length;
        const typeEnd = jsonStringEnd(buf, typeStart, rt, this.s);
        if (typeEnd < 0) return false;
        const type = jsonStringValue(buf, typeStart, typeEnd, this.s.escaped);
        if (!matchAt(buf, typeEnd + 1, end, ERR_MESSAGE)) return false;
        const mStart = typeEnd + 1 + ERR_MESSAGE.length;
        const mEnd = jsonStringEnd(buf, mStart, rt, this.s);
        if (mEnd < 0) return false;
        const message = jsonStringValue(buf, mStart, mEnd, this.s.escaped);
        out.message = message === '' ? type : `${type}: ${message}`;
      } else {
        const msg = buf.toString('utf8', msgStart, msgEnd);
        out.message = msg === '' ? null : msg;
      }
    }
    return true;
  }
}
