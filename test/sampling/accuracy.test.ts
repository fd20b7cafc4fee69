/**
 * Accuracy against ground truth and against psutil. Workloads of known shape run as child processes:
 * a CPU burner whose duty cycle is budgeted in its own CPU time (so contention on this shared machine
 * does not change it), an allocator holding touched memory, a tree of burners. Tolerances are the
 * issue's: mean CPU within 3 points of truth, RSS within 3 %. CPU truth is the scheduler's own run time
 * of the workload over the run (schedstat, ns), so a saturated machine that gives a burner less than it
 * asked for does not fail the test. No timing assertions.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcessByStdio } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Readable } from 'node:stream';
import { monitor } from '../../src/record/monitor.js';
import { ProcessReader } from '../../src/sampling/process.js';
import { summarizeRun } from '../../src/analysis/run-summary.js';
import { cpuWindow } from '../helpers/sampler-runs.js';

const workloads = fileURLToPath(new URL('../fixtures/workloads/', import.meta.url));
const psutilRef = fileURLToPath(new URL('../fixtures/psutil_ref.py', import.meta.url));
const python = '/usr/bin/python3';

function start(script: string, ...args: (string | number)[]): Promise<{ child: ChildProcessByStdio<null, Readable, null>; ready: string }> {
  const child = spawn(process.execPath, [workloads + script, ...args.map(String)], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (d: Buffer) => {
      buf += d.toString();
      const nl = buf.indexOf('\n');
      if (nl >= 0) resolve({ child, ready: buf.slice(0, nl) });
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`${script} exited early (${code})`)));
  });
}

const mean = (xs: (number | null)[]): number => {
  const v = xs.filter((x): x is number => x !== null);
  return v.reduce((a, b) => a + b, 0) / v.length;
};

/** psutil is the reference; CI installs it (python3-psutil), so there its absence is a failure. */
function requirePsutil(t: { skip(msg: string): void }): boolean {
  const ok = existsSync(python) && spawnSync(python, ['-c', 'import psutil']).status === 0;
  if (ok) return true;
  if (process.env.CI === 'true') assert.fail(`psutil is not importable by ${python}: install python3-psutil`);
  t.skip(`psutil is not importable by ${python} (apt-get install python3-psutil)`);
  return false;
}

/** Runs the psutil reference on `pid` and resolves to its samples. */
function psutil(pid: number, intervalS: number, count: number, children = false): Promise<{ cpu_percent: number | null; rss: number; memory_percent: number }[]> {
  return new Promise((resolve, reject) => {
    const p = spawn(python, [psutilRef, String(pid), String(intervalS), String(count), children ? '1' : '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('exit', (code) => {
      if (code !== 0) reject(new Error(`psutil reference failed (${code}): ${err}`));
      else resolve(out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)));
    });
  });
}

test('CPU: a 50 % duty-cycle burner reads within 3 points of the scheduler\'s truth, first sample null, and agrees with psutil', async (t) => {
  if (!requirePsutil(t)) return;
  const { child } = await start('burn.js', 0.5, 8);
  try {
    const window = cpuWindow(child.pid!);
    const [ours, ref] = await Promise.all([monitor({ pid: child.pid!, duration: 5, interval: 0.5, system: false }), psutil(child.pid!, 0.5, 11)]);
    const truth = window.percent();
    assert.equal(ours.cpu_percent[0], null, 'no fake 0.0 first sample');
    assert.equal(ours.meta.firstCpuSample, 'omitted');
    assert.equal(ours.timestamp.length, 11);
    const m = mean(ours.cpu_percent);
    // The burner gets its 50 % on an idle machine, less on a saturated one: the truth is what it got.
    assert.ok(Math.abs(m - truth) <= 3, `mean CPU ${m.toFixed(2)} % is within 3 points of the scheduler's ${truth.toFixed(2)} %`);
    assert.ok(truth > 10, `the burner ran (${truth.toFixed(1)} % of a core; 50 % asked)`);
    const r = mean(ref.map((x) => x.cpu_percent));
    assert.ok(Math.abs(m - r) <= 3, `ours ${m.toFixed(2)} % vs psutil ${r.toFixed(2)} % within 3 points`);
    // The machine-normalised figure is the same divided by the cores in use.
    const i = ours.cpu_percent.findIndex((x) => x !== null);
    assert.ok(Math.abs((ours.samples.cpu_percent_machine![i] as number) * ours.meta.cpuCount - (ours.cpu_percent[i] as number)) < 1e-9 || ours.meta.cgroup?.cpuQuotaCores != null);
  } finally {
    child.kill('SIGKILL');
  }
});

test('CPU: precise mode (schedstat) reads a 30 % burner within 3 points of the truth at 10 Hz', async () => {
  const { child } = await start('burn.js', 0.3, 6);
  try {
    // Precise mode reads the threads' schedstat, the counter the truth sums too: this checks the rates
    // over 100 ms intervals (tick-based CPU would be ±6 points per sample here), not the source.
    const window = cpuWindow(child.pid!);
    const ours = await monitor({ pid: child.pid!, duration: 3, interval: 0.1, precise: true, system: false });
    const truth = window.percent();
    const m = mean(ours.cpu_percent);
    assert.ok(Math.abs(m - truth) <= 3, `mean CPU ${m.toFixed(2)} % within 3 points of the scheduler's ${truth.toFixed(2)} %`);
    assert.ok(truth > 5, `the burner ran (${truth.toFixed(1)} % of a core; 30 % asked)`);
    assert.equal(ours.meta.precise, true);
  } finally {
    child.kill('SIGKILL');
  }
});

test('memory: a process holding 200 MiB touched reads RSS within 3 % of VmRSS truth and of psutil', async (t) => {
  if (!requirePsutil(t)) return;
  const { child, ready } = await start('alloc.js', 200, 6);
  try {
    const selfReported = Number(ready.split(' ')[1]);
    const [ours, ref] = await Promise.all([monitor({ pid: child.pid!, duration: 2, interval: 0.5, system: false }), psutil(child.pid!, 0.5, 5)]);
    const rss = ours.samples.rss_bytes!.at(-1) as number;
    assert.ok(rss >= 200 * 1024 * 1024, `RSS ${rss} holds the 200 MiB allocation`);
    assert.ok(Math.abs(rss - selfReported) / selfReported <= 0.03, `RSS ${rss} vs the process's own ${selfReported}`);
    const refRss = ref.at(-1)!.rss;
    assert.ok(Math.abs(rss - refRss) / refRss <= 0.03, `RSS ${rss} vs psutil ${refRss}`);
    const mp = ours.memory_percent.at(-1) as number;
    assert.ok(Math.abs(mp - ref.at(-1)!.memory_percent) <= 0.03 * ref.at(-1)!.memory_percent, `memory_percent ${mp} vs psutil ${ref.at(-1)!.memory_percent}`);
  } finally {
    child.kill('SIGKILL');
  }
});

test('tree: CPU time of children that exited stays in the tree total (vs getrusage truth)', async () => {
  // 3 children at 30 % for 1.5 s each, started 200 ms apart; the parent lingers 1.5 s after they exit.
  const { child } = await start('tree.js', 3, 0.3, 1.5, 200, 1500);
  const self = new ProcessReader(process.pid);
  const before = self.read()!;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const run = await monitor({ pid: child.pid!, duration: 10, interval: 0.2, system: false });
  await exited;
  const after = self.read()!;
  self.close();
  // Truth: the whole tree's CPU as the kernel accounted it to us when we reaped the workload.
  const truth = after.childrenUserSeconds + after.childrenSystemSeconds - (before.childrenUserSeconds + before.childrenSystemSeconds);
  const user = run.samples.cpu_user_seconds!.at(-1) as number;
  const sys = run.samples.cpu_system_seconds!.at(-1) as number;
  // Our counters start at the first sample and end at the last one before the workload exited; the
  // workload's own start-up (before sample 0) and its last <0.2 s are outside the window.
  assert.ok(user + sys <= truth + 0.05, `tree CPU ${(user + sys).toFixed(3)} s not above truth ${truth.toFixed(3)} s`);
  assert.ok(user + sys >= truth - 0.35, `tree CPU ${(user + sys).toFixed(3)} s close to truth ${truth.toFixed(3)} s`);
  assert.ok(truth >= 0.3, `the children really burned CPU (${truth.toFixed(3)} s; 1.35 s asked, less on a saturated machine)`);
  const procs = run.samples.num_procs as number[];
  assert.ok(Math.max(...procs) >= 3, 'children were followed');
  assert.equal(procs.at(-1), 1, 'and seen to exit');
  // Cumulative CPU never drops when children exit.
  const cum = (run.samples.cpu_user_seconds as number[]).map((u, i) => u + (run.samples.cpu_system_seconds![i] as number));
  for (let i = 1; i < cum.length; i++) assert.ok(cum[i]! >= cum[i - 1]! - 1e-9, `cumulative CPU monotonic at sample ${i}`);
  assert.ok(run.processes!.length >= 4, 'per-process series for the root and each child');
  assert.ok(run.events.filter((e) => e.kind === 'process-exit').length >= 3);
});

test("peak RSS: the kernel's VmHWM, not the largest sample (a 200 MiB spike freed before the first sample)", async () => {
  // Allocates and touches 200 MiB outside the V8 heap, frees it (GC unmaps it), then idles: sampling
  // starts after the spike, so only the kernel's high-water mark can report it (issue 11, item 17).
  // V8 frees the backing store after gc() returns (its RSS was still ~230 MB right after gc() in 20 of
  // 20 runs here, and fell ~25 ms later): the child says 'ready' only once its own VmRSS is below
  // 100 MiB, else a loaded CI machine samples the spike (CI failed so on 2026-12-03).
  const code = `let b = Buffer.allocUnsafeSlow(200 * 1024 * 1024); for (let i = 0; i < b.length; i += 4096) b[i] = 1;
    b = null; globalThis.gc();
    const rssKiB = () => Number(/^VmRSS:\\s+(\\d+) kB/m.exec(require('fs').readFileSync('/proc/self/status', 'utf8'))[1]);
    const until = Date.now() + 15000;
    const wait = () => { if (rssKiB() < 100 * 1024) process.stdout.write('ready\\n');
      else if (Date.now() > until) process.exit(3); else setTimeout(wait, 10); };
    wait(); setTimeout(() => {}, 30000);`;
  const child = spawn(process.execPath, ['--expose-gc', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    await new Promise<void>((resolve, reject) => {
      child.stdout.once('data', () => resolve());
      child.once('exit', (c) => reject(new Error(c === 3 ? "the spike child's RSS never fell below 100 MiB within 15 s" : `spike exited early (${c})`)));
    });
    const run = await monitor({ pid: child.pid!, duration: 1, interval: 0.5, system: false, children: true });
    const truth = Number(/^VmHWM:\s+(\d+) kB/m.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'))![1]) * 1024;
    const sampledMax = Math.max(...(run.samples.rss_bytes as number[]));
    assert.ok(sampledMax < 100 * 1024 * 1024, `the spike is gone before sampling (largest sample ${sampledMax})`);
    assert.ok(truth >= 200 * 1024 * 1024, `the kernel saw the 200 MiB (VmHWM ${truth})`);
    assert.deepEqual(new Set(run.samples.peak_rss_bytes), new Set([truth]), 'tree peak = the kernel high-water mark');
    assert.equal(run.processes![0]!.samples.peak_rss_bytes!.at(-1), truth, 'per-process peak');
    const s = summarizeRun(run);
    assert.equal(s.peakRssBytes, truth);
    assert.equal(s.peakRssSource, 'kernel');
  } finally {
    child.kill('SIGKILL');
  }
});
