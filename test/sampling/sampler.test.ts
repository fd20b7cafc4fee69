/**
 * The Sampler on a fake procfs (perfscope/testing's FakeProcfs, rewritten between ticks) and fake
 * time: exact deadlines, exact CPU %, children that start and exit, missed deadlines. The fake kernel
 * has no task/TID/children files, so children are found by scanning /proc, as on this kind of kernel.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FakeProcfs } from '../../src/testing/fake-procfs.js';
import { FakeClock } from '../../src/core/clock.js';
import { RunRecorder } from '../../src/record/recorder.js';
import { Sampler, type Sample } from '../../src/sampling/sampler.js';
import { PerfscopeError } from '../../src/core/errors.js';
import { monitor } from '../../src/record/monitor.js';
import { spawn, spawnSync } from 'node:child_process';

/** Process 4242 (parent 4200), 10 s user and 5 s system CPU so far, 58300 kB resident; no cgroup limits. */
function fakeProc(): FakeProcfs {
  const proc = new FakeProcfs({ childrenFiles: false });
  proc.setProcess({ pid: 4242, ppid: 4200, comm: 'worker', userTicks: 1000, systemTicks: 500, rssBytes: 58300 * 1024, startTimeTicks: 81326 });
  return proc;
}

/** A child of `ppid` as a worker starts one: `worker --id PID`. */
function addChild(proc: FakeProcfs, pid: number, ppid: number, userTicks = 0): void {
  proc.setProcess({ pid, ppid, comm: 'worker', cmdline: ['worker', '--id', String(pid)], userTicks, openFds: 1 });
}

test('samples land on deadlines, CPU % is exact from tick deltas, the first is null', () => {
  const p = fakeProc();
  const clock = new FakeClock();
  try {
    const sampler = new Sampler({ pid: 4242, procRoot: p.root, cgroupRoot: join(p.root, 'nocgroup'), clock, intervalMs: 100, durationMs: 500, system: true });
    const samples: Sample[] = [];
    sampler.on('sample', (s: Sample) => samples.push(s));
    sampler.start();
    // The system's CPU: 30 of 100 ticks busy in user mode, all on cpu0; 100 context switches before sample 1.
    p.updateSystem({ cpus: [{ user: 30, idle: 1070 }, { idle: 1000 }], contextSwitches: 1100 });
    // 100 ms per tick; 5 ticks (5 ms of CPU at 100 ticks/s = 0.05 s) between samples = 50 % of a core.
    for (let k = 1; k <= 5; k++) {
      p.updateProcess(4242, { userTicks: 1000 + 4 * k, systemTicks: 500 + k });
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
    assert.equal(samples[0]!.system!.cpu_percent, null, 'no earlier reading, no share');
    assert.ok(Math.abs(samples[1]!.system!.cpu_percent! - 30) < 1e-9, String(samples[1]!.system!.cpu_percent));
    assert.ok(Math.abs(samples[1]!.system!.cpu_user_percent! - 30) < 1e-9);
    assert.ok(Math.abs(samples[1]!.system!.cpu0_percent! - 30) < 1e-9, String(samples[1]!.system!.cpu0_percent));
    assert.equal(samples[1]!.system!.cpu1_percent, 0, 'cpu1 did not move');
    assert.ok(Math.abs(samples[1]!.system!.context_switches_per_second! - 1000) < 1e-6);
    assert.equal(samples[2]!.system!.cpu_percent, 0, 'nothing moved since');
    assert.equal(clock.pending, 0, 'stopped after the duration');
  } finally {
    p.cleanup();
  }
});

test('children are followed as they start and exit; reaped CPU stays in the total', () => {
  const p = fakeProc();
  const clock = new FakeClock();
  try {
    const sampler = new Sampler({ pid: 4242, procRoot: p.root, cgroupRoot: join(p.root, 'nocgroup'), clock, intervalMs: 100, system: false });
    const rec = new RunRecorder(sampler, { command: null });
    sampler.start(); // t=0: parent 1000+500
    addChild(p, 5000, 4242, 10); // a child born with 0.1 s already used
    clock.advance(100); // t=0.1
    p.updateProcess(5000, { userTicks: 20 });
    clock.advance(100); // t=0.2
    // The child exits and is reaped: its 0.2 s move into the parent's cutime.
    p.removeProcess(5000);
    p.updateProcess(4242, { childrenUserTicks: 20 });
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
    const sampler = new Sampler({ pid: 4242, procRoot: p.root, cgroupRoot: join(p.root, 'nocgroup'), clock, intervalMs: 100, system: false, children: false });
    const samples: Sample[] = [];
    sampler.on('sample', (s: Sample) => samples.push(s));
    sampler.start();
    clock.advance(100);
    clock.stall(250); // the event loop is blocked: deadlines at 200 and 300 pass unserved
    p.updateProcess(4242, { userTicks: 1025 }); // 0.25 s of CPU over the 0.25 s since the last sample
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
    const sampler = new Sampler({ pid: 4242, procRoot: p.root, cgroupRoot: join(p.root, 'nocgroup'), clock, intervalMs: 100, system: false });
    let reason: string | null = null;
    sampler.on('end', (r: string) => (reason = r));
    sampler.start();
    p.removeProcess(4242);
    clock.advance(100);
    assert.equal(reason, 'process-exited');
    assert.throws(
      () => new Sampler({ pid: 4242, procRoot: p.root, cgroupRoot: join(p.root, 'nocgroup'), clock, system: false }).start(),
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
    const sampler = new Sampler({ pid: 4242, procRoot: p.root, cgroupRoot: join(p.root, 'nocgroup'), clock, intervalMs: 100, durationMs: 300, system: false });
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
    const sampler = new Sampler({ pid: 4242, procRoot: p.root, cgroupRoot: join(p.root, 'nocgroup'), clock, intervalMs: 100, durationMs: 200, system: false });
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
    const opts = { pid: 4242, procRoot: p.root, cgroupRoot: join(p.root, 'nocgroup'), clock, intervalMs: 100, system: false, children: false };
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
    p.updateProcess(4242, { userTicks: 1000, systemTicks: 500 }); // a stat that parses again
    const listened = new Sampler(opts);
    const seen: unknown[] = [];
    listened.on('error', (e) => seen.push(e));
    listened.start();
    writeFileSync(join(p.root, '4242', 'stat'), 'garbage\n');
    clock.advance(100);
    assert.deepEqual(seen, [listened.error]);

    // A sampler that ends normally has no error.
    p.updateProcess(4242, { userTicks: 1000, systemTicks: 500 }); // a stat that parses again
    const fine = new Sampler({ ...opts, durationMs: 200 });
    fine.start();
    clock.advance(100);
    clock.advance(100);
    assert.deepEqual(await fine.done, { reason: 'duration', error: null });

    // monitor(): ESAMPLER with the fault as cause (was a bare "the sampler failed").
    p.updateProcess(4242, { userTicks: 1000, systemTicks: 500 }); // a stat that parses again
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
