/**
 * `perfscope serve` as users run it, against the real thing: a real Prometheus scrapes it; host values
 * agree with Debian's node_exporter and group values with process-exporter, both scraped at the same
 * moment; ground-truth workloads (a CPU burner at a known duty cycle, a process holding 200 MiB, a
 * --pid tree); a process named with HTML and control characters; the history as a run that
 * `perfscope report` draws; the live stream. Tolerances are stated next to each comparison; no timing
 * assertions.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cli } from '../helpers/cli.js';
import { NODE_EXPORTER, PROCESS_EXPORTER, missingBinaries, parseExposition, scrape, startExporter, startServe, valueOf, type Exporter, type Sample, type ServeProcess } from '../helpers/serve.js';
import { PROMETHEUS, PROMTOOL, freePort, queryUntil, startEngine, tempDir, type Engine } from './engines.js';
import { runDataProblem } from '../../src/store/run-file.js';
import { sqliteEngine } from '../../src/store/sqlite.js';

const skip = missingBinaries(PROMETHEUS, PROMTOOL, NODE_EXPORTER, PROCESS_EXPORTER) || (sqliteEngine() === null ? 'no SQLite engine' : false);
const workloads = fileURLToPath(new URL('../fixtures/workloads/', import.meta.url));
const MiB = 1024 * 1024;
/** The HTML- and control-character name (comm holds at most 15 bytes): `<b>"&\` newline `</b>`. */
const evilName = '<b>"&\\\n</b>';

let dir: string;
let serve: ServeProcess;
let ne: Exporter;
let pe: Exporter;
let prom: Engine;
const children: ChildProcess[] = [];
let tree: ChildProcess;
let allocRss = 0;

function started(c: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = '';
    c.stdout!.on('data', (d: Buffer) => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve(buf.slice(0, nl));
    });
    c.once('exit', (code) => reject(new Error(`workload exited early (${code})`)));
  });
}

/** A workload in its own process group, so after() can end it with everything it started (tree.js's children). */
function run(cmd: string, args: string[]): ChildProcess {
  const c = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'], detached: true });
  children.push(c);
  return c;
}

before(async () => {
  if (skip) return;
  dir = tempDir('perfscope-serve-it-');
  // Distinct comms (the executable's name) for the process-exporter comparison.
  symlinkSync('/bin/sleep', join(dir, 'pfsleeper'));
  // Python, not Node: Node 24 names its main thread, hence its comm, 'MainThread' whatever the binary is called.
  symlinkSync('/usr/bin/python3', join(dir, 'pfburner'));
  symlinkSync('/usr/bin/python3', join(dir, 'pfticker'));
  for (let i = 0; i < 3; i++) run(join(dir, 'pfsleeper'), ['600']);
  // 30 ms of CPU in every 100 ms.
  const pfburner = run(join(dir, 'pfburner'), ['-c', 'import time\nprint("ready", flush=True)\nwhile True:\n    t = time.process_time()\n    while time.process_time() - t < 0.03: pass\n    time.sleep(0.07)']);
  // Single-threaded and busy switching: 50 voluntary context switches a second.
  const pfticker = run(join(dir, 'pfticker'), ['-c', 'import sys, time\nprint("ready", flush=True)\nwhile True: time.sleep(0.02)']);
  const burner = run(process.execPath, [`${workloads}burn.js`, '0.5', '600']);
  const alloc = run(process.execPath, [`${workloads}alloc.js`, '200', '600']);
  tree = run(process.execPath, [`${workloads}tree.js`, '2', '0.1', '600', '100', '0']);
  const evil = run(process.execPath, ['-e', `process.title = ${JSON.stringify(evilName)}; process.stdout.write('ready\\n'); setInterval(() => {}, 1000);`]);
  const [, , allocReady] = await Promise.all([started(pfburner), started(burner), started(alloc), started(tree), started(evil), started(pfticker)]);
  allocRss = Number(allocReady.split(' ')[1]);
  await new Promise((r) => setTimeout(r, 300)); // tree.js starts its children 100 ms apart

  serve = await startServe(['--interval', '1s', '--store', join(dir, 'serve.db'), '--group', 'burn=burn\\.js 0\\.5 ', '--group', 'alloc=alloc\\.js', '--pid', String(tree.pid)]);
  const [nePort, pePort, promPort] = [await freePort(), await freePort(), await freePort()];
  ne = await startExporter(NODE_EXPORTER, [`--web.listen-address=127.0.0.1:${nePort}`], nePort);
  const peConfig = join(dir, 'process-exporter.yml');
  writeFileSync(peConfig, 'process_names:\n  - name: "{{.Comm}}"\n    comm:\n      - pfsleeper\n      - pfburner\n      - pfticker\n');
  pe = await startExporter(PROCESS_EXPORTER, ['-config.path', peConfig, '-web.listen-address', `127.0.0.1:${pePort}`, '-threads=false', '-gather-smaps=false'], pePort);
  const serveTarget = new URL(serve.url).host;
  const promConfig = join(dir, 'prometheus.yml');
  writeFileSync(promConfig, `global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  - job_name: serve\n    static_configs:\n      - targets: ['${serveTarget}']\n`);
  prom = await startEngine(PROMETHEUS, [`--config.file=${promConfig}`, `--storage.tsdb.path=${join(dir, 'prom')}`, `--web.listen-address=127.0.0.1:${promPort}`], promPort);
  // Let serve see a few ticks of every workload (rates need two).
  await new Promise((r) => setTimeout(r, 3000));
});

after(async () => {
  await prom?.stop();
  await ne?.stop();
  await pe?.stop();
  const code = await serve?.stop('SIGTERM');
  for (const c of children) {
    try {
      process.kill(-c.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  if (serve) assert.equal(code, 0, `serve exits 0 on SIGTERM:\n${serve.stderr()}`);
});

const metricsUrl = (): string => `${serve.url}metrics`;

test('the first stdout line is the dashboard URL; /healthz, /, /api/info answer', { skip }, async () => {
  assert.match(serve.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  assert.equal(serve.stdout().trim().split('\n').length, 1, 'nothing else on stdout');
  assert.match(serve.stderr(), /perfscope serve: sampling \d+ processes/);
  assert.equal(await (await fetch(`${serve.url}healthz`)).text(), 'ok\n');
  const page = await fetch(serve.url);
  assert.match(page.headers.get('content-type') ?? '', /text\/html/);
  assert.match(page.headers.get('content-security-policy') ?? '', /default-src 'self'/);
  const info = (await (await fetch(`${serve.url}api/info`)).json()) as { intervalSeconds: number; pids: number[]; groupRules: { name: string }[]; groupFields: string[] };
  assert.equal(info.intervalSeconds, 1);
  assert.deepEqual(info.pids, [tree.pid]);
  assert.deepEqual(info.groupRules.map((g) => g.name), ['burn', 'alloc']);
  assert.equal(info.groupFields[0], 'name');
});

test('Prometheus scrapes serve and answers queries on host and group series; promtool accepts the exposition', { skip }, async () => {
  const cpus = await queryUntil(prom.url, 'count(node_cpu_seconds_total{job="serve"})', (r) => (r[0] ? Number(r[0].value[1]) : undefined));
  assert.equal(cpus, (await scrape(`${ne.url}`)).filter((s) => s.name === 'node_cpu_seconds_total').length, 'the same cpu × mode series as node_exporter');
  const sleepers = await queryUntil(prom.url, 'namedprocess_namegroup_num_procs{groupname="pfsleeper"}', (r) => r[0]);
  assert.equal(sleepers.value[1], '3');
  // The burner's rate as Prometheus computes it (its accuracy is checked against ground truth below).
  await queryUntil(prom.url, 'sum(rate(namedprocess_namegroup_cpu_seconds_total{groupname="burn"}[5s]))', (r) => (r[0] && Number(r[0].value[1]) > 0 ? r : undefined));
  await queryUntil(prom.url, 'namedprocess_namegroup_memory_bytes{groupname="alloc",memtype="resident"}', (r) => (r[0] && Number(r[0].value[1]) > 200 * MiB ? r : undefined));
  await queryUntil(prom.url, 'perfscope_serve_ticks_total{job="serve"}', (r) => (r[0] && Number(r[0].value[1]) > 2 ? r : undefined));
  const targets = (await (await fetch(`${prom.url}/api/v1/targets`)).json()) as { data: { activeTargets: { health: string; lastError: string }[] } };
  assert.equal(targets.data.activeTargets[0]?.health, 'up', targets.data.activeTargets[0]?.lastError);
  const body = await (await fetch(metricsUrl())).text();
  const r = spawnSync(PROMTOOL, ['check', 'metrics'], { input: body, encoding: 'utf8' });
  // The only findings allowed: node_exporter's own meminfo names (camelCase, kept for dashboards) and
  // the three gauge names prom-client's default metrics define with _total.
  const findings = `${r.stdout}${r.stderr}`
    .split('\n')
    .filter((l) => l.trim() !== '')
    .filter((l) => !/^nodejs_active_(handles|requests|resources)_total non-counter metrics should not have "_total" suffix$/.test(l))
    .filter((l) => !/^node_memory_(Mem|Swap)[A-Za-z]+_bytes metric names should be written in 'snake_case' not 'camelCase'$/.test(l));
  assert.deepEqual(findings, []);
});

test('host series agree with node_exporter scraped at the same moment', { skip }, async () => {
  const [ours, ref] = await Promise.all([scrape(metricsUrl()), scrape(ne.url)]);
  const exact = ['node_memory_MemTotal_bytes', 'node_memory_SwapTotal_bytes', 'node_boot_time_seconds'];
  for (const name of exact) assert.equal(valueOf(ours, name), valueOf(ref, name), name);
  const keys = (s: Sample[], name: string, label: string): string[] => [...new Set(s.filter((x) => x.name === name).map((x) => x.labels[label]!))].sort();
  for (const [name, label] of [['node_cpu_seconds_total', 'cpu'], ['node_cpu_seconds_total', 'mode'], ['node_disk_read_bytes_total', 'device'], ['node_network_receive_bytes_total', 'device']] as const) {
    assert.deepEqual(keys(ours, name, label), keys(ref, name, label), `${name} ${label} labels`);
  }
  // CPU counters: serve's are as of its last tick (up to 1 s before the scrape): 1.5 s of one CPU.
  for (const s of ref.filter((x) => x.name === 'node_cpu_seconds_total')) {
    const v = valueOf(ours, s.name, s.labels)!;
    assert.ok(Math.abs(v - s.value) <= 1.5, `${JSON.stringify(s.labels)}: serve ${v}, node_exporter ${s.value}`);
  }
  const near = (name: string, where: Record<string, string>, rel: number, abs: number): void => {
    const a = valueOf(ours, name, where);
    const b = valueOf(ref, name, where);
    assert.ok(a !== undefined && b !== undefined, `${name} ${JSON.stringify(where)} in both`);
    assert.ok(Math.abs(a - b) <= abs + rel * Math.abs(b), `${name} ${JSON.stringify(where)}: serve ${a}, node_exporter ${b}`);
  };
  near('node_memory_MemAvailable_bytes', {}, 0.03, 64 * MiB);
  near('node_memory_SwapFree_bytes', {}, 0.01, 16 * MiB);
  near('node_load1', {}, 0.3, 0.5);
  for (const d of keys(ref, 'node_disk_read_bytes_total', 'device')) {
    near('node_disk_read_bytes_total', { device: d }, 0.01, 16 * MiB);
    near('node_disk_written_bytes_total', { device: d }, 0.01, 64 * MiB);
  }
  for (const d of keys(ref, 'node_network_receive_bytes_total', 'device')) {
    near('node_network_receive_bytes_total', { device: d }, 0.01, 4 * MiB);
    near('node_network_transmit_bytes_total', { device: d }, 0.01, 4 * MiB);
  }
  // Filesystems both report: the size is static (exact); free space moves with other writers.
  const fsKeys = ref.filter((x) => x.name === 'node_filesystem_size_bytes').map((x) => x.labels);
  assert.ok(fsKeys.some((l) => l.mountpoint === '/'), 'node_exporter reports /');
  for (const l of fsKeys) {
    const ourSize = valueOf(ours, 'node_filesystem_size_bytes', l);
    if (ourSize === undefined) continue; // Debian's node_exporter excludes /mnt and /run; serve follows upstream's filter
    assert.equal(ourSize, valueOf(ref, 'node_filesystem_size_bytes', l), `size of ${l.mountpoint}`);
    assert.equal(valueOf(ours, 'node_filesystem_files', l), valueOf(ref, 'node_filesystem_files', l));
    near('node_filesystem_avail_bytes', l, 0.01, 256 * MiB);
  }
  assert.ok(valueOf(ours, 'node_filesystem_size_bytes', { mountpoint: '/' })! > 0);
});

test('process groups agree with process-exporter (same comm groups, both scraped twice, 8 s apart)', { skip }, async () => {
  const both = (): Promise<[Sample[], Sample[]]> => Promise.all([scrape(metricsUrl()), scrape(pe.url)]);
  const [o1, p1] = await both();
  await new Promise((r) => setTimeout(r, 8000));
  const [o2, p2] = await both();
  const v = (s: Sample[], name: string, labels: Record<string, string>): number => {
    const x = valueOf(s, name, labels);
    assert.ok(x !== undefined, `${name} ${JSON.stringify(labels)}`);
    return x;
  };
  for (const name of ['namedprocess_namegroup_num_procs', 'namedprocess_namegroup_num_threads', 'namedprocess_namegroup_open_filedesc']) {
    assert.equal(v(o2, name, { groupname: 'pfsleeper' }), v(p2, name, { groupname: 'pfsleeper' }), name);
  }
  assert.equal(v(o2, 'namedprocess_namegroup_num_procs', { groupname: 'pfsleeper' }), 3);
  // Resident memory: process-exporter reads stat's rss, serve statm's: a few hundred KiB apart at most.
  const rssO = v(o2, 'namedprocess_namegroup_memory_bytes', { groupname: 'pfsleeper', memtype: 'resident' });
  const rssP = v(p2, 'namedprocess_namegroup_memory_bytes', { groupname: 'pfsleeper', memtype: 'resident' });
  assert.ok(Math.abs(rssO - rssP) <= 0.05 * rssP + 768 * 1024, `resident: serve ${rssO}, process-exporter ${rssP}`);
  assert.equal(v(o2, 'namedprocess_namegroup_memory_bytes', { groupname: 'pfsleeper', memtype: 'virtual' }), v(p2, 'namedprocess_namegroup_memory_bytes', { groupname: 'pfsleeper', memtype: 'virtual' }));
  // CPU over the same window: serve's tick lags a scrape by up to 1 s at each end (0.3 s of CPU each).
  const cpu = (s: Sample[]): number => v(s, 'namedprocess_namegroup_cpu_seconds_total', { groupname: 'pfburner', mode: 'user' }) + v(s, 'namedprocess_namegroup_cpu_seconds_total', { groupname: 'pfburner', mode: 'system' });
  const dO = cpu(o2) - cpu(o1);
  const dP = cpu(p2) - cpu(p1);
  assert.ok(Math.abs(dO - dP) <= 0.7, `pfburner CPU over 8 s: serve ${dO.toFixed(2)} s, process-exporter ${dP.toFixed(2)} s`);
  assert.ok(dO > 0, 'it burned');
  // Context switches: serve reads /proc/PID/status, which counts the main thread (as psutil does);
  // process-exporter adds up every thread's. The semantics match for a single-threaded process.
  const ctx = (s: Sample[]): number => v(s, 'namedprocess_namegroup_context_switches_total', { groupname: 'pfticker', ctxswitchtype: 'voluntary' });
  const cO = ctx(o2) - ctx(o1);
  const cP = ctx(p2) - ctx(p1);
  assert.equal(v(o2, 'namedprocess_namegroup_num_threads', { groupname: 'pfticker' }), 1);
  assert.ok(cP > 100, `pfticker switched (${cP})`);
  assert.ok(Math.abs(cO - cP) <= 0.2 * cP + 20, `voluntary context switches over 8 s: serve ${cO}, process-exporter ${cP}`);
});

/** Σ run time of a process's threads (schedstat, ns resolution): the ground truth of its CPU time, in s. */
function cpuTruthSeconds(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // a thread that just exited
    }
  }
  return ns / 1e9;
}

/** Reads stream tick events and calls `onTick` with each parsed payload until it returns true. */
async function followTicks(url: string, onTick: (tick: { t: number; groups: unknown[][] }) => boolean): Promise<void> {
  const res = await fetch(`${url}api/stream?backlog=0`, { headers: { 'accept-encoding': 'identity' } });
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  let buf = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) throw new Error('stream ended');
    buf += dec.decode(value, { stream: true });
    let end: number;
    while ((end = buf.indexOf('\n\n')) >= 0) {
      const event = buf.slice(0, end);
      buf = buf.slice(end + 2);
      if (!event.startsWith('event: tick')) continue;
      const data = event.split('\n').find((l) => l.startsWith('data: '))!.slice(6);
      if (onTick(JSON.parse(data) as { t: number; groups: unknown[][] })) {
        await reader.cancel();
        return;
      }
    }
  }
}

test('ground truth: the burner group\'s CPU against the burner\'s own schedstat, at serve\'s tick times', { skip }, async () => {
  // The burner budgets 0.5 of a core, but on a loaded machine it gets what the scheduler gives it:
  // the truth is what it got, Σ schedstat of its threads (ns), sampled every 50 ms with the wall
  // clock and interpolated at the wall time each tick event carries (events may reach us late, in
  // bursts, on a loaded machine; the tick's own time is what counts).
  const info = (await (await fetch(`${serve.url}api/info`)).json()) as { groupFields: string[] };
  const at = (name: string): number => info.groupFields.indexOf(name);
  const burnerPid = children[5]!.pid!;
  const truth: { tMs: number; s: number }[] = [];
  const sampler = setInterval(() => truth.push({ tMs: Date.now(), s: cpuTruthSeconds(burnerPid) }), 50);
  const points: { tMs: number; serve: number }[] = [];
  try {
    await followTicks(serve.url, (tick) => {
      const g = tick.groups.find((row) => row[at('name')] === 'burn');
      if (g === undefined) return false;
      points.push({ tMs: tick.t, serve: (g[at('cpuUserSeconds')] as number) + (g[at('cpuSystemSeconds')] as number) });
      return points.length >= 16;
    });
    await new Promise((r) => setTimeout(r, 200)); // truth samples past the last tick
  } finally {
    clearInterval(sampler);
  }
  const truthAt = (tMs: number): number => {
    const k = truth.findIndex((x) => x.tMs >= tMs);
    assert.ok(k > 0, `truth samples around ${tMs}`);
    const a = truth[k - 1]!;
    const b = truth[k]!;
    return a.s + ((b.s - a.s) * (tMs - a.tMs)) / Math.max(1, b.tMs - a.tMs);
  };
  // From the second tick received (the first may predate the truth sampler) to the last.
  const first = points[1]!;
  const last = points[points.length - 1]!;
  const dServe = last.serve - first.serve;
  const dTruth = truthAt(last.tMs) - truthAt(first.tMs);
  // stat's 10 ms ticks at both ends, the interpolation over 50 ms gaps, and the ms between a tick's
  // time stamp and its read of the burner: ±0.1 s over 14 s, plus 3 %.
  assert.ok(Math.abs(dServe - dTruth) <= 0.1 + 0.03 * dTruth, `over ${points.length - 2} ticks: serve ${dServe.toFixed(3)} s, schedstat ${dTruth.toFixed(3)} s`);
  assert.ok(dTruth > 0.2, `the burner ran (${dTruth.toFixed(2)} s)`);
});

test('ground truth: the allocator group holds its 200 MiB; the --pid tree has its three processes', { skip }, async () => {
  const s = await scrape(metricsUrl());
  const resident = valueOf(s, 'namedprocess_namegroup_memory_bytes', { groupname: 'alloc', memtype: 'resident' })!;
  const allocPid = children[6]!.pid!;
  const vmRss = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${allocPid}/status`, 'utf8'))![1]) * 1024;
  assert.ok(resident >= 200 * MiB, `alloc group resident ${resident}`);
  assert.ok(Math.abs(resident - vmRss) <= 0.03 * vmRss, `alloc group resident ${resident}, its VmRSS now ${vmRss} (${allocRss} when ready)`);
  assert.equal(valueOf(s, 'namedprocess_namegroup_num_procs', { groupname: 'alloc' }), 1);
  assert.equal(valueOf(s, 'namedprocess_namegroup_num_procs', { groupname: `pid-${tree.pid}` }), 3, 'tree.js and its two children');
});

test('a process named with HTML and control characters: escaped in /metrics, plain JSON in the API, never markup', { skip }, async () => {
  const text = await (await fetch(metricsUrl())).text();
  assert.ok(text.includes('groupname="<b>\\"&\\\\\\n</b>"'), 'label value escaped (quote, backslash, newline)');
  const samples = parseExposition(text);
  assert.equal(valueOf(samples, 'namedprocess_namegroup_num_procs', { groupname: evilName }), 1);
  const fromProm = await queryUntil(prom.url, 'namedprocess_namegroup_num_procs{groupname=~"(?s)<b>.*"}', (r) => r[0]);
  assert.equal(fromProm.metric.groupname, evilName, 'Prometheus parsed the escaped label back to the name');
  const groups = (await (await fetch(`${serve.url}api/groups`)).json()) as { groups: { name: string; procs: number }[] };
  assert.ok(groups.groups.some((g) => g.name === evilName && g.procs === 1), 'the API carries the name as a plain JSON string');
  const page = await (await fetch(serve.url)).text();
  assert.ok(!page.includes('<b>"&'), 'the page holds no process name');
});

test('/api/groups: the live table, busiest first', { skip }, async () => {
  const body = (await (await fetch(`${serve.url}api/groups`)).json()) as { intervalSeconds: number; host: { cpuPercent: number; memoryTotalBytes: number }; groups: { name: string; cpuPercent: number | null; rssBytes: number; procs: number; pids: number[] }[] };
  assert.equal(body.intervalSeconds, 1);
  assert.ok(body.host.memoryTotalBytes > 0);
  const cpus = body.groups.map((g) => g.cpuPercent ?? 0);
  assert.deepEqual(cpus, [...cpus].sort((a, b) => b - a));
  const alloc = body.groups.find((g) => g.name === 'alloc')!;
  assert.ok(alloc.rssBytes >= 200 * MiB && alloc.procs === 1 && alloc.pids.length === 1);
});

test('/api/history is a run in the run format that `perfscope report` draws; one group\'s history', { skip }, async () => {
  const res = await fetch(`${serve.url}api/history?seconds=60`);
  assert.equal(res.status, 200);
  const runJson = await res.text();
  const run = JSON.parse(runJson) as { meta: { serve: { tier: string; groups: string[] }; sampleCount: number }; system: Record<string, (number | null)[]>; processes: { comm: string }[] };
  assert.equal(runDataProblem(run), null);
  assert.equal(run.meta.serve.tier, 'raw');
  assert.ok(run.meta.sampleCount >= 5, `${run.meta.sampleCount} samples`);
  assert.ok(run.meta.serve.groups.includes('burn'));
  assert.ok(run.processes.some((p) => p.comm === 'burn'), 'the burner is among the busiest groups');
  const file = join(dir, 'history.json');
  writeFileSync(file, runJson);
  const svg = join(dir, 'history.svg');
  const png = join(dir, 'history.png');
  const r = await cli(['report', file, '--svg', svg, '--png', png, '--title', 'serve history']);
  assert.equal(r.code, 0, r.stderr);
  const drawn = readFileSync(svg, 'utf8');
  assert.match(drawn, /serve history/);
  assert.match(drawn, />burn</, 'the burn group is a line in the legend');
  assert.ok(readFileSync(png).subarray(1, 4).toString() === 'PNG');
  const one = (await (await fetch(`${serve.url}api/history?seconds=30&group=burn`)).json()) as { samples: { cpu_percent: (number | null)[] } };
  const values = one.samples.cpu_percent.filter((x): x is number => x !== null);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  assert.ok(mean > 0 && mean <= 60, `burn group's history: mean ${mean.toFixed(1)} % of a core (at most its 50 % budget)`);
  assert.equal((await fetch(`${serve.url}api/history?seconds=30&group=no-such-group`)).status, 404);
  assert.equal((await fetch(`${serve.url}api/history?seconds=-5`)).status, 400);
  assert.equal((await fetch(`${serve.url}api/history?seconds=30&bogus=1`)).status, 400);
});

test('/api/stream: retry, hello, a backlog on connect, then one tick event per interval', { skip }, async () => {
  const res = await fetch(`${serve.url}api/stream?backlog=5`, { headers: { 'accept-encoding': 'identity' } });
  assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  let text = '';
  while ((text.match(/event: tick/g) ?? []).length < 2) {
    const { value, done } = await reader.read();
    if (done) break;
    text += dec.decode(value, { stream: true });
  }
  await reader.cancel();
  assert.match(text, /^retry: \d+\n\n/);
  const events = text.split('\n\n').filter((e) => e.startsWith('event: '));
  const data = (e: string): unknown => JSON.parse(e.split('\n').find((l) => l.startsWith('data: '))!.slice(6));
  assert.ok(events[0]!.startsWith('event: hello'));
  const hello = data(events[0]!) as { groupFields: string[] };
  assert.ok(events[1]!.startsWith('event: backlog'));
  const backlog = data(events[1]!) as unknown[];
  assert.ok(backlog.length >= 4 && backlog.length <= 5, `${backlog.length} ticks of backlog for backlog=5`);
  const tick = data(events.find((e) => e.startsWith('event: tick'))!) as { t: number; host: { cpuPercent: number }; groups: unknown[][] };
  assert.match(events.find((e) => e.startsWith('event: tick'))!, /\nid: \d+\n/);
  const nameAt = hello.groupFields.indexOf('name');
  const cpuAt = hello.groupFields.indexOf('cpuPercent');
  const burn = tick.groups.find((g) => g[nameAt] === 'burn')!;
  assert.ok(typeof burn[cpuAt] === 'number' && (burn[cpuAt] as number) > 0, `burn at ${burn[cpuAt]} % in the stream`);
  assert.ok(tick.t > Date.now() - 10_000);
});
