/**
 * The recent window: the last N ticks of every series in typed-array rings, and a small query over
 * them (select by name and labels, a time range, a step). KPIs, baselines and alert rules read series
 * through `RecentWindow.select()` / `latest()`; the history store answers for longer ranges.
 * Memory is N × series × 8 bytes (15 min at 1 s and ~900 series: 6.5 MB).
 */
import type { SeriesDef } from './series.js';
import type { SeriesSet } from './series-set.js';

/** Which series: the catalogue name, and label values (exact strings or patterns; absent labels match anything). */
export interface SeriesSelector {
  name: string;
  labels?: Readonly<Record<string, string | RegExp>>;
}

export interface RangeOptions {
  /** Wall-clock ms, inclusive; default: the oldest / newest tick kept. */
  fromMs?: number;
  toMs?: number;
  /**
   * Evaluate every `stepMs` from `fromMs` (Prometheus range-query style: at each step the newest
   * sample at or before it, if no older than one step); default: every tick, as sampled.
   */
  stepMs?: number;
}

/** One series over a range: wall-clock ms timestamps and values (NaN = no value then). */
export interface SeriesRange {
  def: SeriesDef;
  labels: Readonly<Record<string, string>>;
  key: string;
  timestampsMs: Float64Array;
  values: Float64Array;
}

export interface SeriesPoint {
  def: SeriesDef;
  labels: Readonly<Record<string, string>>;
  key: string;
  tMs: number;
  value: number;
}

export class RecentWindow {
  /** Ticks kept. */
  readonly capacity: number;
  private readonly set: SeriesSet;
  private readonly times: Float64Array;
  private rings: (Float64Array | null)[] = [];
  /** Index of the next write; `count` ticks are held, the oldest at (head - count). */
  private head = 0;
  private count = 0;
  /** Tick number at which each retired series' ring may be freed. */
  private readonly retiredAt = new Map<number, number>();
  private ticks = 0;

  constructor(set: SeriesSet, capacity: number) {
    if (!(capacity >= 2) || !Number.isInteger(capacity)) throw new RangeError(`recent window capacity must be an integer >= 2, got ${capacity}`);
    this.set = set;
    this.capacity = capacity;
    this.times = new Float64Array(capacity);
  }

  /** Records the current values of every series at wall time `tMs`. */
  append(tMs: number): void {
    const set = this.set;
    const values = set.values;
    const at = this.head;
    this.times[at] = tMs;
    const n = set.series.length;
    while (this.rings.length < n) this.rings.push(null);
    for (let i = 0; i < n; i++) {
      const info = set.series[i]!;
      let ring = this.rings[i]!;
      if (!info.live) {
        if (ring !== null) {
          ring[at] = NaN;
          const since = this.retiredAt.get(i);
          if (since === undefined) this.retiredAt.set(i, this.ticks);
          else if (this.ticks - since >= this.capacity) {
            this.rings[i] = null; // its last value has left the window
            this.retiredAt.delete(i);
          }
        }
        continue;
      }
      if (ring === null) {
        ring = this.rings[i] = new Float64Array(this.capacity).fill(NaN);
      }
      this.retiredAt.delete(i);
      ring[at] = values[i]!;
    }
    this.head = (at + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
    this.ticks++;
  }

  /** Ticks held now. */
  get size(): number {
    return this.count;
  }

  /** Wall time of the oldest and newest tick held, or null when empty. */
  span(): { fromMs: number; toMs: number } | null {
    if (this.count === 0) return null;
    return { fromMs: this.times[this.slot(0)]!, toMs: this.times[this.slot(this.count - 1)]! };
  }

  /** Every series matching `selector` over the range. */
  select(selector: SeriesSelector, range: RangeOptions = {}): SeriesRange[] {
    const out: SeriesRange[] = [];
    if (this.count === 0) return out;
    const [first, last] = this.bounds(range);
    const step = range.stepMs;
    for (const info of this.set.series) {
      const ring = this.rings[info.index];
      if (ring == null || !matches(info.def, info.labels, selector)) continue;
      let ts: Float64Array;
      let vs: Float64Array;
      if (step === undefined) {
        const n = Math.max(0, last - first + 1);
        ts = new Float64Array(n);
        vs = new Float64Array(n);
        for (let k = 0; k < n; k++) {
          const s = this.slot(first + k);
          ts[k] = this.times[s]!;
          vs[k] = ring[s]!;
        }
      } else {
        if (!(step > 0)) throw new RangeError(`stepMs must be > 0, got ${step}`);
        const span = this.span()!;
        const from = range.fromMs ?? span.fromMs;
        const to = range.toMs ?? span.toMs;
        const n = to >= from ? Math.floor((to - from) / step) + 1 : 0;
        ts = new Float64Array(n);
        vs = new Float64Array(n).fill(NaN);
        let k = first;
        for (let j = 0; j < n; j++) {
          const t = from + j * step;
          ts[j] = t;
          while (k + 1 <= last && this.times[this.slot(k + 1)]! <= t) k++;
          const s = this.slot(k);
          if (k >= first && this.times[s]! <= t && t - this.times[s]! <= step) vs[j] = ring[s]!;
        }
      }
      out.push({ def: info.def, labels: info.labels, key: info.key, timestampsMs: ts, values: vs });
    }
    return out;
  }

  /** The newest value of every live series matching `selector`. */
  latest(selector: SeriesSelector): SeriesPoint[] {
    const out: SeriesPoint[] = [];
    if (this.count === 0) return out;
    const s = this.slot(this.count - 1);
    for (const info of this.set.series) {
      const ring = this.rings[info.index];
      if (ring == null || !info.live || !matches(info.def, info.labels, selector)) continue;
      out.push({ def: info.def, labels: info.labels, key: info.key, tMs: this.times[s]!, value: ring[s]! });
    }
    return out;
  }

  /** The ring slot of the k-th tick held (0 = oldest). */
  private slot(k: number): number {
    return (this.head - this.count + k + this.capacity * 2) % this.capacity;
  }

  /** [first, last] tick ordinals (0 = oldest held) inside the range. */
  private bounds(range: RangeOptions): [number, number] {
    let first = 0;
    let last = this.count - 1;
    if (range.fromMs !== undefined) while (first <= last && this.times[this.slot(first)]! < range.fromMs) first++;
    if (range.toMs !== undefined) while (last >= first && this.times[this.slot(last)]! > range.toMs) last--;
    return [first, last];
  }
}

function matches(def: SeriesDef, labels: Readonly<Record<string, string>>, sel: SeriesSelector): boolean {
  if (def.name !== sel.name) return false;
  if (sel.labels === undefined) return true;
  for (const k in sel.labels) {
    const want = sel.labels[k]!;
    const have = labels[k];
    if (have === undefined) return false;
    if (typeof want === 'string') {
      if (have !== want) return false;
    } else {
      want.lastIndex = 0;
      if (!want.test(have)) return false;
    }
  }
  return true;
}

/**
 * Per-second rate of a counter range (Prometheus `rate` without extrapolation): the increase between
 * the first and last values present, resets (a drop) counted from zero, over their time distance;
 * null with fewer than two values.
 */
export function rateOf(r: Pick<SeriesRange, 'timestampsMs' | 'values'>): number | null {
  let firstT = NaN;
  let lastT = NaN;
  let prev = NaN;
  let increase = 0;
  for (let i = 0; i < r.values.length; i++) {
    const v = r.values[i]!;
    if (v !== v) continue;
    if (firstT !== firstT) firstT = r.timestampsMs[i]!;
    else increase += v >= prev ? v - prev : v;
    prev = v;
    lastT = r.timestampsMs[i]!;
  }
  if (!(lastT > firstT)) return null;
  return increase / ((lastT - firstT) / 1000);
}
