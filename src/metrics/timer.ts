/**
 * The one timing mechanism behind `startTimer()`, `time(fn)` and the `@timed()` decorator: a monotonic
 * clock read at start and end (never on a plain record path), seconds reported to a sink.
 */
import { usageError } from '../core/errors.js';

/**
 * The one clock every timer reads (startTimer, time, timed, @timed, measure): monotonic milliseconds
 * from performance.now(), cheaper here than process.hrtime.bigint() (two reads 75.6 vs 78.5 ns,
 * bench/timing.bench.ts) and with no BigInt per read.
 */
export const clockStart = (): number => performance.now();

/** Seconds elapsed since `startMs` (a clockStart() reading). */
export const secondsSince = (startMs: number): number => (performance.now() - startMs) / 1000;

/** Runs `fn`, reports its duration in seconds to `done` (also when it throws or its promise rejects). */
export function timeCall<R>(fn: () => R, done: (seconds: number) => void): R {
  const start = clockStart();
  let result: R;
  try {
    result = fn();
  } catch (err) {
    done(secondsSince(start));
    throw err;
  }
  if (result !== null && typeof result === 'object' && typeof (result as { then?: unknown }).then === 'function') {
    const report = (): void => done(secondsSince(start));
    return (result as unknown as Promise<unknown>).then(
      (v) => {
        report();
        return v;
      },
      (err: unknown) => {
        report();
        throw err;
      },
    ) as R;
  }
  done(secondsSince(start));
  return result;
}

/** A stop function: returns the elapsed seconds after recording them through `record`. */
export function startClock<L>(record: (seconds: number, endLabels: L | undefined) => void): (endLabels?: L) => number {
  const start = clockStart();
  return (endLabels?: L) => {
    const seconds = secondsSince(start);
    record(seconds, endLabels);
    return seconds;
  };
}

type AnyFunction = (...args: never[]) => unknown;

/**
 * A decorator that times every call of a method (TC39 / TypeScript 5 decorators), or, called with a
 * function, returns a timed wrapper of it: `@histogram.timed()` or `histogram.timed()(fn)`.
 */
export function timedDecorator(record: (seconds: number) => void) {
  return function <F extends AnyFunction>(fn: F, _context?: unknown): F {
    if (typeof fn !== 'function') throw usageError('timed() decorates functions and methods only');
    const wrapped = function (this: unknown, ...args: Parameters<F>): ReturnType<F> {
      return timeCall(() => fn.apply(this, args) as ReturnType<F>, record);
    };
    Object.defineProperty(wrapped, 'name', { value: fn.name });
    return wrapped as unknown as F;
  };
}
