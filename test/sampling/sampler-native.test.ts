/**
 * `native: true`: the Sampler ticking on the native addon's thread (native/ticker.c) on the real /proc.
 * Same results as the event-loop Sampler, sample times that a blocked event loop does not move, the run
 * ending at the process's exit or the duration, stop() delivering what was read before it, and the
 * fallbacks. The addon must be built (npm install builds it); PERFSCOPE_NATIVE=0 is the only way to
 * skip these tests, and then they say so.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { Sampler, type Sample } from '../../src/sampling/sampler.js';
import { assertBlockDoesNotDelay, collect, cpuTrace, cpuWindow, mean, runToExit, startBurner } from '../helpers/sampler-runs.js';
import { errnoError, loadNative, nativeUnavailableReason } from '../../src/sampling/native.js';
import { monitor } from '../../src/record/monitor.js';

const off = process.env.PERFSCOPE_NATIVE === '0';

test('native: the addon is built and loads', (t) => {
  if (off) return t.skip('PERFSCOPE_NATIVE=0: the native ticker is switched off');
  assert.notEqual(loadNative(), null, `the native addon did not load: ${nativeUnavailableReason()}`);
});

test('native: same samples as the event-loop Sampler on a 50 % burner, and the scheduler\'s truth (one PID + system)', async (t) => {
  if (off) return t.skip('PERFSCOPE_NATIVE=0');
  const child = await startBurner(0.5, 8);
  try {
    const opts = { pid: child.pid!, intervalMs: 200, durationMs: 3000, children: false, system: true, keepAlive: true };
    const a = new Sampler(opts);
    const b = new Sampler({ ...opts, native: true });
    const trace = cpuTrace(child.pid!);
    const [main, native] = await Promise.all([collect(a), collect(b)]);
    trace.stop();
    // Each engine against the truth over its own samples' window (a worker's sample 0 comes later).
    const truth = trace.percentBetween(native.samples[0]!.wallMs, native.samples.at(-1)!.wallMs);
    const truthMain = trace.percentBetween(main.samples[0]!.wallMs, main.samples.at(-1)!.wallMs);
    assert.equal(a.engine, 'event-loop');
    assert.equal(b.engine, 'native');
    assert.equal(native.reason, 'duration');
    assert.equal(native.samples.length, main.samples.length, 'same number of samples for the same duration');
    assert.deepEqual(
      native.samples.map((s) => s.index),
      native.samples.map((_, i) => i),
      'every deadline sampled, in order',
    );
    assert.equal(native.starts.length, 1);
    assert.equal(native.starts[0]!.pid, child.pid);
    assert.equal(native.samples[0]!.tree.cpu_percent, null, 'no fake first CPU sample');
    assert.deepEqual(Object.keys(native.samples[1]!.tree), Object.keys(main.samples[1]!.tree));
    assert.deepEqual(Object.keys(native.samples[1]!.system!).sort(), Object.keys(main.samples[1]!.system!).sort());
    const m = mean(native.samples.map((s) => s.tree.cpu_percent));
    const ref = mean(main.samples.map((s) => s.tree.cpu_percent));
    assert.ok(Math.abs(m - truth) <= 3, `native mean CPU ${m.toFixed(2)} % within 3 points of the scheduler's ${truth.toFixed(2)} %`);
    assert.ok(truth > 10, `the burner ran (${truth.toFixed(1)} % of a core; 50 % asked)`);
    assert.ok(Math.abs(ref - truthMain) <= 3, `event loop ${ref.toFixed(2)} % within 3 points of the scheduler's ${truthMain.toFixed(2)} %`);
    const last = native.samples.at(-1)!;
    const lastMain = main.samples.at(-1)!;
    assert.equal(last.tree.num_fds, lastMain.tree.num_fds, 'fd count from the native thread');
    assert.equal(last.tree.num_fds, readdirSync(`/proc/${child.pid}/fd`).length, 'fd count = entries of /proc/PID/fd');
    assert.ok(Math.abs(last.tree.rss_bytes! - lastMain.tree.rss_bytes!) / lastMain.tree.rss_bytes! < 0.03, 'RSS agrees within 3 %');
    assert.ok(typeof last.system!.cpu_percent === 'number' && typeof last.system!.memory_used_bytes === 'number');
    // Times: t and wallMs are the native thread's read times, increasing with the deadlines.
    for (let i = 1; i < native.samples.length; i++) {
      const [p, s] = [native.samples[i - 1]!, native.samples[i]!];
      assert.ok(s.t > p.t && s.wallMs > p.wallMs, `sample ${i} is later than sample ${i - 1}`);
      // t is the read time and lateMs its distance from deadline index·200 ms: they agree to rounding.
      assert.ok(Math.abs(s.t - s.index * 0.2 - s.lateMs / 1000) < 1e-6, `sample ${i}: t ${s.t} = its deadline + lateness ${s.lateMs} ms`);
    }
  } finally {
    child.kill('SIGKILL');
  }
});

test('native: the run ends when the process exits, with its exit event', async (t) => {
  if (off) return t.skip('PERFSCOPE_NATIVE=0');
  const child = await startBurner(0.2, 1.5);
  const sampler = new Sampler({ pid: child.pid!, intervalMs: 100, children: false, system: false, native: true, keepAlive: true });
  const { samples, exits, reason } = await collect(sampler);
  assert.equal(sampler.engine, 'native');
  assert.equal(reason, 'process-exited');
  assert.deepEqual(exits, [child.pid]);
  assert.ok(samples.length >= 5, `samples until the exit (${samples.length})`);
});

test('native: a 500 ms block of the event loop does not delay samples', async (t) => {
  if (off) return t.skip('PERFSCOPE_NATIVE=0');
  const child = await startBurner(0.2, 8);
  try {
    await assertBlockDoesNotDelay(
      new Sampler({ pid: child.pid!, intervalMs: 100, durationMs: 1500, children: false, system: false, native: true, keepAlive: true }),
    );
  } finally {
    child.kill('SIGKILL');
  }
});

test('native: the iterator sees sample 0; stop() delivers what was read before it and nothing after', async (t) => {
  if (off) return t.skip('PERFSCOPE_NATIVE=0');
  const child = await startBurner(0.1, 8);
  try {
    const sampler = new Sampler({ pid: child.pid!, intervalMs: 20, children: false, system: false, native: true, keepAlive: true });
    const seen: Sample[] = [];
    let stoppedAt = 0;
    // Normally before the first 1 s batch, so the ticks after sample 0 all come from stop().
    setTimeout(() => {
      stoppedAt = performance.timeOrigin + performance.now();
      sampler.stop();
    }, 300);
    for await (const s of sampler.start()) seen.push(s);
    assert.equal((await sampler.done).reason, 'stopped');
    assert.equal(seen[0]!.index, 0);
    assert.ok(seen.length >= 2, `the ticks read before stop() were delivered by it (${seen.length})`);
    const last = seen.at(-1)!;
    assert.equal(last.index + 1, seen.length + sampler.missedDeadlines, 'every deadline up to the last is a sample or a counted miss');
    assert.ok(last.wallMs <= stoppedAt, 'nothing was read after stop()');
    assert.equal(sampler.samples, seen.length);
    let late = 0;
    sampler.on('sample', () => late++);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(late, 0, 'no sample after stop()');
  } finally {
    child.kill('SIGKILL');
  }
});

test('native: falls back to the event loop where a tick is more than fixed re-reads', (t) => {
  if (off) return t.skip('PERFSCOPE_NATIVE=0');
  const cases: [string, ConstructorParameters<typeof Sampler>[0]][] = [
    ['children', { children: true }],
    ['perProcess', { children: false, perProcess: true }],
    ['precise', { children: false, precise: true }],
    ['runtime (this process)', { pid: process.pid, children: false }],
  ];
  for (const [why, o] of cases) {
    const s = new Sampler({ pid: process.ppid, intervalMs: 1000, system: false, native: true, ...o });
    s.start();
    try {
      assert.equal(s.engine, 'event-loop', why);
    } finally {
      s.stop();
    }
  }
  const s = new Sampler({ pid: process.ppid, intervalMs: 1000, system: false, children: false, native: true });
  s.start();
  assert.equal(s.engine, 'native');
  s.stop();
});

test('native: monitor() ticks natively for one process and returns the classic columns', async (t) => {
  if (off) return t.skip('PERFSCOPE_NATIVE=0');
  const child = await startBurner(0.5, 8);
  try {
    const window = cpuWindow(child.pid!);
    const r = await monitor({ pid: child.pid!, interval: 0.1, duration: 2, children: false, system: false });
    const truth = window.percent();
    assert.equal(r.meta.engine, 'native', 'the run says where its ticks ran');
    assert.equal(r.timestamp.length, 21);
    assert.equal(r.cpu_percent[0], null);
    const m = mean(r.cpu_percent);
    assert.ok(Math.abs(m - truth) <= 6, `mean CPU ${m.toFixed(1)} % near the scheduler's ${truth.toFixed(1)} % (10 ms ticks over 2 s)`);
    assert.ok(r.io_counters.every((io) => io !== null));
  } finally {
    child.kill('SIGKILL');
  }
});

test('native: the thread never holds the process open (stop() with keepAlive, or keepAlive off)', async (t) => {
  if (off) return t.skip('PERFSCOPE_NATIVE=0');
  const entry = JSON.stringify(new URL('../../src/sampling/sampler.ts', import.meta.url).href);
  const stopped = await runToExit(['--import', 'tsx'], `
    const { Sampler } = await import(${entry});
    const s = new Sampler({ pid: process.ppid, intervalMs: 20, children: false, system: false, native: true, keepAlive: true });
    let n = 0;
    s.on('sample', () => { if (++n === 60) s.stop(); });
    s.on('end', (r) => console.log('end ' + r + ' ' + s.samples + ' ' + s.engine));
    s.start();`);
  assert.match(stopped, /^end stopped 60 native$/m);
  const unref = await runToExit(['--import', 'tsx'], `
    const { Sampler } = await import(${entry});
    const s = new Sampler({ pid: process.ppid, intervalMs: 20, children: false, system: false, native: true });
    s.start();
    console.log('started ' + s.engine);`);
  assert.match(unref, /^started native$/m);
});

test('native: the addon rejects a malformed spec with a TypeError; errnoError names the errno', (t) => {
  if (off) return t.skip('PERFSCOPE_NATIVE=0');
  const addon = loadNative()!;
  const start = addon.start as (spec: unknown, cb: unknown) => object;
  assert.throws(() => start({}, () => {}), TypeError);
  assert.throws(() => start({ fds: [0], kinds: [0], capacities: [64], vital: [0], intervalMs: 0, t0Ms: 0, firstIndex: 0, lastIndex: -1, batchTicks: 1 }, () => {}), TypeError);
  assert.throws(() => start({ fds: [987654], kinds: [0], capacities: [64], vital: [0], intervalMs: 100, t0Ms: 0, firstIndex: 0, lastIndex: -1, batchTicks: 1 }, () => {}), /EBADF|cannot be duplicated/);
  assert.throws(() => addon.drain({}), TypeError);
  const e = errnoError(-3, 'read', '/proc/1/stat');
  assert.equal(e.code, 'ESRCH');
  assert.equal(e.errno, -3);
});

test('native: trimMalloc gives the freed middle of the C heap back to the kernel (malloc_trim)', (t) => {
  if (off) return t.skip('PERFSCOPE_NATIVE=0');
  // In a child of its own, so no other test's memory is in the figures: 48 MiB of 60 KiB buffers (each
  // one malloc below the mmap threshold), one kept buffer above them so free() cannot trim the heap's
  // top by itself, the rest freed; only malloc_trim returns those pages.
  const script = `
    const { createRequire } = require('node:module');
    const addon = createRequire(${JSON.stringify(import.meta.url)})('../../native/build/Release/perfscope_native.node');
    const rss = () => Number(require('node:fs').readFileSync('/proc/self/statm', 'utf8').split(' ')[1]) * 4096;
    let bufs = [];
    for (let i = 0; i < 800; i++) bufs.push(Buffer.allocUnsafeSlow(60 * 1024).fill(1));
    const pin = Buffer.allocUnsafeSlow(1024).fill(2);
    bufs = null;
    for (let i = 0; i < 4; i++) gc();
    const before = rss();
    const released = addon.trimMalloc();
    const after = rss();
    process.stdout.write(JSON.stringify({ released, before, after, pin: pin.length }));`;
  const out = JSON.parse(execFileSync(process.execPath, ['--expose-gc', '-e', script], { encoding: 'utf8' })) as { released: boolean; before: number; after: number };
  assert.equal(out.released, true, 'glibc released nothing');
  const freedMiB = (out.before - out.after) / 1048576;
  assert.ok(freedMiB >= 24, `RSS fell by ${freedMiB.toFixed(1)} MiB (from ${(out.before / 1048576).toFixed(1)}), expected most of the 47 MiB freed`);
});
