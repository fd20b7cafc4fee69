/**
 * Order statistics of a large Float64Array by its values' top bits: one pass counts the values per
 * 16-bit prefix of their IEEE 754 bits (sign, exponent and 4 mantissa bits: buckets 1/16 of a binary
 * octave wide, in value order for non-negative doubles), a second gathers the values of only the
 * buckets that hold a wanted rank, and quickselect runs on those few (a few % of a log-normal key's
 * calls). The values are the same order statistics quickselect over the whole array finds (ranks are
 * ranks). With distribution buckets by the same prefixes (key-summary.ts), the per-key summaries of the
 * bench's 1M-line logs took 54 instead of 68 ms (nginx) and 53 instead of 73 ms (ECS) of CPU, warm,
 * in-process, min of 9; cold, in the CLI, the difference is within this VM's noise.
 *
 * Only for non-negative, non-NaN values on a little-endian host: `radixOrderStatistics` returns false
 * (nothing written) when it meets a negative number (or -0), an infinity or a NaN, and the caller
 * selects as before.
 */
import { endianness } from 'node:os';

const LITTLE_ENDIAN = endianness() === 'LE';
const BUCKETS = 1 << 16;
/** High words at or above this are +Infinity, NaNs or negative (sign bit): not handled here. */
const HIGH_WORD_LIMIT = 0x7ff00000;
/** Below this many values the 64K-bucket count costs more than it saves. */
export const RADIX_MIN_VALUES = 16_384;

let counts: Int32Array | null = null;

/**
 * Writes into `out[i]` the `ranks[i]`-th smallest value (0-based) of `values`; `ranks` ascending and
 * within the array. `values` is left as it was. Returns false, with nothing written, when a value is
 * out of this method's domain (see the file's comment) or the host is big-endian.
 */
export function radixOrderStatistics(values: Float64Array, ranks: readonly number[], out: Float64Array, select: (a: Float64Array, k: number, left: number, right: number) => void): boolean {
  if (!LITTLE_ENDIAN) return false;
  const n = values.length;
  const words = new Uint32Array(values.buffer, values.byteOffset, 2 * n);
  counts ??= new Int32Array(BUCKETS);
  const c = counts;
  c.fill(0);
  if (!countBuckets(words, n, c)) return false;
  // the bucket of each rank, and the ranks before that bucket
  const bucketOf = new Int32Array(ranks.length);
  const before = new Int32Array(ranks.length);
  let seen = 0;
  let b = 0;
  for (let k = 0; k < ranks.length; k++) {
    const r = ranks[k]!;
    while (seen + c[b]! <= r) seen += c[b++]!;
    bucketOf[k] = b;
    before[k] = seen;
  }
  // the wanted buckets' values side by side, bucket after bucket
  const start = new Map<number, number>();
  let size = 0;
  for (let k = 0; k < ranks.length; k++) {
    const bk = bucketOf[k]!;
    if (!start.has(bk)) {
      start.set(bk, size);
      size += c[bk]!;
    }
  }
  const slot = new Int32Array(BUCKETS).fill(-1);
  for (const [bk, s] of start) slot[bk] = s;
  const gathered = new Float64Array(size);
  gather(values, words, n, slot, gathered);
  for (let k = 0; k < ranks.length; k++) {
    const bk = bucketOf[k]!;
    const s = start.get(bk)!;
    const local = s + ranks[k]! - before[k]!;
    // ranks ascend: a rank in the same bucket as the last one searches on from it
    const left = k > 0 && bucketOf[k - 1] === bk ? s + ranks[k - 1]! - before[k - 1]! + 1 : s;
    select(gathered, local, Math.min(left, local), s + c[bk]! - 1);
    out[k] = gathered[local]!;
  }
  return true;
}

/** Counts values per 16-bit prefix; false when one is negative, infinite or NaN. */
function countBuckets(words: Uint32Array, n: number, c: Int32Array): boolean {
  for (let i = 0; i < n; i++) {
    const hi = words[2 * i + 1]!;
    if (hi >= HIGH_WORD_LIMIT) return false;
    c[hi >>> 16]!++;
  }
  return true;
}

/** Copies each value whose bucket has a slot to the next place of that slot (slots advance). */
function gather(values: Float64Array, words: Uint32Array, n: number, slot: Int32Array, out: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const s = slot[words[2 * i + 1]! >>> 16]!;
    if (s >= 0) {
      out[s] = values[i]!;
      slot[words[2 * i + 1]! >>> 16] = s + 1;
    }
  }
}
