/**
 * The BLOB of one series-store chunk: a time column and value columns, lossless. Each column is XORed
 * with its previous value (Gorilla's idea: neighbouring doubles share sign, exponent and high mantissa,
 * so the XOR starts with zero bytes; a constant series becomes all zeros), the bytes are shuffled so
 * byte k of every value sits together, and the result goes through raw DEFLATE (node:zlib). Sizes
 * measured on serve's own history: BENCHMARKS.md, "serve".
 *
 * Layout: u8 version (1), u32 rows, u32 columns, u32 id per column (little-endian), then the
 * deflated float64 matrix: times, then each column, `rows` values each, NaN = no value.
 */
import { deflateRawSync, inflateRawSync, constants } from 'node:zlib';
import { endianness } from 'node:os';

const VERSION = 1;
const bigEndian = endianness() === 'BE';

export interface Chunk {
  /** One id per column (the caller's series ids). */
  ids: ArrayLike<number>;
  times: Float64Array;
  /** `ids.length` columns of `times.length` values each. */
  columns: Float64Array[];
}

/** Encodes a chunk (the arrays are not modified). */
export function encodeChunk(chunk: Chunk, level = 6): Buffer {
  const rows = chunk.times.length;
  const cols = chunk.columns.length;
  if (chunk.ids.length !== cols) throw new RangeError(`chunk has ${cols} columns but ${chunk.ids.length} ids`);
  const matrix = new Float64Array(rows * (1 + cols));
  matrix.set(chunk.times, 0);
  for (let c = 0; c < cols; c++) {
    const col = chunk.columns[c]!;
    if (col.length !== rows) throw new RangeError(`chunk column ${c} has ${col.length} values, expected ${rows}`);
    matrix.set(col, rows * (c + 1));
  }
  const words = new Uint32Array(matrix.buffer);
  for (let c = 0; c <= cols; c++) xorForward(words, c * rows, rows);
  const bytes = new Uint8Array(matrix.buffer);
  if (bigEndian) Buffer.from(bytes.buffer).swap64();
  const shuffled = shuffle(bytes, rows * (1 + cols));
  const body = deflateRawSync(shuffled, { level, strategy: constants.Z_DEFAULT_STRATEGY });
  const head = Buffer.allocUnsafe(9 + 4 * cols);
  head.writeUInt8(VERSION, 0);
  head.writeUInt32LE(rows, 1);
  head.writeUInt32LE(cols, 5);
  for (let c = 0; c < cols; c++) head.writeUInt32LE(chunk.ids[c]!, 9 + 4 * c);
  return Buffer.concat([head, body]);
}

/** Decodes a chunk written by encodeChunk; throws RangeError on a foreign or damaged BLOB. */
export function decodeChunk(blob: Uint8Array): Chunk {
  const buf = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  if (buf.length < 9 || buf.readUInt8(0) !== VERSION) throw new RangeError('not a series-store chunk (unknown version)');
  const rows = buf.readUInt32LE(1);
  const cols = buf.readUInt32LE(5);
  const headLen = 9 + 4 * cols;
  if (buf.length < headLen) throw new RangeError('series-store chunk is truncated');
  const ids = new Uint32Array(cols);
  for (let c = 0; c < cols; c++) ids[c] = buf.readUInt32LE(9 + 4 * c);
  const shuffled = inflateRawSync(buf.subarray(headLen));
  const n = rows * (1 + cols);
  if (shuffled.length !== n * 8) throw new RangeError(`series-store chunk holds ${shuffled.length} bytes, expected ${n * 8}`);
  const matrix = new Float64Array(n);
  const bytes = new Uint8Array(matrix.buffer);
  unshuffle(shuffled, bytes, n);
  if (bigEndian) Buffer.from(bytes.buffer).swap64();
  const words = new Uint32Array(matrix.buffer);
  for (let c = 0; c <= cols; c++) xorBackward(words, c * rows, rows);
  const times = matrix.slice(0, rows);
  const columns: Float64Array[] = [];
  for (let c = 0; c < cols; c++) columns.push(matrix.slice(rows * (c + 1), rows * (c + 2)));
  return { ids, times, columns };
}

/** value[i] ^= value[i-1] for one column of doubles (as word pairs), from the end so each XOR sees the original. */
function xorForward(w: Uint32Array, start: number, rows: number): void {
  for (let i = start + rows - 1; i > start; i--) {
    w[2 * i] = w[2 * i]! ^ w[2 * i - 2]!;
    w[2 * i + 1] = w[2 * i + 1]! ^ w[2 * i - 1]!;
  }
}

function xorBackward(w: Uint32Array, start: number, rows: number): void {
  for (let i = start + 1; i < start + rows; i++) {
    w[2 * i] = w[2 * i]! ^ w[2 * i - 2]!;
    w[2 * i + 1] = w[2 * i + 1]! ^ w[2 * i - 1]!;
  }
}

/** Byte k of value i goes to k * n + i. */
function shuffle(bytes: Uint8Array, n: number): Uint8Array {
  const out = new Uint8Array(n * 8);
  for (let i = 0; i < n; i++) {
    const o = i * 8;
    for (let k = 0; k < 8; k++) out[k * n + i] = bytes[o + k]!;
  }
  return out;
}

function unshuffle(src: Uint8Array, out: Uint8Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const o = i * 8;
    for (let k = 0; k < 8; k++) out[o + k] = src[k * n + i]!;
  }
}
