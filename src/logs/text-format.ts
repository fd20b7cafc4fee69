/**
 * The text performance log: Python logging's `%(asctime)s - %(name)s - %(levelname)s - %(message)s`
 * layout, so lines written here read (and parse) like those of the classic `log_execution_time`
 * recipe: `2026-11-24 17:50:59,123 - performance_monitor - INFO - function example_function took 0.123456 s`.
 *
 * One call stays one line for every reader: a line feed or carriage return in a name or an error
 * message is written as the two characters `\n`, and every other character that splits or garbles a
 * line (other C0 controls but tab, DEL, C1 controls such as U+0085 NEL, U+2028, U+2029, all of which
 * Python's `str.splitlines()` or a terminal acts on) as `\xHH` or `\uHHHH`. Error messages and stack
 * traces are cut at `maxMessageChars` (default 8,192) characters, marked `… [cut: N chars]`.
 */
import { AsctimeFormatter } from './timestamp.js';

export { AsctimeFormatter };

export type Lang = 'en' | 'ko';

/** Python's level names for the levels a timed call can have. */
export type PythonLevelName = 'INFO' | 'WARNING' | 'ERROR';

/** Longest error message or stack trace written, in characters, unless `maxMessageChars` says otherwise. */
export const DEFAULT_MAX_MESSAGE_CHARS = 8192;

/** One-off form of {@link AsctimeFormatter.format}. */
export function asctime(epochMs: number): string {
  return new AsctimeFormatter().format(epochMs);
}

/** Seconds with 6 decimals, as the recipe prints them (`0.123456`). */
export function formatSeconds(seconds: number): string {
  return seconds.toFixed(6);
}

// eslint-disable-next-line no-control-regex -- these are the characters to escape
const LINE_BREAKING = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/;
// eslint-disable-next-line no-control-regex -- as above
const LINE_BREAKING_ALL = /\r\n|[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/g;

const hex = (c: string, width: number): string => c.charCodeAt(0).toString(16).padStart(width, '0');

/** `s` safe on one line: newlines as `\n`, other line-breaking or control characters as `\xHH`/`\uHHHH`. */
export function escapeText(s: string): string {
  if (!LINE_BREAKING.test(s)) return s;
  return s.replace(LINE_BREAKING_ALL, (c) => {
    if (c === '\n' || c === '\r' || c === '\r\n') return '\\n';
    return c <= '\u00ff' ? `\\x${hex(c, 2)}` : `\\u${hex(c, 4)}`;
  });
}

/**
 * `s` cut to `maxChars` characters (never inside a surrogate pair), with `… [cut: N chars]` appended
 * when it was longer (N is the full length), so a reader knows the text goes on.
 */
export function capText(s: string, maxChars: number): string {
  if (s.length <= maxChars) return s;
  let end = maxChars;
  const last = s.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end--;
  return `${s.slice(0, end)}… [cut: ${s.length} chars]`;
}

/** `Type: message` of a thrown value on one line, cut to `maxChars`. */
export function describeError(error: unknown, maxChars = DEFAULT_MAX_MESSAGE_CHARS): string {
  const { type, message } = errorParts(error);
  return escapeText(capText(message === '' ? type : `${type}: ${message}`, maxChars));
}

/** The type name and message of a thrown value (anything can be thrown, not only Errors). */
export function errorParts(error: unknown): { type: string; message: string; stack: string | undefined } {
  if (error instanceof Error) {
    const type = error.name !== 'Error' || error.constructor === Error ? error.name : error.constructor.name;
    return { type, message: safeString(error.message), stack: typeof error.stack === 'string' ? error.stack : undefined };
  }
  if (typeof error === 'object' && error !== null) {
    const e = error as { name?: unknown; message?: unknown };
    const type = typeof e.name === 'string' ? e.name : (error.constructor?.name ?? 'Object');
    return { type, message: typeof e.message === 'string' ? e.message : safeString(error), stack: undefined };
  }
  return { type: error === null ? 'null' : typeof error, message: safeString(error), stack: undefined };
}

function safeString(v: unknown): string {
  try {
    return String(v);
  } catch {
    return Object.prototype.toString.call(v);
  }
}

/**
 * The message of a timed call. The parts that depend only on the function are built (and escaped)
 * once per function, so a line costs one `toFixed(6)` and a concatenation: a success message is
 * `okPrefix + formatSeconds(seconds) + okSuffix`.
 */
export interface CallMessages {
  readonly okPrefix: string;
  readonly okSuffix: string;
  success(seconds: number): string;
  failure(seconds: number, error: unknown): string;
}

export function callMessages(fn: string, lang: Lang, maxChars = DEFAULT_MAX_MESSAGE_CHARS): CallMessages {
  const name = escapeText(capText(fn, maxChars));
  if (lang === 'ko') {
    // The recipe's own Korean wording: 함수 example_function 실행 시간: 0.123456초
    const ok = `함수 ${name} 실행 시간: `;
    const failed = `함수 ${name} 실행 실패 (`;
    return {
      okPrefix: ok,
      okSuffix: '초',
      success: (seconds) => `${ok}${formatSeconds(seconds)}초`,
      failure: (seconds, error) => `${failed}${formatSeconds(seconds)}초 후): ${describeError(error, maxChars)}`,
    };
  }
  const ok = `function ${name} took `;
  const failed = `function ${name} failed after `;
  return {
    okPrefix: ok,
    okSuffix: ' s',
    success: (seconds) => `${ok}${formatSeconds(seconds)} s`,
    failure: (seconds, error) => `${failed}${formatSeconds(seconds)} s: ${describeError(error, maxChars)}`,
  };
}

/** `asctime - name - LEVEL - message\n` (the logger name escaped by the caller, once). */
export function textLine(asctimeText: string, loggerName: string, level: PythonLevelName, message: string): string {
  return `${asctimeText} - ${loggerName} - ${level} - ${message}\n`;
}
