/**
 * `measure(name, fn)`: times a block, the `with timer:` of this world. Same recorder and clock as
 * `timed()`; the recorder for a (registry, log, name) is made once and then looked up (two WeakMap
 * and one Map lookups a call), so a wrapper made once with `timed()` stays the cheaper form in loops.
 */
import { inspect } from 'node:util';
import { globalRegistry } from '../metrics/registry.js';
import type { Registry } from '../metrics/registry.js';
import type { CallLogSource } from './call-log.js';
import { timeCall } from '../metrics/timer.js';
import { CallRecorder, resolveRecorderOptions } from './recorder.js';
import { usageError } from '../core/errors.js';

export interface MeasureOptions {
  /** Registry of `function_duration_seconds` (default: the default registry); `null` for no metric. */
  registry?: Registry | null;
  /** Performance log to write the call to (createPerformanceLog()). */
  log?: CallLogSource;
}

const NO_REGISTRY = {};
const NO_LOG = {};
const recorders = new WeakMap<object, WeakMap<object, Map<string, CallRecorder>>>();

function recorderFor(name: string, options: MeasureOptions | undefined): CallRecorder {
  const registry = options?.registry === undefined ? globalRegistry : options.registry;
  const log = options?.log;
  const byLog = recorders.get(registry ?? NO_REGISTRY);
  const byName = byLog?.get(log ?? NO_LOG);
  const found = byName?.get(name);
  if (found !== undefined) return found;
  const resolved = resolveRecorderOptions(options?.registry, log, 'measure()', globalRegistry);
  const rec = new CallRecorder(name, resolved);
  let logs = byLog;
  if (logs === undefined) recorders.set(registry ?? NO_REGISTRY, (logs = new WeakMap()));
  let names = byName;
  if (names === undefined) logs.set(log ?? NO_LOG, (names = new Map()));
  names.set(name, rec);
  return rec;
}

/**
 * Runs `fn` and records its duration under `name`, ending the call as `timed()` does (a promise it
 * returns is timed until it settles and returned in its place, settling the same way; a generator
 * function is timed over its iteration). Errors pass through unchanged, recorded as `error`.
 */
export function measure<R>(name: string, fn: () => R, options?: MeasureOptions): R {
  if (typeof name !== 'string' || name === '') throw usageError(`measure(): name must be a non-empty string, got ${inspect(name)}`);
  if (typeof fn !== 'function') throw usageError(`measure(): fn must be a function, got ${inspect(fn)}`);
  return timeCall(fn, recorderFor(name, options).record);
}
