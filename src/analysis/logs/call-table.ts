/**
 * Every call of the pass in columns (exact mode): duration (Float64, 8 B), time (Float64, 8 B), key
 * (Int32, 4 B), flags (Uint8) — 21 bytes a call, in chunks of 64 Ki calls so growing never copies.
 * After the pass the calls are grouped by key (a counting sort) into per-key typed arrays.
 */
export const FLAG_FAILED = 1;
export const FLAG_WARNING = 2;

const CHUNK_BITS = 16;
const CHUNK = 1 << CHUNK_BITS;
const MASK = CHUNK - 1;

export const BYTES_PER_CALL = 21;

export class CallTable {
  private readonly secondsChunks: Float64Array[] = [];
  private readonly timeChunks: Float64Array[] = [];
  private readonly keyChunks: Int32Array[] = [];
  private readonly flagChunks: Uint8Array[] = [];
  private seconds: Float64Array = new Float64Array(0);
  private time: Float64Array = new Float64Array(0);
  private keys: Int32Array = new Int32Array(0);
  private flags: Uint8Array = new Uint8Array(0);
  length = 0;

  add(key: number, seconds: number, timeMs: number, flags: number): void {
    const i = this.length & MASK;
    if (i === 0) this.newChunk();
    this.seconds[i] = seconds;
    this.time[i] = timeMs;
    this.keys[i] = key;
    this.flags[i] = flags;
    this.length++;
  }

  private newChunk(): void {
    this.seconds = new Float64Array(CHUNK);
    this.time = new Float64Array(CHUNK);
    this.keys = new Int32Array(CHUNK);
    this.flags = new Uint8Array(CHUNK);
    this.secondsChunks.push(this.seconds);
    this.timeChunks.push(this.time);
    this.keyChunks.push(this.keys);
    this.flagChunks.push(this.flags);
  }

  secondsAt(i: number): number {
    return this.secondsChunks[i >>> CHUNK_BITS]![i & MASK]!;
  }

  timeAt(i: number): number {
    return this.timeChunks[i >>> CHUNK_BITS]![i & MASK]!;
  }

  keyAt(i: number): number {
    return this.keyChunks[i >>> CHUNK_BITS]![i & MASK]!;
  }

  flagsAt(i: number): number {
    return this.flagChunks[i >>> CHUNK_BITS]![i & MASK]!;
  }

  /** Bytes held. */
  get bytes(): number {
    return this.secondsChunks.length * CHUNK * BYTES_PER_CALL;
  }

  /**
   * Call indexes grouped by `groupOf[key]` (in file order within a group), with each group's start:
   * group g holds `order[starts[g], starts[g + 1])`.
   */
  groupBy(groupOf: Int32Array, groups: number): { order: Int32Array; starts: Int32Array } {
    const starts = new Int32Array(groups + 1);
    const n = this.length;
    for (let c = 0; c < this.keyChunks.length; c++) {
      const keys = this.keyChunks[c]!;
      const m = Math.min(CHUNK, n - c * CHUNK);
      for (let i = 0; i < m; i++) starts[groupOf[keys[i]!]! + 1]!++;
    }
    for (let g = 0; g < groups; g++) starts[g + 1]! += starts[g]!;
    const next = starts.slice(0, groups);
    const order = new Int32Array(n);
    for (let c = 0; c < this.keyChunks.length; c++) {
      const keys = this.keyChunks[c]!;
      const m = Math.min(CHUNK, n - c * CHUNK);
      const base = c * CHUNK;
      for (let i = 0; i < m; i++) order[next[groupOf[keys[i]!]!]!++] = base + i;
    }
    return { order, starts };
  }

  /** Drops everything (after a switch to sketches). */
  clear(): void {
    this.secondsChunks.length = 0;
    this.timeChunks.length = 0;
    this.keyChunks.length = 0;
    this.flagChunks.length = 0;
    this.length = 0;
  }
}
