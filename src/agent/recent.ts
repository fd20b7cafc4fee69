/**
 * The recent window: the last N ticks of every series in typed-array rings, and a small query over
 * them (select by name and labels, a time range, a step). KPIs, baselines and alert rules read series
 * through `RecentWindow.select()` / `latest()`; the history store answers for longer ranges.
 * A series' ring is paged (64 ticks a page, taken at its first value, given back when the window no
 * longer holds a value of it; pages come from shared 32 KiB slabs): a live series costs N × 8 bytes
 * (15 min at 1 s: 7.2 KB), one that lived a few ticks 512 bytes until it leaves the window, so a host
 * whose process names churn (a build server: a group per compiler, shell, test) does not hold 15
 * minutes of full rings for each.
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
  private rings: (Ring | null)[] = [];
  private readonly pool = new PagePool();
  /** Index of the next write; `count` ticks are held, the oldest at (head - count). */
  private head = 0;
  private count = 0;

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
          ring.set(at, NaN);
          if (ring.empty) this.rings[i] = null; // its last value has left the window
        }
        continue;
      }
      if (ring === null) ring = this.rings[i] = new Ring(this.capacity, this.pool);
      ring.set(at, values[i]!);
    }
    this.head = (at + 1) % this.capacity;
    if (this.count < this.capacity) this.count++;
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
          vs[k] = ring.get(s);
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
          if (k >= first && this.times[s]! <= t && t - this.times[s]! <= step) vs[j] = ring.get(s);
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
      out.push({ def: info.def, labels: info.labels, key: info.key, tMs: this.times[s]!, value: ring.get(s) });
    }
    return out;
  }

  /** Bytes the window holds now: the time column, the page slabs and every ring's page table. */
  get bytes(): number {
    let n = this.times.byteLength + this.pool.bytes;
    for (const r of this.rings) if (r !== null) n += r.bytes;
    return n;
  }

  /** Pages of 64 ticks holding a value, over all series: `slabPages` of them in slabs, the rest constant. */
  get pages(): number {
    let n = 0;
    for (const r of this.rings) if (r !== null) n += r.pagesHeld;
    return n;
  }

  /** Pages taken from the slabs (the others hold one number each). */
  get slabPages(): number {
    return this.pool.pages;
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

/** Ticks a ring page holds. */
const PAGE = 64;
/** Pages a slab holds: one Float64Array of 32 KiB. */
const SLAB_PAGES = 64;

/**
 * The pages of every ring, carved from shared slabs of 64 pages. A page of its own per Float64Array
 * cost ~60 % over its 512 bytes (the typed array, its ArrayBuffer and the backing store's bookkeeping,
 * on the V8 heap and the C heap); a slab pays that once per 64 pages. Pages are taken from the first
 * slab with room, so the live ones gather at the front and a slab whose pages all left is freed.
 */
class PagePool {
  readonly slabs: (Float64Array | null)[] = [];
  /** Per slab: which pages are taken. */
  private readonly taken: (Uint8Array | null)[] = [];
  private readonly counts: number[] = [];
  /** Pages taken now. */
  pages = 0;

  /** A page id (slab × 64 + page), its 64 values NaN. */
  take(): number {
    let s = 0;
    while (s < this.slabs.length && this.slabs[s] !== null && this.counts[s]! === SLAB_PAGES) s++;
    if (s === this.slabs.length || this.slabs[s] === null) {
      this.slabs[s] = new Float64Array(PAGE * SLAB_PAGES);
      this.taken[s] = new Uint8Array(SLAB_PAGES);
      this.counts[s] = 0;
    }
    const taken = this.taken[s]!;
    const k = taken.indexOf(0);
    taken[k] = 1;
    this.counts[s]!++;
    this.pages++;
    this.slabs[s]!.fill(NaN, k * PAGE, (k + 1) * PAGE);
    return s * SLAB_PAGES + k;
  }

  give(id: number): void {
    const s = (id / SLAB_PAGES) | 0;
    this.taken[s]![id % SLAB_PAGES] = 0;
    this.pages--;
    if (--this.counts[s]! > 0) return;
    this.slabs[s] = null;
    this.taken[s] = null;
    while (this.slabs.length > 0 && this.slabs[this.slabs.length - 1] === null) {
      this.slabs.pop();
      this.taken.pop();
      this.counts.pop();
    }
  }

  get bytes(): number {
    let n = 0;
    for (const slab of this.slabs) if (slab !== null) n += slab.byteLength + SLAB_PAGES;
    return n;
  }
}

/** A ring page with no value. */
const NONE = -1;
/** A ring page whose values are all one number (or NaN): its number and a bit per slot, no slab page. */
const CONSTANT = -2;

/**
 * One series' values by ring slot, in pages of 64 slots. A page holds no value (NONE), one number at
 * the slots its bit mask marks (CONSTANT: most series of an idle group or device, and totals, sizes
 * and counts that do not move, for 16 bytes a page instead of 512), or a page of a slab. A constant page
 * becomes a slab page at its first other value; a slab page becomes constant again when a lap writes it
 * whole with one number. A page given no value for a whole lap is dropped. Missing values read NaN.
 */
class Ring {
  /** Per page: NONE, CONSTANT or a slab page id. */
  private readonly pages: Int32Array;
  /** Values (not NaN) held per page. */
  private readonly held: Uint8Array;
  /** Per constant page: its number, and which of its slots hold it (two 32-bit words). */
  private readonly constant: Float64Array;
  private readonly mask: Uint32Array;
  private readonly pool: PagePool;
  private readonly lastSlot: number;
  /** Pages holding a value. */
  private count = 0;
  /** The page being written this lap: its one number so far (NaN: none yet), and whether it still has one. */
  private runValue = NaN;
  private runOne = true;

  constructor(capacity: number, pool: PagePool) {
    const n = Math.ceil(capacity / PAGE);
    this.pages = new Int32Array(n).fill(NONE);
    this.held = new Uint8Array(n);
    this.constant = new Float64Array(n);
    this.mask = new Uint32Array(2 * n);
    this.pool = pool;
    this.lastSlot = capacity - 1;
  }

  get(slot: number): number {
    const p = slot >> 6;
    const id = this.pages[p]!;
    if (id >= 0) return this.pool.slabs[(id / SLAB_PAGES) | 0]![(id % SLAB_PAGES) * PAGE + (slot & (PAGE - 1))]!;
    if (id === NONE) return NaN;
    const i = slot & (PAGE - 1);
    return (this.mask[2 * p + (i >> 5)]! >>> (i & 31)) & 1 ? this.constant[p]! : NaN;
  }

  /** Writes `v` (NaN: no value then) at `slot`; slots are written in order, one lap after another. */
  set(slot: number, v: number): void {
    const p = slot >> 6;
    const i = slot & (PAGE - 1);
    if (i === 0) {
      this.runValue = NaN;
      this.runOne = true;
    }
    if (v === v && this.runOne) {
      if (this.runValue !== this.runValue) this.runValue = v;
      else if (v !== this.runValue) this.runOne = false;
    }
    const id = this.pages[p]!;
    if (id === NONE) {
      if (v !== v) return;
      this.pages[p] = CONSTANT;
      this.constant[p] = v;
      this.mask[2 * p] = this.mask[2 * p + 1] = 0;
      this.mask[2 * p + (i >> 5)]! |= 1 << (i & 31);
      this.held[p] = 1;
      this.count++;
      return;
    }
    if (id === CONSTANT) {
      const w = 2 * p + (i >> 5);
      const bit = 1 << (i & 31);
      const had = (this.mask[w]! & bit) !== 0;
      if (v !== v) {
        if (!had) return;
        this.mask[w]! &= ~bit;
        if (--this.held[p]! === 0) this.drop(p);
        return;
      }
      if (v === this.constant[p]) {
        if (!had) {
          this.mask[w]! |= bit;
          this.held[p]!++;
        }
        return;
      }
      this.materialize(p);
    }
    const page = this.pages[p]!;
    const slab = this.pool.slabs[(page / SLAB_PAGES) | 0]!;
    const at = (page % SLAB_PAGES) * PAGE + i;
    const old = slab[at]!;
    slab[at] = v;
    if (old !== old) {
      if (v === v) this.held[p]!++;
    } else if (v !== v && --this.held[p]! === 0) {
      this.drop(p);
      return;
    }
    // A lap wrote the whole page with one number (and NaNs): 16 bytes say as much as the slab page.
    if ((i === PAGE - 1 || slot === this.lastSlot) && this.runOne && this.runValue === this.runValue) this.flatten(p, slab, at - i, i + 1);
  }

  /** Whether no slot holds a value. */
  get empty(): boolean {
    return this.count === 0;
  }

  /** Pages holding a value. */
  get pagesHeld(): number {
    return this.count;
  }

  /** Bytes of its own (the page table and constant pages; slab pages are the pool's). */
  get bytes(): number {
    return this.pages.byteLength + this.held.byteLength + this.constant.byteLength + this.mask.byteLength;
  }

  private drop(p: number): void {
    const id = this.pages[p]!;
    if (id >= 0) this.pool.give(id);
    this.pages[p] = NONE;
    this.count--;
  }

  /** A constant page takes a slab page holding its number at its marked slots. */
  private materialize(p: number): void {
    const id = this.pool.take();
    const slab = this.pool.slabs[(id / SLAB_PAGES) | 0]!;
    const base = (id % SLAB_PAGES) * PAGE;
    const c = this.constant[p]!;
    for (let i = 0; i < PAGE; i++) if ((this.mask[2 * p + (i >> 5)]! >>> (i & 31)) & 1) slab[base + i] = c;
    this.pages[p] = id;
  }

  /** A slab page whose `length` slots hold one number or NaN gives its slab page back. */
  private flatten(p: number, slab: Float64Array, base: number, length: number): void {
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < length; i++) {
      if (slab[base + i]! !== slab[base + i]!) continue;
      if (i < 32) lo |= 1 << i;
      else hi |= 1 << (i - 32);
    }
    this.pool.give(this.pages[p]!);
    this.pages[p] = CONSTANT;
    this.constant[p] = this.runValue;
    this.mask[2 * p] = lo;
    this.mask[2 * p + 1] = hi;
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
