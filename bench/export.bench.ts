/**
 * Export benches, each side by side with the peer it claims to beat:
 *
 *   otlp          our OTLP protobuf encoder vs the OpenTelemetry JS exporter's serializer
 *                 (@opentelemetry/otlp-transformer ProtobufMetricsSerializer, what
 *                 exporter-metrics-otlp-proto sends) on the same 10,000 series: CPU per encode
 *                 (from collected data to bytes, and collect + encode), bytes allocated per encode and
 *                 GCs per 100 encodes. Interleaved rounds, ratios within each round.
 *   encode        remote_write body for 10,000 samples: our protobuf writer + snappy vs protobufjs 7 +
 *                 snappyjs 0.7 (the npm libraries we would otherwise use); snappy alone too.
 *   remote-write  CPU per 1,000 samples end to end: an app with N series remote-writing itself through
 *                 perfscope (collect, durable queue, encode, send) vs the same app scraped by a real
 *                 Prometheus (agent mode: scrape, WAL, remote_write) — both to the same real
 *                 VictoriaMetrics. CPU of every process involved (app + Prometheus), alternating runs.
 *   drain         how fast a queued backlog (150 collections of up to 2,000 series) drains into
 *                 VictoriaMetrics once it is reachable: samples/s and CPU per 1,000 samples.
 *   serve         `perfscope serve` (the built CLI, 1 s ticks, this host's processes, no scrape, no
 *                 viewer) alone in its window: no exporter, --remote-write to a real VictoriaMetrics
 *                 every 15 s and every 1 s, --otlp every 1 s to a sink here; serve's own CPU (Σ
 *                 schedstat of its threads), shuffled alternating rounds, the extra over the round's
 *                 no-exporter window.
 *
 * Usage: node --import tsx bench/export.bench.ts [--only otlp,encode,remote-write,drain,serve] [--rounds 10]
 *        [--series 10000] [--window 20] [--runs 3] [--serve-rounds 3] [--serve-window 60] [--serve-warmup 15]
 *        [--seed N]
 * Re-executes itself with --expose-gc and a large young generation (so one encode's allocation is
 * measured as a heap-size difference without a scavenge in between).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { flag, numberFlag } from './lib/args.js';
import { machineFacts } from './lib/machine.js';
import { num, ratioText, spreadText, table } from './lib/markdown.js';
import { readProcCpu } from './lib/proc-cpu.js';
import { interleave, prng, ratiosToReference } from './lib/rounds.js';
import { repoRoot } from './lib/child.js';
import { spread } from './lib/stats.js';

const self = fileURLToPath(import.meta.url);
if (typeof (globalThis as { gc?: unknown }).gc !== 'function' && process.env.PERFSCOPE_BENCH_CHILD !== 'app') {
  const r = spawnSync(process.execPath, ['--expose-gc', '--max-semi-space-size=128', '--import', 'tsx', self, ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}

const gc = (globalThis as { gc?: () => void }).gc;
const allParts = 'otlp,encode,remote-write,drain,serve';
const parts = (flag('--only') ?? allParts).split(',');
const rounds = numberFlag('--rounds', 10, 3);
const seriesCount = numberFlag('--series', 10_000, 10);
const windowSeconds = numberFlag('--window', 20, 5);
const runs = numberFlag('--runs', 3, 1);
const serveRounds = numberFlag('--serve-rounds', 3, 1);
const serveWindowS = numberFlag('--serve-window', 60, 5);
const serveWarmupS = numberFlag('--serve-warmup', 15, 0);
const seed = numberFlag('--seed', Math.floor(Math.random() * 2 ** 31), 0);
const out: string[] = [];
const say = (s: string): void => {
  out.push(s);
  process.stdout.write(`${s}\n`);
};

/** CPU ms of `fn` repeated until at least `minMs` of CPU, per call. */
async function cpuPerCall(fn: () => unknown, minMs = 200): Promise<number> {
  let calls = 0;
  const t0 = process.cpuUsage();
  let used = 0;
  while (used < minMs) {
    const r = fn();
    if (r instanceof Promise) await r;
    calls++;
    const d = process.cpuUsage(t0);
    used = (d.user + d.system) / 1000;
  }
  return used / calls;
}

/** Bytes the heap grew by over one call (young generation large enough that no GC runs inside). */
async function allocatedBytes(fn: () => unknown, repeats = 5): Promise<number> {
  const values: number[] = [];
  for (let i = 0; i < repeats; i++) {
    gc!();
    const before = process.memoryUsage().heapUsed;
    const r = fn();
    if (r instanceof Promise) await r;
    values.push(process.memoryUsage().heapUsed - before);
  }
  return spread(values).median;
}

/** GCs (all kinds) during `n` calls. */
async function gcCount(fn: () => unknown, n: number): Promise<number> {
  let count = 0;
  const obs = new PerformanceObserver((list) => (count += list.getEntries().length));
  obs.observe({ entryTypes: ['gc'] });
  gc!();
  await new Promise((r) => setImmediate(r));
  count = 0;
  for (let i = 0; i < n; i++) {
    const r = fn();
    if (r instanceof Promise) await r;
  }
  await new Promise((r) => setImmediate(r));
  obs.disconnect();
  return count;
}

// ---------------------------------------------------------------- otlp
async function benchOtlp(): Promise<void> {
  const { Registry, Counter, Histogram } = await import('../src/metrics/index.js');
  const { registrySource } = await import('../src/export/registry-source.js');
  const { encodeOtlpProtobuf } = await import('../src/export/otlp-encoding.js');
  const { MeterProvider, MetricReader, AggregationType } = await import('@opentelemetry/sdk-metrics');
  const { ProtobufMetricsSerializer } = await import('@opentelemetry/otlp-transformer');
  const { resourceFromAttributes } = await import('@opentelemetry/resources');

  const attrs = { 'service.name': 'bench', 'host.name': 'h', 'process.pid': 1 };
  class PullReader extends MetricReader {
    constructor() {
      super({ cardinalitySelector: () => 1_000_000 });
    }
    protected override async onForceFlush(): Promise<void> {}
    protected override async onShutdown(): Promise<void> {}
  }
  const cases: { name: string; setup(): Promise<{ ours: () => Buffer; oursCollect: () => Promise<Buffer>; otel: () => Uint8Array; otelCollect: () => Promise<Uint8Array> }> }[] = [
    {
      name: `1 counter x ${seriesCount} series (2 labels)`,
      async setup() {
        const reg = new Registry();
        const c = new Counter({ name: 'requests_total', help: 'Requests', labelNames: ['route', 'code'], registers: [reg], cardinalityLimit: Infinity });
        const reader = new PullReader();
        const provider = new MeterProvider({ resource: resourceFromAttributes(attrs), readers: [reader] });
        const oc = provider.getMeter('perfscope').createCounter('requests_total', { description: 'Requests' });
        for (let i = 0; i < seriesCount; i++) {
          const labels = { route: `/route/${i % 100}`, code: String(200 + Math.floor(i / 100)) };
          c.inc(labels, i + 1);
          oc.add(i + 1, labels);
        }
        return wire(reg, reader);
      },
    },
    {
      name: `1 histogram x ${Math.round(seriesCount / 10)} series (11 buckets)`,
      async setup() {
        const buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
        const reg = new Registry();
        const h = new Histogram({ name: 'latency_seconds', help: 'Latency', buckets, labelNames: ['route'], registers: [reg], cardinalityLimit: Infinity });
        const reader = new PullReader();
        const provider = new MeterProvider({
          resource: resourceFromAttributes(attrs),
          readers: [reader],
          views: [{ instrumentName: 'latency_seconds', aggregation: { type: AggregationType.EXPLICIT_BUCKET_HISTOGRAM, options: { boundaries: buckets, recordMinMax: false } } }],
        });
        const oh = provider.getMeter('perfscope').createHistogram('latency_seconds', { description: 'Latency' });
        for (let i = 0; i < seriesCount / 10; i++) {
          for (let k = 0; k < 5; k++) {
            const v = ((i * 7 + k * 13) % 100) / 20;
            h.observe({ route: `/r/${i}` }, v);
            oh.record(v, { route: `/r/${i}` });
          }
        }
        return wire(reg, reader);
      },
    },
  ];
  async function wire(reg: InstanceType<typeof Registry>, reader: InstanceType<typeof MetricReader>) {
    const source = registrySource(reg);
    const collection = await source.collect();
    const o = { resource: { attributes: attrs }, scope: { name: 'perfscope', version: '0.1.0' }, temporality: 'cumulative' as const };
    const { resourceMetrics } = await reader.collect();
    return {
      ours: () => encodeOtlpProtobuf(collection, o),
      oursCollect: async () => encodeOtlpProtobuf(await source.collect(), o),
      otel: () => ProtobufMetricsSerializer.serializeRequest(resourceMetrics)!,
      otelCollect: async () => ProtobufMetricsSerializer.serializeRequest((await reader.collect()).resourceMetrics)!,
    };
  }

  say('\n### OTLP encoder vs the OpenTelemetry JS exporter\n');
  const rows: string[][] = [];
  for (const cs of cases) {
    const fns = await cs.setup();
    // same message? (sizes should be close; the tests compare decoded messages)
    const sizeOurs = fns.ours().length;
    const sizeOtel = fns.otel().length;
    for (let i = 0; i < 20; i++) {
      fns.ours();
      fns.otel();
    }
    const methods = ['ours', 'otel', 'oursCollect', 'otelCollect'] as const;
    const byRound = new Map<number, Map<string, number>>();
    for (const { round, item } of interleave(methods, rounds, prng(7))) {
      const ms = await cpuPerCall(fns[item], 150);
      let m = byRound.get(round);
      if (m === undefined) byRound.set(round, (m = new Map()));
      m.set(item, ms);
    }
    const vals = (k: string): number[] => [...byRound.values()].map((m) => m.get(k)!);
    const allocOurs = await allocatedBytes(fns.ours);
    const allocOtel = await allocatedBytes(fns.otel);
    const gcOurs = await gcCount(fns.ours, 100);
    const gcOtel = await gcCount(fns.otel, 100);
    rows.push([
      cs.name,
      `${spreadText(spread(vals('ours')))} ms`,
      `${spreadText(spread(vals('otel')))} ms`,
      `**${ratioText(spread(ratiosToReference(byRound, 'otel', 'ours')))}**`,
      `${spreadText(spread(vals('oursCollect')))} / ${spreadText(spread(vals('otelCollect')))} ms (${ratioText(spread(ratiosToReference(byRound, 'otelCollect', 'oursCollect')))})`,
      `${num(allocOurs / 1024)} / ${num(allocOtel / 1024)} KiB`,
      `${gcOurs} / ${gcOtel}`,
      `${num(sizeOurs / 1024)} / ${num(sizeOtel / 1024)} KiB`,
    ]);
  }
  say(
    table(
      ['case', 'perfscope encode (CPU)', 'OTel serialize (CPU)', 'OTel / perfscope', 'collect + encode: perfscope / OTel', 'allocated per encode: perfscope / OTel', 'GCs per 100 encodes: perfscope / OTel', 'body: perfscope / OTel'],
      rows,
    ),
  );
}

// ---------------------------------------------------------------- encode
async function benchEncode(): Promise<void> {
  const protobuf = (await import('protobufjs')).default;
  const snappyjs = (await import('snappyjs')).default;
  const { ProtoWriter } = await import('../src/export/protobuf.js');
  const { encodeWriteRequest, encodeLabels, seriesLabels } = await import('../src/export/remote-write-encoding.js');
  const { snappyCompress } = await import('../src/export/snappy.js');
  const n = seriesCount;
  const labels: Uint8Array[] = [];
  const pairs: [string, string][][] = [];
  const records = new Float64Array(n * 3);
  const ts = Date.now();
  for (let i = 0; i < n; i++) {
    const p = seriesLabels('http_requests_total', { route: `/route/${i % 100}`, code: String(200 + (i % 5)), method: 'GET' }, null, null, [['instance', 'host-1:9100'], ['job', 'api']]);
    pairs.push(p);
    labels.push(encodeLabels(p));
    records[i * 3] = i;
    records[i * 3 + 1] = ts;
    records[i * 3 + 2] = i * 1.5;
  }
  const labelsOf = (id: number): Uint8Array => labels[id]!;
  const w = new ProtoWriter(1 << 20);
  const ours = (): Buffer => snappyCompress(encodeWriteRequest(w, records, n, labelsOf));
  // protobufjs with its Writer over the same fields (no message objects: its fastest path)
  const pbjs = (): Uint8Array => {
    const wr = protobuf.Writer.create();
    for (let i = 0; i < n; i++) {
      wr.uint32(10).fork();
      for (const [k, v] of pairs[i]!) wr.uint32(10).fork().uint32(10).string(k).uint32(18).string(v).ldelim();
      wr.uint32(18).fork().uint32(9).double(records[i * 3 + 2]!).uint32(16).int64(ts).ldelim();
      wr.ldelim();
    }
    return snappyjs.compress(wr.finish());
  };
  const raw = encodeWriteRequest(w, records, n, labelsOf);
  const rawCopy = Buffer.from(raw);
  const pbRaw = (() => {
    const wr = protobuf.Writer.create();
    for (let i = 0; i < n; i++) {
      wr.uint32(10).fork();
      for (const [k, v] of pairs[i]!) wr.uint32(10).fork().uint32(10).string(k).uint32(18).string(v).ldelim();
      wr.uint32(18).fork().uint32(9).double(records[i * 3 + 2]!).uint32(16).int64(ts).ldelim();
      wr.ldelim();
    }
    return wr.finish();
  })();
  const identical = Buffer.from(pbRaw).equals(rawCopy);
  const methods = { ours, pbjs, snappyOurs: () => snappyCompress(rawCopy), snappyjs: () => snappyjs.compress(rawCopy) } as const;
  for (let i = 0; i < 20; i++) for (const f of Object.values(methods)) f();
  const byRound = new Map<number, Map<string, number>>();
  for (const { round, item } of interleave(Object.keys(methods) as (keyof typeof methods)[], rounds, prng(11))) {
    const ms = await cpuPerCall(methods[item], 100);
    let m = byRound.get(round);
    if (m === undefined) byRound.set(round, (m = new Map()));
    m.set(item, ms);
  }
  const vals = (k: string): number[] => [...byRound.values()].map((m) => m.get(k)!);
  say(`\n### remote_write body, ${n} samples (5 labels each): encoders compared\n`);
  say(`protobuf bytes identical to protobufjs': ${identical}; compressed ${num(ours().length / 1024)} KiB (ours) vs ${num(snappyjs.compress(rawCopy).length / 1024)} KiB (snappyjs) from ${num(rawCopy.length / 1024)} KiB\n`);
  say(
    table(
      ['what', 'perfscope (CPU ms)', 'library (CPU ms)', 'library / perfscope'],
      [
        ['protobuf + snappy (vs protobufjs 7 Writer + snappyjs 0.7)', spreadText(spread(vals('ours'))), spreadText(spread(vals('pbjs'))), `**${ratioText(spread(ratiosToReference(byRound, 'pbjs', 'ours')))}**`],
        ['snappy only (vs snappyjs 0.7)', spreadText(spread(vals('snappyOurs'))), spreadText(spread(vals('snappyjs'))), `**${ratioText(spread(ratiosToReference(byRound, 'snappyjs', 'snappyOurs')))}**`],
      ],
    ),
  );
}

// ---------------------------------------------------------------- remote-write
/** The app: N gauge series; mode 'serve' exposes /metrics, mode 'push' remote-writes itself. */
async function appMain(): Promise<void> {
  const { Registry, Gauge } = await import('../src/metrics/index.js');
  const mode = process.env.PERFSCOPE_BENCH_MODE!;
  const n = Number(process.env.PERFSCOPE_BENCH_SERIES);
  const reg = new Registry();
  const g = new Gauge({ name: 'bench_value', help: 'bench', labelNames: ['route', 'code'], registers: [reg], cardinalityLimit: Infinity });
  for (let i = 0; i < n; i++) g.set({ route: `/route/${i % 100}`, code: String(200 + Math.floor(i / 100)) }, i);
  // values change every second, as a live app's would
  let k = 0;
  setInterval(() => {
    k++;
    for (let i = 0; i < n; i += 97) g.set({ route: `/route/${i % 100}`, code: String(200 + Math.floor(i / 100)) }, i + k);
  }, 1000);
  if (mode === 'serve') {
    const { startMetricsServer } = await import('../src/server/metrics-server.js');
    const server = await startMetricsServer({ port: 0, registry: reg });
    process.stdout.write(`port ${server.port}\n`);
  } else {
    const { startRemoteWrite } = await import('../src/export/remote-write.js');
    const selfReg = new Registry();
    const rw = startRemoteWrite({ url: process.env.PERFSCOPE_BENCH_URL!, registry: selfReg, source: (await import('../src/export/registry-source.js')).registrySource(reg), intervalSeconds: 1, queuePath: process.env.PERFSCOPE_BENCH_QUEUE!, externalLabels: { job: 'bench', instance: 'app' } });
    setInterval(() => process.stdout.write(`sent ${rw.status().sentSamples} pending ${rw.status().pendingSamples}\n`), 500);
    process.stdout.write('port 0\n');
  }
}

async function benchRemoteWrite(): Promise<void> {
  const eng = await import('../test/integration/engines.js');
  const { tempDir } = eng;
  const vmDir = tempDir('perfscope-bench-vm-');
  const vm = await eng.startVictoriaMetrics({ dataDir: join(vmDir, 'data') });
  const writeUrl = `${vm.url}/api/v1/write`;
  const startApp = (mode: 'serve' | 'push', queue: string): Promise<{ child: ChildProcess; port: number; sent: () => number }> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, ['--import', 'tsx', self], {
        env: { ...process.env, PERFSCOPE_BENCH_CHILD: 'app', PERFSCOPE_BENCH_MODE: mode, PERFSCOPE_BENCH_SERIES: String(seriesCount), PERFSCOPE_BENCH_URL: writeUrl, PERFSCOPE_BENCH_QUEUE: queue },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      process.once('exit', () => child.kill('SIGKILL'));
      let buf = '';
      let sent = 0;
      let port = -1;
      child.stdout!.on('data', (d: Buffer) => {
        buf += d.toString();
        for (const m of buf.matchAll(/sent (\d+)/g)) sent = Number(m[1]);
        const p = /port (\d+)/.exec(buf);
        if (p && port < 0) {
          port = Number(p[1]);
          resolve({ child, port, sent: () => sent });
        }
        if (buf.length > 10_000) buf = buf.slice(-200);
      });
      child.on('exit', (code) => port < 0 && reject(new Error(`bench app exited ${code}`)));
    });
  const promSamplesSent = async (url: string): Promise<number> => {
    const text = await (await fetch(`${url}/metrics`)).text();
    let total = 0;
    for (const line of text.split('\n')) if (line.startsWith('prometheus_remote_storage_samples_total')) total += Number(line.split(' ').at(-1));
    return total;
  };
  const cpuOf = (pid: number): number => {
    const c = readProcCpu(pid);
    return c.threadsRuntimeSeconds ?? c.selfSeconds;
  };
  interface Result {
    cpuMsPer1000: number;
    samplesPerSecond: number;
  }
  const runOurs = async (): Promise<Result> => {
    const dir = tempDir('perfscope-bench-q-');
    const app = await startApp('push', join(dir, 'q.db'));
    await new Promise((r) => setTimeout(r, 5000)); // warm-up: JIT, first collections
    const c0 = cpuOf(app.child.pid!);
    const s0 = app.sent();
    await new Promise((r) => setTimeout(r, windowSeconds * 1000));
    const c1 = cpuOf(app.child.pid!);
    const s1 = app.sent();
    app.child.kill('SIGKILL');
    return { cpuMsPer1000: ((c1 - c0) * 1000 * 1000) / (s1 - s0), samplesPerSecond: (s1 - s0) / windowSeconds };
  };
  const runProm = async (): Promise<Result> => {
    const dir = tempDir('perfscope-bench-q-');
    const app = await startApp('serve', join(dir, 'unused.db'));
    const port = await eng.freePort();
    mkdirSync(join(dir, 'agent'), { recursive: true });
    const cfg = join(dir, 'agent.yml');
    writeFileSync(
      cfg,
      `global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n  external_labels: { job_bench: bench }\nscrape_configs:\n  - job_name: bench\n    static_configs:\n      - targets: ['127.0.0.1:${app.port}']\nremote_write:\n  - url: ${writeUrl}\n`,
    );
    const prom = await eng.startEngine(
      eng.PROMETHEUS,
      ['--enable-feature=agent', `--config.file=${cfg}`, `--storage.agent.path=${join(dir, 'agent')}`, `--web.listen-address=127.0.0.1:${port}`],
      port,
      [dir],
    );
    const promPid = Number(spawnSync('pgrep', ['-f', '--', `--web.listen-address=127.0.0.1:${port}`], { encoding: 'utf8' }).stdout.trim().split('\n').find((p) => {
      try {
        return readProcCpu(Number(p)) !== null && spawnSync('cat', [`/proc/${p}/comm`], { encoding: 'utf8' }).stdout.trim() === 'prometheus';
      } catch {
        return false;
      }
    }));
    await new Promise((r) => setTimeout(r, 15000)); // the agent's first remote write comes late (WAL, batching)
    const c0 = cpuOf(app.child.pid!) + cpuOf(promPid);
    const s0 = await promSamplesSent(prom.url);
    await new Promise((r) => setTimeout(r, windowSeconds * 1000));
    const c1 = cpuOf(app.child.pid!) + cpuOf(promPid);
    const s1 = await promSamplesSent(prom.url);
    await prom.stop();
    app.child.kill('SIGKILL');
    return { cpuMsPer1000: ((c1 - c0) * 1000 * 1000) / (s1 - s0), samplesPerSecond: (s1 - s0) / windowSeconds };
  };
  const ours: Result[] = [];
  const theirs: Result[] = [];
  for (let i = 0; i < runs; i++) {
    ours.push(await runOurs());
    theirs.push(await runProm());
    process.stderr.write(`run ${i + 1}/${runs}: perfscope ${num(ours.at(-1)!.cpuMsPer1000)} ms/1000, Prometheus agent ${num(theirs.at(-1)!.cpuMsPer1000)} ms/1000\n`);
  }
  await vm.stop();
  say(`\n### remote_write end to end: ${seriesCount} series every 1 s to VictoriaMetrics, ${runs} alternating runs of ${windowSeconds} s\n`);
  const ratio = ours.map((o, i) => theirs[i]!.cpuMsPer1000 / o.cpuMsPer1000);
  say(
    table(
      ['sender', 'CPU ms per 1,000 samples (all its processes)', 'samples/s'],
      [
        ['perfscope startRemoteWrite (app process: collect, SQLite queue, encode, send)', spreadText(spread(ours.map((r) => r.cpuMsPer1000))), spreadText(spread(ours.map((r) => r.samplesPerSecond)))],
        ['Prometheus 2.42 agent scraping the app (app /metrics + scrape, WAL, remote_write)', spreadText(spread(theirs.map((r) => r.cpuMsPer1000))), spreadText(spread(theirs.map((r) => r.samplesPerSecond)))],
        ['Prometheus / perfscope', `**${ratioText(spread(ratio))}**`, ''],
      ],
    ),
  );
}

// ---------------------------------------------------------------- drain
/** How fast a backlog drains: 300 collections of `seriesCount` series queued while the receiver was away. */
async function benchDrain(): Promise<void> {
  const eng = await import('../test/integration/engines.js');
  const { Registry, Gauge } = await import('../src/metrics/index.js');
  const { startRemoteWrite } = await import('../src/export/remote-write.js');
  const { registrySource } = await import('../src/export/registry-source.js');
  const dir = eng.tempDir('perfscope-bench-drain-');
  const queuePath = join(dir, 'q.db');
  const reg = new Registry();
  const g = new Gauge({ name: 'drain_value', help: 'bench', labelNames: ['route', 'code'], registers: [reg], cardinalityLimit: Infinity });
  const n = Math.min(seriesCount, 2000);
  const collections = 150;
  for (let i = 0; i < n; i++) g.set({ route: `/route/${i % 100}`, code: String(200 + Math.floor(i / 100)) }, i);
  const source = registrySource(reg);
  // queue while nothing listens
  const down = startRemoteWrite({ url: `http://127.0.0.1:${await eng.freePort()}/api/v1/write`, registry: new Registry(), source, intervalSeconds: 0, queuePath, log: false, maxBackoffMs: 60_000, minBackoffMs: 60_000 });
  const q0 = process.cpuUsage();
  for (let k = 0; k < collections; k++) {
    // distinct timestamps, one ms apart at least, as consecutive collections would have
    await down.collect();
    await new Promise((r) => setTimeout(r, 2));
  }
  const q1 = process.cpuUsage(q0);
  const queueMs = (q1.user + q1.system) / 1000;
  const queued = (await down.stop({ timeoutMs: 10, finalCollect: false })).pendingSamples;
  const vm = await eng.startVictoriaMetrics({ dataDir: join(dir, 'vm') });
  const c0 = process.cpuUsage();
  const w0 = Date.now();
  const up = startRemoteWrite({ url: `${vm.url}/api/v1/write`, registry: new Registry(), source, intervalSeconds: 0, queuePath, log: false });
  while (up.status().pendingSamples > 0) await new Promise((r) => setTimeout(r, 20));
  const wallS = (Date.now() - w0) / 1000;
  const cpu = process.cpuUsage(c0);
  await up.stop({ finalCollect: false });
  await vm.stop();
  say(`\n### remote_write backlog drain: ${queued} samples (${collections} collections of ${n} series) to VictoriaMetrics\n`);
  say(
    table(
      ['queueing: collect + SQLite append (CPU)', 'drain wall time', 'drain rate', 'sender CPU per 1,000 samples drained'],
      [[`${num((queueMs * 1000) / queued)} µs/sample`, `${num(wallS)} s`, `${num(queued / wallS)} samples/s`, `${num(((cpu.user + cpu.system) / 1000 / queued) * 1000)} ms`]],
    ),
  );
}

// ---------------------------------------------------------------- serve
/** serve's extra CPU with an exporter on, against the same serve without, alternating alone in its window. */
async function benchServe(): Promise<void> {
  const eng = await import('../test/integration/engines.js');
  const { createServer } = await import('node:http');
  const { rmSync } = await import('node:fs');
  const dir = eng.tempDir('perfscope-bench-serve-export-');
  const vm = await eng.startVictoriaMetrics({ dataDir: join(dir, 'vm') });
  // the OTLP sink: reads and acknowledges, nothing else (its CPU is not counted)
  let otlpBytes = 0;
  const sink = createServer((req, res) => {
    req.on('data', (d: Buffer) => (otlpBytes += d.length));
    req.on('end', () => res.end());
  });
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', r));
  const sinkUrl = `http://127.0.0.1:${(sink.address() as { port: number }).port}/v1/metrics`;
  interface Variant {
    id: string;
    label: string;
    args: string[];
  }
  const variants: Variant[] = [
    { id: 'off', label: 'no exporter', args: [] },
    { id: 'rw15', label: '--remote-write, every 15 s (the default)', args: ['--remote-write', `${vm.url}/api/v1/write`, '--remote-write-interval', '15s'] },
    { id: 'rw1', label: '--remote-write, every 1 s (every tick)', args: ['--remote-write', `${vm.url}/api/v1/write`, '--remote-write-interval', '1s'] },
    { id: 'otlp1', label: '--otlp (protobuf, gzip), every 1 s', args: ['--otlp', sinkUrl, '--otlp-interval', '1s'] },
  ];
  const cli = join(repoRoot, 'bin/perfscope.js');
  const random = prng(seed);
  const results = new Map<string, { round: number; cpuPercent: number; samplesPerSecond: number }[]>(variants.map((v) => [v.id, []]));
  const cpuOf = (pid: number): number => {
    const c = readProcCpu(pid);
    return c.threadsRuntimeSeconds ?? c.selfSeconds;
  };
  const exported = async (url: string): Promise<number> => {
    const text = await (await fetch(`${url}metrics`)).text();
    let n = 0;
    for (const line of text.split('\n')) if (/^perfscope_(remote_write_samples_total|otlp_exported_points_total)\{/.test(line)) n += Number(line.split(' ').at(-1));
    return n;
  };
  let k = 0;
  for (const { round, item } of interleave(variants, serveRounds, random)) {
    const wdir = join(dir, `w${k++}`);
    mkdirSync(wdir);
    const child = spawn(process.execPath, [cli, 'serve', '--port', '0', '--store', join(wdir, 'serve.db'), ...item.args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let err = '';
    child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        const nl = out.indexOf('\n');
        if (nl > 0) resolve(out.slice(0, nl));
      });
      child.once('exit', (code) => reject(new Error(`serve exited ${code}: ${err}`)));
    });
    await new Promise((r) => setTimeout(r, serveWarmupS * 1000));
    const c0 = cpuOf(child.pid!);
    const t0 = performance.now();
    // /metrics renders serve's registry at most every 10 s: the counts are read at both ends of a window longer than that
    const e0 = await exported(url);
    await new Promise((r) => setTimeout(r, serveWindowS * 1000));
    const c1 = cpuOf(child.pid!);
    const seconds = (performance.now() - t0) / 1000;
    const e1 = await exported(url);
    child.kill('SIGTERM');
    await new Promise<void>((r) => (child.exitCode !== null ? r() : child.once('exit', () => r())));
    rmSync(wdir, { recursive: true, force: true });
    const cpuPercent = ((c1 - c0) / seconds) * 100;
    results.get(item.id)!.push({ round, cpuPercent, samplesPerSecond: (e1 - e0) / seconds });
    process.stderr.write(`round ${round + 1}/${serveRounds} ${item.id}: ${num(cpuPercent)} % of a core${err.includes('fail') ? ` (stderr: ${err.trim().split('\n').at(-1)})` : ''}\n`);
  }
  await new Promise<void>((r) => sink.close(() => r()));
  await vm.stop();
  rmSync(dir, { recursive: true, force: true });
  const off = results.get('off')!;
  say(`\n### serve with its exporters on: serve's own CPU, ${serveRounds} shuffled rounds of ${serveWindowS} s windows (after ${serveWarmupS} s), seed ${seed}\n`);
  say(
    table(
      ['serve', 'CPU, % of one core', 'extra over no exporter (same round)', 'samples or points sent/s'],
      variants.map((v) => {
        const rs = results.get(v.id)!;
        const extra = rs.map((r) => r.cpuPercent - (off.find((o) => o.round === r.round)?.cpuPercent ?? NaN));
        return [
          v.label,
          spreadText(spread(rs.map((r) => r.cpuPercent))),
          v.id === 'off' ? '—' : spreadText(spread(extra)),
          v.id === 'off' ? '—' : spreadText(spread(rs.map((r) => r.samplesPerSecond))),
        ];
      }),
    ),
  );
}

async function main(): Promise<void> {
  if (process.env.PERFSCOPE_BENCH_CHILD === 'app') return appMain();
  const m = machineFacts();
  say(`# export bench — ${m.date}, Node ${m.node}, ${m.nproc} × ${m.cpuModel}, ${m.processes} processes running`);
  say(`command: node --import tsx bench/export.bench.ts ${process.argv.slice(2).join(' ')}`);
  if (parts.includes('otlp')) await benchOtlp();
  if (parts.includes('encode')) await benchEncode();
  if (parts.includes('remote-write')) await benchRemoteWrite();
  if (parts.includes('drain')) await benchDrain();
  if (parts.includes('serve')) await benchServe();
  mkdirSync(join('bench', 'results'), { recursive: true });
  const file = join('bench', 'results', `export-${m.date.slice(0, 10)}${parts.length < allParts.split(',').length ? `-${parts.join('-')}` : ''}.md`);
  writeFileSync(file, `${out.join('\n')}\n`);
  process.stderr.write(`written ${file}\n`);
}

await main();
