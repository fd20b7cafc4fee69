/** Options of `analyzeLogs`, resolved and validated once (bad values are usage errors naming them). */
import { inspect } from 'node:util';
import { usageError } from '../../core/errors.js';
import { isLogFormat } from '../../logs/parse/formats.js';
import { logFormats, type KeyKind, type LogFormat } from '../../logs/parse/log-parser.js';
import { RouteTemplate } from '../routes.js';

export interface AnalyzeLogsOptions {
  /** Files to read in order as one stream; `-` is stdin; gzip is recognised by content. */
  files: string[];
  /** `auto` (default): detected from the first lines. */
  format?: 'auto' | LogFormat;
  /** `function` or `route`; default: function for text/ecs, route for pino/nginx. */
  key?: KeyKind;
  /** Route templates (`/api/products/:sku`, `/static/*`) that win over inference. */
  routes?: string[];
  /** Only calls at or after this time (ms since the epoch, a Date, or an ISO/`YYYY-MM-DD HH:MM[:SS]` local string). */
  since?: number | Date | string;
  /** Only calls before this time. */
  until?: number | Date | string;
  /** Groups and patterns kept, by total time / count (default 20; 0 = all). */
  top?: number;
  /** Slowest calls listed (default 10). */
  slowest?: number;
  /** Memory for exact percentiles (default 256 MiB, about 32 bytes a call); past it, a 1 % sketch. */
  memoryBudgetBytes?: number;
  /** Width of the time windows of the timeline and change detection, whole seconds in ms (default: chosen for ~50–120 windows). */
  windowMs?: number;
  /**
   * Threads that read a large plain file (default 1: this thread only). The input is split at line boundaries and the parts merged in order: the result is the
   * one thread's, to the last digit. See docs/logs.md for when it splits and what it gained.
   */
  threads?: number;
  /** Inputs smaller than this (bytes, all together) are read on one thread (default 128 MiB). */
  splitMinBytes?: number;
  /** What `-` reads (default process.stdin). */
  stdin?: NodeJS.ReadableStream;
  /** Called about every 4 MiB read. */
  onProgress?(progress: { bytes: number; lines: number }): void;
  /**
   * A full garbage collection (the CLI passes V8's): run once the pass's route look-up tables (~14 MB
   * on 1M nginx lines) are dropped, so they are freed before the post-pass allocates its own. Without
   * it they go when V8 next collects its old generation, which may be after the post-pass's peak.
   */
  collectGarbage?: () => void;
}

export interface ResolvedOptions {
  files: string[];
  format: 'auto' | LogFormat;
  key: KeyKind | null;
  routes: RouteTemplate[];
  sinceMs: number;
  untilMs: number;
  top: number;
  slowest: number;
  memoryBudgetBytes: number;
  windowMs: number | null;
  threads: number;
  splitMinBytes: number;
  stdin: NodeJS.ReadableStream | undefined;
  onProgress: ((progress: { bytes: number; lines: number }) => void) | undefined;
  collectGarbage: (() => void) | undefined;
}

/**
 * Threads by default: one. Two threads on the 2-vCPU bench VM were slower for nginx (1.56 vs 1.24 s)
 * and text (0.81 vs 0.60 s), even for ECS (1.11 vs 1.02 s), faster only for pino (1.08 vs 1.35 s), and
 * cost 10–37 MB more peak RSS (nginx 165 MB, over the 150 MB goal): the VM often ran both threads of
 * the process on one vCPU, and each parsed ~40 % slower while both ran (BENCHMARKS.md, Log analysis).
 */
const DEFAULT_THREADS = 1;
export const MAX_THREADS = 64;
/**
 * Below this, a worker's start-up and the merge cost more than the second thread saves: on 40 MB nginx
 * and ECS logs two threads were 0.02–0.06 s slower, on 205 and 375 MB 0.13 and 0.23 s faster
 * (BENCHMARKS.md, Log analysis).
 */
const DEFAULT_SPLIT_MIN_BYTES = 128 * 1024 * 1024;

const KNOWN = new Set(['files', 'format', 'key', 'routes', 'since', 'until', 'top', 'slowest', 'memoryBudgetBytes', 'windowMs', 'threads', 'splitMinBytes', 'stdin', 'onProgress', 'collectGarbage']);

/** Parses a time given by a user: ms since the epoch, a Date, ISO 8601, or local `YYYY-MM-DD[ HH:MM[:SS[.mmm]]]`. */
export function parseTime(value: number | Date | string, what: string): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (value instanceof Date && Number.isFinite(value.getTime())) return value.getTime();
  if (typeof value === 'string') {
    const text = value.trim();
    const local = /^(\d{4})-(\d\d)-(\d\d)(?:[ T](\d\d):(\d\d)(?::(\d\d)(?:[.,](\d{1,3}))?)?)?$/.exec(text);
    if (local) {
      const [, y, mo, d, h = '0', mi = '0', s = '0', ms = '0'] = local;
      const date = new Date(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), Number(ms.padEnd(3, '0')));
      if (date.getDate() === Number(d) && date.getMonth() === Number(mo) - 1) return date.getTime();
    } else if (/^\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d(\.\d+)?)?(Z|[+-]\d\d:?\d\d)$/.test(text)) {
      const t = Date.parse(text.replace(' ', 'T'));
      if (Number.isFinite(t)) return t;
    }
  }
  throw usageError(`${what} must be a time like 2026-11-24T18:00:00Z or '2026-11-24 18:00' (local), got ${inspect(value)}`);
}

export function resolveOptions(options: AnalyzeLogsOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) throw usageError(`analyzeLogs() expects an options object, got ${inspect(options)}`);
  for (const k of Object.keys(options)) {
    if (!KNOWN.has(k)) throw usageError(`analyzeLogs(): unknown option "${k}" (known: ${[...KNOWN].join(', ')})`);
  }
  const { files } = options;
  if (!Array.isArray(files) || files.length === 0 || files.some((f) => typeof f !== 'string' || f === '')) {
    throw usageError(`analyzeLogs(): files must be a non-empty list of paths ('-' for stdin), got ${inspect(files)}`);
  }
  if (files.filter((f) => f === '-').length > 1) throw usageError("analyzeLogs(): stdin ('-') can be read only once");
  const format = options.format ?? 'auto';
  if (format !== 'auto' && !isLogFormat(format)) {
    throw usageError(`unknown log format '${String(format)}' (supported: auto, ${logFormats.join(', ')})`);
  }
  const key = options.key ?? null;
  if (key !== null && key !== 'function' && key !== 'route') throw usageError(`key must be function or route, got ${inspect(key)}`);
  const routes = (options.routes ?? []).map((r) => new RouteTemplate(r));
  const sinceMs = options.since === undefined ? -Infinity : parseTime(options.since, 'since');
  const untilMs = options.until === undefined ? Infinity : parseTime(options.until, 'until');
  if (sinceMs >= untilMs) throw usageError('since must be before until');
  const count = (v: number | undefined, name: string, dflt: number): number => {
    if (v === undefined) return dflt;
    if (!Number.isInteger(v) || v < 0) throw usageError(`${name} must be a whole number >= 0, got ${inspect(v)}`);
    return v;
  };
  const budget = options.memoryBudgetBytes ?? 256 * 1024 * 1024;
  if (!(typeof budget === 'number' && budget >= 0 && budget <= Number.MAX_SAFE_INTEGER)) {
    throw usageError(`memoryBudgetBytes must be a number of bytes >= 0, got ${inspect(budget)}`);
  }
  const windowMs = options.windowMs ?? null;
  // calls are placed in windows by whole seconds (call-table.ts)
  if (windowMs !== null && !(typeof windowMs === 'number' && windowMs >= 1000 && windowMs % 1000 === 0 && Number.isFinite(windowMs))) {
    throw usageError(`windowMs must be a whole number of seconds (in ms, at least 1000), got ${inspect(windowMs)}`);
  }
  const threads = options.threads ?? DEFAULT_THREADS;
  if (!(Number.isInteger(threads) && threads >= 1 && threads <= MAX_THREADS)) {
    throw usageError(`threads must be a whole number from 1 to ${MAX_THREADS}, got ${inspect(threads)}`);
  }
  for (const name of ['onProgress', 'collectGarbage'] as const) {
    // a bad callback is found here, not after the whole input was read
    if (options[name] !== undefined && typeof options[name] !== 'function') throw usageError(`${name} must be a function, got ${inspect(options[name])}`);
  }
  const splitMinBytes = options.splitMinBytes ?? DEFAULT_SPLIT_MIN_BYTES;
  if (!(typeof splitMinBytes === 'number' && splitMinBytes >= 0 && Number.isFinite(splitMinBytes))) {
    throw usageError(`splitMinBytes must be a number of bytes >= 0, got ${inspect(splitMinBytes)}`);
  }
  return {
    files: [...files],
    format,
    key,
    routes,
    sinceMs,
    untilMs,
    top: count(options.top, 'top', 20),
    slowest: count(options.slowest, 'slowest', 10),
    memoryBudgetBytes: budget,
    windowMs,
    threads,
    splitMinBytes,
    stdin: options.stdin,
    onProgress: options.onProgress,
    collectGarbage: options.collectGarbage,
  };
}
