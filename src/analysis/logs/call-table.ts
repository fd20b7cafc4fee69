/**
 * Every call of the pass in columns (exact mode): duration (Float64, 8 B), time (Int32 seconds, 4 B),
 * key (Int32, 4 B), flags (Uint8) — 17 bytes a call, in chunks of 64 Ki calls so growing never copies.
 * Chunks are full but the last, except where another table's chunks were adopted (`absorb`).
 * After the pass the calls are split by key into per-key typed arrays. Time is kept in whole seconds
 * (from the first one seen): windows are whole seconds wide, so a call's window is the same.
 */
export const FLAG_FAILED = 1;
export const FLAG_WARNING = 2;

const CHUNK_BITS = 16;
const CHUNK = 1 << CHUNK_BITS;

export const BYTES_PER_CALL = 17;
/** `time` of a call without one. */
export const NO_TIME = -2147483648;

/** One group's calls, column by column. */
export interface GroupColumns {
  seconds: Float64Array;
  /** Seconds since `baseS` (seconds since the epoch, floored), NO_TIME when the line had none. */
  time: Int32Array;
  baseS: number;
  flags: Uint8Array;
}

/** A CallTable's calls as plain typed arrays (to post to another thread; the last chunk is partly used). */
export interface CallTableSnapshot {
  seconds: Float64Array[];
  time: Int32Array[];
  keys: Int32Array[];
  flags: Uint8Array[];
  length: number;
  baseS: number;
}

const EMPTY_F64 = new Float64Array(0);
const EMPTY_I32 = new Int32Array(0);
const EMPTY_U8 = new Uint8Array(0);

export class CallTable {
  private readonly secondsChunks: Float64Array[] = [];
  private readonly timeChunks: Int32Array[] = [];
  private readonly keyChunks: Int32Array[] = [];
  private readonly flagChunks: Uint8Array[] = [];
  private seconds: Float64Array = new Float64Array(0);
  private time: Int32Array = new Int32Array(0);
  /** The first time seen, in seconds since the epoch (floored); NaN until then. */
  baseS = NaN;
  private keys: Int32Array = new Int32Array(0);
  private flags: Uint8Array = new Uint8Array(0);
  /** Calls in each chunk but the last; the last holds `fill`. */
  private readonly used: number[] = [];
  private fill = CHUNK;
  length = 0;

  add(key: number, seconds: number, timeMs: number, flags: number): void {
    let i = this.fill;
    if (i === CHUNK) {
      this.newChunk();
      i = 0;
    }
    this.seconds[i] = seconds;
    if (timeMs === timeMs) {
      if (this.baseS !== this.baseS) this.baseS = Math.floor(timeMs / 1000);
      this.time[i] = Math.floor(timeMs / 1000) - this.baseS;
    } else {
      this.time[i] = NO_TIME;
    }
    this.keys[i] = key;
    this.flags[i] = flags;
    this.fill = i + 1;
    this.length++;
  }

  private newChunk(): void {
    this.pushChunk(new Float64Array(CHUNK), new Int32Array(CHUNK), new Int32Array(CHUNK), new Uint8Array(CHUNK), 0);
  }

  /** Appends a chunk (arrays of CHUNK entries) holding `fill` calls. */
  private pushChunk(seconds: Float64Array, time: Int32Array, keys: Int32Array, flags: Uint8Array, fill: number): void {
    if (this.keyChunks.length > 0) this.used.push(this.fill);
    this.seconds = seconds;
    this.time = time;
    this.keys = keys;
    this.flags = flags;
    this.fill = fill;
    this.secondsChunks.push(this.seconds);
    this.timeChunks.push(this.time);
    this.keyChunks.push(this.keys);
    this.flagChunks.push(this.flags);
  }

  /** The calls (the table's own chunks: transfer them only when this table is done with). */
  snapshot(): CallTableSnapshot {
    return { seconds: this.secondsChunks, time: this.timeChunks, keys: this.keyChunks, flags: this.flagChunks, length: this.length, baseS: this.baseS };
  }

  /**
   * Appends the calls of another table (a snapshot of full chunks but the last, as `snapshot` gives),
   * in its order, with each key `k` as `keyOf[k]` and times rebased to this table's first second: as
   * if this table had read them. Adopts the snapshot's chunks (rewritten in place, not copied: a copy
   * cost 8 MB more peak RSS on 1M nginx lines), so this table's last chunk may stay partly used.
   */
  absorb(snap: CallTableSnapshot, keyOf: Int32Array): void {
    if (snap.length === 0) return;
    if (this.baseS !== this.baseS) this.baseS = snap.baseS;
    // a snapshot without a timed call has no base; its times are all NO_TIME
    const shift = snap.baseS === snap.baseS ? snap.baseS - this.baseS : 0;
    for (let c = 0; c < snap.keys.length; c++) {
      const m = Math.min(CHUNK, snap.length - c * CHUNK);
      if (m <= 0) break;
      const keys = snap.keys[c]!;
      const time = snap.time[c]!;
      remapKeys(keys, m, keyOf);
      if (shift !== 0) shiftTimes(time, m, shift);
      this.pushChunk(snap.seconds[c]!, time, keys, snap.flags[c]!, m);
      this.length += m;
    }
  }

  /** Calls in chunk `c`. */
  private chunkLength(c: number): number {
    return c < this.used.length ? this.used[c]! : this.fill;
  }

  /** Every call in order: (key, seconds, time in ms or NaN, flags). */
  forEach(fn: (key: number, seconds: number, timeMs: number, flags: number) => void): void {
    for (let c = 0; c < this.keyChunks.length; c++) {
      const m = this.chunkLength(c);
      const keys = this.keyChunks[c]!;
      const seconds = this.secondsChunks[c]!;
      const time = this.timeChunks[c]!;
      const flags = this.flagChunks[c]!;
      for (let i = 0; i < m; i++) fn(keys[i]!, seconds[i]!, time[i] === NO_TIME ? NaN : (this.baseS + time[i]!) * 1000, flags[i]!);
    }
  }

  /** Bytes held. */
  get bytes(): number {
    return this.secondsChunks.length * CHUNK * BYTES_PER_CALL;
  }

  /**
   * The calls split into per-group columns (group g of call i is `groupOf[key]`), in file order within
   * a group. One sequential pass that writes to one stream per group, releasing the table's chunks as
   * it goes: gathering by an index permutation instead cost 3x as much (cache misses on three columns).
   * The table is empty afterwards. (The loops are functions of their own, per chunk: see
   * key-summary.ts on deoptimization.)
   */
  scatter(groupOf: Int32Array, groups: number): GroupColumns[] {
    const counts = new Int32Array(groups);
    for (let c = 0; c < this.keyChunks.length; c++) countChunk(this.keyChunks[c]!, this.chunkLength(c), groupOf, counts);
    const seconds: Float64Array[] = [];
    const time: Int32Array[] = [];
    const flags: Uint8Array[] = [];
    for (let g = 0; g < groups; g++) {
      seconds.push(new Float64Array(counts[g]!));
      time.push(new Int32Array(counts[g]!));
      flags.push(new Uint8Array(counts[g]!));
    }
    const next = new Int32Array(groups);
    for (let c = 0; c < this.keyChunks.length; c++) {
      const m = this.chunkLength(c);
      scatterChunk(this.keyChunks[c]!, this.secondsChunks[c]!, this.timeChunks[c]!, this.flagChunks[c]!, m, groupOf, next, seconds, time, flags);
      // release the chunk: the grouped copy and the table never both hold everything
      this.keyChunks[c] = EMPTY_I32;
      this.secondsChunks[c] = EMPTY_F64;
      this.timeChunks[c] = EMPTY_I32;
      this.flagChunks[c] = EMPTY_U8;
    }
    this.clear();
    const out: GroupColumns[] = [];
    for (let g = 0; g < groups; g++) out.push({ seconds: seconds[g]!, time: time[g]!, flags: flags[g]!, baseS: this.baseS });
    return out;
  }

  /** Calls and total duration per group (`groupOf[key]`): to rank keys before summarising them. */
  totals(groupOf: Int32Array, groups: number): { count: Float64Array; sum: Float64Array } {
    const count = new Float64Array(groups);
    const sum = new Float64Array(groups);
    for (let c = 0; c < this.keyChunks.length; c++) totalChunk(this.keyChunks[c]!, this.secondsChunks[c]!, this.chunkLength(c), groupOf, count, sum);
    return { count, sum };
  }

  /** Drops everything (after a switch to sketches). */
  clear(): void {
    this.secondsChunks.length = 0;
    this.timeChunks.length = 0;
    this.keyChunks.length = 0;
    this.flagChunks.length = 0;
    this.used.length = 0;
    this.fill = CHUNK;
    this.length = 0;
  }
}

function remapKeys(keys: Int32Array, n: number, keyOf: Int32Array): void {
  for (let k = 0; k < n; k++) keys[k] = keyOf[keys[k]!]!;
}

function shiftTimes(time: Int32Array, n: number, shift: number): void {
  for (let k = 0; k < n; k++) if (time[k] !== NO_TIME) time[k]! += shift;
}

function countChunk(keys: Int32Array, m: number, groupOf: Int32Array, counts: Int32Array): void {
  for (let i = 0; i < m; i++) counts[groupOf[keys[i]!]!]!++;
}

function totalChunk(keys: Int32Array, seconds: Float64Array, m: number, groupOf: Int32Array, count: Float64Array, sum: Float64Array): void {
  for (let i = 0; i < m; i++) {
    const g = groupOf[keys[i]!]!;
    count[g]!++;
    sum[g]! += seconds[i]!;
  }
}

function scatterChunk(
  keys: Int32Array,
  seconds: Float64Array,
  time: Int32Array,
  flags: Uint8Array,
  m: number,
  groupOf: Int32Array,
  next: Int32Array,
  outSeconds: Float64Array[],
  outTime: Int32Array[],
  outFlags: Uint8Array[],
): void {
  for (let i = 0; i < m; i++) {
    const g = groupOf[keys[i]!]!;
    const k = next[g]!++;
    outSeconds[g]![k] = seconds[i]!;
    outTime[g]![k] = time[i]!;
    outFlags[g]![k] = flags[i]!;
  }
}
