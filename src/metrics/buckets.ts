/** Bucket layouts for histograms (prom-client's generators, with the bad argument named). */
import { usageError } from '../core/errors.js';

/** prom-client's (and client_golang's) default buckets, in seconds. */
export const DEFAULT_BUCKETS: readonly number[] = Object.freeze([
  0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
]);

/** `count` buckets: start, start+width, ... */
export function linearBuckets(start: number, width: number, count: number): number[] {
  if (!(count >= 1)) throw usageError(`Linear buckets needs a positive count, got ${count}`);
  const out = new Array<number>(count);
  for (let i = 0; i < count; i++) out[i] = start + i * width;
  return out;
}

/** `count` buckets: start, start*factor, start*factor^2, ... */
export function exponentialBuckets(start: number, factor: number, count: number): number[] {
  if (!(start > 0)) throw usageError(`Exponential buckets needs a positive start, got ${start}`);
  if (!(count >= 1)) throw usageError(`Exponential buckets needs a positive count, got ${count}`);
  if (!(factor > 1)) throw usageError(`Exponential buckets needs a factor greater than 1, got ${factor}`);
  const out = new Array<number>(count);
  let b = start;
  for (let i = 0; i < count; i++) {
    out[i] = b;
    b *= factor;
  }
  return out;
}

/** Validates user buckets: finite, strictly increasing; a trailing +Inf is dropped (it is implicit). */
export function resolveBuckets(metric: string, buckets: readonly unknown[] | undefined): Float64Array {
  const src = buckets ?? DEFAULT_BUCKETS;
  if (!Array.isArray(src)) throw usageError(`Histogram "${metric}": buckets must be an array of numbers`);
  const list = src.slice() as unknown[];
  if (list.length > 0 && list[list.length - 1] === Infinity) list.pop();
  for (let i = 0; i < list.length; i++) {
    const b = list[i];
    if (typeof b !== 'number' || !Number.isFinite(b)) {
      throw usageError(`Histogram "${metric}": bucket bound ${String(b)} is not a finite number`);
    }
    const prev = list[i - 1] as number | undefined;
    if (prev !== undefined && !(b > prev)) {
      throw usageError(`Histogram "${metric}": buckets must be strictly increasing (${prev} then ${b})`);
    }
  }
  return Float64Array.from(list as number[]);
}
