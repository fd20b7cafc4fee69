/**
 * Sampling cost against the peers, in one run on one machine:
 *   1. CPU per process snapshot of an idle multi-threaded Node target: ProcessReader (plain and
 *      precise) vs psutil oneshot(), pidusage, systeminformation processLoad()/processes();
 *   2. CPU per system snapshot: SystemReader vs psutil vs systeminformation (uncached);
 *   3. CPU overhead of a 10 Hz monitor process: our Sampler (system off / on) vs a psutil monitor,
 *      pidusage and the idle runtime floors, plus the Sampler's lateness versus its deadlines.
 * Every measurement runs in a fresh process; methods are interleaved in shuffled rounds and compared
 * with the reference measured in the same round (the method psutil's reference figures were first taken with).
 *
 * Run: node --import tsx bench/sampling.bench.ts [--quick] [--seed N] [--rounds N] [--window SECONDS] [--steady SECONDS]
 *        [--monitor-rounds N] [--only process,system,monitor] [--monitors perfscope,psutil,node-idle,...]
 * `--only monitor` runs part 3 alone (with --monitors, only those monitors): the quick loop for 10 Hz work.
 * Writes the report to stdout and bench/results/sampling-<date>[-quick].md (+ .json with raw rounds).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { nodeJs, python, repoRoot, runJson, sleep, startService, systemPython } from './lib/child.js';
import { flag, numberFlag } from './lib/args.js';
import { compileForBench } from './lib/compile.js';
import type { CostResult, MonitorResult } from './lib/cost-result.js';
import { countProcesses, cpuPressureAvg10, machineFacts, packageVersion, versionOf } from './lib/machine.js';
import { num, ratioText, spreadText, table } from './lib/markdown.js';
import { cpuBetween, readProcCpu } from './lib/proc-cpu.js';
import { interleave, prng, ratiosToReference } from './lib/rounds.js';
import { latency, median, spread, type Spread } from './lib/stats.js';

// ---------------------------------------------------------------------------------------------------
// Configuration

const argv = process.argv.slice(2);
const quick = argv.includes('--quick');
/** Parts to run (default all): process, system, monitor. */
const parts = new Set((flag('--only') ?? 'process,system,monitor').split(','));
for (const p of parts) {
  if (!['process', 'system', 'monitor'].includes(p)) {
    process.stderr.write(`--only: unknown part ${JSON.stringify(p)} (parts: process, system, monitor)\n`);
    process.exit(2);
  }
}
const monitorFilter = flag('--monitors')?.split(',') ?? null;
const seed = numberFlag('--seed', Math.floor(Math.random() * 2 ** 31), 0);
const random = prng(seed);
const config = {
  costRounds: numberFlag('--rounds', quick ? 3 : 5, 1),
  /** Fast (non-spawning) methods: timed snapshots after warm-up ones, per process. */
  fastN: quick ? 500 : 2000,
  fastWarmup: quick ? 100 : 200,
  /** `-warm` variants: our readers after V8 has compiled them (steady state of a long-running monitor). */
  warmN: quick ? 2000 : 5000,
  warmWarmup: quick ? 5000 : 10000,
  /** Spawning methods (systeminformation): a few timed calls after one untimed, spaced past its caches. */
  spawnN: quick ? 2 : 4,
  spawnSpacingMs: 520,
  monitorRounds: numberFlag('--monitor-rounds', quick ? 1 : 3, 1),
  windowS: numberFlag('--window', quick ? 10 : 20, 1),
  /**
   * A second window right after the first (0: none): the monitor's steady state, once V8's one-off
   * start-up work (TurboFan compiles of the hot functions, the memory reducer's full GCs ~8 s after
   * start) is behind it. Both windows are reported; the first is the research's method.
   */
  steadyS: numberFlag('--steady', quick ? 0 : 30, 0),
  /** Time after `ready` before the window opens (start-up and JIT settle). */
  monitorWarmupMs: 1500,
  intervalMs: 100,
};
const targetName = 'psbench-target';
const log = (msg: string): void => void process.stderr.write(`${msg}\n`);

// ---------------------------------------------------------------------------------------------------
// Methods

interface Method {
  id: string;
  label: string;
  /** Spawns commands per call: few iterations, spaced past systeminformation's caches. */
  spawns: boolean;
}

const processMethods: Method[] = [
  { id: 'proc-ours', label: 'perfscope `ProcessReader.read()` (kept-open fds + pread)', spawns: false },
  { id: 'proc-ours-warm', label: `… same, steady state (after ${num(config.warmWarmup)} warm-up snapshots)`, spawns: false },
  { id: 'proc-ours-precise', label: 'perfscope `ProcessReader` precise (+ Σ task/*/schedstat)', spawns: false },
  { id: 'proc-psutil', label: 'psutil `oneshot()` cpu_times+memory_info+io_counters+num_threads+num_fds+num_ctx_switches', spawns: false },
  { id: 'proc-pidusage', label: 'pidusage (CPU + memory only)', spawns: false },
  { id: 'proc-si-processload', label: "systeminformation `processLoad('<comm>')`", spawns: true },
  { id: 'proc-si-processes', label: 'systeminformation `processes()`', spawns: true },
];
const systemMethods: Method[] = [
  { id: 'sys-ours', label: 'perfscope `SystemReader.read()`', spawns: false },
  { id: 'sys-ours-warm', label: `… same, steady state (after ${num(config.warmWarmup)} warm-up snapshots)`, spawns: false },
  { id: 'sys-psutil', label: 'psutil cpu_times(percpu)+virtual_memory+swap_memory+getloadavg+disk_io_counters(perdisk)+net_io_counters(pernic)', spawns: false },
  { id: 'sys-si', label: "systeminformation currentLoad+mem+networkStats('*')+disksIO (uncached)", spawns: true },
];

interface Monitor {
  id: string;
  label: string;
  runtime: 'node' | 'python';
}

const allMonitors: Monitor[] = [
  { id: 'perfscope', label: 'perfscope `Sampler` (1 PID, children off, system off)', runtime: 'node' },
  { id: 'perfscope-thread', label: 'perfscope `Sampler` `thread: true` (1 PID, children off, system off)', runtime: 'node' },
  { id: 'perfscope-native', label: 'perfscope `Sampler` `native: true` (1 PID, children off, system off)', runtime: 'node' },
  { id: 'perfscope-system', label: 'perfscope `Sampler` (1 PID + system snapshot)', runtime: 'node' },
  { id: 'perfscope-tree', label: 'perfscope `Sampler` with children (PID + descendants, system off)', runtime: 'node' },
  { id: 'reader', label: '`ProcessReader.read()` alone in the idle timer loop', runtime: 'node' },
  { id: 'psutil', label: 'psutil monitor (oneshot + cpu_percent)', runtime: 'python' },
  { id: 'psutil-system', label: 'psutil monitor + system snapshot', runtime: 'python' },
  { id: 'psutil-tree', label: 'psutil monitor of PID + `children(recursive=True)` (psrecord --include-children)', runtime: 'python' },
  { id: 'pidusage', label: 'pidusage', runtime: 'node' },
  { id: 'node-idle', label: 'Node idle deadline timer (runtime floor)', runtime: 'node' },
  { id: 'python-idle', label: 'Python idle deadline loop (runtime floor)', runtime: 'python' },
];
for (const id of monitorFilter ?? []) if (!allMonitors.some((m) => m.id === id)) throw new Error(`--monitors: unknown monitor ${id}`);
const monitors = monitorFilter === null ? allMonitors : allMonitors.filter((m) => monitorFilter.includes(m.id));

// ---------------------------------------------------------------------------------------------------
// The target: an idle Node process with its threadpool started (several threads, ~20 fds)

interface Target {
  pid: number;
  threads: number;
  fds: number;
  kill(): void;
}

async function startTarget(): Promise<Target> {
  // A threadpool request starts libuv's 4 workers next to V8's: 11 threads here.
  const code = `process.title = ${JSON.stringify(targetName)}; require('fs').readFile('/proc/self/stat', () => {}); setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ['-e', code], { stdio: 'ignore' });
  const pid = child.pid!;
  const threadsOf = (): number => Number(/^Threads:\s+(\d+)/m.exec(readFileSync(`/proc/${pid}/status`, 'latin1'))?.[1] ?? 0);
  for (let i = 0; i < 100; i++) {
    await sleep(50);
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'latin1').trim() === targetName && threadsOf() >= 7) {
        await sleep(200);
        return { pid, threads: threadsOf(), fds: readdirSync(`/proc/${pid}/fd`).length, kill: () => child.kill('SIGKILL') };
      }
    } catch {
      // not there yet
    }
  }
  child.kill('SIGKILL');
  throw new Error('the target process did not come up');
}

// ---------------------------------------------------------------------------------------------------
// Parts 1 and 2: snapshot cost

interface CostRun extends CostResult {
  round: number;
}

/** The compiled child scripts (compile.ts): children run on plain node, like the built product. */
let costWorkerJs = '';
let monitorJs = '';

function costArgv(m: Method, pid: number): [string, string[]] {
  if (m.id.endsWith('-psutil')) {
    return python('psutil_cost.py', [m.id, String(pid), String(config.fastN), String(config.fastWarmup)]);
  }
  const warm = m.id.endsWith('-warm');
  const n = m.spawns ? config.spawnN : warm ? config.warmN : config.fastN;
  const warmup = m.spawns ? 1 : warm ? config.warmWarmup : config.fastWarmup;
  const spacing = m.spawns ? config.spawnSpacingMs : 0;
  return nodeJs(costWorkerJs, [m.id, String(pid), String(n), String(warmup), String(spacing), targetName]);
}

async function measureCosts(part: string, methods: Method[], pid: number): Promise<CostRun[]> {
  const runs: CostRun[] = [];
  const slots = interleave(methods, config.costRounds, random);
  for (const [i, { round, item }] of slots.entries()) {
    const r = await runJson<CostResult>(costArgv(item, pid));
    runs.push({ ...r, round });
    log(`  ${part} ${i + 1}/${slots.length} round ${round + 1} ${item.id}: ${num(r.cpuUsPerSnapshot)} µs CPU`);
  }
  return runs;
}

function byRound<T extends { round: number }>(runs: T[], key: (r: T) => string, value: (r: T) => number) {
  const out = new Map<number, Map<string, number>>();
  for (const r of runs) {
    let m = out.get(r.round);
    if (!m) out.set(r.round, (m = new Map()));
    m.set(key(r), value(r));
  }
  return out;
}

interface CostRow {
  method: Method;
  cpuUs: Spread;
  vsPsutil: Spread;
  vsOurs: Spread;
  wallP50Us: number;
  childrenShare: number;
}

function costRows(runs: CostRun[], methods: Method[], psutilId: string, oursId: string): CostRow[] {
  const rounds = byRound(runs, (r) => r.method, (r) => r.cpuUsPerSnapshot);
  return methods.map((method) => {
    const mine = runs.filter((r) => r.method === method.id);
    const cpu = mine.map((r) => r.cpuUsPerSnapshot);
    const children = mine.map((r) => r.childrenCpuUsPerSnapshot);
    return {
      method,
      cpuUs: spread(cpu),
      vsPsutil: spread(ratiosToReference(rounds, method.id, psutilId)),
      vsOurs: spread(ratiosToReference(rounds, method.id, oursId)),
      wallP50Us: median(mine.map((r) => r.wallP50Us)),
      childrenShare: median(children) / median(cpu),
    };
  });
}

function costTable(rows: CostRow[]): string {
  return table(
    ['method', 'CPU µs / snapshot, median [min–max]', '× psutil (same round)', '× perfscope (same round)', 'wall p50 µs', 'CPU in spawned commands'],
    rows.map((r) => [
      r.method.label,
      spreadText(r.cpuUs),
      ratioText(r.vsPsutil),
      ratioText(r.vsOurs),
      num(r.wallP50Us),
      r.method.spawns ? `${Math.round(r.childrenShare * 100)} %` : '—',
    ]),
  );
}

// ---------------------------------------------------------------------------------------------------
// Part 3: monitor overhead at 10 Hz

interface MonitorRun {
  round: number;
  monitor: string;
  percentOfCore: number;
  /** From stat ticks only, as a cross-check of the schedstat-based figure. */
  percentOfCoreTicks: number;
  childrenPercent: number;
  elapsedS: number;
  ticksInWindow: number;
  lateMs: number[];
  missed: number;
  /** The second (steady-state) window; null without --steady. */
  steady: { percentOfCore: number; ticksInWindow: number; lateMs: number[]; missed: number } | null;
}

function monitorArgv(m: Monitor, pid: number): [string, string[]] {
  const interval = String(config.intervalMs);
  switch (m.id) {
    case 'psutil':
    case 'psutil-system':
    case 'psutil-tree':
      return python('psutil_monitor.py', [m.id, String(pid), interval]);
    case 'python-idle':
      return python('psutil_monitor.py', ['idle', String(pid), interval]);
    case 'node-idle':
      return nodeJs(monitorJs, ['idle', String(pid), interval]);
    default:
      return nodeJs(monitorJs, [m.id, String(pid), interval]);
  }
}

async function measureMonitor(m: Monitor, round: number, pid: number): Promise<MonitorRun> {
  const service = await startService<MonitorResult>(monitorArgv(m, pid));
  try {
    await sleep(config.monitorWarmupMs);
    const a = readProcCpu(service.pid);
    await sleep(config.windowS * 1000);
    const b = readProcCpu(service.pid);
    let c: ReturnType<typeof readProcCpu> | null = null;
    if (config.steadyS > 0) {
      await sleep(config.steadyS * 1000);
      c = readProcCpu(service.pid);
    }
    const result = await service.stop();
    const ticksBetween = (from: number, to: number): MonitorResult['ticks'] => result.ticks.filter(([at]) => at >= from && at <= to);
    const w = cpuBetween(a, b);
    const inWindow = ticksBetween(a.atMs, b.atMs);
    let steady: MonitorRun['steady'] = null;
    if (c !== null) {
      const inSteady = ticksBetween(b.atMs, c.atMs);
      steady = {
        percentOfCore: cpuBetween(b, c).percentOfCore,
        ticksInWindow: inSteady.length,
        lateMs: inSteady.map(([, late]) => late),
        missed: inSteady.reduce((sum, [, , missed]) => sum + missed, 0),
      };
    }
    return {
      round,
      monitor: m.id,
      percentOfCore: w.percentOfCore,
      percentOfCoreTicks: w.percentOfCoreTicks,
      childrenPercent: (w.childrenCpuSeconds / w.elapsedSeconds) * 100,
      elapsedS: w.elapsedSeconds,
      ticksInWindow: inWindow.length,
      lateMs: inWindow.map(([, late]) => late),
      missed: inWindow.reduce((sum, [, , missed]) => sum + missed, 0),
      steady,
    };
  } catch (err) {
    service.kill();
    throw err;
  }
}

async function measureMonitors(pid: number): Promise<MonitorRun[]> {
  const runs: MonitorRun[] = [];
  const slots = interleave(monitors, config.monitorRounds, random);
  for (const [i, { round, item }] of slots.entries()) {
    const r = await measureMonitor(item, round, pid);
    runs.push(r);
    const steady = r.steady ? `; steady ${r.steady.percentOfCore.toFixed(2)} %, ${r.steady.ticksInWindow} ticks` : '';
    log(`  monitor ${i + 1}/${slots.length} round ${round + 1} ${item.id}: ${r.percentOfCore.toFixed(2)} % of a core, ${r.ticksInWindow} ticks${steady}`);
  }
  return runs;
}

/** The runs as seen in their steady-state window (the second one), for the same tables and verdicts. */
function steadyView(runs: MonitorRun[]): MonitorRun[] {
  return runs.flatMap((r) => (r.steady ? [{ ...r, ...r.steady, steady: null }] : []));
}

function monitorTable(runs: MonitorRun[]): string {
  const rounds = byRound(runs, (r) => r.monitor, (r) => r.percentOfCore);
  const floorOf = (m: Monitor): string => (m.runtime === 'node' ? 'node-idle' : 'python-idle');
  const pairedWith: Record<string, string> = {
    perfscope: 'psutil',
    'perfscope-thread': 'psutil',
    'perfscope-native': 'psutil',
    'perfscope-system': 'psutil-system',
    'perfscope-tree': 'psutil-tree',
    reader: 'psutil',
    pidusage: 'psutil',
  };
  return table(
    [
      'monitor (10 Hz)',
      '% of one core, median [min–max]',
      'above its runtime floor (same round)',
      '× psutil counterpart (same round)',
      'ticks in window',
      'lateness p50 / p95 / max ms',
      'missed',
    ],
    monitors.map((m) => {
      const mine = runs.filter((r) => r.monitor === m.id);
      const floor = floorOf(m);
      const aboveFloor: number[] = [];
      for (const values of rounds.values()) {
        const v = values.get(m.id);
        const f = values.get(floor);
        if (v !== undefined && f !== undefined) aboveFloor.push(v - f);
      }
      const ref = pairedWith[m.id];
      const lat = latency(mine.flatMap((r) => r.lateMs));
      return [
        m.label,
        spreadText(spread(mine.map((r) => r.percentOfCore))),
        m.id === floor ? '—' : spreadText(spread(aboveFloor)),
        ref ? `${ratioText(spread(ratiosToReference(rounds, m.id, ref)))} (${ref})` : '—',
        mine.map((r) => r.ticksInWindow).join(', '),
        `${num(lat.p50)} / ${num(lat.p95)} / ${num(lat.max)}`,
        String(mine.reduce((s, r) => s + r.missed, 0)),
      ];
    }),
  );
}

// ---------------------------------------------------------------------------------------------------
// Targets (from the issue) and the report

interface Verdict {
  target: string;
  measured: string;
  met: boolean;
  /** The bench part it needs, and the monitors (all of them) for part 3. */
  part: 'process' | 'system' | 'monitor';
  monitors: string[];
}

function verdicts(proc: CostRow[], sys: CostRow[], monitorRuns: MonitorRun[]): Verdict[] {
  const row = (rows: CostRow[], id: string): CostRow => rows.find((r) => r.method.id === id)!;
  const out: Verdict[] = [];
  for (const [id, how] of [
    ['proc-ours', `${config.fastWarmup} warm-up + ${config.fastN} timed, as in the research`],
    ['proc-ours-warm', `steady state, ${num(config.warmWarmup)} warm-up`],
  ] as const) {
    const ours = row(proc, id);
    out.push({
      target: `process snapshot ≤ 0.7× psutil CPU (${how})`,
      measured: `${ratioText(ours.vsPsutil)}`,
      met: ours.vsPsutil.median <= 0.7,
      part: 'process',
      monitors: [],
    });
  }
  for (const [rows, id, what] of [
    [proc, 'proc-si-processload', 'processLoad()'],
    [proc, 'proc-si-processes', 'processes()'],
    [sys, 'sys-si', 'system snapshot'],
  ] as const) {
    const r = row(rows, id);
    out.push({
      target: `≥ 100× cheaper than systeminformation ${what}`,
      measured: `systeminformation costs ${ratioText(r.vsOurs)} ours`,
      met: r.vsOurs.min >= 100,
      part: rows === sys ? 'system' : 'process',
      monitors: [],
    });
  }
  const windows: [string, MonitorRun[]][] = [[`first ${config.windowS} s`, monitorRuns]];
  const steadyRuns = steadyView(monitorRuns);
  if (steadyRuns.length > 0) windows.push([`steady state, next ${config.steadyS} s`, steadyRuns]);
  for (const [when, windowRuns] of windows) {
    const rounds = byRound(windowRuns, (r) => r.monitor, (r) => r.percentOfCore);
    for (const [mine, theirs] of [
      ['perfscope', 'psutil'],
      ['perfscope-native', 'psutil'],
      ['perfscope-system', 'psutil-system'],
    ] as const) {
      const ratio = spread(ratiosToReference(rounds, mine, theirs));
      const pct = (id: string): number => median(windowRuns.filter((r) => r.monitor === id).map((r) => r.percentOfCore));
      out.push({
        target: `10 Hz overhead ${mine} ≤ ${theirs} (same run; ${when})`,
        measured: `${num(pct(mine))} % vs ${num(pct(theirs))} % of a core; ratio ${ratioText(ratio)}`,
        met: ratio.median <= 1,
        part: 'monitor',
        monitors: [mine, theirs],
      });
    }
  }
  const late = latency(monitorRuns.filter((r) => r.monitor.startsWith('perfscope')).flatMap((r) => r.lateMs));
  out.push({
    target: 'sample times within 2 ms of their deadline at p95',
    measured: `p95 ${num(late.p95)} ms over ${late.n} ticks (max ${num(late.max)} ms)`,
    met: late.p95 <= 2,
    part: 'monitor',
    monitors: [monitors.some((m) => m.id === 'perfscope') ? 'perfscope' : 'perfscope-system'],
  });
  return out;
}

async function main(): Promise<void> {
  const facts = machineFacts();
  const pythonVersion = versionOf(systemPython, ['-c', 'import sys, psutil; print(sys.version.split()[0], psutil.__version__)']);
  const commandLine = ['node --import tsx bench/sampling.bench.ts', ...argv.filter((a) => a !== '--seed' && argv[argv.indexOf(a) - 1] !== '--seed')].join(' ');
  log(`sampling bench (${quick ? 'quick' : 'full'}), seed ${seed}; compiling the child scripts`);
  [costWorkerJs = '', monitorJs = ''] = compileForBench(['bench/lib/cost-worker.ts', 'bench/lib/monitor.ts', 'src/sampling/sampler-worker.ts']);
  const target = await startTarget();
  const pressure: Record<string, number | null> = { start: cpuPressureAvg10() };
  let procRuns: CostRun[] = [];
  let sysRuns: CostRun[] = [];
  let monitorRuns: MonitorRun[] = [];
  try {
    log(`target PID ${target.pid}: ${target.threads} threads, ${target.fds} fds`);
    if (parts.has('process')) {
      log('part 1: process snapshot cost');
      procRuns = await measureCosts('process', processMethods, target.pid);
      pressure.afterProcess = cpuPressureAvg10();
    }
    if (parts.has('system')) {
      log('part 2: system snapshot cost');
      sysRuns = await measureCosts('system', systemMethods, target.pid);
      pressure.afterSystem = cpuPressureAvg10();
    }
    if (parts.has('monitor')) {
      log('part 3: monitor overhead at 10 Hz');
      monitorRuns = await measureMonitors(target.pid);
    }
    pressure.end = cpuPressureAvg10();
  } finally {
    target.kill();
  }

  const procRows = costRows(procRuns, processMethods, 'proc-psutil', 'proc-ours');
  const sysRows = costRows(sysRuns, systemMethods, 'sys-psutil', 'sys-ours');
  const has = (id: string): boolean => monitors.some((m) => m.id === id);
  const v = verdicts(procRows, sysRows, monitorRuns).filter((x) => parts.has(x.part) && x.monitors.every(has));
  const psi = (x: number | null | undefined): string => (x == null ? 'n/a' : `${x.toFixed(2)} %`);
  const report = [
    `### Run of ${facts.date.slice(0, 16).replace('T', ' ')} UTC${quick ? ' (--quick smoke run: few rounds, not for quoting)' : ''}`,
    '',
    `\`${commandLine}\` (seed ${seed}) — ${facts.cpuModel}, ${facts.nproc} CPUs (nproc), ${facts.memTotalGiB.toFixed(0)} GiB, ` +
      `kernel ${facts.kernel}, Node ${facts.node}, Python/psutil ${pythonVersion ?? '?'}, ` +
      `pidusage ${packageVersion('pidusage') ?? '?'}, systeminformation ${packageVersion('systeminformation') ?? '?'}; ` +
      `${facts.processes} processes at start, ${countProcesses()} at the end. CPU pressure (PSI \`some avg10\`): ` +
      `${psi(pressure.start)} at start, ${psi(pressure.afterProcess)} after part 1, ${psi(pressure.afterSystem)} after part 2, ${psi(pressure.end)} at the end.`,
    '',
    `Target: an idle Node process (${target.threads} threads, ${target.fds} fds). Every measurement runs in a fresh process; ` +
      `methods are interleaved in ${config.costRounds} shuffled rounds (monitors: ${config.monitorRounds}) and ratios are taken ` +
      `against the reference measured in the same round. Fast methods: ${config.fastN} timed snapshots after ${config.fastWarmup} ` +
      `warm-up; systeminformation: ${config.spawnN} timed calls after 1 untimed, ${config.spawnSpacingMs} ms apart so its caches never answer.`,
    '',
    ...(parts.has('process') ? ['#### Process snapshot (CPU per snapshot, own + spawned commands)', '', costTable(procRows), ''] : []),
    ...(parts.has('system') ? ['#### System snapshot', '', costTable(sysRows), ''] : []),
    ...(parts.has('monitor')
      ? [
          `#### Monitor overhead at ${1000 / config.intervalMs} Hz, one PID, ${config.windowS} s windows`,
          '',
          'Overhead = CPU time of the monitor process over the window (opened ' +
            `${config.monitorWarmupMs} ms after the monitor reported ready), read from outside it: Σ /proc/PID/task/*/schedstat ` +
            '(ns; the quantity utime + stime are scaled from) + cutime + cstime of reaped children, in % of one core. ' +
            'Node monitors run compiled, on plain `node` (under `--import tsx` an idle timer costs ~0.4 % of a core more). ' +
            "Lateness = tick time − its deadline (the Sampler's own `Sample.lateMs`; the peers' loops measure theirs the same way).",
          '',
          monitorTable(monitorRuns),
          '',
          ...(config.steadyS > 0
            ? [
                `Steady state: the same monitors over the next ${config.steadyS} s (window opened where the first closed, ` +
                  `${config.monitorWarmupMs / 1000 + config.windowS} s after ready). The difference from the first window is ` +
                  "start-up work paid once: for a Node monitor, V8's TurboFan compiles of the hot functions and the memory " +
                  "reducer's full GCs ~8 s after start (module loading grew the heap).",
                '',
                monitorTable(steadyView(monitorRuns)),
                '',
              ]
            : []),
        ]
      : []),
    '#### Targets',
    '',
    table(
      ['target', 'measured', 'verdict'],
      v.map((x) => [x.target, x.measured, x.met ? 'met' : '**missed**']),
    ),
    '',
  ].join('\n');

  process.stdout.write(`${report}\n`);
  const dir = fileURLToPath(new URL('results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const partial = parts.size < 3 || monitorFilter !== null;
  const base = `${dir}sampling-${facts.date.slice(0, 10)}${quick ? '-quick' : ''}${partial ? '-partial' : ''}`;
  writeFileSync(`${base}.md`, `${report}`);
  writeFileSync(
    `${base}.json`,
    `${JSON.stringify({ facts, seed, config, pressure, target: { threads: target.threads, fds: target.fds }, procRuns, sysRuns, monitorRuns }, null, 1)}\n`,
  );
  log(`written ${base.replace(repoRoot, '')}.md and .json`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
