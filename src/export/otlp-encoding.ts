/**
 * OTLP metrics (opentelemetry-proto `ExportMetricsServiceRequest`) from a Collection, as protobuf or as
 * OTLP/JSON. Names stay the Prometheus names `/metrics` shows. Counters are monotonic Sums (cumulative,
 * or delta against the previous collection), gauges and untyped series Gauges, histograms explicit-bucket
 * Histograms (per-bucket counts, as OTLP wants, from the cumulative ones), summaries Summaries.
 *
 * Field numbers (opentelemetry/proto/metrics/v1/metrics.proto, common/v1/common.proto):
 *   ExportMetricsServiceRequest.resource_metrics 1; ResourceMetrics.resource 1, scope_metrics 2;
 *   Resource.attributes 1; ScopeMetrics.scope 1, metrics 2; InstrumentationScope.name 1, version 2;
 *   Metric.name 1, description 2, unit 3, gauge 5, sum 7, histogram 9, summary 11;
 *   Gauge.data_points 1; Sum.data_points 1, aggregation_temporality 2, is_monotonic 3;
 *   Histogram.data_points 1, aggregation_temporality 2; Summary.data_points 1;
 *   NumberDataPoint.start_time_unix_nano 2, time_unix_nano 3, as_double 4, attributes 7;
 *   HistogramDataPoint.start_time_unix_nano 2, time_unix_nano 3, count 4, sum 5, bucket_counts 6,
 *     explicit_bounds 7, attributes 9; SummaryDataPoint.start_time_unix_nano 2, time_unix_nano 3,
 *     count 4, sum 5, quantile_values 6, attributes 7; ValueAtQuantile.quantile 1, value 2;
 *   KeyValue.key 1, value 2; AnyValue.string_value 1, bool_value 2, int_value 3, double_value 4.
 */
import { nanosBytes, ProtoWriter } from './protobuf.js';
import type { Collection, HistogramPoint, Labels, SummaryPoint, ValuePoint } from './series.js';

export type Temporality = 'cumulative' | 'delta';
/** AggregationTemporality enum values. */
const TEMPORALITY_DELTA = 1;
const TEMPORALITY_CUMULATIVE = 2;

export type AttributeValue = string | number | boolean;

export interface OtlpResource {
  readonly attributes: Readonly<Record<string, AttributeValue>>;
}

export interface OtlpScope {
  readonly name: string;
  readonly version: string;
}

/**
 * Turns cumulative values into deltas between collections. Keeps the previous value of each series; a
 * value that went down (a counter reset) starts a new delta from zero at the previous collection.
 */
export class DeltaState {
  private prev = new Map<string, { t: number; v: number; counts?: Float64Array; sum?: number }>();
  private next = new Map<string, { t: number; v: number; counts?: Float64Array; sum?: number }>();

  /** Call once per collection, after encoding it: forgets series that did not appear. */
  commit(): void {
    this.prev = this.next;
    this.next = new Map();
  }

  value(key: string, t: number, v: number, start: number): { start: number; value: number } {
    const p = this.prev.get(key);
    this.next.set(key, { t, v });
    if (p === undefined) return { start, value: v };
    if (v < p.v) return { start: p.t, value: v };
    return { start: p.t, value: v - p.v };
  }

  histogram(key: string, t: number, counts: Float64Array, count: number, sum: number, start: number): { start: number; counts: Float64Array; count: number; sum: number } {
    const p = this.prev.get(key);
    this.next.set(key, { t, v: count, counts: counts.slice(), sum });
    if (p === undefined || count < p.v || p.counts!.length !== counts.length) return { start, counts, count, sum };
    const d = new Float64Array(counts.length);
    for (let i = 0; i < counts.length; i++) d[i] = counts[i]! - p.counts![i]!;
    return { start: p.t, counts: d, count: count - p.v, sum: sum - p.sum! };
  }
}

function labelKey(name: string, labels: Labels): string {
  let k = name;
  for (const l in labels) k += `\u0000${l}\u0000${String(labels[l])}`;
  return k;
}

/** Per-bucket counts (OTLP) from cumulative ones (Prometheus), +Inf last. */
function bucketCounts(p: HistogramPoint, out: Float64Array): Float64Array {
  let prev = 0;
  const n = p.bounds.length;
  for (let i = 0; i < n; i++) {
    const c = p.cumulativeCounts[i]!;
    out[i] = c - prev;
    prev = c;
  }
  out[n] = p.count - prev;
  return out;
}

export interface EncodeOptions {
  readonly resource: OtlpResource;
  readonly scope: OtlpScope;
  readonly temporality: Temporality;
  /** Required for delta temporality. */
  readonly delta?: DeltaState;
}

/** Number of data points the request for `c` carries (for the self-metrics). */
export function countPoints(c: Collection): number {
  let n = 0;
  for (const f of c.families) n += f.points.length;
  return n;
}

/**
 * The encoded `attributes` fields of a label set, cached per labels object: sources hand the same object
 * for a series at every collection (our metrics keep it), so a series' attributes are encoded once, not
 * at every export. With this cache, the positional one below and lengths written up front, encoding
 * 10,000 counter points went from 5.7 to 1.0–1.3 ms CPU (bench/export.bench.ts `--only otlp`). Two caches:
 * the field number differs by point type.
 */
const attributeCache = [new WeakMap<object, Uint8Array>(), new WeakMap<object, Uint8Array>()];
const attributeWriter = new ProtoWriter(4096);

function attributesBytes(labels: Labels, field: 7 | 9): Uint8Array {
  const cache = attributeCache[field === 7 ? 0 : 1]!;
  let b = cache.get(labels);
  if (b !== undefined) return b;
  const w = attributeWriter;
  w.reset();
  for (const k in labels) {
    w.begin(field);
    w.string(1, k);
    w.begin(2);
    w.string(1, String(labels[k]));
    w.end();
    w.end();
  }
  b = Uint8Array.prototype.slice.call(w.view());
  // a frozen or primitive-keyed label set cannot be a WeakMap key only if it is not an object
  if (typeof labels === 'object' && labels !== null) cache.set(labels, b);
  return b;
}

/**
 * Attribute bytes by position within a family: a source returns a family's points in the same order
 * with the same labels objects at every collection, so an identity check at the same index finds the
 * bytes without hashing (a WeakMap lookup costs 45-100 ns here, the index check ~1 ns).
 */
interface PositionalCache {
  labels: (Labels | undefined)[];
  bytes: Uint8Array[];
}
const positional = new Map<string, PositionalCache>();

function positionalCache(name: string, field: 7 | 9, n: number): PositionalCache {
  const key = `${name}\u0000${field}`;
  let e = positional.get(key);
  if (e === undefined) positional.set(key, (e = { labels: [], bytes: [] }));
  if (e.labels.length > n) {
    e.labels.length = n;
    e.bytes.length = n;
  }
  return e;
}

/**
 * Same label set? Sources that copy labels at every collection (histograms read through `get()`, series
 * with default labels merged in) hand equal but new objects: a shallow comparison at the same index
 * still finds the cached bytes, and costs less than encoding the attributes again.
 */
function sameLabelSet(a: Labels | undefined, b: Labels): boolean {
  if (a === b) return true;
  if (a === undefined) return false;
  let n = 0;
  for (const k in b) {
    if (a[k] !== b[k]) return false;
    n++;
  }
  for (const _k in a) n--;
  return n === 0;
}

function attrsAt(e: PositionalCache, i: number, labels: Labels, field: 7 | 9): Uint8Array {
  if (sameLabelSet(e.labels[i], labels)) {
    e.labels[i] = labels;
    return e.bytes[i]!;
  }
  const b = attributesBytes(labels, field);
  e.labels[i] = labels;
  e.bytes[i] = b;
  return b;
}

/**
 * A NumberDataPoint's opening bytes: its tag (data_points = 1), its length (`fixedBytes` of times and
 * value plus the attributes) and its attributes, written first (field order is free in protobuf), so a
 * point costs two copies and one double store.
 */
function pointPrefixAt(e: PositionalCache, i: number, labels: Labels, fixedBytes: number): Uint8Array {
  if (sameLabelSet(e.labels[i], labels)) {
    e.labels[i] = labels;
    return e.bytes[i]!;
  }
  const attrs = attributesBytes(labels, 7);
  const w = attributeWriter;
  w.reset();
  w.tag(1, 2);
  w.varint(fixedBytes + attrs.length);
  w.raw(attrs);
  const b = Uint8Array.prototype.slice.call(w.view());
  e.labels[i] = labels;
  e.bytes[i] = b;
  return b;
}

/** `start_time_unix_nano` (2) and `time_unix_nano` (3) fields together: 18 bytes, built once per pair. */
class TimePair {
  private start = NaN;
  private time = NaN;
  private bytes = new Uint8Array(18);
  get(nanos: NanosCache, start: number, time: number): Uint8Array {
    if (start === this.start && time === this.time) return this.bytes;
    const b = new Uint8Array(18);
    b[0] = (2 << 3) | 1;
    b.set(nanos.get(start), 1);
    b[9] = (3 << 3) | 1;
    b.set(nanos.get(time), 10);
    this.start = start;
    this.time = time;
    this.bytes = b;
    return b;
  }
}

const EMPTY = new Uint8Array(0);

function varintSize(v: number): number {
  let n = 1;
  while (v >= 0x80) {
    v = Math.floor(v / 128);
    n++;
  }
  return n;
}

/** The packed `explicit_bounds` field (7) of a bounds array, cached per array (series of a histogram share one). */
const boundsCache = new WeakMap<readonly number[], Uint8Array>();
function boundsBytes(bounds: readonly number[]): Uint8Array {
  let b = boundsCache.get(bounds);
  if (b !== undefined) return b;
  const w = attributeWriter;
  w.reset();
  w.tag(7, 2);
  w.varint(bounds.length * 8);
  for (const x of bounds) w.rawDouble(x);
  b = Uint8Array.prototype.slice.call(w.view());
  boundsCache.set(bounds, b);
  return b;
}

function writeResourceAttribute(w: ProtoWriter, k: string, v: AttributeValue): void {
  w.begin(1);
  w.string(1, k);
  w.begin(2);
  if (typeof v === 'string') w.string(1, v);
  else if (typeof v === 'boolean') w.uint(2, v ? 1 : 0);
  else if (Number.isInteger(v)) w.int64(3, v);
  else w.double(4, v);
  w.end();
  w.end();
}

/** Caches the 8-byte nanosecond form of the few distinct timestamps of a collection. */
class NanosCache {
  private lastMs = NaN;
  private lastBytes: Uint8Array = new Uint8Array(8);
  private readonly map = new Map<number, Uint8Array>();
  get(ms: number): Uint8Array {
    if (ms === this.lastMs) return this.lastBytes;
    let b = this.map.get(ms);
    if (b === undefined) {
      b = nanosBytes(ms);
      if (this.map.size > 1024) this.map.clear();
      this.map.set(ms, b);
    }
    this.lastMs = ms;
    this.lastBytes = b;
    return b;
  }
}

const sharedWriter = new ProtoWriter(256 * 1024);

/** The protobuf request body (uncompressed). A copy: safe to keep. */
export function encodeOtlpProtobuf(c: Collection, o: EncodeOptions, w: ProtoWriter = sharedWriter): Buffer {
  w.reset();
  const nanos = new NanosCache();
  const times = new TimePair();
  w.begin(1); // ResourceMetrics
  w.begin(1); // Resource
  for (const k of Object.keys(o.resource.attributes)) writeResourceAttribute(w, k, o.resource.attributes[k]!);
  w.end();
  w.begin(2); // ScopeMetrics
  w.begin(1);
  w.string(1, o.scope.name);
  if (o.scope.version !== '') w.string(2, o.scope.version);
  w.end();
  const delta = o.temporality === 'delta' ? o.delta : undefined;
  const temporality = delta !== undefined ? TEMPORALITY_DELTA : TEMPORALITY_CUMULATIVE;
  let scratch = new Float64Array(16);
  for (const f of c.families) {
    if (f.points.length === 0) continue;
    w.begin(2); // Metric
    w.string(1, f.name);
    if (f.help !== '') w.string(2, f.help);
    if (f.unit !== undefined && f.unit !== '') w.string(3, f.unit);
    switch (f.type) {
      case 'counter': {
        w.begin(7);
        const points = f.points as readonly ValuePoint[];
        const cache = positionalCache(f.name, 7, points.length);
        for (let i = 0; i < points.length; i++) {
          const p = points[i]!;
          const t = p.timestampMs ?? c.timestampMs;
          let start = p.startTimeMs ?? c.startTimeMs;
          let value = p.value;
          if (delta !== undefined) ({ start, value } = delta.value(labelKey(f.name, p.labels), t, value, start));
          // NumberDataPoint: cached tag, length and attributes, then times (2, 3) and as_double (4)
          w.raw(pointPrefixAt(cache, i, p.labels, 27));
          w.raw(times.get(nanos, start, t));
          w.double(4, value);
        }
        w.uint(2, temporality);
        w.uint(3, 1);
        w.end();
        break;
      }
      case 'gauge':
      case 'untyped': {
        w.begin(5);
        const points = f.points as readonly ValuePoint[];
        const cache = positionalCache(f.name, 7, points.length);
        for (let i = 0; i < points.length; i++) {
          const p = points[i]!;
          w.raw(pointPrefixAt(cache, i, p.labels, 18));
          w.fixed64Bytes(3, nanos.get(p.timestampMs ?? c.timestampMs));
          w.double(4, p.value);
        }
        w.end();
        break;
      }
      case 'histogram': {
        w.begin(9);
        const points = f.points as readonly HistogramPoint[];
        const cache = positionalCache(f.name, 9, points.length);
        for (let j = 0; j < points.length; j++) {
          const p = points[j]!;
          const nb = p.bounds.length + 1;
          if (scratch.length < nb) scratch = new Float64Array(nb * 2);
          let counts = bucketCounts(p, scratch.length === nb ? scratch : scratch.subarray(0, nb));
          const t = p.timestampMs ?? c.timestampMs;
          let start = p.startTimeMs ?? c.startTimeMs;
          let count = p.count;
          let sum = p.sum;
          if (delta !== undefined) ({ start, counts, count, sum } = delta.histogram(labelKey(f.name, p.labels), t, counts, count, sum, start));
          // HistogramDataPoint of known length (no length patching, which would move ~250 bytes a point)
          const bounds = p.bounds.length > 0 ? boundsBytes(p.bounds) : EMPTY;
          const attrs = attrsAt(cache, j, p.labels, 9);
          const countsLen = nb * 8;
          const len = 18 + 9 + 9 + 1 + varintSize(countsLen) + countsLen + bounds.length + attrs.length;
          w.tag(1, 2);
          w.varint(len);
          w.raw(times.get(nanos, start, t));
          w.fixed64(4, count);
          w.double(5, sum);
          w.tag(6, 2);
          w.varint(countsLen);
          w.fixed64Array(counts, nb);
          w.raw(bounds);
          w.raw(attrs);
        }
        w.uint(2, temporality);
        w.end();
        break;
      }
      case 'summary': {
        w.begin(11);
        for (const p of f.points as readonly SummaryPoint[]) {
          w.begin(1);
          w.fixed64Bytes(2, nanos.get(p.startTimeMs ?? c.startTimeMs));
          w.fixed64Bytes(3, nanos.get(p.timestampMs ?? c.timestampMs));
          w.fixed64(4, p.count);
          w.double(5, p.sum);
          for (let i = 0; i < p.quantiles.length; i++) {
            w.begin(6);
            w.double(1, p.quantiles[i]!);
            w.double(2, p.values[i]!);
            w.end();
          }
          w.raw(attributesBytes(p.labels, 7));
          w.end();
        }
        w.end();
        break;
      }
    }
    w.end();
  }
  w.end(); // ScopeMetrics
  w.end(); // ResourceMetrics
  delta?.commit();
  // allocUnsafe + copy: Buffer.from(view) zero-fills a new buffer first
  const view = w.view();
  const out = Buffer.allocUnsafe(view.length);
  view.copy(out);
  return out;
}

// ---- OTLP/JSON: protobuf's JSON mapping with OTLP's rules (lowerCamelCase names, 64-bit integers as
// decimal strings, enums as numbers, non-finite doubles as "NaN"/"Infinity"/"-Infinity").

function jsonDouble(v: number): number | string {
  if (Number.isFinite(v)) return v;
  return Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
}

function nanosString(ms: number): string {
  return (BigInt(Math.round(ms)) * 1_000_000n).toString();
}

function jsonAttributes(labels: Labels): { key: string; value: { stringValue: string } }[] {
  const out = [];
  for (const k in labels) out.push({ key: k, value: { stringValue: String(labels[k]) } });
  return out;
}

function jsonAnyValue(v: AttributeValue): Record<string, unknown> {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  if (Number.isInteger(v)) return { intValue: String(v) };
  return { doubleValue: jsonDouble(v) };
}

/** The OTLP/JSON request body. */
export function encodeOtlpJson(c: Collection, o: EncodeOptions): string {
  const delta = o.temporality === 'delta' ? o.delta : undefined;
  const temporality = delta !== undefined ? TEMPORALITY_DELTA : TEMPORALITY_CUMULATIVE;
  const metrics: Record<string, unknown>[] = [];
  for (const f of c.families) {
    if (f.points.length === 0) continue;
    const m: Record<string, unknown> = { name: f.name };
    if (f.help !== '') m.description = f.help;
    if (f.unit !== undefined && f.unit !== '') m.unit = f.unit;
    switch (f.type) {
      case 'counter':
        m.sum = {
          dataPoints: (f.points as readonly ValuePoint[]).map((p) => {
            const t = p.timestampMs ?? c.timestampMs;
            let start = p.startTimeMs ?? c.startTimeMs;
            let value = p.value;
            if (delta !== undefined) ({ start, value } = delta.value(labelKey(f.name, p.labels), t, value, start));
            return { startTimeUnixNano: nanosString(start), timeUnixNano: nanosString(t), asDouble: jsonDouble(value), attributes: jsonAttributes(p.labels) };
          }),
          aggregationTemporality: temporality,
          isMonotonic: true,
        };
        break;
      case 'gauge':
      case 'untyped':
        m.gauge = {
          dataPoints: (f.points as readonly ValuePoint[]).map((p) => ({
            timeUnixNano: nanosString(p.timestampMs ?? c.timestampMs),
            asDouble: jsonDouble(p.value),
            attributes: jsonAttributes(p.labels),
          })),
        };
        break;
      case 'histogram':
        m.histogram = {
          dataPoints: (f.points as readonly HistogramPoint[]).map((p) => {
            const t = p.timestampMs ?? c.timestampMs;
            let start = p.startTimeMs ?? c.startTimeMs;
            let counts = bucketCounts(p, new Float64Array(p.bounds.length + 1));
            let count = p.count;
            let sum = p.sum;
            if (delta !== undefined) ({ start, counts, count, sum } = delta.histogram(labelKey(f.name, p.labels), t, counts, count, sum, start));
            const dp: Record<string, unknown> = {
              startTimeUnixNano: nanosString(start),
              timeUnixNano: nanosString(t),
              count: String(count),
              sum: jsonDouble(sum),
              bucketCounts: Array.from(counts, (x) => String(x)),
            };
            if (p.bounds.length > 0) dp.explicitBounds = p.bounds.map(jsonDouble);
            dp.attributes = jsonAttributes(p.labels);
            return dp;
          }),
          aggregationTemporality: temporality,
        };
        break;
      case 'summary':
        m.summary = {
          dataPoints: (f.points as readonly SummaryPoint[]).map((p) => ({
            startTimeUnixNano: nanosString(p.startTimeMs ?? c.startTimeMs),
            timeUnixNano: nanosString(p.timestampMs ?? c.timestampMs),
            count: String(p.count),
            sum: jsonDouble(p.sum),
            quantileValues: p.quantiles.map((q, i) => ({ quantile: jsonDouble(q), value: jsonDouble(p.values[i]!) })),
            attributes: jsonAttributes(p.labels),
          })),
        };
        break;
    }
    metrics.push(m);
  }
  delta?.commit();
  const scope: Record<string, unknown> = { name: o.scope.name };
  if (o.scope.version !== '') scope.version = o.scope.version;
  return JSON.stringify({
    resourceMetrics: [
      {
        resource: { attributes: Object.entries(o.resource.attributes).map(([key, v]) => ({ key, value: jsonAnyValue(v) })) },
        scopeMetrics: [{ scope, metrics }],
      },
    ],
  });
}
