/**
 * The writer's in-memory rows for one scope (tree, system or a PID) between commits — the shared
 * columnar accumulator (core/columns.ts) — and the packing of those rows into one chunk BLOB. null is
 * held as NaN, so a NaN value appended is read back as null (RunData has no NaN: JSON cannot carry it).
 */
import { endianness } from 'node:os';
import { ColumnAccumulator } from '../core/columns.js';

// Chunks are little-endian on disk; a big-endian host swaps bytes on the way in and out.
const bigEndian = endianness() === 'BE';

/** Rows buffered for one scope. Owned by one RunWriter; not shared. */
export class ColumnBuffer extends ColumnAccumulator {
  /** How many of `names` are already in the store's `series_columns`. */
  persistedNames = 0;
  /** Chunks written so far for this scope (the next chunk's seq). */
  nextSeq = 0;

  /** Packs the buffered rows column-major (timestamp, then every column) as little-endian float64. */
  pack(): Buffer {
    const n = this.rows;
    const columns = this.names.length;
    const out = new Float64Array(n * (1 + columns));
    out.set(this.timestamps(), 0);
    for (let i = 0; i < columns; i++) out.set(this.column(i), n * (i + 1));
    const buf = Buffer.from(out.buffer, out.byteOffset, out.byteLength);
    if (bigEndian) buf.swap64();
    return buf;
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
