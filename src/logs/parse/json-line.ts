/**
 * The general path for JSON lines (ECS and pino): `JSON.parse`, then the fields looked up whether
 * written nested (`{"event":{"duration":1}}`), dotted (`{"event.duration":1}`) or mixed, as ECS allows.
 * The formats' byte-level fast paths hand every line they do not recognise exactly to this, so rare
 * shapes (reordered keys, escapes, failures with error objects) stay correct.
 */
import type { KeyCache } from './key-cache.js';
import { classify } from './malformed.js';
import { CALL, ERROR, INFO, OTHER, WARN, type Level, type ParseResult, type ParsedLine } from './parsed-line.js';
import { parseIsoText } from './timestamps.js';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The value at a dotted path, whichever mix of nesting and dotted keys holds it. */
export function pick(obj: unknown, path: string): unknown {
  if (!isObject(obj)) return undefined;
  if (Object.hasOwn(obj, path)) return obj[path];
  let dot = path.indexOf('.');
  while (dot > 0) {
    const head = path.slice(0, dot);
    if (Object.hasOwn(obj, head)) {
      const found = pick(obj[head], path.slice(dot + 1));
      if (found !== undefined) return found;
    }
    dot = path.indexOf('.', dot + 1);
  }
  return undefined;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function levelOf(raw: unknown): Level {
  if (typeof raw === 'number') return raw >= 50 ? ERROR : raw >= 40 ? WARN : INFO;
  if (typeof raw !== 'string') return INFO;
  const l = raw.toLowerCase();
  if (l === 'warn' || l === 'warning') return WARN;
  if (l === 'error' || l === 'fatal' || l === 'critical' || l === 'alert' || l === 'emergency' || l === 'crit' || l === 'emerg') return ERROR;
  return INFO;
}

function timeOf(raw: unknown): number {
  if (typeof raw === 'number') return Number.isFinite(raw) ? raw : NaN;
  if (typeof raw === 'string') return parseIsoText(raw);
  return NaN;
}

/** `function NAME took X s: msg` → `msg` (the performance log's prefix is not part of a pattern). */
const CALL_PREFIX = /^(?:function .+? (?:took|failed after) [\d.]+ s|함수 .+? 실행 (?:시간: [\d.]+초|실패 \([\d.]+초 후\)))(?:: |$)/;

function messageOf(obj: Json, level: Level, failed: boolean): string | null {
  if (level < WARN && !failed) return null;
  const errType = str(pick(obj, 'error.type')) ?? str(pick(obj, 'err.type'));
  const errMessage = str(pick(obj, 'error.message')) ?? str(pick(obj, 'err.message'));
  if (errType !== undefined || errMessage !== undefined) {
    return errType !== undefined && errMessage !== undefined && errMessage !== '' ? `${errType}: ${errMessage}` : (errMessage || errType || null);
  }
  const msg = str(obj.message) ?? str(obj.msg);
  return msg === undefined ? null : ownWords(msg);
}

/** A call line's message without the performance log's `function NAME took X s: ` prefix; null when nothing is left. */
export function ownWords(message: string): string | null {
  const rest = message.replace(CALL_PREFIX, '');
  return rest === '' ? null : rest;
}

export interface JsonCaches {
  functions: KeyCache;
  methods: KeyCache;
}

/**
 * Reads one JSON line. `flavor` decides which duration wins when a line has several: ECS's
 * `event.duration` (ns) or pino-http's `responseTime` (ms). Both read perfscope's own call lines
 * (`event.duration` + `log.origin.function`, also when written through pino) and HTTP requests
 * (pino-http's `req`/`res`, ECS's `http.request.method`/`url.path`/`http.response.status_code`).
 */
export function parseJsonLine(buf: Buffer, start: number, end: number, out: ParsedLine, caches: JsonCaches, flavor: 'ecs' | 'pino'): ParseResult {
  // a line that cannot be an object is told so without JSON.parse: its exception cost ~10 µs a line
  // (format detection tries the JSON parsers on 1,000 lines of any log; tracebacks in JSON logs)
  let open = start;
  while (open < end && (buf[open] === 32 || buf[open] === 9 || buf[open] === 10 || buf[open] === 13)) open++;
  if (open === end || buf[open] !== 123) return out.malformed(classify(buf, start, end, 'foreign'), 'not a JSON object');
  let obj: unknown;
  try {
    obj = JSON.parse(buf.toString('utf8', start, end));
  } catch {
    const first = buf[start];
    return out.malformed(classify(buf, start, end, first === 123 ? 'truncated' : 'foreign'), first === 123 ? 'invalid or cut-off JSON' : 'not a JSON object');
  }
  if (!isObject(obj)) return out.malformed(classify(buf, start, end, 'foreign'), 'not a JSON object');
  // each format's mandatory field: ECS's @timestamp, pino's level (ECS writes log.level instead)
  if (flavor === 'ecs' ? !Object.hasOwn(obj, '@timestamp') : !Object.hasOwn(obj, 'level')) {
    return out.malformed('foreign', flavor === 'ecs' ? 'JSON without @timestamp: not an ECS line' : 'JSON without level: not a pino line');
  }

  const rawTime = flavor === 'ecs' ? (obj['@timestamp'] ?? obj.time) : (obj.time ?? obj['@timestamp']);
  if (rawTime !== undefined) {
    const t = timeOf(rawTime);
    if (t !== t) return out.malformed('bad-value', `time ${JSON.stringify(rawTime).slice(0, 40)} is not a usable timestamp`);
    out.timeMs = t;
  }
  const level = levelOf(obj['log.level'] ?? pick(obj, 'log.level') ?? obj.level);
  out.level = level;

  const ns = pick(obj, 'event.duration');
  const ms = obj.responseTime;
  let seconds: number | undefined;
  let raw: unknown;
  if (flavor === 'ecs' ? ns !== undefined : ms === undefined && ns !== undefined) {
    raw = ns;
    seconds = typeof ns === 'number' ? ns / 1e9 : NaN;
  } else if (ms !== undefined) {
    raw = ms;
    seconds = typeof ms === 'number' ? ms / 1000 : NaN;
  }

  const fn = str(pick(obj, 'log.origin.function'));
  const method = str(pick(obj, 'req.method')) ?? str(pick(obj, 'http.request.method'));
  const url = str(pick(obj, 'req.url')) ?? str(pick(obj, 'url.path')) ?? str(pick(obj, 'url.original'));
  const status = pick(obj, 'res.statusCode') ?? pick(obj, 'http.response.status_code');
  if (typeof status === 'number' && Number.isInteger(status)) out.status = status;
  const outcome = str(pick(obj, 'event.outcome'));
  out.failed = level === ERROR || outcome === 'failure' || out.status >= 500;

  if (seconds === undefined || (fn === undefined && (method === undefined || url === undefined))) {
    out.message = messageOf(obj, level, out.failed);
    return OTHER;
  }
  if (!(seconds >= 0 && seconds < Infinity)) {
    return out.malformed('bad-value', `duration ${JSON.stringify(raw).slice(0, 40)} is not a usable number`);
  }
  out.seconds = seconds;
  if (fn !== undefined) out.fn = caches.functions.internString(fn);
  if (method !== undefined && url !== undefined) {
    out.method = caches.methods.internString(method);
    const u = Buffer.from(url, 'utf8');
    out.urlBuf = u;
    out.urlStart = 0;
    out.urlEnd = u.length;
  }
  out.message = messageOf(obj, level, out.failed);
  return CALL;
}
