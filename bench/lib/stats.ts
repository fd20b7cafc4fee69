/**
 * Order statistics for benchmark results: the median and spread over rounds, quantiles of latencies.
 * Inputs are plain number arrays; NaN values are dropped, an empty input gives NaN.
 */

function sorted(values: readonly number[]): number[] {
  return values.filter((v) => !Number.isNaN(v)).sort((a, b) => a - b);
}

/** Quantile q in [0, 1] with linear interpolation between order statistics (numpy's default). */
export function quantile(values: readonly number[], q: number): number {
  const s = sorted(values);
  if (s.length === 0) return NaN;
  const pos = (s.length - 1) * Math.min(1, Math.max(0, q));
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo]! + (s[hi]! - s[lo]!) * (pos - lo);
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5);
}

export function min(values: readonly number[]): number {
  const s = sorted(values);
  return s.length === 0 ? NaN : s[0]!;
}

export function max(values: readonly number[]): number {
  const s = sorted(values);
  return s.length === 0 ? NaN : s[s.length - 1]!;
}

export function mean(values: readonly number[]): number {
  const s = sorted(values);
  return s.length === 0 ? NaN : s.reduce((a, b) => a + b, 0) / s.length;
}

/** Median and range of one quantity over rounds. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  n: number;
}

export function spread(values: readonly number[]): Spread {
  return { median: median(values), min: min(values), max: max(values), n: sorted(values).length };
}

/** Latency summary: p50, p95, max. */
export interface Latency {
  p50: number;
  p95: number;
  max: number;
  n: number;
}

export function latency(values: readonly number[]): Latency {
  return { p50: quantile(values, 0.5), p95: quantile(values, 0.95), max: max(values), n: sorted(values).length };
}
