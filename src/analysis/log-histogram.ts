/**
 * A mergeable quantile sketch with a relative-error guarantee: DDSketch's logarithmic mapping
 * (Masson, Rim, Lee, VLDB 2019), bucket i holding the values in (γ^(i-1), γ^i] with γ = (1+α)/(1-α),
 * each read back as 2γ^i/(γ+1), within α of every value in its bucket. Counts sit in one dense
 * Float64Array from the lowest to the highest bucket used (a few hundred buckets for a latency
 * distribution: ~2–10 KB), so merging two sketches is adding arrays.
 *
 * Quantiles follow numpy's default (linear interpolation between the order statistics at ranks
 * ⌊(n-1)q⌋ and ⌈(n-1)q⌉), each order statistic taken from its bucket and clamped to the exact min
 * and max: an interpolation of two values each within α is within α of the exact answer. Research
 * note §5: 54–60 ns/insert, deterministic, where npm `tdigest` took 730 ns and used Math.random.
 */
export class LogHistogram {
  /** Values at or below this (and zero) share one bucket read back as 0. */
  static readonly minValue = 1e-12;
  readonly relativeAccuracy: number;
  private readonly logGamma: number;
  private readonly gamma: number;
  private bins: Float64Array = new Float64Array(0);
  /** Bucket index of bins[0]. */
  private offset = 0;
  private zeros = 0;
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;

  constructor(relativeAccuracy = 0.01) {
    if (!(relativeAccuracy > 0 && relativeAccuracy < 1)) throw new RangeError(`relative accuracy must be in (0, 1), got ${relativeAccuracy}`);
    this.relativeAccuracy = relativeAccuracy;
    this.gamma = (1 + relativeAccuracy) / (1 - relativeAccuracy);
    this.logGamma = Math.log(this.gamma);
  }

  /** Adds a value >= 0 (negative values and NaN are ignored: durations are never negative). */
  add(value: number, times = 1): void {
    if (!(value >= 0) || !(times > 0)) return;
    this.count += times;
    this.sum += value * times;
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
    if (value <= LogHistogram.minValue) {
      this.zeros += times;
      return;
    }
    const index = Math.ceil(Math.log(value) / this.logGamma);
    let k = index - this.offset;
    if (k < 0 || k >= this.bins.length) k = this.extend(index);
    this.bins[k]! += times;
  }

  /** Adds every value of `other` (same relative accuracy). */
  merge(other: LogHistogram): void {
    if (other.relativeAccuracy !== this.relativeAccuracy) throw new RangeError('cannot merge sketches of different accuracy');
    if (other.count === 0) return;
    this.count += other.count;
    this.sum += other.sum;
    this.zeros += other.zeros;
    if (other.min < this.min) this.min = other.min;
    if (other.max > this.max) this.max = other.max;
    for (let j = 0; j < other.bins.length; j++) {
      const c = other.bins[j]!;
      if (c === 0) continue;
      const index = other.offset + j;
      let k = index - this.offset;
      if (k < 0 || k >= this.bins.length) k = this.extend(index);
      this.bins[k]! += c;
    }
  }

  /** Quantiles (numpy 'linear'), each within the relative accuracy of the exact one; null when empty. */
  quantiles(qs: readonly number[]): (number | null)[] {
    if (this.count === 0) return qs.map(() => null);
    const n = this.count;
    // ranks wanted, ascending, each read once in one walk over the buckets
    const wanted: { rank: number; slot: number }[] = [];
    qs.forEach((q, i) => {
      if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile must be within [0, 1], got ${q}`);
      const pos = (n - 1) * q;
      wanted.push({ rank: Math.floor(pos), slot: i * 2 }, { rank: Math.min(Math.ceil(pos), n - 1), slot: i * 2 + 1 });
    });
    wanted.sort((a, b) => a.rank - b.rank);
    const values = new Float64Array(qs.length * 2);
    let w = 0;
    let seen = this.zeros;
    while (w < wanted.length && wanted[w]!.rank < seen) values[wanted[w++]!.slot] = 0;
    for (let k = 0; k < this.bins.length && w < wanted.length; k++) {
      const c = this.bins[k]!;
      if (c === 0) continue;
      seen += c;
      const v = (2 * Math.pow(this.gamma, this.offset + k)) / (this.gamma + 1);
      while (w < wanted.length && wanted[w]!.rank < seen) values[wanted[w++]!.slot] = v;
    }
    // the smallest and largest order statistics are known exactly
    const at = (rank: number, v: number): number => (rank === 0 ? this.min : rank === n - 1 ? this.max : this.clamp(v));
    return qs.map((q, i) => {
      const pos = (n - 1) * q;
      const loRank = Math.floor(pos);
      const lo = at(loRank, values[i * 2]!);
      const hi = at(Math.min(Math.ceil(pos), n - 1), values[i * 2 + 1]!);
      return lo + (hi - lo) * (pos - loRank);
    });
  }

  quantile(q: number): number | null {
    return this.quantiles([q])[0]!;
  }

  /** Counts per bucket as [upper bound, count] pairs, ascending (zeros first, bound 0). */
  buckets(): [number, number][] {
    const out: [number, number][] = [];
    if (this.zeros > 0) out.push([0, this.zeros]);
    for (let k = 0; k < this.bins.length; k++) {
      const c = this.bins[k]!;
      if (c > 0) out.push([Math.pow(this.gamma, this.offset + k), c]);
    }
    return out;
  }

  /** Bytes held (for memory accounting). */
  get bytes(): number {
    return this.bins.byteLength + 96;
  }

  private clamp(v: number): number {
    return v < this.min ? this.min : v > this.max ? this.max : v;
  }

  /** Makes room for bucket `index`; returns its slot. */
  private extend(index: number): number {
    if (this.bins.length === 0) {
      // small to start: a sketch per key and per window, most of them holding few values
      this.bins = new Float64Array(16);
      this.offset = index - 8;
      return index - this.offset;
    }
    const lo = Math.min(this.offset, index);
    const hi = Math.max(this.offset + this.bins.length - 1, index);
    const needed = hi - lo + 1;
    const size = Math.max(needed + 32, this.bins.length * 2);
    // keep headroom on the side that grew
    const newOffset = index < this.offset ? hi - size + 1 : lo;
    const bins = new Float64Array(size);
    bins.set(this.bins, this.offset - newOffset);
    this.bins = bins;
    this.offset = newOffset;
    return index - newOffset;
  }
}
