/**
 * OTLP correctness: our protobuf body decodes with the official definitions and equals, modulo
 * timestamps, what the OpenTelemetry JS exporter (@opentelemetry/exporter-metrics-otlp-proto over
 * sdk-metrics) sends for the same data; both are received by a real HTTP server on 127.0.0.1. The JSON
 * form follows OTLP/JSON (lowerCamelCase, 64-bit integers as strings, enums as numbers).
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { AggregationType, MeterProvider, PeriodicExportingMetricReader } from '@opentelemetry/sdk-metrics';
import { OTLPMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import { OTLPMetricExporter as OTLPJsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { Counter, Gauge, Histogram, Registry, Summary } from '../../src/metrics/index.js';
import { startOtlpExport, type OtlpExportOptions } from '../../src/export/otlp-export.js';
import { registrySource } from '../../src/export/registry-source.js';
import { version } from '../../src/core/version.js';
import { PerfscopeError } from '../../src/core/errors.js';
import { decodeOtlp, ExportMetricsServiceRequest } from './otlp-proto.js';
import { until } from './helpers.js';

interface Received {
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}
const received: Received[] = [];
let server: Server;
let base = '';
const script: number[] = [];

before(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      received.push({ path: req.url ?? '', headers: req.headers, body });
      const status = script.shift() ?? 200;
      res.writeHead(status, { 'Content-Type': String(req.headers['content-type'] ?? 'application/x-protobuf') }).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
after(() => new Promise<void>((r) => server.close(() => r())));

const resource = { 'service.name': 'checkout', 'host.name': 'test-host', 'process.pid': 4242 };

/** The same data through our Registry... */
function ourRegistry(): Registry {
  const reg = new Registry();
  const c = new Counter({ name: 'requests_total', help: 'Requests served', labelNames: ['route', 'code'], registers: [reg] });
  c.inc({ route: '/a', code: '200' }, 3);
  c.inc({ route: '/b', code: '500' }, 2.5);
  new Gauge({ name: 'temperature_celsius', help: 'Temperature', registers: [reg] }).set(-1.5);
  const h = new Histogram({ name: 'latency_seconds', help: 'Latency', buckets: [0.1, 0.5, 1], labelNames: ['route'], registers: [reg] });
  for (const v of [0.05, 0.2, 0.3, 2]) h.observe({ route: '/a' }, v);
  h.observe({ route: '/b' }, 0.7);
  return reg;
}

/** ...and through the OpenTelemetry SDK. */
async function otelSend(url: string, json = false): Promise<void> {
  const exporter = json ? new OTLPJsonMetricExporter({ url }) : new OTLPMetricExporter({ url });
  const reader = new PeriodicExportingMetricReader({ exporter, exportIntervalMillis: 3_600_000 });
  const provider = new MeterProvider({
    resource: resourceFromAttributes(resource),
    readers: [reader],
    views: [
      {
        instrumentName: 'latency_seconds',
        aggregation: { type: AggregationType.EXPLICIT_BUCKET_HISTOGRAM, options: { boundaries: [0.1, 0.5, 1], recordMinMax: false } },
      },
    ],
  });
  const meter = provider.getMeter('perfscope', version);
  const c = meter.createCounter('requests_total', { description: 'Requests served' });
  c.add(3, { route: '/a', code: '200' });
  c.add(2.5, { route: '/b', code: '500' });
  meter.createGauge('temperature_celsius', { description: 'Temperature' }).record(-1.5);
  const h = meter.createHistogram('latency_seconds', { description: 'Latency' });
  for (const v of [0.05, 0.2, 0.3, 2]) h.record(v, { route: '/a' });
  h.record(0.7, { route: '/b' });
  await provider.forceFlush();
  await provider.shutdown();
}

async function ourSend(options: Partial<OtlpExportOptions>): Promise<void> {
  const exp = startOtlpExport({
    url: `${base}/ours`,
    source: registrySource(ourRegistry()),
    registry: new Registry(), // self-metrics elsewhere: the payload holds only the data compared
    resource,
    intervalSeconds: 0,
    log: false,
    ...options,
  });
  await exp.exportNow();
  await until('sent', () => exp.status().pendingRequests === 0 && exp.status().exportedPoints > 0);
  await exp.stop({ finalExport: false });
}

/** Timestamps removed, metrics sorted by name and points by attributes: what must be equal. */
function normalise(msg: Record<string, unknown>): unknown {
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (v !== null && typeof v === 'object') {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) if (k !== 'timeUnixNano' && k !== 'startTimeUnixNano') out[k] = strip(x);
      return out;
    }
    return v;
  };
  const m = strip(msg) as { resourceMetrics: { resource: { attributes: { key: string }[] }; scopeMetrics: { metrics: Record<string, { dataPoints?: unknown[] }>[] }[] }[] };
  for (const rm of m.resourceMetrics) {
    rm.resource.attributes.sort((a, b) => a.key.localeCompare(b.key));
    for (const sm of rm.scopeMetrics) {
      sm.metrics.sort((a, b) => String(a.name).localeCompare(String(b.name)));
      for (const metric of sm.metrics) {
        for (const kind of ['sum', 'gauge', 'histogram', 'summary']) {
          const d = metric[kind];
          if (d?.dataPoints) d.dataPoints.sort((a, b) => JSON.stringify((a as { attributes: unknown }).attributes).localeCompare(JSON.stringify((b as { attributes: unknown }).attributes)));
          for (const p of (d?.dataPoints ?? []) as { attributes?: { key: string }[] }[]) p.attributes?.sort((a, b) => a.key.localeCompare(b.key));
        }
      }
    }
  }
  return m;
}

test('our OTLP protobuf equals what the OpenTelemetry JS exporter sends for the same data (modulo timestamps)', async () => {
  received.length = 0;
  await otelSend(`${base}/otel`);
  await ourSend({ protocol: 'http/protobuf' });
  const otel = received.find((r) => r.path === '/otel')!;
  const ours = received.find((r) => r.path === '/ours')!;
  assert.ok(otel && ours);
  assert.equal(ours.headers['content-type'], 'application/x-protobuf');
  assert.equal(ours.headers['content-encoding'], 'gzip');
  const a = decodeOtlp(ours.body);
  // proto3 semantics: a field absent on the wire and one written as its default are the same message
  assert.deepEqual(normalise(decodeOtlp(ours.body, true)), normalise(decodeOtlp(otel.body, true)));
  // and the timestamps are there and sane: start <= time, in ns
  const sum = (a as { resourceMetrics: { scopeMetrics: { metrics: { name: string; sum?: { dataPoints: { startTimeUnixNano: string; timeUnixNano: string }[] } }[] }[] }[] })
    .resourceMetrics[0]!.scopeMetrics[0]!.metrics.find((m) => m.name === 'requests_total')!.sum!;
  const p = sum.dataPoints[0]!;
  assert.ok(BigInt(p.startTimeUnixNano) <= BigInt(p.timeUnixNano));
  assert.ok(Math.abs(Number(BigInt(p.timeUnixNano) / 1_000_000n) - Date.now()) < 60_000);
});

test('summaries become OTLP Summaries, untouched by temporality; every point decodes', async () => {
  received.length = 0;
  const reg = new Registry();
  const s = new Summary({ name: 'payload_bytes', help: 'Payload', percentiles: [0.5, 0.9], labelNames: ['k'], registers: [reg] });
  for (let i = 1; i <= 10; i++) s.observe({ k: 'v' }, i);
  const exp = startOtlpExport({ url: `${base}/sum`, source: registrySource(reg), registry: new Registry(), resource, intervalSeconds: 0, log: false });
  await exp.exportNow();
  await until('sent', () => received.length === 1);
  await exp.stop({ finalExport: false });
  const msg = decodeOtlp(received[0]!.body) as { resourceMetrics: { scopeMetrics: { metrics: Record<string, unknown>[] }[] }[] };
  const m = msg.resourceMetrics[0]!.scopeMetrics[0]!.metrics[0]!;
  assert.equal(m.name, 'payload_bytes');
  const dp = (m.summary as { dataPoints: Record<string, unknown>[] }).dataPoints[0]!;
  assert.equal(dp.count, '10');
  assert.equal(dp.sum, 55);
  assert.deepEqual(dp.attributes, [{ key: 'k', value: { stringValue: 'v' } }]);
  const qv = dp.quantileValues as { quantile: number; value: number }[];
  assert.deepEqual(qv.map((q) => q.quantile), [0.5, 0.9]);
  assert.ok(Math.abs(qv[0]!.value - 5.5) <= 0.5 && Math.abs(qv[1]!.value - 9.5) <= 0.5, JSON.stringify(qv));
});

test('OTLP/JSON: lowerCamelCase, 64-bit integers as strings, enums as numbers; same message as the protobuf and as OpenTelemetry JS sends', async () => {
  received.length = 0;
  await ourSend({ protocol: 'http/json', compression: 'none' });
  await ourSend({ protocol: 'http/protobuf' });
  await otelSend(`${base}/otel-json`, true);
  const [json, proto] = received.filter((r) => r.path === '/ours');
  assert.equal(json!.headers['content-type'], 'application/json');
  assert.equal(json!.headers['content-encoding'], undefined);
  const obj = JSON.parse(json!.body.toString()) as Record<string, unknown>;
  const keys: string[] = [];
  const walk = (v: unknown, key = ''): void => {
    if (Array.isArray(v)) return v.forEach((x) => walk(x, key));
    if (v !== null && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        keys.push(k);
        walk(x, k);
      }
      return;
    }
    if (['timeUnixNano', 'startTimeUnixNano', 'count', 'bucketCounts', 'intValue'].includes(key)) assert.equal(typeof v, 'string', `${key} must be a string`);
    if (key === 'aggregationTemporality') assert.equal(v, 2);
  };
  walk(obj);
  for (const k of keys) assert.match(k, /^[a-z][a-zA-Z]*$/, `field name ${k}`);
  // the JSON, read by the official definitions, is the same message as our protobuf
  const fromJson = ExportMetricsServiceRequest.toObject(ExportMetricsServiceRequest.fromObject(obj), { longs: String, enums: Number, defaults: true });
  assert.deepEqual(normalise(fromJson), normalise(decodeOtlp(proto!.body, true)));
  // and as what OpenTelemetry JS posts as JSON
  const otel = JSON.parse(received.find((r) => r.path === '/otel-json')!.body.toString()) as Record<string, unknown>;
  const otelMsg = ExportMetricsServiceRequest.toObject(ExportMetricsServiceRequest.fromObject(otel), { longs: String, enums: Number, defaults: true });
  assert.deepEqual(normalise(fromJson), normalise(otelMsg));
});

test('delta temporality: counters and histograms send what changed since the previous export', async () => {
  received.length = 0;
  const reg = new Registry();
  const c = new Counter({ name: 'jobs_total', help: 'Jobs', registers: [reg] });
  const h = new Histogram({ name: 'job_seconds', help: 'Job time', buckets: [1], registers: [reg] });
  c.inc(5);
  h.observe(0.5);
  const exp = startOtlpExport({ url: `${base}/delta`, source: registrySource(reg), registry: new Registry(), resource, intervalSeconds: 0, temporality: 'delta', log: false });
  await exp.exportNow();
  c.inc(2);
  h.observe(3);
  await exp.exportNow();
  await until('two exports', () => received.length === 2);
  await exp.stop({ finalExport: false });
  type M = { name: string; sum?: { dataPoints: { asDouble: number; startTimeUnixNano: string; timeUnixNano: string }[]; aggregationTemporality: number; isMonotonic: boolean }; histogram?: { dataPoints: { count: string; sum: number; bucketCounts: string[] }[]; aggregationTemporality: number } };
  const metricsOf = (i: number): M[] => (decodeOtlp(received[i]!.body) as { resourceMetrics: { scopeMetrics: { metrics: M[] }[] }[] }).resourceMetrics[0]!.scopeMetrics[0]!.metrics;
  const [s1, s2] = [metricsOf(0), metricsOf(1)].map((ms) => ms.find((m) => m.name === 'jobs_total')!.sum!);
  assert.equal(s1!.aggregationTemporality, 1);
  assert.equal(s1!.isMonotonic, true);
  assert.deepEqual([s1!.dataPoints[0]!.asDouble, s2!.dataPoints[0]!.asDouble], [5, 2]);
  assert.equal(s2!.dataPoints[0]!.startTimeUnixNano, s1!.dataPoints[0]!.timeUnixNano, 'a delta starts where the previous ended');
  const [h1, h2] = [metricsOf(0), metricsOf(1)].map((ms) => ms.find((m) => m.name === 'job_seconds')!.histogram!);
  assert.deepEqual([h1!.dataPoints[0]!.count, h1!.dataPoints[0]!.bucketCounts], ['1', ['1', '0']]);
  assert.deepEqual([h2!.dataPoints[0]!.count, h2!.dataPoints[0]!.sum, h2!.dataPoints[0]!.bucketCounts], ['1', 3, ['0', '1']]);
});

test('resource: service.name, host.name and process.pid by default; failures are retried, rejections counted', async () => {
  received.length = 0;
  script.push(503, 400);
  const self = new Registry();
  const reg = new Registry();
  new Gauge({ name: 'g', help: 'h', registers: [reg] }).set(1);
  const lines: string[] = [];
  const exp = startOtlpExport({ url: `${base}/r`, source: registrySource(reg), registry: self, intervalSeconds: 0, minBackoffMs: 10, maxBackoffMs: 20, log: (l) => lines.push(l) });
  await exp.exportNow(); // 503, then 400: dropped
  await until('rejected', () => exp.status().droppedPoints === 1);
  await exp.exportNow(); // 200
  await until('exported', () => exp.status().exportedPoints === 1);
  await exp.stop({ finalExport: false });
  assert.equal(received.length, 3);
  const attrs = (decodeOtlp(received[2]!.body) as { resourceMetrics: { resource: { attributes: { key: string; value: Record<string, unknown> }[] } }[] }).resourceMetrics[0]!.resource.attributes;
  const byKey = Object.fromEntries(attrs.map((a) => [a.key, Object.values(a.value)[0]]));
  assert.equal(byKey['process.pid'], String(process.pid));
  assert.equal(typeof byKey['host.name'], 'string');
  assert.equal(typeof byKey['service.name'], 'string');
  const json = await self.getMetricsAsJSON();
  const val = (n: string, reason?: string): number =>
    json.find((m) => m.name === n)!.values.find((v) => reason === undefined || v.labels.reason === reason)!.value;
  assert.equal(val('perfscope_otlp_failed_points_total'), 1);
  assert.equal(val('perfscope_otlp_dropped_points_total', 'rejected'), 1);
  assert.equal(val('perfscope_otlp_exported_points_total'), 1);
  assert.ok(lines.some((l) => /export failed \(HTTP 503\)/.test(l)) && lines.some((l) => /rejected 1 points \(dropped\): HTTP 400/.test(l)), lines.join('\n'));
});

test('bad OTLP options are one clear EUSAGE error', () => {
  const cases: [Partial<OtlpExportOptions>, RegExp][] = [
    [{ url: 'http://x/v1/metrics', protocol: 'grpc' as never }, /protocol must be http\/protobuf or http\/json/],
    [{ url: 'http://x/v1/metrics', temporality: 'lowmemory' as never }, /temporality must be cumulative or delta/],
    [{ url: 'http://x/v1/metrics', resource: { bad: {} as never } }, /resource attribute bad/],
    [{ url: '' }, /url is required/],
  ];
  for (const [o, re] of cases) {
    assert.throws(() => startOtlpExport({ registry: new Registry(), log: false, ...o } as OtlpExportOptions), (e: unknown) => e instanceof PerfscopeError && e.code === 'EUSAGE' && re.test(e.message));
  }
});

test('an unreachable receiver: the retry queue is bounded, overflow and what stop() leaves are counted and logged', async () => {
  const { freePort } = await import('../integration/engines.js');
  const port = await freePort();
  const self = new Registry();
  const reg = new Registry();
  new Gauge({ name: 'g', help: 'h', labelNames: ['i'], registers: [reg] }).set({ i: '1' }, 1);
  const lines: string[] = [];
  const exp = startOtlpExport({
    url: `http://127.0.0.1:${port}/v1/metrics`,
    source: registrySource(reg),
    registry: self,
    intervalSeconds: 0,
    maxQueuedRequests: 2,
    minBackoffMs: 20,
    maxBackoffMs: 40,
    log: (l) => lines.push(l),
  });
  for (let i = 0; i < 5; i++) await exp.exportNow();
  await until('a failed attempt', () => exp.status().failedPoints > 0);
  const st = exp.status();
  assert.equal(st.pendingRequests, 2);
  assert.equal(st.droppedPoints, 3, JSON.stringify(st));
  const res = await exp.stop({ timeoutMs: 100, finalExport: false });
  assert.equal(res.droppedPoints, 2);
  const json = await self.getMetricsAsJSON();
  const dropped = json.find((m) => m.name === 'perfscope_otlp_dropped_points_total')!.values;
  const by = (reason: string): number => dropped.find((v) => v.labels.reason === reason)?.value ?? 0;
  assert.deepEqual([by('queue_full'), by('shutdown')], [3, 2]);
  assert.ok(lines.some((l) => /export failed \(.*ECONNREFUSED/.test(l)), lines.join('\n'));
  assert.ok(lines.some((l) => /stopped with 2 points not exported/.test(l)), lines.join('\n'));
});

test('cached attribute bytes never go stale: series removed, reordered, relabelled between exports', async () => {
  const { encodeOtlpProtobuf } = await import('../../src/export/otlp-encoding.js');
  const o = { resource: { attributes: {} }, scope: { name: 's', version: '' }, temporality: 'cumulative' as const };
  const col = (points: { labels: Record<string, string>; value: number }[]) => ({
    families: [{ name: 'c_total', help: 'h', type: 'counter' as const, points }, { name: 'g', help: 'h', type: 'gauge' as const, points }],
    timestampMs: 1_700_000_000_000,
    startTimeMs: 1_700_000_000_000,
    errors: [],
  });
  const attrsOf = (body: Buffer): string[][] => {
    const m = decodeOtlp(body) as { resourceMetrics: { scopeMetrics: { metrics: { sum?: { dataPoints: { attributes: { key: string; value: { stringValue: string } }[]; asDouble: number }[] }; gauge?: { dataPoints: { attributes: { key: string; value: { stringValue: string } }[]; asDouble: number }[] } }[] }[] }[] };
    return m.resourceMetrics[0]!.scopeMetrics[0]!.metrics.map((x) =>
      (x.sum ?? x.gauge)!.dataPoints.map((p) => `${p.attributes.map((a) => `${a.key}=${a.value.stringValue}`).join(',')}:${p.asDouble}`),
    ) as string[][];
  };
  const a = { route: '/a' };
  const b = { route: '/b' };
  assert.deepEqual(attrsOf(encodeOtlpProtobuf(col([{ labels: a, value: 1 }, { labels: b, value: 2 }]), o)), [['route=/a:1', 'route=/b:2'], ['route=/a:1', 'route=/b:2']]);
  // /a removed: /b moves to index 0
  assert.deepEqual(attrsOf(encodeOtlpProtobuf(col([{ labels: b, value: 3 }]), o)), [['route=/b:3'], ['route=/b:3']]);
  // equal content in a new object is reused; a changed value at the same index is not
  assert.deepEqual(attrsOf(encodeOtlpProtobuf(col([{ labels: { route: '/b' }, value: 4 }]), o)), [['route=/b:4'], ['route=/b:4']]);
  assert.deepEqual(attrsOf(encodeOtlpProtobuf(col([{ labels: { route: '/c' }, value: 5 }]), o)), [['route=/c:5'], ['route=/c:5']]);
  assert.deepEqual(attrsOf(encodeOtlpProtobuf(col([{ labels: { route: '/c', extra: 'x' }, value: 6 }]), o)), [['route=/c,extra=x:6'], ['route=/c,extra=x:6']]);
});
