/**
 * Where a timed call is reported besides its histogram: the contract timing owns and a performance log
 * (src/logs/) implements, so timing depends on no log format and logs depend on timing, not the reverse
 * (as the store implements the sampler's RunSink).
 */

/** The writer for one function, made once per timed wrapper. Must never throw and never block. */
export interface CallLog {
  /** A call that returned (or whose promise resolved / generator finished) after `seconds`. */
  success(seconds: number): void;
  /** A call that threw (or rejected) `error` after `seconds`; `error` is whatever was thrown. */
  failure(seconds: number, error: unknown): void;
}

/** What `timed({ log })` and `measure(name, fn, { log })` accept: a performance log, or anything that hands out CallLogs. */
export interface CallLogSource {
  /** The writer for the function named `fn` (the `function` label value). */
  forFunction(fn: string): CallLog;
}
