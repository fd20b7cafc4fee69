/**
 * `perfscope serve --remote-write / --otlp` against the real engines, as a user runs it (the built CLI):
 * - its flags: documented, checked before anything starts (exit 2, one line naming the flag, never a
 *   credential);
 * - Debian's Prometheus (--web.enable-remote-write-receiver) and VictoriaMetrics receive host, group and
 *   registry series with the values serve's own /metrics shows at the same tick;
 * - both receivers stopped for 20 s and restarted: every tick arrives once (counts read back);
 * - serve stopped (SIGTERM) with samples queued and started again on the same store: the queue resumes
 *   and every queued sample arrives;
 * - OTLP, protobuf and JSON, to a receiver here that decodes with the official proto definitions: the
 *   same series and values, counters as cumulative sums with their start times, headers and credentials;
 * - receivers down, refusing (4xx) or wanting credentials: sampling and /metrics go on, each fault is one
 *   line and counted on /metrics, and SIGTERM still exits 0.
 * Every server here listens on 127.0.0.1 and stops with the test.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { cli } from '../helpers/cli.js';
import { decodeOtlp } from '../export/otlp-proto.js';
import { scrape, startServe, valueOf, type Sample, type ServeProcess } from '../helpers/serve.js';
import { freePort, missing, PROMETHEUS, startPrometheus, startVictoriaMetrics, tempDir, VICTORIA_METRICS, type Engine } from './engines.js';
import { sqliteEngine } from '../../src/store/sqlite.js';

const noEngines = missing(PROMETHEUS, VICTORIA_METRICS);
const noSqlite = sqliteEngine() === null ? 'no SQLite engine' : false;
const skip = noEngines || noSqlite;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

type Started = Engine & { port: number; dataDir: string };
let prom: Started;
let vm: Started;
const root = tempDir('perfscope-serve-export-');
const promData = join(root, 'prom');
const vmData = join(root, 'vm');
const sleepers: ChildProcess[] = [];

before(async () => {
  if (skip) return;
  [prom, vm] = await Promise.all([startPrometheus({ remoteWriteReceiver: true, dataDir: promData }), startVictoriaMetrics({ dataDir: vmData })]);
  // a process group with a known size: two `sleep 3607`
  for (let i = 0; i < 2; i++) sleepers.push(spawn('sleep', ['3607'], { stdio: 'ignore' }));
});
after(async () => {
  for (const s of sleepers) s.kill('SIGKILL');
  await Promise.all([prom?.stop(), vm?.stop()]);
  rmSync(root, { recursive: true, force: true });
});

const GROUP = ['--group', 'itsleep=^sleep 3607$'];

/** An instant query at `timeS` (Prometheus and VictoriaMetrics speak the same API); NaN when empty. */
async function queryAt(engine: Engine, query: string, timeS?: number): Promise<number> {
  if (engine === vm) await fetch(`${vm.url}/internal/force_flush`).catch(() => undefined);
  const params = new URLSearchParams({ query });
  if (timeS !== undefined) params.set('time', String(timeS));
  const r = await fetch(`${engine.url}/api/v1/query?${params}`);
  const body = (await r.json()) as { status: string; data?: { result: { value: [number, string] }[] } };
  if (body.status !== 'success') throw new Error(`${query}: ${JSON.stringify(body)}`);
  const v = body.data?.result[0]?.value[1];
  return v === undefined ? NaN : Number(v);
}

/** How many samples the engine holds for `selector` over the last `range` (a range query read back whole). */
async function samplesIn(engine: Engine, selector: string, range = '15m'): Promise<number> {
  const r = await fetch(`${engine.url}/api/v1/query?${new URLSearchParams({ query: `${selector}[${range}]` })}`);
  const body = (await r.json()) as { status: string; data?: { result: { values: unknown[] }[] } };
  if (body.status !== 'success') throw new Error(`${selector}: ${JSON.stringify(body)}`);
  return (body.data?.result ?? []).reduce((n, series) => n + series.values.length, 0);
}

/** Waits until serve's stderr matches `re` (lines after the URL come a moment later). */
async function stderrMatch(s: ServeProcess, re: RegExp, timeoutMs = 20_000): Promise<RegExpExecArray> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = re.exec(s.stderr());
    if (m !== null) return m;
    if (Date.now() > deadline) assert.fail(`stderr never matched ${re}:\n${s.stderr()}`);
    await sleep(100);
  }
}

/** Polls until `accept(value)`; returns the last value either way (the caller's assertion says what was expected). */
async function pollQuery(engine: Engine, query: string, accept: (v: number) => boolean, timeS?: number, timeoutMs = 60_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await queryAt(engine, query, timeS);
    if (accept(v) || Date.now() > deadline) return v;
    await sleep(500);
  }
}

/** /metrics as of one tick: /api/groups' tick time read before and after the scrape agree. */
async function metricsAtTick(s: ServeProcess): Promise<{ tMs: number; samples: Sample[] }> {
  for (let i = 0; ; i++) {
    if (i === 100) throw new Error('no scrape of /metrics fell between two ticks');
    const t1 = ((await (await fetch(`${s.url}api/groups`)).json()) as { t: number }).t;
    const samples = await scrape(`${s.url}metrics`);
    const t2 = ((await (await fetch(`${s.url}api/groups`)).json()) as { t: number }).t;
    if (t1 === t2) return { tMs: t1, samples };
  }
}

/** Polls serve's /metrics until `accept` holds (the registry part is re-rendered at most every 10 s). */
async function pollMetrics(s: ServeProcess, accept: (m: Sample[]) => boolean, timeoutMs = 60_000): Promise<Sample[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const m = await scrape(`${s.url}metrics`);
    if (accept(m) || Date.now() > deadline) return m;
    await sleep(500);
  }
}

const sum = (m: Sample[], name: string, where: Record<string, string> = {}): number =>
  m.filter((s) => s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v)).reduce((a, s) => a + s.value, 0);

function lines(text: string, re: RegExp): string[] {
  return text.split('\n').filter((l) => re.test(l));
}

test('--help documents every export flag; bad values exit 2 with one line naming the flag, before anything starts, never echoing a secret', async () => {
  const help = await cli(['serve', '--help']);
  assert.equal(help.code, 0);
  const flags = ['--remote-write', '--remote-write-auth-file', '--remote-write-header', '--remote-write-label', '--remote-write-interval', '--otlp', '--otlp-protocol', '--otlp-header', '--otlp-auth-file', '--otlp-interval', '--otlp-temporality'];
  for (const flag of flags) assert.ok(help.stdout.includes(`${flag} `), `--help mentions ${flag}`);
  const d = tempDir('perfscope-serve-export-flags-');
  const badAuth = join(d, 'bad-auth');
  writeFileSync(badAuth, 'basic no-colon-here\n');
  const rw = 'http://127.0.0.1:9/api/v1/write';
  const otlp = 'http://127.0.0.1:9/v1/metrics';
  const cases: [string[], RegExp][] = [
    [['--remote-write', 'not a url'], /--remote-write: invalid url/],
    [['--remote-write', 'ftp://127.0.0.1/x'], /--remote-write: url must be http or https/],
    [['--remote-write', 'http://ops:hunter2-secret@127.0.0.1:9/api/v1/write'], /--remote-write: put the credentials in --remote-write-auth-file/],
    [['--remote-write', rw, '--remote-write', rw], /--remote-write .* is given twice/],
    [['--remote-write-auth-file', badAuth, '--remote-write', rw], /--remote-write-auth-file applies to the --remote-write URL before it/],
    [['--remote-write', rw, '--remote-write-auth-file', join(d, 'missing')], /--remote-write-auth-file: cannot read the auth file .*missing: no such file/],
    [['--remote-write', rw, '--remote-write-auth-file', d], /--remote-write-auth-file: cannot read the auth file .*: is a directory/],
    [['--remote-write', rw, '--remote-write-auth-file', badAuth], /--remote-write-auth-file: .*bad-auth: basic auth needs USER:PASSWORD/],
    [['--remote-write', rw, '--remote-write-header', 'X-Scope-OrgID'], /--remote-write-header takes NAME=VALUE/],
    [['--remote-write', rw, '--remote-write-header', 'Content-Encoding=gzip'], /--remote-write-header: header Content-Encoding is set by the protocol/],
    [['--remote-write', rw, '--remote-write-label', 'bad-name=x'], /--remote-write-label takes NAME=VALUE/],
    [['--remote-write', rw, '--remote-write-interval', '500ms'], /--remote-write-interval must be between 1 s and 3600 s/],
    [['--remote-write-label', 'instance=a'], /--remote-write-label needs --remote-write URL/],
    [['--otlp', 'nope'], /--otlp: invalid url/],
    [['--otlp', otlp, '--otlp', otlp], /--otlp is given twice/],
    [['--otlp', otlp, '--otlp-protocol', 'grpc'], /--otlp-protocol must be http\/protobuf or http\/json/],
    [['--otlp', otlp, '--otlp-temporality', 'both'], /--otlp-temporality must be cumulative or delta/],
    [['--otlp', otlp, '--otlp-header', 'api-key:hunter2-secret'], /--otlp-header takes NAME=VALUE \(the value is not shown here\)/],
    [['--otlp', otlp, '--otlp-header', 'bad name=hunter2-secret'], /--otlp-header: invalid header name/],
    [['--otlp', otlp, '--otlp-auth-file', join(d, 'missing')], /--otlp-auth-file: cannot read the auth file .*missing: no such file/],
    [['--otlp-protocol', 'http/json'], /--otlp-protocol needs --otlp URL/],
  ];
  try {
    for (const [args, message] of cases) {
      const r = await cli(['serve', '--port', '0', '--no-store', ...args]);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
      assert.equal(r.stdout, '', 'nothing started (no URL printed)');
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
      assert.ok(!r.stderr.includes('hunter2'), `no secret echoed: ${r.stderr}`);
    }
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
});

test('Prometheus and VictoriaMetrics: host, group and self series with /metrics\' values; a 20 s outage of both loses no tick', { skip, timeout: 300_000 }, async () => {
  const store = join(root, 'values', 'serve.db');
  mkdirSync(join(root, 'values'));
  let afterOutage = 0;
  const s = await startServe([
    '--store', store, ...GROUP,
    '--remote-write', `${prom.url}/api/v1/write`, '--remote-write', `${vm.url}/api/v1/write`,
    '--remote-write-interval', '1s', '--remote-write-label', 'run=values',
  ]);
  try {
    await stderrMatch(s, new RegExp(`remote_write to ${prom.url}/api/v1/write every 1 s; queue ${join(root, 'values')}/serve\\.remote-write-127\\.0\\.0\\.1_${prom.port}-[0-9a-f]{12}\\.db`));
    const { tMs, samples } = await metricsAtTick(s);
    const atTick = tMs / 1000 + 0.5; // the tick's sample is the latest at or before this (the next one is ~1 s later)
    const expected: [string, number][] = [
      ['node_cpu_seconds_total{cpu="0",mode="user",run="values"}', valueOf(samples, 'node_cpu_seconds_total', { cpu: '0', mode: 'user' })!],
      ['node_memory_MemAvailable_bytes{run="values"}', valueOf(samples, 'node_memory_MemAvailable_bytes')!],
      ['namedprocess_namegroup_num_procs{groupname="itsleep",run="values"}', 2],
      ['namedprocess_namegroup_memory_bytes{groupname="itsleep",memtype="resident",run="values"}', valueOf(samples, 'namedprocess_namegroup_memory_bytes', { groupname: 'itsleep', memtype: 'resident' })!],
      ['process_start_time_seconds{run="values"}', valueOf(samples, 'process_start_time_seconds')!],
    ];
    assert.equal(valueOf(samples, 'namedprocess_namegroup_num_procs', { groupname: 'itsleep' }), 2);
    for (const engine of [prom, vm]) {
      for (const [q, want] of expected) {
        const got = await pollQuery(engine, q, (v) => v === want, atTick);
        assert.equal(got, want, `${engine === prom ? 'Prometheus' : 'VictoriaMetrics'}: ${q} at the tick of ${tMs}`);
      }
    }
    // a self-metric: every tick's count arrives, so the value /metrics shows (rendered at most every 10 s) is among them
    const shown = valueOf(await scrape(`${s.url}metrics`), 'perfscope_serve_ticks_total')!;
    for (const engine of [prom, vm]) {
      assert.ok((await pollQuery(engine, 'max_over_time(perfscope_serve_ticks_total{run="values"}[15m])', (v) => v >= shown)) >= shown);
      assert.equal(await queryAt(engine, 'min_over_time(perfscope_serve_ticks_total{run="values"}[15m])'), 1, 'from the first tick');
    }
    // the exporters' own metrics are on /metrics
    const m = await pollMetrics(s, (x) => sum(x, 'perfscope_remote_write_samples_total', { url: `${vm.url}/api/v1/write` }) > 0);
    for (const url of [`${prom.url}/api/v1/write`, `${vm.url}/api/v1/write`]) {
      assert.ok(sum(m, 'perfscope_remote_write_samples_total', { url }) > 0, `samples_total for ${url}`);
      for (const name of ['perfscope_remote_write_failed_total', 'perfscope_remote_write_dropped_total', 'perfscope_remote_write_pending_samples', 'perfscope_remote_write_highest_sent_timestamp_seconds']) {
        assert.ok(m.some((x) => x.name === name && x.labels.url === url), `${name}{url="${url}"} on /metrics`);
      }
    }

    // both receivers go away for 20 s; serve keeps sampling and queueing
    const [promPort, vmPort] = [prom.port, vm.port];
    await Promise.all([prom.stop(), vm.stop()]);
    const downAt = Date.now();
    while (Date.now() - downAt < 20_000) {
      assert.equal((await fetch(`${s.url}healthz`)).status, 200, 'serve keeps ticking during the outage');
      await sleep(2000);
    }
    const during = await pollMetrics(s, (x) => sum(x, 'perfscope_remote_write_failed_total') > 0);
    assert.ok(sum(during, 'perfscope_remote_write_pending_samples') > 0, 'samples wait in the queues');
    assert.match(s.stderr(), /perfscope serve: remote_write: http:\/\/127\.0\.0\.1:\d+\/api\/v1\/write: send failed \(.*ECONNREFUSED/);
    [prom, vm] = await Promise.all([
      startPrometheus({ remoteWriteReceiver: true, port: promPort, dataDir: promData }),
      startVictoriaMetrics({ port: vmPort, dataDir: vmData }),
    ]);
    afterOutage = valueOf(await scrape(`${s.url}metrics`), 'perfscope_serve_ticks_total')!;
    for (const engine of [prom, vm]) {
      await pollQuery(engine, 'max_over_time(perfscope_serve_ticks_total{run="values"}[15m])', (v) => v >= afterOutage + 2, undefined, 90_000);
    }
    assert.match(s.stderr(), /remote_write: http:\/\/127\.0\.0\.1:\d+\/api\/v1\/write: sending again/);
  } finally {
    assert.equal(await s.stop('SIGTERM'), 0, s.stderr());
  }
  // serve sent what it held at SIGTERM: every tick it exported is there once, host and self series alike
  for (const engine of [prom, vm]) {
    const name = engine === prom ? 'Prometheus' : 'VictoriaMetrics';
    const ticks = await pollQuery(engine, 'count_over_time(perfscope_serve_ticks_total{run="values"}[15m])', () => true);
    const max = await queryAt(engine, 'max_over_time(perfscope_serve_ticks_total{run="values"}[15m])');
    assert.equal(ticks, max, `${name}: ticks 1..${max} each once (no gap, no duplicate)`);
    assert.ok(ticks > afterOutage, `${name}: ${ticks} ticks, past the ${afterOutage} serve had counted when the receivers came back`);
    assert.equal(await queryAt(engine, 'count_over_time(node_load1{run="values"}[15m])'), ticks, `${name}: a host series at every tick`);
    assert.equal(await queryAt(engine, 'count_over_time(namedprocess_namegroup_num_procs{groupname="itsleep",run="values"}[15m])'), ticks, `${name}: a group series at every tick`);
  }
});

test('serve stopped with samples queued and started again on the same store: the queue resumes, every sample arrives', { skip, timeout: 240_000 }, async () => {
  const dir = join(root, 'restart');
  mkdirSync(dir);
  const url = `${prom.url}/api/v1/write`;
  const promPort = prom.port;
  await prom.stop();
  const args = (run: string): string[] => ['--store', join(dir, 'serve.db'), ...GROUP, '--remote-write', url, '--remote-write-interval', '1s', '--remote-write-label', `run=${run}`];
  const first = await startServe(args('r1'));
  await pollMetrics(first, (m) => valueOf(m, 'perfscope_serve_ticks_total')! >= 5 && sum(m, 'perfscope_remote_write_failed_total') > 0);
  assert.equal(await first.stop('SIGTERM'), 0, first.stderr());
  const stopped = /remote_write: http:\/\/127\.0\.0\.1:\d+\/api\/v1\/write: stopped with (\d+) samples queued in (\S+); they are sent at the next start/.exec(first.stderr());
  assert.ok(stopped, first.stderr());
  const queued = Number(stopped[1]);
  assert.match(stopped[2]!, /serve\.remote-write-127\.0\.0\.1_\d+-[0-9a-f]{12}\.db$/);

  prom = await startPrometheus({ remoteWriteReceiver: true, port: promPort, dataDir: promData });
  const second = await startServe(args('r2'));
  try {
    await stderrMatch(second, new RegExp(`remote_write: ${url}: resuming with ${queued} queued samples from ${stopped[2]!.replace(/\./g, '\\.')}`));
    // every sample the first serve queued, under its own label, arrives (oldest first, before the new ones)
    let got = 0;
    const deadline = Date.now() + 90_000;
    while ((got = await samplesIn(prom, '{run="r1"}')) < queued && Date.now() < deadline) await sleep(500);
    assert.equal(got, queued, 'every queued sample, once');
    const ticks = await queryAt(prom, 'count_over_time(perfscope_serve_ticks_total{run="r1"}[15m])');
    assert.equal(await queryAt(prom, 'max_over_time(perfscope_serve_ticks_total{run="r1"}[15m])'), ticks, 'ticks 1..n of the first serve, each once');
    assert.ok(ticks >= 5);
    await pollQuery(prom, 'count_over_time(perfscope_serve_ticks_total{run="r2"}[15m])', (v) => v >= 2);
  } finally {
    assert.equal(await second.stop('SIGTERM'), 0, second.stderr());
  }
});

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** An HTTP receiver on 127.0.0.1 that keeps every request (body gunzipped) and answers `answer(req)`. */
async function receiver(answer: (r: Received) => number = () => 200): Promise<{ url: string; requests: Received[]; close(): Promise<void> }> {
  const requests: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      const r = { path: req.url ?? '', headers: req.headers, body };
      requests.push(r);
      res.statusCode = answer(r);
      res.end(res.statusCode >= 400 ? 'refused by the test receiver' : '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

interface OtlpPoint {
  attributes?: { key: string; value: { stringValue?: string } }[];
  timeUnixNano: string;
  startTimeUnixNano?: string;
  asDouble?: number;
}
interface OtlpMetric {
  name: string;
  unit?: string;
  sum?: { dataPoints: OtlpPoint[]; aggregationTemporality: number; isMonotonic: boolean };
  gauge?: { dataPoints: OtlpPoint[] };
}
interface OtlpRequest {
  resourceMetrics: { resource: { attributes: { key: string; value: Record<string, unknown> }[] }; scopeMetrics: { metrics: OtlpMetric[] }[] }[];
}

function otlpBody(r: Received): OtlpRequest {
  return (r.headers['content-type'] === 'application/json' ? JSON.parse(r.body.toString('utf8')) : decodeOtlp(r.body)) as OtlpRequest;
}

function otlpPoint(req: OtlpRequest, name: string, where: Record<string, string>): { metric: OtlpMetric; point: OtlpPoint } | undefined {
  for (const sm of req.resourceMetrics[0]!.scopeMetrics) {
    for (const metric of sm.metrics) {
      if (metric.name !== name) continue;
      for (const point of metric.sum?.dataPoints ?? metric.gauge?.dataPoints ?? []) {
        const attrs = Object.fromEntries((point.attributes ?? []).map((a) => [a.key, a.value.stringValue]));
        if (Object.entries(where).every(([k, v]) => attrs[k] === v)) return { metric, point };
      }
    }
  }
  return undefined;
}

test('OTLP, protobuf and JSON: the series and values of /metrics, counters as cumulative sums from boot or first sight, headers and credentials', { skip: noSqlite, timeout: 180_000 }, async () => {
  const token = 'it-otlp-token-0123456789';
  const rx = await receiver();
  const d = tempDir('perfscope-serve-otlp-');
  const authFile = join(d, 'auth');
  writeFileSync(authFile, `bearer ${token}\n`);
  chmodSync(authFile, 0o600);
  const common = ['--interval', '1s', ...GROUP, '--otlp-interval', '1s', '--otlp-header', 'X-Tenant=it', '--otlp-auth-file', authFile];
  const servers = await Promise.all([
    startServe(['--store', join(d, 'pb.db'), '--otlp', `${rx.url}/pb/v1/metrics`, ...common]),
    startServe(['--store', join(d, 'json.db'), '--otlp', `${rx.url}/json/v1/metrics`, '--otlp-protocol', 'http/json', ...common]),
  ]);
  try {
    for (const [i, s] of servers.entries()) {
      const path = i === 0 ? '/pb/v1/metrics' : '/json/v1/metrics';
      const kind = i === 0 ? 'protobuf' : 'JSON';
      const { tMs, samples } = await metricsAtTick(s);
      // the export of that tick: every tick is exported (interval 1 s = --interval)
      let req: OtlpRequest | undefined;
      const deadline = Date.now() + 30_000;
      while (req === undefined && Date.now() < deadline) {
        req = rx.requests
          .filter((r) => r.path === path)
          .map(otlpBody)
          .find((b) => {
            const p = otlpPoint(b, 'node_load1', {});
            return p !== undefined && BigInt(p.point.timeUnixNano) === BigInt(tMs) * 1_000_000n;
          });
        if (req === undefined) await sleep(300);
      }
      assert.ok(req, `${kind}: an export at the tick of ${tMs}`);
      const r = rx.requests.find((x) => x.path === path)!;
      assert.equal(r.headers['content-type'], i === 0 ? 'application/x-protobuf' : 'application/json');
      assert.equal(r.headers.authorization, `Bearer ${token}`);
      assert.equal(r.headers['x-tenant'], 'it');
      const resource = Object.fromEntries(req.resourceMetrics[0]!.resource.attributes.map((a) => [a.key, a.value.stringValue ?? a.value.intValue]));
      assert.equal(resource['service.name'], 'perfscope');
      assert.equal(String(resource['process.pid']), String(s.child.pid));

      const bootNs = BigInt(valueOf(samples, 'node_boot_time_seconds')!) * 1_000_000_000n;
      const cpu = otlpPoint(req, 'node_cpu_seconds_total', { cpu: '0', mode: 'user' })!;
      assert.equal(cpu.point.asDouble, valueOf(samples, 'node_cpu_seconds_total', { cpu: '0', mode: 'user' }), `${kind}: node_cpu_seconds_total at the tick`);
      assert.equal(cpu.metric.sum?.isMonotonic, true);
      assert.equal(cpu.metric.sum?.aggregationTemporality, 2, 'cumulative');
      assert.equal(cpu.metric.unit, 's');
      assert.equal(BigInt(cpu.point.startTimeUnixNano!), bootNs, `${kind}: the kernel's counters count since boot`);
      const procs = otlpPoint(req, 'namedprocess_namegroup_num_procs', { groupname: 'itsleep' })!;
      assert.equal(procs.point.asDouble, 2);
      assert.ok(procs.metric.gauge, 'a gauge');
      const gcpu = otlpPoint(req, 'namedprocess_namegroup_cpu_seconds_total', { groupname: 'itsleep', mode: 'user' })!;
      assert.equal(gcpu.point.asDouble, valueOf(samples, 'namedprocess_namegroup_cpu_seconds_total', { groupname: 'itsleep', mode: 'user' }));
      const startedS = valueOf(samples, 'process_start_time_seconds')!;
      const gStartMs = Number(BigInt(gcpu.point.startTimeUnixNano!) / 1_000_000n);
      // process_start_time_seconds is rounded to whole seconds (as prom-client's), so up to 0.5 s late;
      // a group's start from /proc is the boot time in whole seconds + clock ticks
      assert.ok(gStartMs >= startedS * 1000 - 1000 && gStartMs <= tMs, `${kind}: a group counts from serve's first sight of it (${gStartMs}; serve started ${startedS * 1000}, tick ${tMs})`);
      const mem = otlpPoint(req, 'namedprocess_namegroup_memory_bytes', { groupname: 'itsleep', memtype: 'resident' })!;
      assert.equal(mem.point.asDouble, valueOf(samples, 'namedprocess_namegroup_memory_bytes', { groupname: 'itsleep', memtype: 'resident' }));
      assert.equal(mem.metric.unit, 'By');
      assert.equal(otlpPoint(req, 'process_start_time_seconds', {})?.point.asDouble, startedS, `${kind}: serve's registry too`);
      const ticks = otlpPoint(req, 'perfscope_serve_ticks_total', {})!;
      assert.equal(ticks.metric.sum?.isMonotonic, true);
      // the exporter's own metrics on /metrics
      const m = await pollMetrics(s, (x) => sum(x, 'perfscope_otlp_exported_points_total') > 0);
      assert.ok(sum(m, 'perfscope_otlp_exported_points_total', { url: `${rx.url}${path}` }) > 0);
      for (const where of [s.stdout(), s.stderr(), (await scrape(`${s.url}metrics`)).map((x) => JSON.stringify(x)).join('\n'), await (await fetch(`${s.url}api/info`)).text()]) {
        assert.ok(!where.includes(token), 'the token is in no output or page');
      }
      assert.ok(!readFileSync(`/proc/${s.child.pid}/cmdline`, 'utf8').includes(token), 'nor in argv');
    }
  } finally {
    for (const s of servers) assert.equal(await s.stop('SIGTERM'), 0, s.stderr());
    await rx.close();
    rmSync(d, { recursive: true, force: true });
  }
});

test('receivers down, refusing (400) or wanting credentials: sampling and /metrics go on, one line per fault, counted; SIGTERM exits 0', { skip: noSqlite, timeout: 180_000 }, async () => {
  const password = 'rw-pass-word-hunter2';
  const expected = `Basic ${Buffer.from(`ops:${password}`).toString('base64')}`;
  const rx = await receiver((r) => (r.path === '/bad/api/v1/write' ? 400 : r.headers.authorization === expected ? 204 : 401));
  const closed = await freePort();
  const d = tempDir('perfscope-serve-faults-');
  const authFile = join(d, 'auth');
  writeFileSync(authFile, `basic ops:${password}\n`);
  chmodSync(authFile, 0o600);
  const ok = `${rx.url}/ok/api/v1/write`;
  const bad = `${rx.url}/bad/api/v1/write`;
  const down = `http://127.0.0.1:${closed}/api/v1/write`;
  const startedAt = Date.now();
  const s = await startServe([
    '--store', join(d, 'serve.db'),
    '--remote-write', ok, '--remote-write-auth-file', authFile,
    '--remote-write', bad,
    '--remote-write', down,
    '--remote-write-interval', '1s',
    '--otlp', `http://127.0.0.1:${closed}/v1/metrics`, '--otlp-interval', '1s',
  ]);
  try {
    const m = await pollMetrics(
      s,
      (x) =>
        sum(x, 'perfscope_remote_write_samples_total', { url: ok }) > 0 &&
        sum(x, 'perfscope_remote_write_dropped_total', { url: bad, reason: 'rejected' }) > 0 &&
        sum(x, 'perfscope_remote_write_failed_total', { url: down }) > 0 &&
        sum(x, 'perfscope_otlp_failed_points_total') > 0 &&
        sum(x, 'perfscope_serve_faults_total', { kind: 'otlp' }) >= 1,
    );
    assert.ok(sum(m, 'perfscope_remote_write_samples_total', { url: ok }) > 0, 'the receiver wanting credentials got them');
    assert.ok(rx.requests.some((r) => r.path === '/ok/api/v1/write' && r.headers.authorization === expected));
    assert.ok(!rx.requests.some((r) => r.path === '/bad/api/v1/write' && r.headers.authorization !== undefined), 'credentials go only to their own destination');
    assert.ok(sum(m, 'perfscope_remote_write_dropped_total', { url: bad, reason: 'rejected' }) > 0, 'a 400 is dropped and counted');
    assert.ok(sum(m, 'perfscope_remote_write_failed_total', { url: down }) > 0);
    assert.ok(sum(m, 'perfscope_remote_write_pending_samples', { url: down }) > 0, 'kept for later');
    assert.ok(sum(m, 'perfscope_otlp_failed_points_total') > 0);
    assert.ok(sum(m, 'perfscope_serve_faults_total', { kind: 'remote_write' }) >= 2, 'the 400 and the refused connection, counted');
    // sampling goes on: ticks advance, /healthz answers
    const t0 = ((await (await fetch(`${s.url}api/groups`)).json()) as { t: number }).t;
    await sleep(2500);
    const t1 = ((await (await fetch(`${s.url}api/groups`)).json()) as { t: number }).t;
    assert.ok(t1 > t0, 'ticks go on');
    assert.equal((await fetch(`${s.url}healthz`)).status, 200);
    // one line per destination and fault (the exporters repeat a line at most once a minute)
    const minutes = 1 + Math.floor((Date.now() - startedAt) / 60_000);
    const err = s.stderr();
    for (const [re, what] of [
      [new RegExp(`^perfscope serve: remote_write: ${bad}: receiver rejected \\d+ samples \\(dropped\\): HTTP 400`), 'the 400'],
      [new RegExp(`^perfscope serve: remote_write: ${down}: send failed \\(.*ECONNREFUSED`), 'the receiver down'],
      [new RegExp(`^perfscope serve: otlp: http://127\\.0\\.0\\.1:${closed}/v1/metrics: export failed \\(.*ECONNREFUSED`), 'the OTLP receiver down'],
    ] as const) {
      const n = lines(err, re).length;
      assert.ok(n >= 1 && n <= minutes, `${what}: ${n} line(s) in ${minutes} minute(s):\n${err}`);
    }
    assert.equal(lines(err, new RegExp(`remote_write: ${ok}`)).length, 0, `no fault for the destination that accepts:\n${err}`);
    for (const where of [s.stdout(), err, (await scrape(`${s.url}metrics`)).map((x) => JSON.stringify(x)).join('\n')]) assert.ok(!where.includes(password), 'no password in output or pages');
  } finally {
    assert.equal(await s.stop('SIGTERM'), 0, s.stderr());
    await rx.close();
    rmSync(d, { recursive: true, force: true });
  }
  assert.match(s.stderr(), new RegExp(`remote_write: ${down}: stopped with \\d+ samples queued in \\S+; they are sent at the next start`));
});
