/**
 * The Sampler on a fake procfs (a copy of the fixture tree whose files the test rewrites between
 * ticks) and fake time: exact deadlines, exact CPU %, children that start and exit, missed deadlines.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FakeClock } from '../../src/core/clock.js';
import { RunRecorder } from '../../src/record/recorder.js';
import { Sampler, type Sample } from '../../src/sampling/sampler.js';
import { PerfscopeError } from '../../src/core/errors.js';
import { monitor } from '../../src/sampling/monitor.js';
import { spawn, spawnSync } from 'node:child_process';

const fixture = fileURLToPath(new URL('../fixtures/proc/', import.meta.url));

/** A writable fake /proc: process 4242 ("my ) worker") and the system files of the fixture. */
function fakeProc() {
  const root = mkdtempSync(join(tmpdir(), 'perfscope-fakeproc-'));
  cpSync(fixture, root, { recursive: true });
  rmSync(join(root, '4243'), { recursive: true, force: true });
  const stat = (pid: number, ppid: number, t: { u: number; s: number; cu?: number; cs?: number }, start = 81326): void => {
    writeFileSync(
      join(root, String(pid), 'stat'),
      `${pid} (w ${pid}) S ${ppid} 6188 2950 0 -1 4194304 4962 7 11 3 ${t.u} ${t.s} ${t.cu ?? 0} ${t.cs ?? 0} 20 0 1 0 ${start} 1633185792 14512 18446744073709551615 0 0 0 0 0 0 0 16781312 17922 0 0 0 17 1 0 0 0 0 0\n`,
    );
  };
  const addChild = (pid: number, ppid: number): void => {
    const dir = join(root, String(pid));
    mkdirSync(join(dir, 'fd'), { recursive: true });
    writeFileSync(join(dir, 'fd', '0'), '');
    cpSync(join(root, '4242', 'status'), join(dir, 'status'));
    cpSync(join(root, '4242', 'io'), join(dir, 'io'));
    writeFileSync(join(dir, 'cmdline'), `worker\0--id\0${pid}\0`);
    stat(pid, ppid, { u: 0, s: 0 }, 90000 + pid);
  };
  const remove = (pid: number): void => rmSync(join(root, String(pid)), { recursive: true, force: true });
  stat(4242, 4200, { u: 1000, s: 500 });
  return { root, stat, addChild, remove, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}

test('samples land on deadlines, CPU % is exact from tick deltas, the first is null', () => {
  const p = fakeProc();
  const clock = new FakeClock();
  try {
    const sampler = new Sampler({ pid: 4242, procRoot: p.root, cgroupRoot: join(p.root, 'nocgroup'), clock, intervalMs: 100, durationMs: 500, system: true });
    const samples: Sample[] = [];
    sampler.on('sample', (s: Sample) => samples.push(s));
    sampler.start();
    // 100 ms per tick; 5 ticks (5 ms of CPU at 100 ticks/s = 0.05 s) between samples = 50 % of a core.
    for (let k = 1; k <= 5; k++) {
      p.stat(4242, 4200, { u: 1000 + 4 * k, s: 500 + k });
      clock.advance(100);
    }
    assert.equal(sampler.samples, 6);
    assert.deepEqual(
      samples.map((s) => s.t),
      [0, 0.1, 0.2, 0.3, 0.4, 0.5],
    );
    assert.equal(samples[0]!.tree.cpu_percent, null);
    for (const s of samples.slice(1)) assert.ok(Math.abs((s.tree.cpu_percent as number) - 50) < 1e-9, String(s.tree.cpu_percent));
    assert.ok(Math.abs((samples[5]!.tree.cpu_user_seconds as number) - 0.2) < 1e-9);
    assert.ok(Math.abs((samples[5]!.tree.cpu_system_seconds as number) - 0.05) < 1e-9);
    assert.equal(samples[5]!.tree.rss_bytes, 58300 * 1024);
    assert.equal(samples[5]!.tree.num_threads, 1);
    assert.ok(samples[1]!.system!.cpu_percent !== undefined);
    assert.equal(clock.pending, 0, 'stopped after the duration');
  } finally {
    p.cleanup();
  }
});

test('children are followed as they start and exit; reaped CPU stays in the total', () => {
  const p = fakeProc();
  const clock = new FakeClock();
  try {
    const sampler = new Sampler({ pid: 4242, procRoot: p.root, cgroupRoot: join(p.root, 'x'), clock, intervalMs: 100, system: false });
    const rec = new RunRecorder(sampler, { command: null });
    sampler.start(); // t=0: parent 1000+500
    p.addChild(5000, 4242);
    p.stat(5000, 4242, { u: 10, s: 0 }); // a child born with 0.1 s already used
    clock.advance(100); // t=0.1
    p.stat(5000, 4242, { u: 20, s: 0 });
    clock.advance(100); // t=0.2
    // The child exits and is reaped: its 0.2 s move into the parent's cutime.
    p.remove(5000);
    p.stat(4242, 4200, { u: 1000, s: 500, cu: 20 });
    clock.advance(100); // t=0.3
    clock.advance(100); // t=0.4
    sampler.stop();
    const run = rec.finish();
    const cpu = run.samples.cpu_percent!;
    assert.deepEqual(cpu.map((x) => (x === null ? null : Math.round(x as number))), [null, 100, 100, 0, 0]);
    assert.deepEqual(run.samples.num_procs, [1, 2, 2, 1, 1]);
    const user = run.samples.cpu_user_seconds as number[];
    assert.ok(Math.abs(user.at(-1)! - 0.2) < 1e-9, `the child's 0.2 s kept after it exited: ${user.at(-1)}`);
    assert.deepEqual(
      run.events.map((e) => [e.kind, e.pid]),
      [
        ['process-start', 5000],
        ['process-exit', 5000],
      ],
    );
    const child = run.processes!.find((x) => x.pid === 5000)!;
    assert.equal(child.cmdline, 'worker --id 5000');
    assert.equal(child.exited, 0.3);
  } finally {
    p.cleanup();
  }
});

test('a stalled loop skips deadlines, counts them, and rates use the measured interval', () => {
  const p = fakeProc();
  const clock = new FakeClock();
  try {
    const sampler = new Sampler({ pid: 4242, procRoot: p.root, cgroupRoot: join(p.root, 'x'), clock, intervalMs: 100, system: false, children: false });
    const samples: Sample[] = [];
    sampler.on('sample', (s: Sample) => samples.push(s));
    sampler.start();
    clock.advance(100);
    clock.stall(250); // the event loop is blocked: deadlines at 200 and 300 pass unserved
    p.stat(4242, 4200, { u: 1025, s: 500 }); // 0.25 s of CPU over the 0.25 s since the last sample
    clock.advance(1);
    sampler.stop();
    assert.deepEqual(samples.map((s) => s.index), [0, 1, 3]);
    assert.equal(samples[2]!.missed, 1);
    assert.equal(sampler.missedDeadlines, 1);
    assert.ok(Math.abs(samples[2]!.t - 0.35) < 1e-9);
    assert.ok(Math.abs((samples[2]!.tree.cpu_percent as number) - 100) < 1e-6, String(samples[2]!.tree.cpu_percent));
  } finally {
    p.cleanup();
  }
});

test('the root exiting ends the sampler; a missing root is ENOPROC at start', () => {
  const p = fakeProc();
  const clock = new FakeClock();
  try {
    const sampler = new Sampler({ pid: 4242, procRoot: p.root, cgroupRoot: join(p.root, 'x'), clock, intervalMs: 100, system: false });
    let reason: string | null = null;
    sampler.on('end', (r: string) => (reason = r));
    sampler.start();
    p.remove(4242);
    clock.advance(100);
    assert.equal(reason, 'process-exited');
    assert.throws(
      () => new Sampler({ pid: 4242, procRoot: p.root, cgroupRoot: join(p.root, 'x'), clock, system: false }).start(),
      (e: unknown) => e instanceof PerfscopeError && e.code === 'ENOPROC',
    );
  } finally {
    p.cleanup();
  }
});

test('options are validated once, with the bad value in the message', () => {
  assert.throws(() => new Sampler({ intervalMs: 5 }), /interval must be between 10 ms and 24 h, got 5 ms/);
  assert.throws(() => new Sampler({ pid: -1 }), /pid must be a positive integer, got -1/);
  assert.throws(() => new Sampler({ durationMs: 0 }), /duration must be a positive/);
});

test('the async iterator sees every sample from the first, and ends with the sampler', async () => {
  const p = fakeProc();
  const clock = new FakeClock();
  try {
    const sampler = new Sampler({ pid: 4242, procRoot: p.root, cgroupRoot: join(p.root, 'x'), clock, intervalMs: 100, durationMs: 300, system: false });
    const it = sampler[Symbol.asyncIterator]();
    sampler.start();
    clock.advance(300);
    const got: number[] = [];
    for await (const s of it) got.push(s.index);
    assert.deepEqual(got, [0, 1, 2, 3]);
  } finally {
    p.cleanup();
  }
});

test('for await over start() sees sample 0 too', async () => {
  const p = fakeProc();
  const clock = new FakeClock();
  try {
    const sampler = new Sampler({ pid: 4242, procRoot: p.root, cgroupRoot: join(p.root, 'x'), clock, intervalMs: 100, durationMs: 200, system: false });
    const got: number[] = [];
    for await (const s of sampler.start()) {
      got.push(s.index);
      clock.advance(100);
    }
    assert.deepEqual(got, [0, 1, 2]);
  } finally {
    p.cleanup();
  }
});

test('a fault mid-run is kept: done resolves with it, error holds it, monitor() rejects with it as cause', async () => {
  const p = fakeProc();
  const clock = new FakeClock();
  try {
    const opts = { pid: 4242, procRoot: p.root, cgroupRoot: join(p.root, 'x'), clock, intervalMs: 100, system: false, children: false };
    // Nobody listens to 'error': the fault must still reach the caller, through done and error.
    const sampler = new Sampler(opts);
    sampler.start();
    clock.advance(100);
    writeFileSync(join(p.root, '4242', 'stat'), 'garbage\n');
    clock.advance(100);
    const end = await sampler.done;
    assert.equal(end.reason, 'error');
    assert.ok(end.error instanceof PerfscopeError && end.error.code === 'EBADDATA', String(end.error));
    assert.match(end.error.message, /cannot parse .*4242\/stat/);
    assert.equal(sampler.error, end.error);
    assert.equal(sampler.samples, 2, 'samples before the fault were delivered');

    // A listener gets the same error object.
    p.stat(4242, 4200, { u: 1000, s: 500 });
    const listened = new Sampler(opts);
    const seen: unknown[] = [];
    listened.on('error', (e) => seen.push(e));
    listened.start();
    writeFileSync(join(p.root, '4242', 'stat'), 'garbage\n');
    clock.advance(100);
    assert.deepEqual(seen, [listened.error]);

    // A sampler that ends normally has no error.
    p.stat(4242, 4200, { u: 1000, s: 500 });
    const fine = new Sampler({ ...opts, durationMs: 200 });
    fine.start();
    clock.advance(100);
    clock.advance(100);
    assert.deepEqual(await fine.done, { reason: 'duration', error: null });

    // monitor(): ESAMPLER with the fault as cause (was a bare "the sampler failed").
    p.stat(4242, 4200, { u: 1000, s: 500 });
    const pending = monitor({ ...opts, durationMs: 1000, intervalMs: 100 });
    clock.advance(100);
    writeFileSync(join(p.root, '4242', 'stat'), 'garbage\n');
    clock.advance(100);
    await assert.rejects(pending, (e: unknown) => {
      assert.ok(e instanceof PerfscopeError && e.code === 'ESAMPLER' && e.exitCode === 8, String(e));
      assert.match(e.message, /^sampling failed: cannot parse /);
      assert.ok(e.cause instanceof PerfscopeError && e.cause.code === 'EBADDATA');
      return true;
    });
  } finally {
    p.cleanup();
  }
});

test('iterating a sampler keeps the process alive until the loop ends (the README sample)', () => {
  // keepAlive is off by default; the loop alone must keep the process running to its end.
  const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
  try {
    const script = `
      import { Sampler } from ${JSON.stringify(new URL('../../src/sampling/sampler.ts', import.meta.url).href)};
      const sampler = new Sampler({ pid: ${sleeper.pid}, intervalMs: 50, system: false });
      let n = 0;
      for await (const s of sampler.start()) {
        n++;
        if (s.t > 0.3) sampler.stop();
      }
      console.log('samples', n);`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.status, 0, r.stderr);
    const n = Number(/samples (\d+)/.exec(r.stdout)?.[1]);
    assert.ok(n >= 7, `the loop ran to its end: ${r.stdout}`);
  } finally {
    sleeper.kill();
  }
});
