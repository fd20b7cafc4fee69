/**
 * The text performance log: Python logging's `%(asctime)s - %(name)s - %(levelname)s - %(message)s`
 * layout, so lines written here read (and parse) like those of the classic `log_execution_time`
 * recipe: `2026-11-24 17:50:59,123 - performance_monitor - INFO - function example_function took 0.123456 s`.
 */
import { AsctimeFormatter } from './timestamp.js';

export { AsctimeFormatter };

export type Lang = 'en' | 'ko';

/** Python's level names for the levels a timed call can have. */
export type PythonLevelName = 'INFO' | 'WARNING' | 'ERROR';


/** One-off form of {@link AsctimeFormatter.format}. */
export function asctime(epochMs: number): string {
  return new AsctimeFormatter().format(epochMs);
}

/** Seconds with 6 decimals, as the recipe prints them (`0.123456`). */
export function formatSeconds(seconds: number): string {
  return seconds.toFixed(6);
}

/** `Type: message` of a thrown value, on one line (newlines escaped, so one call stays one line). */
export function describeError(error: unknown): string {
  const { type, message } = errorParts(error);
  return oneLine(message === '' ? type : `${type}: ${message}`);
}

/** The type name and message of a thrown value (anything can be thrown, not only Errors). */
export function errorParts(error: unknown): { type: string; message: string; stack: string | undefined } {
  if (error instanceof Error) {
    const type = error.name !== 'Error' || error.constructor === Error ? error.name : error.constructor.name;
    return { type, message: String(error.message), stack: typeof error.stack === 'string' ? error.stack : undefined };
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

export function oneLine(s: string): string {
  return s.includes('\n') || s.includes('\r') ? s.replace(/\r\n|\r|\n/g, '\\n') : s;
}

/**
 * The message of a timed call. The parts that depend only on the function are built once per function
 * (`prefix`/`suffix`), so a line costs one `toFixed(6)` and a concatenation.
 */
export interface CallMessages {
  success(seconds: number): string;
  failure(seconds: number, error: unknown): string;
}

export function callMessages(fn: string, lang: Lang): CallMessages {
  const name = oneLine(fn);
  if (lang === 'ko') {
    // The recipe's own Korean wording: 함수 example_function 실행 시간: 0.123456초
    const ok = `함수 ${name} 실행 시간: `;
    const failed = `함수 ${name} 실행 실패 (`;
    return {
      success: (seconds) => `${ok}${formatSeconds(seconds)}초`,
      failure: (seconds, error) => `${failed}${formatSeconds(seconds)}초 후): ${describeError(error)}`,
    };
  }
  const ok = `function ${name} took `;
  const failed = `function ${name} failed after `;
  return {
    success: (seconds) => `${ok}${formatSeconds(seconds)} s`,
    failure: (seconds, error) => `${failed}${formatSeconds(seconds)} s: ${describeError(error)}`,
  };
}

/** `asctime - name - LEVEL - message\n`. */
export function textLine(asctimeText: string, loggerName: string, level: PythonLevelName, message: string): string {
  return `${asctimeText} - ${loggerName} - ${level} - ${message}\n`;
}
