/**
 * Column packing for the HTML report: values quantized to a step, delta-encoded as Int32, all columns
 * of a report concatenated and gzipped once, then base64. Noisy float64s barely compress; quantized
 * deltas do (research: 1M values, 5.9 MB as JSON numbers, 2.3 MB packed, decoded in ~250 ms in Chromium).
 */
import { gzipSync } from 'node:zlib';

/** Marks a missing value (null/NaN) in the delta stream; a real delta never takes it. */
export const nullSentinel = -2147483648;
const maxDelta = 2147483647;

/** Where one packed column sits in the blob, and how to turn its integers back into values. */
export interface PackedRef {
  /** Offset and length in Int32 units. */
  offset: number;
  length: number;
  /** value = integer × quantum. */
  quantum: number;
}

/** Collects columns, then produces one base64 gzip blob. */
export class ColumnPacker {
  private readonly parts: Int32Array[] = [];
  private size = 0;

  /**
   * Adds `values` at `indexes` (all of them when omitted), quantized to `quantum` or to a coarser power
   * of two of it when a delta would not fit in 31 bits. Returns where it went.
   */
  add(values: ArrayLike<number | null>, quantum: number, indexes?: ArrayLike<number>): PackedRef {
    const n = indexes ? indexes.length : values.length;
    const at = (k: number): number | null => {
      const v = values[indexes ? indexes[k]! : k];
      return v == null || v !== v ? null : v;
    };
    let q = quantum;
    let maxAbs = 0;
    for (let k = 0; k < n; k++) {
      const v = at(k);
      if (v !== null && Math.abs(v) > maxAbs) maxAbs = Math.abs(v);
    }
    // A delta is at most twice the largest magnitude.
    while ((2 * maxAbs) / q >= maxDelta) q *= 2;
    const out = new Int32Array(n);
    let prev = 0;
    for (let k = 0; k < n; k++) {
      const v = at(k);
      if (v === null) {
        out[k] = nullSentinel;
        continue;
      }
      const i = Math.round(v / q);
      out[k] = i - prev;
      prev = i;
    }
    const ref = { offset: this.size, length: n, quantum: q };
    this.parts.push(out);
    this.size += n;
    return ref;
  }

  /** The blob: gzip of every column's Int32 (little-endian) bytes, base64. */
  finish(level = 6): string {
    const all = new Int32Array(this.size);
    let off = 0;
    for (const p of this.parts) {
      all.set(p, off);
      off += p.length;
    }
    return gzipSync(new Uint8Array(all.buffer, all.byteOffset, all.byteLength), { level }).toString('base64');
  }
}

/** The inverse of ColumnPacker for one column (tests and tools; the page has its own copy). */
export function unpackColumn(ints: Int32Array, ref: PackedRef): (number | null)[] {
  const out: (number | null)[] = new Array(ref.length);
  let acc = 0;
  for (let k = 0; k < ref.length; k++) {
    const d = ints[ref.offset + k]!;
    if (d === nullSentinel) out[k] = null;
    else {
      acc += d;
      out[k] = acc * ref.quantum;
    }
  }
  return out;
}
