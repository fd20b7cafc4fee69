/**
 * remote_write against the real receivers: Debian's Prometheus (--web.enable-remote-write-receiver) and
 * VictoriaMetrics (/api/v1/write). Values and sample counts are read back with PromQL, across a
 * receiver outage of 20 s and across a restart of the sending process.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { Counter, Gauge, Histogram, Registry, Summary } from '../../src/metrics/index.js';
import { startRemoteWrite, type RemoteWrite } from '../../src/export/remote-write.js';
import { tempDir as cliTempDir } from '../helpers/cli.js';
import {
  missing,
  PROMETHEUS,
  queryUntil,
  startPrometheus,
  startVictoriaMetrics,
  VICTORIA_METRICS,
  vmQueryUntil,
  type Engine,
} from './engines.js';

const skip = missing(PROMETHEUS, VICTORIA_METRICS);
type Started = Engine & { port: number; dataDir: string };
let prom: Started;
let vm: Started;
const dirs: { cleanup(): void }[] = [];

// data directories of our own: the outage test restarts the receivers on the same data
const promData = cliTempDir('perfscope-prom-data-');
const vmData = cliTempDir('perfscope-vm-data-');
dirs.push(promData, vmData);

before(async () => {
  if (skip) return;
  [prom, vm] = await Promise.all([startPrometheus({ remoteWriteReceiver: true, dataDir: promData.dir }), startVictoriaMetrics({ dataDir: vmData.dir })]);
});
after(async () => {
  await Promise.all([prom?.stop(), vm?.stop()]);
  for (const d of dirs) d.cleanup();
});

function queueFile(name: string): string {
  const t = cliTempDir('perfscope-rw-it-');
  dirs.push(t);
  return join(t.dir, name);
}

const scalar = (r: { value: [number, string] }[]): number | undefined => (r[0] === undefined ? undefined : Number(r[0].value[1]));

test('values of every metric type read back from Prometheus and VictoriaMetrics with the names /metrics shows', { skip }, async () => {
  const reg = new Registry();
  new Counter({ name: 'request_count', help: 'prom-client style name without _total', labelNames: ['route'], registers: [reg] }).inc({ route: '/a' }, 7);
  new Gauge({ name: 'queue_depth', help: 'h', registers: [reg] }).set(-3.25);
  const h = new Histogram({ name: 'latency_seconds', help: 'h', buckets: [0.1, 0.5, 1], registers: [reg] });
  for (const v of [0.05, 0.2, 0.3, 2]) h.observe(v);
  const s = new Summary({ name: 'payload_bytes', help: 'h', percentiles: [0.5, 0.9], registers: [reg] });
  for (let i = 1; i <= 100; i++) s.observe(i);
  const common = { registry: reg, intervalSeconds: 0, externalLabels: { job: 'it-types' }, log: false as const };
  const writers = [
    startRemoteWrite({ ...common, url: `${prom.url}/api/v1/write`, queuePath: queueFile('prom.db') }),
    startRemoteWrite({ ...common, url: `${vm.url}/api/v1/write`, queuePath: queueFile('vm.db') }),
  ];
  try {
    await Promise.all(writers.map((w) => w.collect()));
    const checks: [string, number, number][] = [
      ['request_count{job="it-types",route="/a"}', 7, 0],
      ['queue_depth', -3.25, 0],
      ['latency_seconds_bucket{le="0.5"}', 3, 0],
      ['latency_seconds_bucket{le="+Inf"}', 4, 0],
      ['latency_seconds_sum', 2.55, 1e-9],
      ['latency_seconds_count', 4, 0],
      ['payload_bytes{quantile="0.5"}', 50, 1],
      ['payload_bytes_count', 100, 0],
    ];
    for (const [q, want, tol] of checks) {
      const p = await queryUntil(prom.url, q, scalar);
      assert.ok(Math.abs(p - want) <= tol, `Prometheus ${q} = ${p}, want ${want}`);
      const v = await vmQueryUntil(vm.url, q, scalar);
      assert.ok(Math.abs(v - want) <= tol, `VictoriaMetrics ${q} = ${v}, want ${want}`);
    }
    // Prometheus keeps the prom-client counter name: no `_total` appended
    assert.equal((await queryUntil(prom.url, 'count({__name__="request_count_total"}) or vector(0)', scalar)), 0);
  } finally {
    await Promise.all(writers.map((w) => w.stop({ finalCollect: false })));
  }
});

test('a receiver stopped for 20 s and restarted loses nothing: every collection arrives once, in order', { skip, timeout: 180_000 }, async () => {
  const reg = new Registry();
  const seq = new Gauge({ name: 'outage_seq', help: 'collection number', registers: [reg] });
  const lines: string[] = [];
  const common = { registry: reg, intervalSeconds: 0, externalLabels: { job: 'it-outage' }, minBackoffMs: 100, maxBackoffMs: 2000, log: (l: string) => lines.push(l) };
  const writers: RemoteWrite[] = [
    startRemoteWrite({ ...common, url: `${prom.url}/api/v1/write`, queuePath: queueFile('prom.db') }),
    startRemoteWrite({ ...common, url: `${vm.url}/api/v1/write`, queuePath: queueFile('vm.db') }),
  ];
  let n = 0;
  const tick = async (): Promise<void> => {
    seq.set(++n);
    await Promise.all(writers.map((w) => w.collect()));
  };
  try {
    for (let i = 0; i < 5; i++) {
      await tick();
      await new Promise((r) => setTimeout(r, 1000));
    }
    await queryUntil(prom.url, 'outage_seq', (r) => (scalar(r) === 5 ? 5 : undefined));
    // both receivers go away for 20 s while the app keeps collecting once a second
    const promPort = prom.port;
    const vmPort = vm.port;
    await Promise.all([prom.stop(), vm.stop()]);
    const downAt = Date.now();
    while (Date.now() - downAt < 20_000) {
      await tick();
      await new Promise((r) => setTimeout(r, 1000));
    }
    for (const w of writers) {
      const st = w.status();
      assert.ok(st.pendingSamples > 0 && st.failedSamples > 0, JSON.stringify(st));
    }
    assert.ok(lines.some((l) => /send failed .*ECONNREFUSED/.test(l)), 'the outage is logged');
    [prom, vm] = await Promise.all([
      startPrometheus({ remoteWriteReceiver: true, port: promPort, dataDir: promData.dir }),
      startVictoriaMetrics({ port: vmPort, dataDir: vmData.dir }),
    ]);
    for (let i = 0; i < 3; i++) {
      await tick();
      await new Promise((r) => setTimeout(r, 500));
    }
    const total = n;
    const deadline = Date.now() + 60_000;
    while (writers.some((w) => w.status().pendingSamples > 0) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    for (const w of writers) assert.equal(w.status().pendingSamples, 0, JSON.stringify(w.status()));
    for (const w of writers) assert.equal(w.status().droppedSamples, 0, JSON.stringify(w.status()));
    const count = `count_over_time(outage_seq{job="it-outage"}[15m])`;
    assert.equal(await queryUntil(prom.url, count, (r) => (scalar(r) === total ? total : undefined), 30_000), total);
    assert.equal(await vmQueryUntil(vm.url, count, (r) => (scalar(r) === total ? total : undefined), 60_000), total);
    // each value once, in order: the sum of 1..n and the last value
    const sum = (total * (total + 1)) / 2;
    assert.equal(await queryUntil(prom.url, `sum_over_time(outage_seq[15m])`, scalar), sum);
    assert.equal(await vmQueryUntil(vm.url, `sum_over_time(outage_seq[15m])`, (r) => (scalar(r) === sum ? sum : undefined)), sum);
    assert.equal(await queryUntil(prom.url, 'outage_seq', scalar), total);
    assert.ok(lines.some((l) => /sending again/.test(l)), 'the recovery is logged');
  } finally {
    await Promise.all(writers.map((w) => w.stop({ finalCollect: false, timeoutMs: 2000 })));
  }
});

function runApp(url: string, queuePath: string, from: number, to: number, mode: 'stop' | 'hang'): { done: Promise<string>; kill(): void; out(): string } {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join('test', 'fixtures', 'export', 'rw-app.ts'), url, queuePath, String(from), String(to), '100', mode],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const done = new Promise<string>((resolve) => child.on('exit', () => resolve(out)));
  return { done, kill: () => child.kill('SIGKILL'), out: () => out };
}

test('a sender killed with samples queued: a new process on the same queue file sends them, oldest first', { skip, timeout: 120_000 }, async () => {
  const path = queueFile('app.db');
  // first process: Prometheus is unreachable for it (wrong port), so 1..10 stay queued; then SIGKILL
  const down = `http://127.0.0.1:${prom.port + 1 === vm.port ? prom.port + 2 : prom.port + 1}/api/v1/write`;
  const first = runApp(down, path, 1, 10, 'hang');
  const deadline = Date.now() + 60_000;
  while (!first.out().includes('hanging') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.ok(first.out().includes('collected 10'), first.out());
  first.kill();
  await first.done;
  // second process, same queue, the real receiver: sends the backlog, then 11..15
  const second = runApp(`${prom.url}/api/v1/write`, path, 11, 15, 'stop');
  const out = await second.done;
  assert.match(out, /resuming with \d+ queued samples/);
  assert.match(out, /stopped pending=0/);
  const q = 'count_over_time(app_seq{job="rw-app"}[15m])';
  assert.equal(await queryUntil(prom.url, q, (r) => (scalar(r) === 15 ? 15 : undefined)), 15);
  assert.equal(await queryUntil(prom.url, 'sum_over_time(app_seq{job="rw-app"}[15m])', scalar), 120);
  assert.equal(await queryUntil(prom.url, 'app_seq{job="rw-app"}', scalar), 15);
});
