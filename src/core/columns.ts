/**
 * The columnar accumulator of recorded rows: a timestamp column and one Float64Array per named column,
 * grown by doubling, every column aligned with the timestamps. A missing value is held as NaN — a
 * column absent from a row, or first seen after earlier rows, is NaN there — and becomes null only at
 * the JSON edge (`toSeriesColumns`), since RunData has no NaN (JSON cannot carry it). Used by the
 * in-memory recorder and, chunk by chunk, by the store's writer.
 */
import type { SeriesColumns } from './run-data.js';

/** Rows of one series (tree, system or one process). Owned by one writer; not safe to share between threads. */
export class ColumnAccumulator {
  /** Every column name seen, in first-seen order (a column's ordinal is its index here). Never shrinks. */
  readonly names: string[] = [];
  private readonly ordinals = new Map<string, number>();
  private length = 0;
  private capacity: number;
  private t: Float64Array;
  private cols: Float64Array[] = [];

  constructor(initialCapacity = 16) {
    this.capacity = Math.max(1, initialCapacity);
    this.t = new Float64Array(this.capacity);
  }

  /** Rows held. */
  get rows(): number {
    return this.length;
  }

  /** Appends one row; a value that is null, undefined or NaN is held as missing, a new column is missing before it. */
  append(t: number, values: Readonly<Record<string, number | null | undefined>>): void {
    if (this.length === this.capacity) this.grow();
    const r = this.length;
    this.t[r] = t;
    const cols = this.cols;
    for (let i = 0; i < cols.length; i++) cols[i]![r] = NaN;
    for (const name in values) {
      let i = this.ordinals.get(name);
      if (i === undefined) i = this.addColumn(name);
      cols[i]![r] = values[name] ?? NaN;
    }
    this.length = r + 1;
  }

  /** The timestamps of the rows held (a view: valid until the next append or clear). */
  timestamps(): Float64Array {
    return this.t.subarray(0, this.length);
  }

  /** The values of column `ordinal` (index in `names`), NaN where missing (a view, as `timestamps`). */
  column(ordinal: number): Float64Array {
    const col = this.cols[ordinal];
    if (col === undefined) throw new RangeError(`no column ${ordinal} (${this.names.length} columns)`);
    return col.subarray(0, this.length);
  }

  firstT(): number {
    return this.t[0]!;
  }

  lastT(): number {
    return this.t[this.length - 1]!;
  }

  /** Forgets the rows; names and capacity stay (the store's writer after each commit). */
  clear(): void {
    this.length = 0;
  }

  /** The rows as RunData columns: plain arrays, `timestamp` first, then every column in first-seen order, null where missing. */
  toSeriesColumns(): SeriesColumns {
    const n = this.length;
    const out: SeriesColumns = { timestamp: Array.from(this.t.subarray(0, n)) };
    for (let c = 0; c < this.names.length; c++) {
      const src = this.cols[c]!;
      const col = new Array<number | null>(n);
      for (let r = 0; r < n; r++) {
        const v = src[r]!;
        col[r] = v === v ? v : null;
      }
      out[this.names[c]!] = col;
    }
    return out;
  }

  private addColumn(name: string): number {
    const i = this.names.length;
    this.names.push(name);
    this.ordinals.set(name, i);
    const col = new Float64Array(this.capacity);
    col.fill(NaN, 0, this.length);
    this.cols.push(col);
    return i;
  }

  private grow(): void {
    this.capacity *= 2;
    const t = new Float64Array(this.capacity);
    t.set(this.t);
    this.t = t;
    this.cols = this.cols.map((c) => {
      const n = new Float64Array(this.capacity);
      n.set(c);
      return n;
    });
  }
}
