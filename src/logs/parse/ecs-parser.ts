/**
 * ECS JSON lines as perfscope's performance log writes them (src/logs/ecs.ts):
 *
 *   {"@timestamp":"…Z","log.level":"info","message":"…","ecs.version":"8.10.0","event":{…,"duration":123456000,
 *    "outcome":"success"},"log":{"logger":"…","origin":{"function":"f"}},"process":{…},"host":{…}}
 *
 * Successful calls in exactly that key order are read from bytes (the research note measured
 * `JSON.parse` per line at 2.8x the cost); every other line, failures included (their error object
 * feeds the patterns), goes through `JSON.parse` (json-line.ts), which also reads dotted keys, other
 * key orders and ECS HTTP fields.
 */
import { braceBalance, bytesOf, jsonStringEnd, matchAt, parseDecimal } from './bytes.js';
import { parseJsonLine } from './json-line.js';
import { KeyCache } from './key-cache.js';
import type { KeyKind, LogParser } from './log-parser.js';
import { CALL, OTHER, type ParseResult, type ParsedLine } from './parsed-line.js';
import { IsoReader } from './timestamps.js';

const TIMESTAMP = bytesOf('{"@timestamp":"');
const LEVEL_INFO = bytesOf('","log.level":"info","message":"');
const ECS_VERSION = bytesOf(',"ecs.version":"');
const EVENT = bytesOf(',"event":{');
const DURATION = bytesOf('"duration":');
const OUTCOME_SUCCESS = bytesOf('"outcome":"success"');
const LOG_LOGGER = bytesOf('},"log":{"logger":"');
const ORIGIN = bytesOf(',"origin":{"function":"');
const ORIGIN_END = bytesOf('"}}');

export class EcsParser implements LogParser {
  readonly format = 'ecs' as const;
  readonly defaultKey: KeyKind = 'function';
  readonly keyKinds: readonly KeyKind[] = ['function', 'route'];
  readonly functions = new KeyCache();
  readonly methods = new KeyCache(16);
  private readonly iso = new IsoReader();
  private readonly str = { escaped: false };

  parse(buf: Buffer, start: number, end: number, out: ParsedLine): ParseResult {
    out.reset();
    if (end === start) return OTHER;
    if (this.fast(buf, start, end, out)) return CALL;
    out.reset();
    return parseJsonLine(buf, start, end, out, this, 'ecs');
  }

  /** The writer's own successful-call line, read from bytes; false for anything else. */
  private fast(buf: Buffer, start: number, end: number, out: ParsedLine): boolean {
    if (buf[end - 1] !== 125 || !matchAt(buf, start, end, TIMESTAMP)) return false;
    const tsStart = start + TIMESTAMP.length;
    const tsEnd = tsStart + 24;
    const t = this.iso.readExact(buf, tsStart, tsEnd);
    if (t !== t || !matchAt(buf, tsEnd, end, LEVEL_INFO)) return false;
    const s = this.str;
    const messageEnd = jsonStringEnd(buf, tsEnd + LEVEL_INFO.length, end, s);
    if (messageEnd < 0 || !matchAt(buf, messageEnd + 1, end, ECS_VERSION)) return false;
    const versionEnd = jsonStringEnd(buf, messageEnd + 1 + ECS_VERSION.length, end, s);
    if (versionEnd < 0 || s.escaped || !matchAt(buf, versionEnd + 1, end, EVENT)) return false;
    // the event object: scalars only, so it ends at the first '}'
    const eventStart = versionEnd + 1 + EVENT.length;
    const eventEnd = buf.indexOf(125, eventStart);
    if (eventEnd < 0 || eventEnd >= end) return false;
    const d = buf.indexOf(DURATION, eventStart);
    if (d < 0 || d >= eventEnd) return false;
    const o = buf.indexOf(OUTCOME_SUCCESS, eventStart);
    if (o < 0 || o >= eventEnd || buf.indexOf(123, eventStart) < eventEnd) return false;
    const numStart = d + DURATION.length;
    let numEnd = numStart;
    while (numEnd < eventEnd) {
      const c = buf[numEnd]!;
      if ((c >= 48 && c <= 57) || c === 46) numEnd++;
      else break;
    }
    const after = buf[numEnd];
    if (after !== 44 && after !== 125) return false;
    const ns = parseDecimal(buf, numStart, numEnd);
    if (!(ns >= 0)) return false;
    if (!matchAt(buf, eventEnd, end, LOG_LOGGER)) return false;
    const loggerEnd = jsonStringEnd(buf, eventEnd + LOG_LOGGER.length, end, s);
    if (loggerEnd < 0 || !matchAt(buf, loggerEnd + 1, end, ORIGIN)) return false;
    const fnStart = loggerEnd + 1 + ORIGIN.length;
    const fnEnd = jsonStringEnd(buf, fnStart, end, s);
    if (fnEnd < 0 || s.escaped || !matchAt(buf, fnEnd, end, ORIGIN_END)) return false;
    // what follows (process, host, service) must close the top-level object: one more '}' than '{'
    if (braceBalance(buf, fnEnd + ORIGIN_END.length, end) !== -1) return false;
    out.timeMs = t;
    out.seconds = ns / 1e9;
    out.fn = this.functions.intern(buf, fnStart, fnEnd);
    return true;
  }
}
