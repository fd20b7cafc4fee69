/**
 * Per key, after the pass: percentiles, the latency distribution, the per-window series and the change
 * points, from the exact call table (one key's calls gathered into typed arrays, sorted) or from the
 * sketches.
 */
import { findChanges, type DetectedChange } from '../change-points.js';
import { LogHistogram } from '../log-histogram.js';
import { quantilesInPlace, quantilesOfRange } from '../stats.js';
import { FLAG_FAILED, FLAG_WARNING, NO_TIME, type GroupColumns } from './call-table.js';
import type { SketchStore } from './sketch-store.js';
import type { WindowGrid } from './windows.js';

export interface KeyWindows {
  count: Int32Array;
  errors: Int32Array;
  p50: Float64Array;
  p95: Float64Array;
  p99: Float64Array;
}

export interface KeyChange {
  metric: 'p50' | 'errorRate';
  change: DetectedChange;
}

export interface KeySummary {
  count: number;
  errors: number;
  warnings: number;
  sum: number;
  max: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  /** Calls per distribution bucket (see `distributionBounds`); empty for keys not shown. */
  distribution: number[];
  windows: KeyWindows | null;
  changes: KeyChange[];
}

/** A window's median counts toward change detection from this many calls. */
export const MIN_CALLS_FOR_MEDIAN = 5;
/** A window's error rate counts from this many calls. */
export const MIN_CALLS_FOR_ERROR_RATE = 20;
/**
 * Keys with fewer calls get no windows unless shown: change detection needs 10+ windows of 5+ calls on
 * each side, and a log with a million rare keys must not hold a million window series.
 */
export const MIN_CALLS_FOR_WINDOWS = 2 * 10 * MIN_CALLS_FOR_MEDIAN;
/** A change of the median is large from this factor (either way). */
export const MEDIAN_FACTOR = 1.5;

/** Log-spaced bucket bounds (5 per decade) covering (0, max]. */
export function distributionBounds(minPositive: number, max: number): number[] {
  if (!(max > 0)) return [0];
  const lo = Math.floor(Math.log10(minPositive > 0 ? minPositive : max) * 5 - 1e-9);
  const hi = Math.ceil(Math.log10(max) * 5 - 1e-9);
  const bounds: number[] = [];
  for (let k = Math.max(lo, hi - 60); k <= hi; k++) bounds.push(Number(Math.pow(10, k / 5).toPrecision(6)));
  if (bounds[bounds.length - 1]! < max) bounds.push(max);
  return bounds;
}

/**
 * The distribution's buckets: a value's bucket is the first bound >= it (the last when it is above all,
 * or NaN). The float's binary exponent picks the first bound that can hold the value, and one to three
 * comparisons finish (bounds are 10^(1/5) ≈ 1.58 apart, so a binade [2^e, 2^(e+1)) spans at most two):
 * for a million values, a binary search's five to six unpredictable branches a value cost ~15 ns.
 */
export class DistributionBuckets {
  private readonly f64 = new Float64Array(1);
  private readonly hi = new Uint32Array(this.f64.buffer, 4, 1);
  /** By biased exponent: the first bound >= the binade's smallest value. */
  private readonly first = new Int32Array(2048);
  private readonly last: number;

  /** `bounds`: ascending and positive, or [0] (see distributionBounds). */
  constructor(readonly bounds: readonly number[]) {
    this.last = bounds.length - 1;
    let idx = 0;
    for (let e = 0; e < 2048; e++) {
      const lowest = e === 0 ? 0 : Math.pow(2, e - 1023);
      while (idx < this.last && bounds[idx]! < lowest) idx++;
      this.first[e] = idx;
    }
  }

  /** The bucket of `v`. */
  of(v: number): number {
    if (!(v > 0)) return v === v ? 0 : this.last; // 0 and below: the first; NaN: the last
    this.f64[0] = v;
    let idx = this.first[this.hi[0]! >>> 20]!;
    const b = this.bounds;
    while (idx < this.last && b[idx]! < v) idx++;
    return idx;
  }
}

function changesOf(w: KeyWindows, medianOver: (from: number, to: number) => number | null): KeyChange[] {
  const n = w.count.length;
  const medians = new Float64Array(n);
  const rates = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const c = w.count[i]!;
    medians[i] = c >= MIN_CALLS_FOR_MEDIAN ? w.p50[i]! : NaN;
    rates[i] = c >= MIN_CALLS_FOR_ERROR_RATE ? w.errors[i]! / c : NaN;
  }
  const out: KeyChange[] = [];
  for (const change of findChanges(medians, {
    over: medianOver,
    large: (b, a) => b > 0 && a > 0 && (a / b >= MEDIAN_FACTOR || b / a >= MEDIAN_FACTOR),
    midpoint: (b, a) => Math.sqrt(a * b),
  })) {
    out.push({ metric: 'p50', change });
  }
  const rateOver = (from: number, to: number): number | null => {
    let c = 0;
    let e = 0;
    for (let i = from; i < to; i++) {
      c += w.count[i]!;
      e += w.errors[i]!;
    }
    return c === 0 ? null : e / c;
  };
  for (const change of findChanges(rates, {
    over: rateOver,
    large: (b, a) => Math.abs(a - b) >= 0.01 && (b === 0 ? a >= 0.02 : a / b >= 2 || a / b <= 0.5),
    midpoint: (b, a) => (a + b) / 2,
  })) {
    out.push({ metric: 'errorRate', change });
  }
  return out;
}

/** Totals of one key's calls, and its calls and errors per window (`count.length` windows; none: 0). */
interface Scan {
  sum: number;
  max: number;
  failed: number;
  warned: number;
}

/*
 * The per-key work is split into one small function per loop: a function holding several loops was
 * optimized on one (OSR) and deoptimized at the next, once per key (60 deopts on a 30-key log, measured
 * with --trace-deopt); small functions are optimized on the first keys and stay so.
 */

function scanCalls(secs: Float64Array, flags: Uint8Array, out: Scan): void {
  let sum = 0;
  let max = 0;
  let failed = 0;
  let warned = 0;
  for (let i = 0; i < secs.length; i++) {
    const v = secs[i]!;
    sum += v;
    if (v > max) max = v;
    const f = flags[i]!;
    if (f & FLAG_FAILED) failed++;
    else if (f & FLAG_WARNING) warned++;
  }
  out.sum = sum;
  out.max = max;
  out.failed = failed;
  out.warned = warned;
}

function distributionOf(secs: Float64Array, buckets: DistributionBuckets): number[] {
  const counts = new Float64Array(buckets.bounds.length);
  for (let i = 0; i < secs.length; i++) counts[buckets.of(secs[i]!)]!++;
  return Array.from(counts);
}

/**
 * Each call's window on the grid into `win` (-1 without a time), and the calls and errors per window.
 * The window is computed once here and read back by groupByWindow (a float division a call less).
 */
function countWindows(time: Int32Array, baseS: number, flags: Uint8Array, start: number, width: number, win: Int32Array, count: Int32Array, errors: Int32Array): void {
  for (let i = 0; i < time.length; i++) {
    const t = time[i]!;
    if (t === NO_TIME) {
      win[i] = -1;
      continue;
    }
    const w = Math.floor(((baseS + t) * 1000 - start) / width);
    win[i] = w;
    count[w]!++;
    if (flags[i]! & FLAG_FAILED) errors[w]!++;
  }
}

/** The durations grouped by window (`pos`: each window's first index), in call order within a window. */
function groupByWindow(secs: Float64Array, win: Int32Array, n: number, pos: Int32Array): Float64Array {
  const W = pos.length - 1;
  const grouped = new Float64Array(pos[W]!);
  const next = pos.slice(0, W);
  for (let i = 0; i < n; i++) {
    const w = win[i]!;
    if (w >= 0) grouped[next[w]!++] = secs[i]!;
  }
  return grouped;
}

function windowQuantiles(grouped: Float64Array, pos: Int32Array, qs: readonly number[], out: Float64Array[]): void {
  for (let w = 0; w + 1 < pos.length; w++) {
    if (pos[w + 1] === pos[w]) continue;
    quantilesOfRange(grouped, pos[w]!, pos[w + 1]!, qs, out, w);
  }
}

/**
 * One key from its exact columns (`cols.seconds` is reordered). `timeline`: its distribution and
 * p95/p99 per window too (only the keys shown need them; the median per window feeds change detection
 * for every key with enough calls).
 */
export function summarizeExact(cols: GroupColumns, grid: WindowGrid | null, buckets: DistributionBuckets, timeline = true): KeySummary {
  const secs = cols.seconds;
  const n = secs.length;
  const scan: Scan = { sum: 0, max: 0, failed: 0, warned: 0 };
  scanCalls(secs, cols.flags, scan);
  const distribution = timeline ? distributionOf(secs, buckets) : [];
  const W = grid === null || (!timeline && n < MIN_CALLS_FOR_WINDOWS) ? 0 : grid.count;
  let windows: KeyWindows | null = null;
  let changes: KeyChange[] = [];
  if (W > 0) {
    const count = new Int32Array(W);
    const errors = new Int32Array(W);
    const win = new Int32Array(n);
    countWindows(cols.time, cols.baseS, cols.flags, grid!.startMs, grid!.widthMs, win, count, errors);
    const pos = new Int32Array(W + 1);
    for (let w = 0; w < W; w++) pos[w + 1] = pos[w]! + count[w]!;
    const grouped = groupByWindow(secs, win, n, pos);
    const p50 = new Float64Array(W).fill(NaN);
    const p95 = new Float64Array(W).fill(NaN);
    const p99 = new Float64Array(W).fill(NaN);
    windowQuantiles(grouped, pos, timeline ? WINDOW_QUANTILES : MEDIAN, timeline ? [p50, p95, p99] : [p50]);
    windows = { count, errors, p50, p95, p99 };
    let scratch: Float64Array | null = null;
    changes = changesOf(windows, (a, b) => {
      const len = pos[b]! - pos[a]!;
      if (len === 0) return null;
      scratch ??= new Float64Array(grouped.length);
      const part = scratch.subarray(0, len);
      part.set(grouped.subarray(pos[a]!, pos[b]!));
      return quantilesInPlace(part, MEDIAN)[0]!;
    });
    // a key outside the top that changed is charted too: its windows' p95/p99 after all
    if (!timeline && changes.length > 0) windowQuantiles(grouped, pos, TAIL, [p95, p99]);
  }
  const [p50, p90, p95, p99] = quantilesInPlace(secs, OVERALL_QUANTILES) as number[];
  return { count: n, errors: scan.failed, warnings: scan.warned, sum: scan.sum, max: scan.max, p50: p50!, p90: p90!, p95: p95!, p99: p99!, distribution, windows, changes };
}

const OVERALL_QUANTILES = [0.5, 0.9, 0.95, 0.99];
// ascending, as quantilesOfRange takes them
const WINDOW_QUANTILES = [0.5, 0.95, 0.99];
const MEDIAN = [0.5];
const TAIL = [0.95, 0.99];

/** One key from the sketches. */
export function summarizeSketch(store: SketchStore, key: number, grid: WindowGrid | null, buckets: DistributionBuckets, timeline = true): KeySummary {
  const total = store.totals[key]!;
  const [p50, p90, p95, p99] = total.quantiles([0.5, 0.9, 0.95, 0.99]) as number[];
  const distribution = new Array<number>(timeline ? buckets.bounds.length : 0).fill(0);
  const gamma = (1 + total.relativeAccuracy) / (1 - total.relativeAccuracy);
  if (timeline) for (const [upper, c] of total.buckets()) distribution[buckets.of((2 * upper) / (gamma + 1))]! += c;
  let windows: KeyWindows | null = null;
  let changes: KeyChange[] = [];
  if (grid !== null && (timeline || total.count >= MIN_CALLS_FOR_WINDOWS)) {
    const W = grid.count;
    const first = Math.round(grid.startMs / grid.widthMs);
    const count = new Int32Array(W);
    const errors = new Int32Array(W);
    const p50w = new Float64Array(W).fill(NaN);
    const p95w = new Float64Array(W).fill(NaN);
    const p99w = new Float64Array(W).fill(NaN);
    const cells = store.cells[key]!;
    for (const [w, cell] of cells) {
      const i = w - first;
      count[i] = cell.count;
      errors[i] = cell.errors;
      const [a, b, c] = cell.h.quantiles([0.5, 0.95, 0.99]) as number[];
      p50w[i] = a!;
      p95w[i] = b!;
      p99w[i] = c!;
    }
    windows = { count, errors, p50: p50w, p95: p95w, p99: p99w };
    changes = changesOf(windows, (a, b) => {
      const h = new LogHistogram(total.relativeAccuracy);
      for (let i = a; i < b; i++) {
        const cell = cells.get(first + i);
        if (cell) h.merge(cell.h);
      }
      return h.quantile(0.5);
    });
  }
  return {
    count: total.count,
    errors: store.errors[key]!,
    warnings: store.warnings[key]!,
    sum: total.sum,
    max: total.max,
    p50: p50!,
    p90: p90!,
    p95: p95!,
    p99: p99!,
    distribution,
    windows,
    changes,
  };
}
