/**
 * Prometheus remote write 1.0 on the wire: `prometheus.WriteRequest { repeated TimeSeries timeseries = 1 }`,
 * `TimeSeries { repeated Label labels = 1; repeated Sample samples = 2 }`, `Label { string name = 1;
 * string value = 2 }`, `Sample { double value = 1; int64 timestamp = 2 }` (ms), snappy block-compressed.
 * A series' labels are encoded once, when it is first queued, and reused for every sample after.
 */
import { ProtoWriter } from './protobuf.js';
import type { Labels } from './series.js';
import { snappyCompress } from './snappy.js';

export const REMOTE_WRITE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Content-Type': 'application/x-protobuf',
  'Content-Encoding': 'snappy',
  'X-Prometheus-Remote-Write-Version': '0.1.0',
  'User-Agent': 'perfscope-remote-write',
});

/** External labels, validated and sorted by name. */
export type SortedPairs = readonly (readonly [string, string])[];

/**
 * The identity key and sorted label pairs of one flat series: `__name__`, its labels, the `le`/`quantile`
 * label of a bucket or quantile, and the external labels it does not set itself.
 */
export function seriesLabels(
  name: string,
  labels: Labels,
  extraName: string | null,
  extraValue: string | null,
  external: SortedPairs,
): [string, string][] {
  const pairs: [string, string][] = [['__name__', name]];
  for (const k in labels) pairs.push([k, String(labels[k])]);
  if (extraName !== null) pairs.push([extraName, extraValue!]);
  for (const [k, v] of external) if (!(k in labels) && k !== extraName) pairs.push([k, v]);
  pairs.sort(byName);
  return pairs;
}

function byName(a: readonly [string, string], b: readonly [string, string]): number {
  return a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0;
}

/** A string identifying a series (names and values cannot contain the separator byte sequence ambiguously: lengths are included). */
export function seriesKey(name: string, labels: Labels, extraName: string | null, extraValue: string | null): string {
  let key = `${name.length}:${name}`;
  for (const k in labels) {
    const v = String(labels[k]);
    key += `|${k.length}:${k}=${v.length}:${v}`;
  }
  if (extraName !== null) key += `|${extraName}=${extraValue!.length}:${extraValue!}`;
  return key;
}

const labelWriter = new ProtoWriter(1024);

/** The repeated `labels` fields of a TimeSeries, as bytes. */
export function encodeLabels(pairs: readonly (readonly [string, string])[]): Uint8Array {
  const w = labelWriter;
  w.reset();
  for (const [k, v] of pairs) {
    w.begin(1);
    w.string(1, k);
    w.string(2, v);
    w.end();
  }
  return Uint8Array.prototype.slice.call(w.view());
}

function varintSize(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

/**
 * The WriteRequest for `count` samples given as (series id, timestamp ms, value) triples, one
 * TimeSeries per sample (as Prometheus sends them). Returns a view of `w`'s buffer.
 */
export function encodeWriteRequest(w: ProtoWriter, records: Float64Array, count: number, labelsOf: (id: number) => Uint8Array): Buffer {
  w.reset();
  for (let i = 0; i < count; i++) {
    const labels = labelsOf(records[i * 3]!);
    const ts = records[i * 3 + 1]!;
    const value = records[i * 3 + 2]!;
    // Sample: 0x09 + 8 bytes value, 0x10 + varint timestamp (epoch ms is never negative here)
    const sampleLen = 9 + 1 + (ts > 0 ? varintSize(ts) : 1);
    const seriesLen = labels.length + 1 + 1 + sampleLen; // sampleLen < 128: one length byte
    w.tag(1, 2);
    w.varint(seriesLen);
    w.raw(labels);
    w.tag(2, 2);
    w.varint(sampleLen);
    w.double(1, value);
    w.uint(2, ts > 0 ? ts : 0);
  }
  return w.view();
}

/** Encodes and compresses: the request body. */
export function writeRequestBody(w: ProtoWriter, records: Float64Array, count: number, labelsOf: (id: number) => Uint8Array): Buffer {
  return snappyCompress(encodeWriteRequest(w, records, count, labelsOf));
}
