/**
 * The one timing mechanism behind `startTimer()`, `time(fn)` and the `@timed()` decorator: a monotonic
 * clock read at start and end (never on a plain record path), seconds reported to a sink.
 */

/** Runs `fn`, reports its duration in seconds to `done` (also when it throws or its promise rejects). */
export function timeCall<R>(fn: () => R, done: (seconds: number) => void): R {
  const start = performance.now();
  let result: R;
  try {
    result = fn();
  } catch (err) {
    done((performance.now() - start) / 1000);
    throw err;
  }
  if (result !== null && typeof result === 'object' && typeof (result as { then?: unknown }).then === 'function') {
    const report = (): void => done((performance.now() - start) / 1000);
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
  done((performance.now() - start) / 1000);
  return result;
}

/** A stop function: returns the elapsed seconds after recording them through `record`. */
export function startClock<L>(record: (seconds: number, endLabels: L | undefined) => void): (endLabels?: L) => number {
  const start = performance.now();
  return (endLabels?: L) => {
    const seconds = (performance.now() - start) / 1000;
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
    if (typeof fn !== 'function') throw new TypeError('timed() decorates functions and methods only');
    const wrapped = function (this: unknown, ...args: Parameters<F>): ReturnType<F> {
      return timeCall(() => fn.apply(this, args) as ReturnType<F>, record);
    };
    Object.defineProperty(wrapped, 'name', { value: fn.name });
    return wrapped as unknown as F;
  };
}
