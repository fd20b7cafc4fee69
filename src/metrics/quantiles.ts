/**
 * The Summary's quantile estimator: a log-bucketed sketch (the DDSketch layout) whose buckets also keep
 * the sum of what fell in them, read with the t-digest interpolation prom-client uses.
 *
 * - Recording: one `Math.log`, two typed-array increments; no allocation once the bucket range covers the
 *   data, no clock read.
 * - Buckets are `gamma = (1 + a) / (1 - a)` wide in log space with `a = RELATIVE_ACCURACY` (0.5 %), so all
 *   values in one bucket are within 1 % of each other and within 0.5 % of their bucket's mean.
 * - Reading: the non-empty buckets act as centroids `(mean = sum / count, weight = count)` and the quantile
 *   is interpolated between neighbouring centroids exactly as tdigest 0.1.x (prom-client 15) does. While no
 *   two distinct values share a bucket (small or spread-out data) the result equals prom-client's
 *   byte for byte; otherwise each centroid mean is within 0.5 % of every value it stands for, so an
 *   estimate is within 0.5 % of the same interpolation over the raw values.
 * - Memory: one slot (16 B) per bucket between the smallest and largest value seen; ~230 buckets per
 *   decade of range, at most MAX_BUCKETS (then the lowest buckets are folded together).
 */

export const RELATIVE_ACCURACY = 0.005;
const GAMMA = (1 + RELATIVE_ACCURACY) / (1 - RELATIVE_ACCURACY);
const INV_LOG_GAMMA = 1 / Math.log(GAMMA);
/** Magnitudes below this are counted in the zero bucket. */
const MIN_MAGNITUDE = 1e-9;
const MAX_BUCKETS = 4096;
const EMPTY = new Float64Array(0);

/** A contiguous range of log buckets for one sign. */
class Store {
  counts: Float64Array = EMPTY;
  sums: Float64Array = EMPTY;
  /** Bucket index of `counts[0]`. */
  offset = 0;

  add(index: number, value: number): void {
    let i = index - this.offset;
    if (i < 0 || i >= this.counts.length) i = this.grow(index);
    this.counts[i]! += 1;
    this.sums[i]! += value;
  }

  addBucket(index: number, count: number, sum: number): void {
    let i = index - this.offset;
    if (i < 0 || i >= this.counts.length) i = this.grow(index);
    this.counts[i]! += count;
    this.sums[i]! += sum;
  }

  /** Makes room for `index`; returns its slot. Folds the lowest buckets when the range would pass MAX_BUCKETS. */
  private grow(index: number): number {
    const n = this.counts.length;
    if (n === 0) {
      this.counts = new Float64Array(32);
      this.sums = new Float64Array(32);
      this.offset = index - 16;
      return 16;
    }
    const lo = Math.min(this.offset, index);
    const hi = Math.max(this.offset + n - 1, index);
    if (hi - lo + 1 > MAX_BUCKETS) {
      if (index < this.offset) return 0; // fold into the lowest bucket we keep
      // shift the window up: fold everything below the new low end into its first bucket
      const newLo = hi - MAX_BUCKETS + 1;
      const counts = new Float64Array(MAX_BUCKETS);
      const sums = new Float64Array(MAX_BUCKETS);
      for (let j = 0; j < n; j++) {
        const t = Math.max(0, this.offset + j - newLo);
        counts[t]! += this.counts[j]!;
        sums[t]! += this.sums[j]!;
      }
      this.counts = counts;
      this.sums = sums;
      this.offset = newLo;
      return index - newLo;
    }
    // grow by at least doubling, with slack on the side that grew
    const want = Math.min(MAX_BUCKETS, Math.max(hi - lo + 1 + 16, n * 2));
    const newLo = index < this.offset ? Math.max(hi - want + 1, lo - 8) : lo;
    const counts = new Float64Array(want);
    const sums = new Float64Array(want);
    counts.set(this.counts, this.offset - newLo);
    sums.set(this.sums, this.offset - newLo);
    this.counts = counts;
    this.sums = sums;
    this.offset = newLo;
    return index - newLo;
  }

  clear(): void {
    this.counts.fill(0);
    this.sums.fill(0);
  }
}

/** Where the bucket boundaries are: value v > 0 goes to bucket ceil(log_gamma(v)). */
export function bucketIndex(magnitude: number): number {
  return Math.ceil(Math.log(magnitude) * INV_LOG_GAMMA);
}

/** One sketch: positive and negative stores and a zero bucket. */
export class QuantileSketch {
  private readonly pos = new Store();
  private readonly neg = new Store();
  private zeroCount = 0;
  private zeroSum = 0;
  /** Number of values recorded since the last reset. */
  count = 0;

  /** Records one finite value. */
  add(value: number): void {
    this.count++;
    if (value > MIN_MAGNITUDE) this.pos.add(Math.ceil(Math.log(value) * INV_LOG_GAMMA), value);
    else if (value < -MIN_MAGNITUDE) this.neg.add(Math.ceil(Math.log(-value) * INV_LOG_GAMMA), value);
    else {
      this.zeroCount++;
      this.zeroSum += value;
    }
  }

  reset(): void {
    if (this.count === 0) return;
    this.pos.clear();
    this.neg.clear();
    this.zeroCount = 0;
    this.zeroSum = 0;
    this.count = 0;
  }

  /** Adds every bucket of `other` into this sketch (exact: both share the bucket layout). */
  merge(other: QuantileSketch): void {
    if (other.count === 0) return;
    this.count += other.count;
    this.zeroCount += other.zeroCount;
    this.zeroSum += other.zeroSum;
    for (const [mine, theirs] of [
      [this.pos, other.pos],
      [this.neg, other.neg],
    ] as const) {
      const c = theirs.counts;
      for (let i = 0; i < c.length; i++) {
        if (c[i] !== 0) mine.addBucket(theirs.offset + i, c[i]!, theirs.sums[i]!);
      }
    }
  }

  /** A plain-data copy (for IPC between processes/threads). */
  toJSON(): SketchData {
    const dump = (s: Store): [number, number, number][] => {
      const out: [number, number, number][] = [];
      for (let i = 0; i < s.counts.length; i++) if (s.counts[i] !== 0) out.push([s.offset + i, s.counts[i]!, s.sums[i]!]);
      return out;
    };
    return { count: this.count, zero: [this.zeroCount, this.zeroSum], pos: dump(this.pos), neg: dump(this.neg) };
  }

  static fromJSON(d: SketchData): QuantileSketch {
    const s = new QuantileSketch();
    s.count = d.count;
    s.zeroCount = d.zero[0];
    s.zeroSum = d.zero[1];
    for (const [i, c, sum] of d.pos) s.pos.addBucket(i, c, sum);
    for (const [i, c, sum] of d.neg) s.neg.addBucket(i, c, sum);
    return s;
  }

  /**
   * Quantiles for each `q` in [0, 1], in the order given; `undefined` entries when empty. Interpolates
   * between bucket means with tdigest's rule (`percentile()` of tdigest 0.1.x).
   */
  quantiles(qs: readonly number[]): (number | undefined)[] {
    if (this.count === 0) return qs.map(() => undefined);
    // centroids in ascending value order: negative store from its highest index down, zero, positive
    const means: number[] = [];
    const weights: number[] = [];
    const nc = this.neg.counts;
    for (let i = nc.length - 1; i >= 0; i--) {
      if (nc[i] !== 0) {
        means.push(this.neg.sums[i]! / nc[i]!);
        weights.push(nc[i]!);
      }
    }
    if (this.zeroCount !== 0) {
      means.push(this.zeroSum / this.zeroCount);
      weights.push(this.zeroCount);
    }
    const pc = this.pos.counts;
    for (let i = 0; i < pc.length; i++) {
      if (pc[i] !== 0) {
        means.push(this.pos.sums[i]! / pc[i]!);
        weights.push(pc[i]!);
      }
    }
    return interpolate(means, weights, qs);
  }
}

export interface SketchData {
  count: number;
  zero: [number, number];
  pos: [number, number, number][];
  neg: [number, number, number][];
}

/** tdigest's percentile over sorted centroids (`mean_cumn` = weight before + half its own weight). */
export function interpolate(means: number[], weights: number[], qs: readonly number[]): number[] {
  const n = means.length;
  const mid = new Float64Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) {
    mid[i] = total + weights[i]! / 2;
    total += weights[i]!;
  }
  return qs.map((q) => {
    const h = total * q;
    // first centroid whose mean_cumn > h
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const m = (lo + hi) >>> 1;
      if (mid[m]! > h) hi = m;
      else lo = m + 1;
    }
    const lower = lo - 1;
    if (lower < 0) return means[0]!;
    if (mid[lower] === h || lo >= n) return means[lower]!;
    const upper = lo;
    return means[lower]! + ((h - mid[lower]!) * (means[upper]! - means[lower]!)) / (mid[upper]! - mid[lower]!);
  });
}

/**
 * A tick counter advanced by one unref'd timer (one per windowed Summary metric, shared by its series):
 * window rotation costs the record path one compare and no clock read.
 */
export class EpochTicker {
  value = 0;
  private readonly timer: NodeJS.Timeout;
  constructor(periodMs: number) {
    this.timer = setInterval(() => {
      this.value++;
    }, periodMs);
    this.timer.unref();
  }
  stop(): void {
    clearInterval(this.timer);
  }
}

/**
 * A sliding window of `ageBuckets` sketches: each value goes into the newest one only (prom-client pushes it
 * into all of them), a read merges them all, so the window covers the last `maxAgeSeconds` minus at most
 * one rotation period. Rotation is driven by an `EpochTicker`, checked with one compare per observation.
 */
export class WindowedSketch {
  private readonly slots: QuantileSketch[];
  private current = 0;
  private epoch: number;

  constructor(
    private readonly ticker: EpochTicker,
    ageBuckets: number,
  ) {
    this.slots = Array.from({ length: ageBuckets }, () => new QuantileSketch());
    this.epoch = ticker.value;
  }

  add(value: number): void {
    if (this.epoch !== this.ticker.value) this.rotate();
    this.slots[this.current]!.add(value);
  }

  private rotate(): void {
    const steps = Math.min(this.ticker.value - this.epoch, this.slots.length);
    for (let i = 0; i < steps; i++) {
      this.current = (this.current + 1) % this.slots.length;
      this.slots[this.current]!.reset();
    }
    this.epoch = this.ticker.value;
  }

  /** Values in the window. */
  size(): number {
    if (this.epoch !== this.ticker.value) this.rotate();
    let n = 0;
    for (const s of this.slots) n += s.count;
    return n;
  }

  merged(): QuantileSketch {
    if (this.epoch !== this.ticker.value) this.rotate();
    const m = new QuantileSketch();
    for (const s of this.slots) m.merge(s);
    return m;
  }

  reset(): void {
    for (const s of this.slots) s.reset();
  }
}
