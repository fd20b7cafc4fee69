/**
 * The writer's in-memory rows for one scope (tree, system or a PID) between commits, kept as growable
 * Float64Array columns, and the packing of those rows into one chunk BLOB. null is held as NaN, so a
 * NaN value appended is read back as null (RunData has no NaN: JSON cannot carry it).
 */
import { endianness } from 'node:os';

// Chunks are little-endian on disk; a big-endian host swaps bytes on the way in and out.
const bigEndian = endianness() === 'BE';

/** Rows buffered for one scope. Owned by one RunWriter; not shared. */
export class ColumnBuffer {
  /** Every column name seen for this scope, in first-seen order (ordinal = index). */
  readonly names: string[] = [];
  /** How many of `names` are already in the store's `series_columns`. */
  persistedNames = 0;
  /** Chunks written so far for this scope (the next chunk's seq). */
  nextSeq = 0;
  rows = 0;
  private readonly ordinals = new Map<string, number>();
  private capacity = 16;
  private t = new Float64Array(this.capacity);
  private cols: Float64Array[] = [];

  /** Buffers one row; columns absent from `values` are null for it, new columns are null before it. */
  append(t: number, values: Record<string, number | null>): void {
    if (this.rows === this.capacity) this.grow();
    const r = this.rows;
    this.t[r] = t;
    const cols = this.cols;
    for (let i = 0; i < cols.length; i++) cols[i]![r] = NaN;
    for (const name in values) {
      let i = this.ordinals.get(name);
      if (i === undefined) i = this.addColumn(name);
      const v = values[name];
      cols[i]![r] = v ?? NaN;
    }
    this.rows = r + 1;
  }

  firstT(): number {
    return this.t[0]!;
  }

  lastT(): number {
    return this.t[this.rows - 1]!;
  }

  /** Packs the buffered rows column-major (timestamp, then every column) as little-endian float64. */
  pack(): Buffer {
    const n = this.rows;
    const out = new Float64Array(n * (1 + this.cols.length));
    out.set(this.t.subarray(0, n), 0);
    for (let i = 0; i < this.cols.length; i++) out.set(this.cols[i]!.subarray(0, n), n * (i + 1));
    const buf = Buffer.from(out.buffer, out.byteOffset, out.byteLength);
    if (bigEndian) buf.swap64();
    return buf;
  }

  /** Forgets the rows (after a commit); columns and capacity stay for the next second. */
  clear(): void {
    this.rows = 0;
  }

  private addColumn(name: string): number {
    const i = this.names.length;
    this.names.push(name);
    this.ordinals.set(name, i);
    const col = new Float64Array(this.capacity);
    col.fill(NaN, 0, this.rows);
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

/**
 * Unpacks a chunk BLOB holding `columnCount` value columns into `target` (timestamp + the first
 * `columnCount` arrays of `columns`); the remaining `columns` get nulls for these rows.
 */
export function unpackChunk(
  blob: Uint8Array,
  columnCount: number,
  timestamp: number[],
  columns: (number | null)[][],
): number {
  let bytes = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  if (bigEndian || blob.byteOffset % 8 !== 0) {
    // Float64Array needs 8-byte alignment (and host byte order): copy first.
    bytes = Buffer.from(blob);
    if (bigEndian) bytes.swap64();
  }
  const values = new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8);
  const n = values.length / (1 + columnCount);
  if (!Number.isInteger(n)) throw new Error(`chunk of ${values.length} values does not hold ${columnCount + 1} columns`);
  for (let r = 0; r < n; r++) timestamp.push(values[r]!);
  for (let c = 0; c < columns.length; c++) {
    const col = columns[c]!;
    if (c < columnCount) {
      const base = n * (c + 1);
      for (let r = 0; r < n; r++) {
        const v = values[base + r]!;
        col.push(v === v ? v : null);
      }
    } else {
      for (let r = 0; r < n; r++) col.push(null);
    }
  }
  return n;
}
