/**
 * Shared by the tests of the Sampler's engines (event loop, `thread`, `native`) on the real /proc: a
 * CPU burner child, a run collected to its end, and the check that a blocked event loop does not move
 * sample times.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { EndReason, ProcessInfo, Sample, Sampler } from '../../src/sampling/sampler.js';

const workloads = fileURLToPath(new URL('../fixtures/workloads/', import.meta.url));

/** test/fixtures/workloads/burn.js at `duty` (0-1) of a core for `seconds`; resolves once it runs. */
export function startBurner(duty: number, seconds: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [`${workloads}burn.js`, String(duty), String(seconds)], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', () => resolve(child));
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`burn.js exited early (${code})`)));
  });
}

/**
 * Ground truth for a CPU workload on a shared machine: the scheduler's own count of the process's run
 * time (/proc/PID/schedstat, ns: not the tick-based utime/stime we sample) over a window of wall time.
 * A burner asked for 50 % of a core gets less when the machine is saturated; the truth is what it got.
 */
export function cpuWindow(pid: number): { percent(): number } {
  const runSeconds = (): number => Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1e9;
  const cpu0 = runSeconds();
  const wall0 = performance.now();
  return { percent: () => ((runSeconds() - cpu0) / ((performance.now() - wall0) / 1000)) * 100 };
}

/**
 * The same truth over the exact window of a run's samples, for engines whose sample 0 comes late (a
 * worker thread starts in ~1 s under load): the process's schedstat read every 20 ms with the wall
 * time, interpolated at the first and last sample's `wallMs`. Call stop() when done.
 */
export function cpuTrace(pid: number): { percentBetween(wallA: number, wallB: number): number; stop(): void } {
  const points: [number, number][] = [];
  const read = (): void => {
    try {
      points.push([performance.timeOrigin + performance.now(), Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1e9]);
    } catch {
      // The process is gone: the trace ends with it.
    }
  };
  read();
  const timer = setInterval(read, 20);
  const at = (wall: number): number => {
    const i = points.findIndex(([w]) => w >= wall);
    if (i <= 0) throw new Error(`no CPU trace around ${wall} (trace ${points[0]?.[0]}..${points.at(-1)?.[0]})`);
    const [w0, c0] = points[i - 1]!;
    const [w1, c1] = points[i]!;
    return c0 + ((c1 - c0) * (wall - w0)) / (w1 - w0);
  };
  return {
    percentBetween: (a, b) => {
      read();
      return ((at(b) - at(a)) / ((b - a) / 1000)) * 100;
    },
    stop: () => clearInterval(timer),
  };
}

export function mean(xs: (number | null | undefined)[]): number {
  const v = xs.filter((x): x is number => typeof x === 'number');
  return v.reduce((a, b) => a + b, 0) / v.length;
}

export interface CollectedRun {
  samples: Sample[];
  starts: ProcessInfo[];
  exits: number[];
  reason: EndReason;
}

/** Starts `sampler`, runs it to its end and returns what it emitted; an 'error' event fails the test. */
export async function collect(sampler: Sampler): Promise<CollectedRun> {
  const run: Omit<CollectedRun, 'reason'> = { samples: [], starts: [], exits: [] };
  sampler.on('sample', (s: Sample) => run.samples.push(s));
  sampler.on('process-start', (p: ProcessInfo) => run.starts.push(p));
  sampler.on('process-exit', (p: { pid: number }) => run.exits.push(p.pid));
  sampler.on('error', (err: unknown) => assert.fail(`sampler error: ${String(err)}`));
  sampler.start();
  const { reason } = await sampler.done;
  return { ...run, reason };
}

/**
 * Blocks the event loop for 500 ms, 200 ms after sample 0, while `sampler` (1.5 s at 100 ms) runs, and
 * checks what only ticks off the event loop can do: samples were read while the loop was blocked (their
 * read times fall inside the block), and every deadline up to the last is a sample or a counted miss.
 * No bound on lateness: on a shared machine that would be a timing assertion.
 */
export async function assertBlockDoesNotDelay(sampler: Sampler): Promise<void> {
  let blockStart = 0;
  let blockEnd = 0;
  sampler.once('sample', () => {
    setTimeout(() => {
      blockStart = Date.now();
      while (Date.now() - blockStart < 500);
      blockEnd = Date.now();
    }, 200);
  });
  const { samples, reason } = await collect(sampler);
  assert.equal(reason, 'duration');
  assert.ok(blockEnd > blockStart, 'the block ran');
  const during = samples.filter((s) => s.wallMs > blockStart && s.wallMs < blockEnd);
  assert.ok(during.length >= 1, `samples were read while the event loop was blocked (${during.length})`);
  const last = samples.at(-1)!;
  assert.equal(last.index + 1, samples.length + sampler.missedDeadlines, 'every deadline is a sample or a counted miss');
  assert.deepEqual(
    samples.map((s) => s.index),
    [...samples.map((s) => s.index)].sort((a, b) => a - b),
    'in deadline order',
  );
}

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Runs `code` as an ES module in a fresh node (`execArgv` first, cwd the repo root) that must exit by
 * itself with status 0 within 30 s (killed and failed otherwise); returns its stdout.
 */
export async function runToExit(execArgv: string[], code: string): Promise<string> {
  const child = spawn(process.execPath, [...execArgv, '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'inherit'], cwd: repoRoot });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const exited = await new Promise<number | null>((resolve) => {
    const guard = setTimeout(() => {
      child.kill('SIGKILL');
      resolve(-1);
    }, 30_000);
    child.once('exit', (c) => {
      clearTimeout(guard);
      resolve(c);
    });
  });
  assert.equal(exited, 0, `the process exited by itself (output: ${out.trim()})`);
  return out;
}
