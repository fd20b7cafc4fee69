/**
 * A member's life as the Sampler reports it: a zombie has exited (the root ends the run at the first
 * tick that sees it, a descendant leaves the tree and is not adopted again), and a process that execs
 * (same start time, new comm) is announced again with its new name and command line (issue 11, items
 * 9 and 10). On a fake procfs (perfscope/testing's FakeProcfs) with fake time, then on the real /proc
 * with every engine.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { FakeClock } from '../../src/core/clock.js';
import { Sampler, type EndReason, type ProcessInfo, type Sample } from '../../src/sampling/sampler.js';
import { loadNative } from '../../src/sampling/native.js';
import { join } from 'node:path';
import { FakeProcfs } from '../../src/testing/fake-procfs.js';

interface Seen {
  samples: Sample[];
  starts: ProcessInfo[];
  execs: ProcessInfo[];
  exits: { pid: number; t: number }[];
  end: EndReason | null;
}

/** Process 4242 (parent 4200) on a fake /proc, with or without task/TID/children files. */
function fakeProc(childrenFiles = false): FakeProcfs {
  const proc = new FakeProcfs({ childrenFiles });
  proc.setProcess({ pid: 4242, ppid: 4200, comm: 'worker', userTicks: 1000, systemTicks: 500 });
  return proc;
}

function watch(sampler: Sampler): Seen {
  const seen: Seen = { samples: [], starts: [], execs: [], exits: [], end: null };
  sampler.on('sample', (s: Sample) => seen.samples.push(s));
  sampler.on('process-start', (p: ProcessInfo) => seen.starts.push(p));
  sampler.on('process-exec', (p: ProcessInfo) => seen.execs.push(p));
  sampler.on('process-exit', (e: { pid: number; t: number }) => seen.exits.push(e));
  sampler.on('end', (r: EndReason) => (seen.end = r));
  return seen;
}

test('a root that turns zombie ends the run at the first tick that sees it (fake procfs)', () => {
  const p = fakeProc();
  const clock = new FakeClock();
  try {
    for (const perProcess of [false, true]) {
      p.updateProcess(4242, { userTicks: 1000, state: 'S' });
      const sampler = new Sampler({ pid: 4242, procRoot: p.root, cgroupRoot: join(p.root, 'nocgroup'), clock, intervalMs: 100, system: false, children: perProcess, perProcess });
      const seen = watch(sampler);
      sampler.start();
      clock.advance(100);
      p.updateProcess(4242, { userTicks: 1010, state: 'Z' });
      clock.advance(100);
      assert.equal(seen.end, 'process-exited', `perProcess ${perProcess}: ended, not waiting for the reap`);
      assert.deepEqual(seen.samples.map((s) => s.index), [0, 1], 'no sample of the zombie');
      assert.deepEqual(seen.exits, [{ pid: 4242, t: 0.2 }]);
      assert.equal(clock.pending, 0, 'nothing left scheduled');
    }
  } finally {
    p.cleanup();
  }
});

test('a child that turns zombie leaves the tree, its CPU kept, and is not adopted again before the reap', () => {
  // Children found by scanning /proc (no task/TID/children files), and listed by the parent.
  for (const childrenFiles of [false, true]) {
    const p = fakeProc(childrenFiles);
    const clock = new FakeClock();
    try {
      const sampler = new Sampler({ pid: 4242, procRoot: p.root, cgroupRoot: join(p.root, 'nocgroup'), clock, intervalMs: 100, system: false, counters: 'zero' });
      const seen = watch(sampler);
      sampler.start();
      p.setProcess({ pid: 5000, ppid: 4242, userTicks: 30 });
      p.setProcess({ pid: 5001, ppid: 4242, state: 'Z' }); // born and exited between two ticks
      p.updateProcess(4242, { children: [5000, 5001] });
      clock.advance(100); // t=0.1: 5000 adopted; 5001 a zombie already: not announced
      p.updateProcess(5000, { userTicks: 40, state: 'Z' });
      clock.advance(100); // t=0.2: 5000 is a zombie: gone from the tree
      clock.advance(100); // t=0.3: still unreaped, still listed: not adopted again
      p.removeProcess(5000); // reaped: the parent's cutime takes its 0.4 s
      p.removeProcess(5001);
      p.updateProcess(4242, { childrenUserTicks: 40, children: [] });
      clock.advance(100); // t=0.4
      sampler.stop();
      const mode = `childrenFiles ${childrenFiles}`;
      assert.deepEqual(seen.starts.map((s) => s.pid), [4242, 5000], mode);
      assert.deepEqual(seen.exits, [{ pid: 5000, t: 0.2 }], mode);
      assert.deepEqual(seen.samples.map((s) => s.tree.num_procs), [1, 2, 1, 1, 1], mode);
      const cpu = seen.samples.map((s) => Math.round(s.tree.cpu_user_seconds! * 100));
      assert.deepEqual(cpu, [1000, 1030, 1030, 1030, 1040], `${mode}: the zombie's last seen 0.3 s kept; its final 0.1 s arrives with the reap`);
      assert.deepEqual([...seen.samples.at(-1)!.processes!.keys()], [4242], mode);
    } finally {
      p.cleanup();
    }
  }
});

test('a process that execs is announced again with its new comm and command line, once (fake procfs)', () => {
  const p = fakeProc();
  const clock = new FakeClock();
  try {
    for (const children of [false, true]) {
      p.updateProcess(4242, { comm: 'bash', cmdline: ['bash', '/home/u/.pyenv/shims/python', 'app.py'] });
      const sampler = new Sampler({ pid: 4242, procRoot: p.root, cgroupRoot: join(p.root, 'nocgroup'), clock, intervalMs: 100, system: false, children });
      const seen = watch(sampler);
      sampler.start();
      clock.advance(100);
      // same start time: exec
      p.updateProcess(4242, { comm: 'python3.12', cmdline: ['/home/u/.pyenv/versions/3.12/bin/python3.12', 'app.py'] });
      clock.advance(100);
      clock.advance(100);
      sampler.stop();
      assert.equal(seen.starts[0]!.comm, 'bash');
      assert.deepEqual(seen.execs, [{ pid: 4242, ppid: 4200, comm: 'python3.12', cmdline: '/home/u/.pyenv/versions/3.12/bin/python3.12 app.py', t: 0.2 }], `children ${children}`);
      assert.equal(seen.samples.length, 4, 'the run goes on through the exec');
    }
  } finally {
    p.cleanup();
  }
});

/** The PID of the first child of `pid` (from its main thread's children file), once it has one. */
async function firstChild(pid: number): Promise<number> {
  for (let i = 0; i < 500; i++) {
    const kids = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
    if (kids !== '') return Number(kids.split(' ')[0]);
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`process ${pid} has no child`);
}

/** `sh` starts `true` in the background and execs `sleep 30`, which never reaps it: a lasting zombie. */
async function zombie(): Promise<{ parent: ChildProcess; pid: number }> {
  const parent = spawn('sh', ['-c', 'true & exec sleep 30'], { stdio: 'ignore' });
  const pid = await firstChild(parent.pid!);
  for (let i = 0; i < 500 && !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8')); i++) await new Promise((r) => setTimeout(r, 10));
  assert.match(readFileSync(`/proc/${pid}/status`, 'utf8'), /^State:\s+Z/m, 'the child is a zombie');
  return { parent, pid };
}

const engines: [string, { thread?: boolean; native?: boolean }][] = [
  ['event loop', {}],
  ['thread', { thread: true }],
  ['native', { native: true }],
];

test('watch of a real zombie ends at once with process-exited, on every engine (was: until the reap)', async (t) => {
  const z = await zombie();
  try {
    for (const [name, engine] of engines) {
      if (engine.native && loadNative() === null) {
        t.diagnostic('native addon not built: native engine skipped');
        continue;
      }
      const sampler = new Sampler({ pid: z.pid, intervalMs: 50, durationMs: 5000, children: false, system: false, keepAlive: true, ...engine });
      const seen = watch(sampler);
      sampler.start();
      const end = await sampler.done;
      assert.equal(end.reason, 'process-exited', name);
      assert.equal(seen.samples.length, 0, `${name}: a zombie is never sampled`);
      assert.deepEqual(seen.exits.map((e) => e.pid), [z.pid], name);
    }
  } finally {
    z.parent.kill('SIGKILL');
    await once(z.parent, 'exit');
  }
});

test('a real shim that execs (sh becoming sleep) is announced with its new name, on the event loop and in a thread', async () => {
  for (const [name, engine] of engines.slice(0, 2)) {
    // The shim waits for a line on stdin, so it execs only after the sampler has seen it as `sh`.
    const child = spawn('sh', ['-c', 'read x; exec sleep 30'], { stdio: ['pipe', 'ignore', 'ignore'] });
    try {
      const sampler = new Sampler({ pid: child.pid!, intervalMs: 50, children: true, system: false, keepAlive: true, ...engine });
      const seen = watch(sampler);
      const started = new Promise<ProcessInfo>((resolve) => sampler.once('process-start', resolve));
      const exec = new Promise<ProcessInfo>((resolve) => sampler.once('process-exec', resolve));
      sampler.start();
      assert.equal((await started).comm, 'sh', name);
      child.stdin!.end('go\n');
      const info = await exec;
      sampler.stop();
      assert.deepEqual({ ...info, t: 0 }, { pid: child.pid, ppid: process.pid, comm: 'sleep', cmdline: 'sleep 30', t: 0 }, name);
      assert.ok(info.t > 0, name);
      assert.equal(seen.execs.length, 1, `${name}: announced once`);
    } finally {
      child.kill('SIGKILL');
      await once(child, 'exit');
    }
  }
});
