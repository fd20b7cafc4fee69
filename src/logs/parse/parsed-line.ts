/**
 * What a log parser makes of one line: a timed call (function or route key, duration, time, level),
 * another well-formed line (which may still carry a warning or error message for pattern mining), or
 * a malformed line with the kind of fault. One object is reused for every line: parsers fill it, the
 * analyzer reads it before the next line.
 */

/** `parse` results. */
export const CALL = 0;
export const OTHER = 1;
export const MALFORMED = 2;
export type ParseResult = typeof CALL | typeof OTHER | typeof MALFORMED;

/** Levels: INFO (and DEBUG), WARNING, ERROR (and CRITICAL/fatal). */
export const INFO = 0;
export const WARN = 1;
export const ERROR = 2;
export type Level = typeof INFO | typeof WARN | typeof ERROR;
export const levelNames = ['INFO', 'WARNING', 'ERROR'] as const;

/** Why a line was not usable. */
export type MalformedKind =
  /** starts like a line of the format but stops before its end */
  | 'truncated'
  /** invalid UTF-8 or control characters */
  | 'binary'
  /** a line of something else (a traceback, another program's output, another format) */
  | 'foreign'
  /** the shape is right but a duration or time is not a usable number (`nan`, `null`, `-`, negative) */
  | 'bad-value'
  /** longer than the reader's line limit */
  | 'overlong';

export const malformedKinds: readonly MalformedKind[] = ['truncated', 'binary', 'foreign', 'bad-value', 'overlong'];

export class ParsedLine {
  /** Function-name id (in the parser's `functions` cache), or -1 when the line names none. */
  fn = -1;
  /** HTTP method id (in the parser's `methods` cache), or -1 when the line is not a request. */
  method = -1;
  /** The request target (path and query) as bytes `urlBuf[urlStart, urlEnd)`, when `method >= 0`. */
  urlBuf: Uint8Array | null = null;
  urlStart = 0;
  urlEnd = 0;
  /** A request whose request line is not `METHOD target …` (nginx logs what it got: `-`, TLS bytes). */
  badRequest = false;
  /** HTTP status, 0 when none. */
  status = 0;
  /** Duration of the call in seconds. */
  seconds = NaN;
  /** Time of the line, ms since the epoch; NaN when the line has none. */
  timeMs = NaN;
  level: Level = INFO;
  /** The call failed: ERROR level, `event.outcome: failure` or status >= 500. */
  failed = false;
  /** The message of a WARNING/ERROR line for pattern mining (`Type: message` for failures), else null. */
  message: string | null = null;
  kind: MalformedKind = 'foreign';
  /** What exactly is wrong, for the examples. */
  reason = '';

  reset(): void {
    this.fn = -1;
    this.method = -1;
    this.urlBuf = null;
    this.badRequest = false;
    this.status = 0;
    this.seconds = NaN;
    this.timeMs = NaN;
    this.level = INFO;
    this.failed = false;
    this.message = null;
  }

  malformed(kind: MalformedKind, reason: string): typeof MALFORMED {
    this.kind = kind;
    this.reason = reason;
    return MALFORMED;
  }
}
