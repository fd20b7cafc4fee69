/**
 * `perfscope serve` against the agents people run for the same job, side by side in one run, each
 * alone in its own window (alternating, shuffled rounds), as the peers were first measured here:
 *   1. agents: serve (native batch reader, its JavaScript path, and with no client at all), Debian's node_exporter and
 *      process-exporter ({{.Comm}} groups, its defaults), each with one /metrics scrape a second
 *      (gzip, absolute deadlines) and, for serve, one dashboard open in headless Chromium (the real
 *      page: stream, history, charts; `--viewer stream` puts a bare stream client in its place; the
 *      browser's own CPU is not counted, only serve's):
 *      the agent's own CPU (% of one core, Σ schedstat of its threads), RSS, scrape latency, payload;
 *      the same again with `--fleet` extra idle processes (how the cost grows to ~500 processes);
 *   2. the process table alone: CPU per process per sample at 1 s, native and JavaScript, with and
 *      without the fleet, in fresh processes (with headless Chromium open, as during the agents'
 *      windows); `--base DIR` runs another checkout's table (built, with its native/build) in
 *      alternating rounds beside this one's, for a before/after; `--churn N` starts N short-lived
 *      processes a second meanwhile (each a `sleep 1`), the births and exits a host running builds
 *      and test suites sees;
 *   3. the /metrics body of this host in-process: render, gzip and the registry's text, CPU per build;
 *   4. with `--prometheus` (or `--only prometheus`): /metrics latency as a real Prometheus sees it. serve,
 *      node_exporter and process-exporter run at once (with --base, the base checkout's serve too,
 *      built), one Prometheus scrapes each every second (its default OpenMetrics-first Accept, gzip),
 *      and the bench's own client (fetch, text, gzip) too; after the window, p50/p95/max of
 *      scrape_duration_seconds per target come from Prometheus' own quantile_over_time, beside the
 *      client's, with the load average over the window. scrape_duration_seconds spans Prometheus'
 *      request, the body's read and its parse and append, so it grows with the series a target sends.
 * The machine is shared: CPU is each agent's own time, never the machine's. Netdata is not installed
 * here; its figures (1.9–2.1 % of a core, 67 µs a process) were measured on this VM earlier.
 *
 * Run: npm run build && node --import tsx bench/serve.bench.ts [--rounds N] [--window SECONDS]
 *        [--warmup SECONDS] [--fleet N] [--agents serve,serve-js,serve-idle,node_exporter,process-exporter]
 *        [--only agents,table,exposition] [--seed N] [--viewer dashboard|stream] [--name NAME] [--quick]
 *        [--base DIR] [--table-ticks N] [--churn N] [--prometheus] [--prometheus-window SECONDS]
 *   (--agents also takes serve-noviewer: serve scraped with no viewer, the dashboard's baseline, and
 *   serve-base: the --base checkout's serve with the dashboard, for a before/after in the same rounds)
 * Writes the report to stdout and bench/results/serve-<date>[-quick].md, or NAME.md (+ .json with every window).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { BrowserContext } from 'playwright-core';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, runJson, sleep, nodeJs } from './lib/child.js';
import { flag, numberFlag } from './lib/args.js';
import { compileForBench } from './lib/compile.js';
import { countProcesses, cpuPressureAvg10, machineFacts, versionOf } from './lib/machine.js';
import { num, spreadText, table } from './lib/markdown.js';
import { cpuBetween, readProcCpu } from './lib/proc-cpu.js';
import { interleave, prng } from './lib/rounds.js';
import { latency, median, spread, type Latency } from './lib/stats.js';
import { openDatabase } from '../src/store/sqlite.js';

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
const parts = new Set((flag('--only') ?? 'agents,table,exposition').split(','));
if (argv.includes('--prometheus')) parts.add('prometheus');
const seed = numberFlag('--seed', Math.floor(Math.random() * 2 ** 31), 0);
const random = prng(seed);
const config = {
  rounds: numberFlag('--rounds', quick ? 1 : 3, 1),
  windowS: numberFlag('--window', quick ? 20 : 60, 5),
  warmupS: numberFlag('--warmup', quick ? 10 : 20, 0),
  fleet: numberFlag('--fleet', quick ? 200 : 400, 0),
  tableTicks: numberFlag('--table-ticks', quick ? 10 : 30, 1),
  churnPerSecond: numberFlag('--churn', 0, 0),
  prometheusWindowS: numberFlag('--prometheus-window', quick ? 60 : 300, 10),
};
const baseDir = flag('--base');
if (baseDir !== undefined && !existsSync(join(baseDir, 'bench/lib/table-cost.ts'))) {
  process.stderr.write(`--base must be a perfscope checkout with bench/lib/table-cost.ts (got ${JSON.stringify(baseDir)})\n`);
  process.exit(2);
}
const agentIds = (flag('--agents') ?? 'serve,serve-js,serve-idle,node_exporter,process-exporter').split(',');
const viewerKind = flag('--viewer') ?? 'dashboard';
if (viewerKind !== 'dashboard' && viewerKind !== 'stream') {
  process.stderr.write(`--viewer must be dashboard or stream (got ${JSON.stringify(viewerKind)})\n`);
  process.exit(2);
}
const log = (msg: string): void => void process.stderr.write(`${msg}\n`);

const NODE_EXPORTER = '/usr/bin/prometheus-node-exporter';
const PROCESS_EXPORTER = '/usr/bin/prometheus-process-exporter';
const PROMETHEUS = '/usr/bin/prometheus';
const cliPath = join(repoRoot, 'bin/perfscope.js');

interface Agent {
  id: string;
  label: string;
  available: () => string | null;
  argv(port: number, dir: string): { cmd: string; args: string[]; env?: NodeJS.ProcessEnv };
  viewer: boolean;
  /** No client at all during the window (the idle cost of keeping history). */
  idle?: boolean;
}

const agents: Agent[] = [
  {
    id: 'serve',
    label: 'perfscope serve (native reader)',
    available: () => (existsSync(join(repoRoot, 'dist/cli/serve.js')) ? null : 'not built: npm run build'),
    argv: (port, dir) => ({ cmd: process.execPath, args: [cliPath, 'serve', '--port', String(port), '--store', join(dir, 'serve.db')] }),
    viewer: true,
  },
  {
    // Not in the default list: serve scraped but with no viewer, to tell the dashboard's share.
    id: 'serve-noviewer',
    label: 'perfscope serve, scraped, no viewer',
    available: () => (existsSync(join(repoRoot, 'dist/cli/serve.js')) ? null : 'not built: npm run build'),
    argv: (port, dir) => ({ cmd: process.execPath, args: [cliPath, 'serve', '--port', String(port), '--store', join(dir, 'serve.db')] }),
    viewer: false,
  },
  {
    id: 'serve-js',
    label: 'perfscope serve (JavaScript reader, PERFSCOPE_NATIVE=0)',
    available: () => (existsSync(join(repoRoot, 'dist/cli/serve.js')) ? null : 'not built: npm run build'),
    argv: (port, dir) => ({ cmd: process.execPath, args: [cliPath, 'serve', '--port', String(port), '--store', join(dir, 'serve.db')], env: { PERFSCOPE_NATIVE: '0' } }),
    viewer: true,
  },
  {
    id: 'serve-idle',
    label: 'perfscope serve, nobody scraping or watching',
    available: () => (existsSync(join(repoRoot, 'dist/cli/serve.js')) ? null : 'not built: npm run build'),
    argv: (port, dir) => ({ cmd: process.execPath, args: [cliPath, 'serve', '--port', String(port), '--store', join(dir, 'serve.db')] }),
    viewer: false,
    idle: true,
  },
  {
    // With --base: that checkout's serve, dashboard open, as `serve` — a before/after in the same rounds.
    id: 'serve-base',
    label: 'perfscope serve of the --base checkout (native reader)',
    available: () => (baseDir !== undefined && existsSync(join(baseDir, 'dist/cli/serve.js')) ? null : 'needs --base DIR (a built checkout)'),
    argv: (port, dir) => ({ cmd: process.execPath, args: [join(baseDir ?? '', 'bin/perfscope.js'), 'serve', '--port', String(port), '--store', join(dir, 'serve.db')] }),
    viewer: true,
  },
  {
    id: 'node_exporter',
    label: 'node_exporter (defaults)',
    available: () => (existsSync(NODE_EXPORTER) ? null : `${NODE_EXPORTER} not installed`),
    argv: (port) => ({ cmd: NODE_EXPORTER, args: [`--web.listen-address=127.0.0.1:${port}`] }),
    viewer: false,
  },
  {
    id: 'process-exporter',
    label: 'process-exporter ({{.Comm}}, defaults: threads, smaps)',
    available: () => (existsSync(PROCESS_EXPORTER) ? null : `${PROCESS_EXPORTER} not installed`),
    argv: (port, dir) => {
      const cfg = join(dir, 'pe.yml');
      writeFileSync(cfg, 'process_names:\n  - name: "{{.Comm}}"\n    cmdline:\n      - ".+"\n');
      return { cmd: PROCESS_EXPORTER, args: ['-config.path', cfg, '-web.listen-address', `127.0.0.1:${port}`] };
    },
    viewer: false,
  },
];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** VmRSS, RssAnon (private to the process: heap, stacks) and PSS (shared pages split among their users). */
function memoryOf(pid: number): { rss: number; anon: number; pss: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'latin1');
  const kb = (re: RegExp, text: string): number => Number(re.exec(text)?.[1] ?? NaN) * 1024;
  let pss = NaN;
  try {
    pss = kb(/^Pss:\s+(\d+) kB/m, readFileSync(`/proc/${pid}/smaps_rollup`, 'latin1'));
  } catch {
    // no smaps_rollup (old kernel)
  }
  return { rss: kb(/VmRSS:\s+(\d+) kB/, status), anon: kb(/RssAnon:\s+(\d+) kB/, status), pss };
}

interface Window {
  agent: string;
  round: number;
  fleet: boolean;
  processes: number;
  cpuPercent: number;
  cpuPercentTicks: number;
  rssMiB: number;
  anonMiB: number;
  pssMiB: number;
  scrape: Latency;
  scrapes: number;
  failed: number;
  gzipBytes: number;
  plainBytes: number;
  series: number;
  viewerEvents: number;
  /** Chunk bytes a day of the raw and the minute tier, at the window's rate (serve only). */
  historyBytes: { rawPerDay: number; minutePerDay: number } | null;
  pressure: number | null;
}

async function runWindow(agent: Agent, round: number, fleet: boolean): Promise<Window> {
  const dir = mkdtempSync(join(tmpdir(), 'perfscope-bench-serve-'));
  const port = await freePort();
  const { cmd, args, env } = agent.argv(port, dir);
  const child: ChildProcess = spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const url = `http://127.0.0.1:${port}`;
  try {
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${url}/metrics`)).ok) break;
      } catch {
        // starting
      }
      if (i > 300 || child.exitCode !== null) throw new Error(`${agent.id} did not start: ${err}`);
      await sleep(100);
    }
    const abort = new AbortController();
    let viewerEvents = 0;
    // The dashboard: a real page in the shared headless Chromium (its CPU is the browser's, not serve's).
    const page = agent.viewer && dashboards !== null ? await dashboards.context.newPage() : null;
    if (page !== null) {
      await page.setViewportSize({ width: 1400, height: 1000 });
      await page.goto(`${url}/`);
    }
    const viewer = agent.viewer && page === null
      ? (async () => {
          try {
            const res = await fetch(`${url}/api/stream`, { signal: abort.signal });
            const reader = res.body!.getReader();
            const dec = new TextDecoder();
            for (;;) {
              const { value, done } = await reader.read();
              if (done) return;
              viewerEvents += (dec.decode(value, { stream: true }).match(/event: tick/g) ?? []).length;
            }
          } catch {
            // aborted
          }
        })()
      : Promise.resolve();
    const times: number[] = [];
    let failed = 0;
    let gzipBytes = 0;
    let scraping = true;
    const scraper = (async () => {
      if (agent.idle === true) return;
      const t0 = performance.now();
      for (let k = 1; scraping; k++) {
        const started = performance.now();
        try {
          const r = await fetch(`${url}/metrics`, { headers: { 'accept-encoding': 'gzip' } });
          const body = await r.arrayBuffer();
          if (!r.ok) failed++;
          gzipBytes = Number(r.headers.get('content-length') ?? body.byteLength);
          times.push(performance.now() - started);
        } catch {
          failed++;
        }
        await sleep(Math.max(0, t0 + k * 1000 - performance.now()));
      }
    })();
    await sleep(config.warmupS * 1000);
    times.length = 0;
    const a = readProcCpu(child.pid!);
    const pressure = cpuPressureAvg10();
    await sleep(config.windowS * 1000);
    const b = readProcCpu(child.pid!);
    const mem = memoryOf(child.pid!);
    const processes = countProcesses();
    scraping = false;
    await scraper;
    const plain = await (await fetch(`${url}/metrics`)).text();
    if (page !== null) {
      viewerEvents = (await page.evaluate('window.__perfscope ? window.__perfscope.ticks : 0')) as number;
      await page.close();
    }
    abort.abort();
    await viewer;
    const w = cpuBetween(a, b);
    return {
      agent: agent.id,
      round,
      fleet,
      processes,
      cpuPercent: w.percentOfCore,
      cpuPercentTicks: w.percentOfCoreTicks,
      rssMiB: mem.rss / 2 ** 20,
      anonMiB: mem.anon / 2 ** 20,
      pssMiB: mem.pss / 2 ** 20,
      scrape: latency(times),
      scrapes: times.length,
      failed,
      gzipBytes,
      plainBytes: Buffer.byteLength(plain),
      series: plain.split('\n').filter((l) => l !== '' && !l.startsWith('#')).length,
      viewerEvents,
      historyBytes: null,
      pressure,
    };
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null || child.signalCode !== null ? r(null) : child.once('exit', r)));
    if (agent.id.startsWith('serve')) lastHistory = historyPerDay(join(dir, 'serve.db'));
    rmSync(dir, { recursive: true, force: true });
  }
}

let lastHistory: Window['historyBytes'] = null;

/** Chunk bytes a day of each tier at this rate: the tier's bytes over the span the raw tier covers, × 86400. */
function historyPerDay(path: string): Window['historyBytes'] {
  try {
    const db = openDatabase(path, { readonly: true });
    const raw = db.prepare('SELECT sum(length(data)) AS b, min(start_ms) AS a, max(end_ms) AS z FROM raw_chunks').get() as { b: number; a: number; z: number };
    const minute = db.prepare('SELECT sum(length(data)) AS b FROM minute_chunks').get() as { b: number | null };
    db.close();
    const spanS = (raw.z - raw.a) / 1000;
    return spanS > 0 ? { rawPerDay: (raw.b / spanS) * 86400, minutePerDay: ((minute.b ?? 0) / spanS) * 86400 } : null;
  } catch {
    return null;
  }
}

/** N idle processes (sleep, single-threaded) in their own process group; stop() ends them all. */
async function startFleet(n: number): Promise<{ stop(): void }> {
  const script = `i=0; while [ $i -lt ${n} ]; do sleep 3600 & i=$((i+1)); done; wait`;
  const leader = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' });
  await sleep(1500);
  return {
    stop: () => {
      try {
        process.kill(-leader.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    },
  };
}

/** `perSecond` processes a second, each a `sleep 1`, in their own process group; stop() ends them all. */
function startChurn(perSecond: number): { stop(): void } {
  const leader = spawn('sh', ['-c', `while :; do sleep 1 & sleep ${(1 / perSecond).toFixed(3)}; done`], { detached: true, stdio: 'ignore' });
  return {
    stop: () => {
      try {
        process.kill(-leader.pid!, 'SIGKILL');
      } catch {
        // already gone
      }
    },
  };
}

interface TableCost {
  mode: string;
  /** 'this' checkout, or 'base' (--base). */
  rev?: 'this' | 'base';
  perProcessUs: number[];
  processes: number[];
  fullShare: number;
  memoryShare: number;
  listingsSkipped: number;
}

/** The headless Chromium the dashboard windows share (null: stream clients instead). */
let dashboards: { context: BrowserContext; close: () => Promise<void> } | null = null;

async function main(): Promise<void> {
  const facts = machineFacts();
  if (viewerKind === 'dashboard' && (parts.has('agents') || parts.has('table'))) {
    const { browserUnavailable, launchChromium } = await import('../test/helpers/browser.js');
    const why = browserUnavailable();
    if (why) log(`no dashboard viewer (${why}): a bare stream client instead`);
    else dashboards = await launchChromium();
  }
  const versions = {
    node_exporter: versionOf(NODE_EXPORTER, ['--version']),
    process_exporter: versionOf(PROCESS_EXPORTER, ['-version']),
  };
  log(`serve bench: seed ${seed}, ${JSON.stringify(config)}`);
  const windows: Window[] = [];
  const tableCosts: (TableCost & { fleet: boolean })[] = [];
  const chosen = agents.filter((a) => agentIds.includes(a.id));
  for (const a of chosen) {
    const why = a.available();
    if (why !== null) throw new Error(`${a.id}: ${why}`);
  }
  if (parts.has('agents')) {
    for (const fleetOn of config.fleet > 0 ? [false, true] : [false]) {
      const fleet = fleetOn ? await startFleet(config.fleet) : null;
      try {
        for (const slot of interleave(chosen, config.rounds, random)) {
          log(`agents${fleetOn ? ` +${config.fleet} idle processes` : ''}: round ${slot.round + 1}, ${slot.item.id}`);
          const w = await runWindow(slot.item, slot.round, fleetOn);
          w.historyBytes = lastHistory;
          lastHistory = null;
          log(`  ${num(w.cpuPercent)} % of a core, ${num(w.rssMiB)} MiB, scrape p50 ${num(w.scrape.p50)} ms, ${w.processes} processes`);
          windows.push(w);
        }
      } finally {
        fleet?.stop();
      }
    }
  }
  if (parts.has('table')) {
    const workers = { this: compileForBench(['bench/lib/table-cost.ts'])[0]!, base: baseDir === undefined ? '' : compileForBench(['bench/lib/table-cost.ts'], baseDir)[0]! };
    const revs = baseDir === undefined ? (['this'] as const) : (['this', 'base'] as const);
    const items = revs.flatMap((rev) => ['native', 'js'].map((mode) => ({ rev, mode })));
    const churn = config.churnPerSecond > 0 ? startChurn(config.churnPerSecond) : null;
    for (const fleetOn of config.fleet > 0 ? [false, true] : [false]) {
      const fleet = fleetOn ? await startFleet(config.fleet) : null;
      try {
        for (const slot of interleave(items, config.rounds, random)) {
          const { rev, mode } = slot.item;
          log(`process table${fleetOn ? ` +${config.fleet}` : ''}: round ${slot.round + 1}, ${mode}${baseDir === undefined ? '' : `, ${rev}`}`);
          const r = await runJson<TableCost>(nodeJs(workers[rev], [mode, String(config.tableTicks), '3']));
          tableCosts.push({ ...r, rev, fleet: fleetOn });
          log(`  ${num(median(r.perProcessUs))} µs a process, ${Math.round(median(r.processes))} processes`);
        }
      } finally {
        fleet?.stop();
      }
    }
    churn?.stop();
  }
  await dashboards?.close();
  let exposition: ExpositionCost | null = null;
  if (parts.has('exposition')) {
    log('exposition: building /metrics in-process');
    exposition = await measureExposition();
  }
  let prom: PromLatency | null = null;
  if (parts.has('prometheus')) {
    log(`prometheus: serve, node_exporter and process-exporter at once, scraped every second for ${config.prometheusWindowS} s after ${config.warmupS} s`);
    prom = await measurePrometheus();
  }
  const md = report(facts, versions, windows, tableCosts, exposition) + (prom === null ? '' : `\n${promReport(prom)}`);
  process.stdout.write(`${md}\n`);
  const dirOut = join(repoRoot, 'bench/results');
  mkdirSync(dirOut, { recursive: true });
  const partial = ['agents', 'table', 'exposition'].some((x) => !parts.has(x)) || parts.has('prometheus') ? `-${[...parts].join('-')}` : '';
  const name = flag('--name') ?? `serve-${facts.date.slice(0, 10)}${partial}${quick ? '-quick' : ''}`;
  if (!/^[\w.-]+$/.test(name)) throw new Error(`--name must be a file name, got ${JSON.stringify(name)}`);
  writeFileSync(join(dirOut, `${name}.md`), `${md}\n`);
  writeFileSync(join(dirOut, `${name}.json`), `${JSON.stringify({ facts, versions, config: { ...config, viewer: dashboards !== null ? 'dashboard' : 'stream' }, seed, windows, tableCosts, exposition, prometheus: prom }, null, 1)}\n`);
  log(`wrote bench/results/${name}.md and .json`);
}

interface PromTarget {
  job: string;
  label: string;
  /** scrape_duration_seconds over the window, per Prometheus (ms). */
  prometheus: { p50: number; p95: number; max: number; scrapes: number; samples: number; up: number };
  /** The bench's own client over the same window (ms). */
  client: Latency;
  clientFailed: number;
}

interface PromLatency {
  windowS: number;
  prometheus: string | null;
  /** /proc/loadavg's 1-minute figure, sampled every 5 s over the window: median [min–max]. */
  load1: number[];
  loadavgAtEnd: string;
  targets: PromTarget[];
}

/** serve (and serve-base with --base), node_exporter and process-exporter at once, under one Prometheus and the bench's client. */
async function measurePrometheus(): Promise<PromLatency> {
  const { startPrometheus } = await import('../test/integration/engines.js');
  const dir = mkdtempSync(join(tmpdir(), 'perfscope-bench-prom-'));
  const targets: { job: string; label: string; agent: Agent }[] = [
    { job: 'serve', label: 'perfscope serve (this checkout)', agent: agents.find((a) => a.id === 'serve')! },
    { job: 'node_exporter', label: 'node_exporter', agent: agents.find((a) => a.id === 'node_exporter')! },
    { job: 'process-exporter', label: 'process-exporter', agent: agents.find((a) => a.id === 'process-exporter')! },
  ];
  if (baseDir !== undefined) {
    const baseCli = join(baseDir, 'bin/perfscope.js');
    if (!existsSync(join(baseDir, 'dist/cli/serve.js'))) throw new Error(`--base ${baseDir} is not built (npm run build there)`);
    targets.splice(1, 0, {
      job: 'serve-base',
      label: `perfscope serve (base: ${baseDir})`,
      agent: { id: 'serve-base', label: 'serve (base)', available: () => null, viewer: false, argv: (port, d) => ({ cmd: process.execPath, args: [baseCli, 'serve', '--port', String(port), '--store', join(d, 'serve-base.db')] }) },
    });
  }
  const children: ChildProcess[] = [];
  let prom: Awaited<ReturnType<typeof startPrometheus>> | null = null;
  try {
    const ports: number[] = [];
    for (const t of targets) {
      const port = await freePort();
      ports.push(port);
      const { cmd, args, env } = t.agent.argv(port, dir);
      children.push(spawn(cmd, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'ignore'] }));
    }
    for (const port of ports) await waitUp(`http://127.0.0.1:${port}/metrics`);
    const jobs = targets.map((t, i) => `  - job_name: ${t.job}\n    static_configs:\n      - targets: ['127.0.0.1:${ports[i]}']\n`).join('');
    prom = await startPrometheus({ configTail: `scrape_configs:\n${jobs}`, scrapeIntervalSeconds: 1 });
    // The bench's client: one gzip text scrape a second per target, absolute deadlines, a random phase each.
    const times = targets.map(() => [] as number[]);
    const failed = targets.map(() => 0);
    let scraping = true;
    const clients = ports.map(async (port, i) => {
      await sleep(random() * 1000);
      const t0 = performance.now();
      for (let k = 1; scraping; k++) {
        const started = performance.now();
        try {
          const r = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { 'accept-encoding': 'gzip' } });
          await r.arrayBuffer();
          if (r.ok) times[i]!.push(performance.now() - started);
          else failed[i]!++;
        } catch {
          failed[i]!++;
        }
        await sleep(Math.max(0, t0 + k * 1000 - performance.now()));
      }
    });
    await sleep(config.warmupS * 1000);
    for (const t of times) t.length = 0;
    failed.fill(0);
    const load1: number[] = [];
    const windowStart = Date.now();
    while (Date.now() - windowStart < config.prometheusWindowS * 1000) {
      load1.push(Number(readFileSync('/proc/loadavg', 'latin1').split(' ')[0]));
      await sleep(Math.min(5000, windowStart + config.prometheusWindowS * 1000 - Date.now()));
    }
    const endS = Date.now() / 1000;
    scraping = false;
    await Promise.all(clients);
    const range = `[${config.prometheusWindowS}s]`;
    const q = async (expr: string): Promise<Map<string, number>> => {
      const r = await fetch(`${prom!.url}/api/v1/query?query=${encodeURIComponent(expr)}&time=${endS}`);
      const body = (await r.json()) as { status: string; data?: { result: { metric: Record<string, string>; value: [number, string] }[] } };
      if (body.status !== 'success' || !body.data) throw new Error(`query ${expr}: ${JSON.stringify(body)}`);
      return new Map(body.data.result.map((x) => [x.metric.job ?? '', Number(x.value[1])]));
    };
    const p50 = await q(`quantile_over_time(0.5, scrape_duration_seconds${range})`);
    const p95 = await q(`quantile_over_time(0.95, scrape_duration_seconds${range})`);
    const max = await q(`max_over_time(scrape_duration_seconds${range})`);
    const count = await q(`count_over_time(scrape_duration_seconds${range})`);
    const up = await q(`avg_over_time(up${range})`);
    const samples = await q(`max_over_time(scrape_samples_scraped${range})`);
    return {
      windowS: config.prometheusWindowS,
      prometheus: versionOf(PROMETHEUS, ['--version']),
      load1,
      loadavgAtEnd: readFileSync('/proc/loadavg', 'latin1').trim(),
      targets: targets.map((t, i) => ({
        job: t.job,
        label: t.label,
        prometheus: {
          p50: (p50.get(t.job) ?? NaN) * 1000,
          p95: (p95.get(t.job) ?? NaN) * 1000,
          max: (max.get(t.job) ?? NaN) * 1000,
          scrapes: count.get(t.job) ?? 0,
          samples: samples.get(t.job) ?? NaN,
          up: up.get(t.job) ?? NaN,
        },
        client: latency(times[i]!),
        clientFailed: failed[i]!,
      })),
    };
  } finally {
    await prom?.stop();
    for (const c of children) c.kill('SIGTERM');
    await Promise.all(children.map((c) => new Promise((r) => (c.exitCode !== null || c.signalCode !== null ? r(null) : c.once('exit', r)))));
    rmSync(dir, { recursive: true, force: true });
  }
}

async function waitUp(url: string): Promise<void> {
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // starting
    }
    if (i > 300) throw new Error(`${url} did not come up`);
    await sleep(100);
  }
}

function promReport(p: PromLatency): string {
  const l = spread(p.load1);
  const rows = p.targets.map((t) => [
    t.label,
    `${num(t.prometheus.p50)} / ${num(t.prometheus.p95)} / ${num(t.prometheus.max)}`,
    `${num(t.client.p50)} / ${num(t.client.p95)} / ${num(t.client.max)}`,
    String(t.prometheus.scrapes),
    num(t.prometheus.samples),
    `${num(100 * t.prometheus.up)} %`,
    String(t.clientFailed),
  ]);
  return [
    `## /metrics latency under a real Prometheus (${p.windowS} s, all targets at once)`,
    '',
    `${p.prometheus?.split('\n')[0] ?? 'prometheus'}, scrape_interval 1 s (timeout 1 s); the bench's client scrapes each target too (gzip, text format). ` +
      `Load average (1 min) over the window: ${spreadText(l)} (on ${p.load1.length} readings); /proc/loadavg at the end: ${p.loadavgAtEnd}.`,
    '',
    table(['target', 'Prometheus scrape_duration_seconds p50 / p95 / max ms', "bench client p50 / p95 / max ms", 'scrapes', 'samples a scrape', 'up', 'client failures'], rows),
    '',
  ].join('\n');
}

interface ExpositionCost {
  series: number;
  bytes: number;
  gzipBytes: number;
  renderMs: number[];
  gzipMs: number[];
  registryMs: number[];
}

/** CPU ms of each part of a /metrics build on this host's series (an Agent without history, after a few ticks). */
async function measureExposition(): Promise<ExpositionCost> {
  const { Agent } = await import('../src/agent/agent.js');
  const { renderSeries } = await import('../src/agent/exposition.js');
  const { gzipSync } = await import('node:zlib');
  const agent = new Agent({ storePath: null });
  await agent.start();
  await sleep(3000);
  const cpuMs = (fn: () => unknown): number => {
    const c = process.cpuUsage();
    fn();
    const d = process.cpuUsage(c);
    return (d.user + d.system) / 1000;
  };
  const renderMs: number[] = [];
  const gzipMs: number[] = [];
  const registryMs: number[] = [];
  let body = '';
  for (let i = 0; i < 60; i++) {
    renderMs.push(cpuMs(() => (body = renderSeries(agent.set, 'text'))));
    const whole = Buffer.from(body + (await agent.registry.metrics()));
    gzipMs.push(cpuMs(() => gzipSync(whole, { level: 1 })));
    const c = process.cpuUsage();
    await agent.registry.metrics();
    const d = process.cpuUsage(c);
    registryMs.push((d.user + d.system) / 1000);
    await sleep(100);
  }
  const whole = Buffer.from(body + (await agent.registry.metrics()));
  const out = { series: agent.set.series.filter((x) => x.live).length, bytes: whole.length, gzipBytes: gzipSync(whole, { level: 1 }).length, renderMs, gzipMs, registryMs };
  agent.stop();
  return out;
}

function report(
  facts: ReturnType<typeof machineFacts>,
  versions: Record<string, string | null>,
  windows: Window[],
  tables: (TableCost & { fleet: boolean })[],
  exposition: ExpositionCost | null,
): string {
  const out: string[] = [];
  out.push(`# perfscope serve vs node_exporter and process-exporter (${facts.date.slice(0, 10)})`, '');
  out.push(
    `${facts.cpuModel}, ${facts.nproc} CPUs, kernel ${facts.kernel}, ${num(facts.memTotalGiB)} GiB, Node ${facts.node}; ${versions.node_exporter ?? ''}; ${versions.process_exporter ?? ''}. ` +
      `${config.rounds} rounds × ${config.windowS} s windows after ${config.warmupS} s of warm-up, agents alone in turn, shuffled (seed ${seed}). ` +
      `CPU = the agent's own CPU time (Σ schedstat of its threads) / elapsed, % of one core. Client: one gzip /metrics scrape a second (absolute deadlines); serve also has ${dashboards !== null ? "one dashboard open in headless Chromium (the browser's CPU not counted)" : 'one /api/stream viewer'}.`,
    '',
  );
  for (const fleetOn of [false, true]) {
    const ws = windows.filter((w) => w.fleet === fleetOn);
    if (ws.length === 0) continue;
    const procs = median(ws.map((w) => w.processes));
    out.push(`## ${fleetOn ? `With ${config.fleet} extra idle processes` : 'The host as it is'} (~${Math.round(procs)} processes)`, '');
    const rows = [...new Set(ws.map((w) => w.agent))].map((id) => {
      const mine = ws.filter((w) => w.agent === id);
      const s = (f: (w: Window) => number) => spreadText(spread(mine.map(f)));
      const hist = mine.map((w) => w.historyBytes).filter((x): x is NonNullable<Window['historyBytes']> => x !== null);
      const mib = (x: number): string => num(x / 2 ** 20);
      return [
        agents.find((a) => a.id === id)!.label,
        s((w) => w.cpuPercent),
        `${num(median(mine.map((w) => w.rssMiB)))} / ${num(median(mine.map((w) => w.anonMiB)))} / ${num(median(mine.map((w) => w.pssMiB)))}`,
        `${num(median(mine.map((w) => w.scrape.p50)))} / ${num(median(mine.map((w) => w.scrape.p95)))}`,
        `${num(median(mine.map((w) => w.gzipBytes)) / 1024)} KiB`,
        num(median(mine.map((w) => w.series))),
        hist.length > 0
          ? `${mib(median(hist.map((h) => h.rawPerDay)))} + ${mib(median(hist.map((h) => h.minutePerDay)))} MiB/day (${mib(median(hist.map((h) => h.rawPerDay + 30 * h.minutePerDay)))} MiB at 24 h + 30 d)`
          : '—',
        String(mine.reduce((a, w) => a + w.failed, 0)),
      ];
    });
    out.push(table(['agent', 'CPU % of a core, median [min–max]', 'RSS / anon / PSS MiB', '/metrics p50 / p95 ms', 'gzip body', 'series', 'history: raw + minute tier per day (file at default retention)', 'failed scrapes'], rows), '');
  }
  const base = windows.filter((w) => !w.fleet);
  const withFleet = windows.filter((w) => w.fleet);
  if (base.length > 0 && withFleet.length > 0) {
    const rows = [...new Set(base.map((w) => w.agent))].map((id) => {
      const c0 = median(base.filter((w) => w.agent === id).map((w) => w.cpuPercent));
      const c1 = median(withFleet.filter((w) => w.agent === id).map((w) => w.cpuPercent));
      const extra = median(withFleet.map((w) => w.processes)) - median(base.map((w) => w.processes));
      // % of a core at one sample a second = CPU seconds per second: ×10^4 µs per extra process.
      return [agents.find((a) => a.id === id)!.label, num(c0), num(c1), `${num(((c1 - c0) / 100 / extra) * 1e6)} µs`];
    });
    out.push('### Growth per extra idle process', '', table(['agent', 'CPU % base', `CPU % +${config.fleet}`, 'CPU per extra process per sample'], rows), '');
  }
  if (tables.length > 0) {
    out.push('## The process table alone: CPU per process per sample (1 s ticks, fresh process)', '');
    if (config.churnPerSecond > 0) out.push(`Meanwhile ${config.churnPerSecond} short-lived processes a second (\`sleep 1\` each) are born and exit.`, '');
    const rows: string[][] = [];
    for (const fleetOn of [false, true]) {
      for (const [mode, rev] of [['native', 'this'], ['native', 'base'], ['js', 'this'], ['js', 'base']] as const) {
        const mine = tables.filter((t) => t.fleet === fleetOn && t.mode === mode && (t.rev ?? 'this') === rev);
        if (mine.length === 0) continue;
        rows.push([
          `${mode === 'native' ? 'native batch reader' : 'JavaScript path'}${baseDir === undefined ? '' : rev === 'base' ? ` (base: ${baseDir})` : ' (this checkout)'}`,
          String(Math.round(median(mine.flatMap((t) => t.processes)))),
          spreadText(spread(mine.map((t) => median(t.perProcessUs)))),
          `${num(100 * median(mine.map((t) => t.fullShare)))} %`,
          `${num(100 * median(mine.map((t) => t.memoryShare)))} %`,
        ]);
      }
    }
    out.push(table(['reader', 'processes', 'µs per process per sample, median of rounds [min–max]', 'detail reads', 'memory-only reads'], rows), '');
  }
  if (exposition !== null) {
    const e = exposition;
    out.push(
      '## One /metrics build in-process (CPU ms, median [min–max] of 60)',
      '',
      table(
        ['catalogue series', 'body', 'render', 'gzip level 1', 'registry (default + self metrics; cached 10 s)'],
        [[String(e.series), `${num(e.bytes / 1024)} KiB → ${num(e.gzipBytes / 1024)} KiB`, spreadText(spread(e.renderMs)), spreadText(spread(e.gzipMs)), spreadText(spread(e.registryMs))]],
      ),
      '',
    );
  }
  return out.join('\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`serve bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
