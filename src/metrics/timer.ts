/**
 * The one timing mechanism behind every face: `startTimer()` (a stop function), `time(fn)` (a call timed
 * now), `timed()` / `@timed()` (a wrapper or method decorator) on histograms, summaries and gauges, and
 * timing's `timed()` and `measure()`. A monotonic clock is read at start and end (never on a plain
 * record path) and the seconds go to a sink. What counts as the end of a call is decided here, once:
 *
 * - a call that returns: at return; one that throws: at the throw (reported with the thrown value);
 * - a native Promise (async functions): when it settles; a rejection is reported as a failure and the
 *   caller gets a promise settling the same way (same value, same error object);
 * - any other thenable (a lazy query builder) is returned untouched and the call ends at return:
 *   calling its `then()` would start work the caller may never ask for;
 * - a generator function (sync or async): from the first `next()` until it returns, throws or is
 *   closed by `return()` (a `for...of` that breaks): the wall time of the iteration, including the
 *   consumer's time between steps, which is what a caller waits for. A generator dropped unfinished
 *   records nothing.
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

/** A thrown value (anything, even `undefined`) wrapped, so "no error" stays distinguishable. */
export class Thrown {
  constructor(readonly error: unknown) {}
}

/** Receives each timed call's duration, and what it threw (undefined when it ended normally). */
export type CallSink = (seconds: number, thrown: Thrown | undefined) => void;

/** A stop function: returns the elapsed seconds after recording them through `record`. */
export function startClock<L>(record: (seconds: number, endLabels: L | undefined) => void): (endLabels?: L) => number {
  const start = clockStart();
  return (endLabels?: L) => {
    const seconds = secondsSince(start);
    record(seconds, endLabels);
    return seconds;
  };
}

/** Reports the end of a promise's call to `sink`; returns a promise settling the same way. */
function settle<T>(promise: Promise<T>, startMs: number, sink: CallSink): Promise<T> {
  return promise.then(
    (value) => {
      sink(secondsSince(startMs), undefined);
      return value;
    },
    (error: unknown) => {
      sink(secondsSince(startMs), new Thrown(error));
      throw error;
    },
  );
}

const GeneratorFunctionPrototype: unknown = Object.getPrototypeOf(function* () {});
const AsyncGeneratorFunctionPrototype: unknown = Object.getPrototypeOf(async function* () {});

type AnyFunction = (...args: never[]) => unknown;

/** A wrapper of `fn` timing every call into `sink`, with fn's `name` and `length`, `this` passed through. */
export function timeFunction<F extends AnyFunction>(fn: F, sink: CallSink): F {
  const proto: unknown = Object.getPrototypeOf(fn);
  let wrapper: (this: unknown, ...args: unknown[]) => unknown;
  if (proto === GeneratorFunctionPrototype) {
    const gen = fn as unknown as (...args: unknown[]) => Generator;
    wrapper = function* (this: unknown, ...args: unknown[]): Generator {
      // a generator body runs at the first next(): that is where the clock starts
      const start = clockStart();
      let failed = false;
      try {
        return yield* gen.apply(this, args);
      } catch (error) {
        failed = true;
        sink(secondsSince(start), new Thrown(error));
        throw error;
      } finally {
        if (!failed) sink(secondsSince(start), undefined);
      }
    };
  } else if (proto === AsyncGeneratorFunctionPrototype) {
    const gen = fn as unknown as (...args: unknown[]) => AsyncGenerator;
    wrapper = async function* (this: unknown, ...args: unknown[]): AsyncGenerator {
      const start = clockStart();
      let failed = false;
      try {
        return yield* gen.apply(this, args);
      } catch (error) {
        failed = true;
        sink(secondsSince(start), new Thrown(error));
        throw error;
      } finally {
        if (!failed) sink(secondsSince(start), undefined);
      }
    };
  } else {
    const call = fn as unknown as (...args: unknown[]) => unknown;
    // callTimed's body inlined: a call less per timed call (bench/timing-ab.ts)
    wrapper = function (this: unknown, ...args: unknown[]): unknown {
      const start = clockStart();
      let result: unknown;
      try {
        result = call.apply(this, args);
      } catch (error) {
        sink(secondsSince(start), new Thrown(error));
        throw error;
      }
      if (typeof result === 'object' && result instanceof Promise) return settle(result, start, sink);
      sink(secondsSince(start), undefined);
      return result;
    };
  }
  Object.defineProperty(wrapper, 'name', { value: fn.name, configurable: true });
  Object.defineProperty(wrapper, 'length', { value: fn.length, configurable: true });
  return wrapper as unknown as F;
}

/** Runs `fn` now, timed into `sink`; returns its result (a promise or generator in its timed form). */
export function timeCall<R>(fn: () => R, sink: CallSink): R {
  if (typeof fn !== 'function') throw usageError(`time(fn): fn must be a function, got ${typeof fn}`);
  const proto: unknown = Object.getPrototypeOf(fn);
  if (proto === GeneratorFunctionPrototype || proto === AsyncGeneratorFunctionPrototype) return timeFunction(fn, sink)();
  // the wrapper's body, with a direct call: `fn.apply(undefined, [])` measured ~15 % slower per time() here
  const start = clockStart();
  let result: R;
  try {
    result = fn();
  } catch (error) {
    sink(secondsSince(start), new Thrown(error));
    throw error;
  }
  if (typeof result === 'object' && result instanceof Promise) return settle(result, start, sink) as R;
  sink(secondsSince(start), undefined);
  return result;
}

/**
 * A decorator that times every call of a method (TC39 / TypeScript 5 decorators), or, called with a
 * function, returns a timed wrapper of it: `@histogram.timed()` or `histogram.timed()(fn)`.
 */
export function timedDecorator(sink: CallSink) {
  return function <F extends AnyFunction>(fn: F, _context?: unknown): F {
    if (typeof fn !== 'function') throw usageError('timed() decorates functions and methods only');
    return timeFunction(fn, sink);
  };
}
