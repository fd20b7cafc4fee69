/**
 * pino / pino-http JSON lines:
 *
 *   {"level":30,"time":1764003600017,"pid":7,"hostname":"h","req":{"id":1,"method":"GET","url":"/api/x?y=1",
 *    …,"headers":{…}},"res":{"statusCode":200,"headers":{…}},"responseTime":21,"msg":"request completed"}
 *
 * `responseTime` is milliseconds (pino-http). Successful requests below level 40 in pino's key order
 * are read from bytes; the rest (warnings, errors with their `err`, other shapes, perfscope's own call
 * lines written through pino with `event.duration` and `log.origin.function`) through `JSON.parse`.
 */
import { bytesOf, jsonStringEnd, matchAt, parseDecimal, parseUint } from './bytes.js';
import { parseJsonLine } from './json-line.js';
import { KeyCache } from './key-cache.js';
import type { KeyKind, LogParser } from './log-parser.js';
import { CALL, OTHER, type ParseResult, type ParsedLine } from './parsed-line.js';

const LEVEL = bytesOf('{"level":');
const TIME = bytesOf(',"time":');
const REQ = bytesOf('"req":{');
const METHOD = bytesOf('"method":"');
const URL = bytesOf(',"url":"');
const RESPONSE_TIME = bytesOf(',"responseTime":');
const STATUS = bytesOf('"res":{"statusCode":');
const MSG = bytesOf(',"msg":"');

export class PinoParser implements LogParser {
  readonly format = 'pino' as const;
  readonly defaultKey: KeyKind = 'route';
  readonly keyKinds: readonly KeyKind[] = ['route', 'function'];
  readonly functions = new KeyCache();
  readonly methods = new KeyCache(16);
  private readonly str = { escaped: false };

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
    if (level === 0 || level >= 40 || !matchAt(buf, p, end, TIME)) return false;
    p += TIME.length;
    const timeStart = p;
    while (p < end && buf[p]! >= 48 && buf[p]! <= 57) p++;
    const time = parseUint(buf, timeStart, p);
    if (time !== time || buf[p] !== 44) return false;
    const req = buf.indexOf(REQ, p);
    if (req < 0 || req >= end) return false;
    // id, method and url come first in pino-http's request serializer: no nested object before them
    const m = buf.indexOf(METHOD, req);
    if (m < 0 || m >= end) return false;
    const methodStart = m + METHOD.length;
    const methodEnd = buf.indexOf(34, methodStart);
    if (methodEnd < 0 || !matchAt(buf, methodEnd + 1, end, URL)) return false;
    const urlStart = methodEnd + 1 + URL.length;
    const s = this.str;
    const urlEnd = jsonStringEnd(buf, urlStart, end, s);
    if (urlEnd < 0 || s.escaped) return false;
    const brace = buf.indexOf(123, req + REQ.length);
    if (brace >= 0 && brace < urlEnd) return false;
    // responseTime and msg close the line (pino writes msg last); then the line is complete
    const rt = buf.lastIndexOf(RESPONSE_TIME, end - RESPONSE_TIME.length);
    if (rt < urlEnd) return false;
    const numStart = rt + RESPONSE_TIME.length;
    let numEnd = numStart;
    while (numEnd < end) {
      const c = buf[numEnd]!;
      if ((c >= 48 && c <= 57) || c === 46) numEnd++;
      else break;
    }
    if (numEnd !== end - 1) {
      if (!matchAt(buf, numEnd, end, MSG)) return false;
      const msgEnd = jsonStringEnd(buf, numEnd + MSG.length, end, s);
      if (msgEnd !== end - 2) return false;
    }
    const ms = parseDecimal(buf, numStart, numEnd);
    if (!(ms >= 0)) return false;
    const st = buf.lastIndexOf(STATUS, rt);
    if (st < urlEnd) return false;
    let q = st + STATUS.length;
    let status = 0;
    while (q < rt && buf[q]! >= 48 && buf[q]! <= 57) status = status * 10 + buf[q++]! - 48;
    if (status === 0 || status >= 500 || (buf[q] !== 44 && buf[q] !== 125)) return false;
    out.timeMs = time;
    out.seconds = ms / 1000;
    out.status = status;
    out.method = this.methods.intern(buf, methodStart, methodEnd);
    out.urlBuf = buf;
    out.urlStart = urlStart;
    out.urlEnd = urlEnd;
    return true;
  }
}
