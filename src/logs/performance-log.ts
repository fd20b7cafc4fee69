/**
 * The performance log: one line per timed call (or only slow, failed or sampled calls), in Python
 * logging's text layout or as ECS JSON, appended to a file off the event loop (file-writer.ts, which
 * says why it is not pino's destination), or handed to a pino logger the application already has.
 *
 * Contract: `createPerformanceLog` settles everything at once: bad options and a file that cannot be
 * opened throw there, synchronously, with the path in the message. Recording never throws and never
 * blocks: a line is queued in memory and written by libuv's thread pool. Lines written
 * before the process exits (normally, through `process.exit()`, or on an uncaught exception) reach the
 * file: the `exit` handler flushes synchronously. A fatal signal (SIGTERM without a handler, SIGKILL)
 * skips `exit`; services that handle SIGTERM should `await log.close()` in their shutdown.
 */
import { constants, openSync } from 'node:fs';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { inspect } from 'node:util';
import { fromErrno, usageError } from '../core/errors.js';
import type { CallLog, CallLogSource } from '../timing/call-log.js';
import { EcsLineBuilder, IsoTimestampFormatter, durationNs, type EcsIdentity } from './ecs.js';
import { LineWriter } from './file-writer.js';
import {
  AsctimeFormatter,
  callMessages,
  capText,
  DEFAULT_MAX_MESSAGE_CHARS,
  errorParts,
  escapeText,
  formatSeconds,
  textLine,
  type Lang,
} from './text-format.js';

export type PerformanceLogFormat = 'text' | 'json';
/** pino's level names; a timed call is logged at `info` (success) or `error` (failure). */
export type PerformanceLogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

/** The part of a pino logger the performance log uses (any pino-compatible logger fits). */
export interface PinoLikeLogger {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
  isLevelEnabled?(level: string): boolean;
  flush?(cb?: (err?: Error | null) => void): void;
}

export interface PerformanceLogOptions {
  /** File to append to (created if missing; its directory must exist). Exclusive with `logger`. */
  file?: string;
  /** A pino logger to write to instead of a file; its own format and destination apply. */
  logger?: PinoLikeLogger;
  /** Logger name in every line (`%(name)s`, ECS `log.logger`). Default `performance_monitor`. */
  name?: string;
  /** `text` (default): Python logging's layout; `json`: one ECS object per line. File logs only. */
  format?: PerformanceLogFormat;
  /** Lowest level written: `info` (default) writes successes and failures, `warn`/`error` failures only. */
  level?: PerformanceLogLevel;
  /** Write successful calls only when they took at least this long (failures are always written). */
  slowerThanMs?: number;
  /** Write this share (0..1) of successful calls, chosen at random; with `slowerThanMs`, slow calls are
   * written as well. Failures are always written. */
  sampleRate?: number;
  /** Wording of the message: `en` (default) or `ko` (`함수 f 실행 시간: 0.123456초`). */
  lang?: Lang;
  /** ECS `service.name` in JSON lines. */
  serviceName?: string;
  /**
   * Longest error message, stack trace or function name written, in characters (default 8,192); longer
   * ones are cut and marked `… [cut: N chars]`, so one huge error cannot make a huge line.
   */
  maxMessageChars?: number;
}

export type { CallLog };

/** A performance log: the CallLogSource that timed() and measure() write to. */
export interface PerformanceLog extends CallLogSource {
  /** Logger name written in every line. */
  readonly name: string;
  /** `text`, `json`, or `pino` when writing to a given logger. */
  readonly format: PerformanceLogFormat | 'pino';
  /** Absolute path of the file, or undefined for a pino logger. */
  readonly file: string | undefined;
  /** Lines written or waiting to be written (after filters; dropped ones not counted). */
  readonly lines: number;
  /**
   * Lines lost: refused because more than 16 Mi characters wait (the file cannot keep up, or a fault
   * lasts), or given up on at close/exit during a fault, or after a fault that cannot pass. With `lines`,
   * every line the log was asked to write is accounted for.
   */
  readonly dropped: number;
  /** The writer for one function; `timed()` calls it once per wrapper. */
  forFunction(fn: string): CallLog;
  /** Resolves when every line accepted so far has been written. */
  flush(): Promise<void>;
  /** Writes everything buffered now, blocking (for shutdown paths). */
  flushSync(): void;
  /** Flushes and releases the file (or flushes the given logger). Later lines are dropped. Idempotent. */
  close(): Promise<void>;
}

const LEVELS: Record<PerformanceLogLevel, number> = {
  trace: 10,
  debug: 20,
  info: 30,
  warn: 40,
  error: 50,
  fatal: 60,
  silent: Infinity,
};

const OPTION_KEYS = new Set([
  'file',
  'logger',
  'name',
  'format',
  'level',
  'slowerThanMs',
  'sampleRate',
  'lang',
  'serviceName',
  'maxMessageChars',
]);

interface Resolved {
  name: string;
  /** The name as the text format writes it (escaped, capped). */
  textName: string;
  maxMessageChars: number;
  lang: Lang;
  infoEnabled: boolean;
  errorEnabled: boolean;
  /** True when successes are filtered (by slowness or sampling). */
  filtered: boolean;
  slowerThanSeconds: number;
  sampleRate: number;
}

function resolveOptions(options: PerformanceLogOptions): Resolved {
  if (typeof options !== 'object' || options === null) {
    throw usageError(`createPerformanceLog() expects an options object, got ${inspect(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!OPTION_KEYS.has(key)) {
      throw usageError(`createPerformanceLog(): unknown option "${key}" (known: ${[...OPTION_KEYS].join(', ')})`);
    }
  }
  const name = options.name ?? 'performance_monitor';
  if (typeof name !== 'string' || name === '') throw usageError(`performance log name must be a non-empty string, got ${inspect(name)}`);
  const lang = options.lang ?? 'en';
  if (lang !== 'en' && lang !== 'ko') throw usageError(`performance log lang must be "en" or "ko", got ${inspect(lang)}`);
  const level = options.level ?? 'info';
  if (!Object.hasOwn(LEVELS, level)) {
    throw usageError(`performance log level must be one of ${Object.keys(LEVELS).join(', ')}, got ${inspect(level)}`);
  }
  const { slowerThanMs, sampleRate } = options;
  if (slowerThanMs !== undefined && !(typeof slowerThanMs === 'number' && slowerThanMs >= 0 && slowerThanMs < Infinity)) {
    throw usageError(`performance log slowerThanMs must be a finite number >= 0, got ${inspect(slowerThanMs)}`);
  }
  if (sampleRate !== undefined && !(typeof sampleRate === 'number' && sampleRate >= 0 && sampleRate <= 1)) {
    throw usageError(`performance log sampleRate must be a number from 0 to 1, got ${inspect(sampleRate)}`);
  }
  if (options.serviceName !== undefined && typeof options.serviceName !== 'string') {
    throw usageError(`performance log serviceName must be a string, got ${inspect(options.serviceName)}`);
  }
  const maxMessageChars = options.maxMessageChars ?? DEFAULT_MAX_MESSAGE_CHARS;
  if (!(Number.isInteger(maxMessageChars) && maxMessageChars >= 64)) {
    throw usageError(`performance log maxMessageChars must be an integer >= 64, got ${inspect(maxMessageChars)}`);
  }
  const threshold = LEVELS[level];
  return {
    name,
    textName: escapeText(capText(name, maxMessageChars)),
    maxMessageChars,
    lang,
    infoEnabled: LEVELS.info >= threshold,
    errorEnabled: LEVELS.error >= threshold,
    filtered: slowerThanMs !== undefined || sampleRate !== undefined,
    slowerThanSeconds: slowerThanMs === undefined ? Infinity : slowerThanMs / 1000,
    sampleRate: sampleRate ?? 0,
  };
}

/**
 * Opens a performance log. Exactly one of `file` and `logger`.
 *
 *   const log = createPerformanceLog({ file: 'app_performance.log' });
 *   const f = timed(exampleFunction, { log });
 */
export function createPerformanceLog(options: PerformanceLogOptions): PerformanceLog {
  const r = resolveOptions(options);
  const hasFile = options.file !== undefined;
  const hasLogger = options.logger !== undefined;
  if (hasFile === hasLogger) {
    throw usageError('createPerformanceLog() needs exactly one of `file` (a path) and `logger` (a pino logger)');
  }
  if (hasLogger) {
    const logger = options.logger!;
    if (typeof logger !== 'object' || logger === null || typeof logger.info !== 'function' || typeof logger.error !== 'function') {
      throw usageError(`createPerformanceLog(): logger must be a pino logger (info/error methods), got ${inspect(logger)}`);
    }
    if (options.format !== undefined) {
      throw usageError('createPerformanceLog(): `format` applies to file logs; a pino logger writes its own format');
    }
    return new PinoPerformanceLog(r, logger);
  }
  const format = options.format ?? 'text';
  if (format !== 'text' && format !== 'json') {
    throw usageError(`performance log format must be "text" or "json", got ${inspect(format)}`);
  }
  if (typeof options.file !== 'string' || options.file === '') {
    throw usageError(`performance log file must be a non-empty path, got ${inspect(options.file)}`);
  }
  return new FilePerformanceLog(r, format, resolve(options.file), options.serviceName);
}

// ---------------------------------------------------------------------------------------------------

abstract class BaseLog implements PerformanceLog {
  abstract readonly format: PerformanceLogFormat | 'pino';
  abstract readonly file: string | undefined;
  abstract readonly lines: number;
  protected closed = false;

  constructor(protected readonly r: Resolved) {}

  get name(): string {
    return this.r.name;
  }

  /** Whether a successful call of `seconds` is written: every one, or only slow or sampled ones. */
  protected keepSuccess(seconds: number): boolean {
    const r = this.r;
    if (!r.infoEnabled || this.closed) return false;
    if (!r.filtered) return true;
    return seconds >= r.slowerThanSeconds || (r.sampleRate > 0 && Math.random() < r.sampleRate);
  }

  protected keepFailure(): boolean {
    return this.r.errorEnabled && !this.closed;
  }

  get dropped(): number {
    return 0;
  }

  abstract forFunction(fn: string): CallLog;
  abstract flush(): Promise<void>;
  abstract flushSync(): void;
  abstract close(): Promise<void>;
}

/** Logs that still hold unwritten lines at exit; flushed synchronously by one `exit` listener. */
const openLogs = new Set<FilePerformanceLog>();
let exitHookInstalled = false;

function flushAllSync(): void {
  for (const log of openLogs) log.flushSync();
}

class FilePerformanceLog extends BaseLog {
  readonly format: PerformanceLogFormat;
  readonly file: string;
  private readonly writer: LineWriter;
  private readonly asctime = new AsctimeFormatter();
  private readonly iso = new IsoTimestampFormatter();
  private readonly identity: EcsIdentity;
  private closing: Promise<void> | undefined;

  constructor(r: Resolved, format: PerformanceLogFormat, file: string, serviceName: string | undefined) {
    super(r);
    this.format = format;
    this.file = file;
    let fd: number;
    try {
      // Opened here, synchronously, so a bad path fails now and not at the first timed call. O_NONBLOCK:
      // a FIFO with no reader fails at once (ENXIO) instead of blocking this call forever, and a full
      // pipe makes writes retry instead of blocking a thread-pool thread; regular files ignore it.
      fd = openSync(file, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NONBLOCK, 0o666);
    } catch (err) {
      throw fromErrno(err, `cannot open the performance log ${file}`);
    }
    this.writer = new LineWriter(fd, (message) => {
      // a failing disk must not crash the application: it is reported, retried, and lost lines counted
      process.emitWarning(`performance log ${file}: ${message}`, { code: 'PERFSCOPE_LOG_WRITE' });
    });
    this.identity = { loggerName: r.name, pid: process.pid, hostname: hostname(), serviceName };
    openLogs.add(this);
    if (!exitHookInstalled) {
      // `exit` also runs after process.exit() and after an uncaught exception has been reported
      process.on('exit', flushAllSync);
      exitHookInstalled = true;
    }
  }

  private write(line: string): void {
    this.writer.write(line);
  }

  override get lines(): number {
    return this.writer.lines;
  }

  override get dropped(): number {
    return this.writer.dropped;
  }

  forFunction(fn: string): CallLog {
    const messages = callMessages(fn, this.r.lang, this.r.maxMessageChars);
    if (this.format === 'json') {
      const ecs = new EcsLineBuilder(fn, this.identity, messages, this.r.maxMessageChars);
      return {
        success: (seconds) => {
          if (!this.keepSuccess(seconds)) return;
          this.write(ecs.success(this.iso.format(Date.now()), formatSeconds(seconds), durationNs(seconds)));
        },
        failure: (seconds, error) => {
          if (!this.keepFailure()) return;
          this.write(ecs.failure(this.iso.format(Date.now()), messages.failure(seconds, error), durationNs(seconds), error));
        },
      };
    }
    const name = this.r.textName;
    return {
      success: (seconds) => {
        if (!this.keepSuccess(seconds)) return;
        this.write(textLine(this.asctime.format(Date.now()), name, 'INFO', messages.success(seconds)));
      },
      failure: (seconds, error) => {
        if (!this.keepFailure()) return;
        this.write(textLine(this.asctime.format(Date.now()), name, 'ERROR', messages.failure(seconds, error)));
      },
    };
  }

  flush(): Promise<void> {
    return this.writer.flush();
  }

  flushSync(): void {
    this.writer.flushSync();
  }

  close(): Promise<void> {
    if (this.closing !== undefined) return this.closing;
    this.closed = true;
    this.closing = this.writer.close().then(() => {
      openLogs.delete(this);
    });
    return this.closing;
  }
}

/** Hands each call to the application's pino logger, in pino's native shape with ECS-named fields. */
class PinoPerformanceLog extends BaseLog {
  readonly format = 'pino' as const;
  readonly file = undefined;
  lines = 0;

  constructor(
    r: Resolved,
    private readonly logger: PinoLikeLogger,
  ) {
    super(r);
  }

  private enabled(level: 'info' | 'error'): boolean {
    return typeof this.logger.isLevelEnabled !== 'function' || this.logger.isLevelEnabled(level);
  }

  forFunction(fn: string): CallLog {
    const max = this.r.maxMessageChars;
    const messages = callMessages(fn, this.r.lang, max);
    const log = { logger: this.r.name, origin: { function: capText(fn, max) } };
    return {
      success: (seconds) => {
        if (!this.keepSuccess(seconds) || !this.enabled('info')) return;
        this.lines++;
        this.logger.info(
          { event: { action: 'function.call', duration: durationNs(seconds), outcome: 'success' }, log },
          messages.success(seconds),
        );
      },
      failure: (seconds, error) => {
        if (!this.keepFailure() || !this.enabled('error')) return;
        this.lines++;
        const { type, message, stack } = errorParts(error);
        // pino serializes `err` (type, message, stack); ecs-pino-format turns it into error.*. An Error
        // is passed as is unless its message or stack is over the cap: then a capped copy.
        const oversized = message.length > max || (stack !== undefined && stack.length > max);
        const err =
          error instanceof Error && !oversized
            ? error
            : { type: capText(type, max), message: capText(message, max), ...(stack === undefined ? {} : { stack: capText(stack, max) }) };
        this.logger.error(
          {
            event: { action: 'function.call', duration: durationNs(seconds), outcome: 'failure' },
            log,
            err,
          },
          messages.failure(seconds, error),
        );
      },
    };
  }

  flush(): Promise<void> {
    const logger = this.logger;
    if (typeof logger.flush !== 'function') return Promise.resolve();
    return new Promise((resolvePromise) => {
      try {
        logger.flush!(() => resolvePromise());
      } catch {
        resolvePromise();
      }
    });
  }

  flushSync(): void {
    // a pino logger's destination flushes itself at exit; nothing of ours is buffered
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.flush();
    this.closed = true;
  }
}
