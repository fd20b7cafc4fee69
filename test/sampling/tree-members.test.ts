/**
 * A member's life as the Sampler reports it: a zombie has exited (the root ends the run at the first
 * tick that sees it, a descendant leaves the tree and is not adopted again), and a process that execs
 * (same start time, new comm) is announced again with its new name and command line (issue 11, items
 * 9 and 10). On a fake procfs with fake time, then on the real /proc with every engine.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { FakeClock } from '../../src/core/clock.js';
import { Sampler, type EndReason, type ProcessInfo, type Sample } from '../../src/sampling/sampler.js';
import { loadNative } from '../../src/sampling/native.js';
import { fakeProcfs } from '../helpers/fake-procfs.js';

interface Seen {
  samples: Sample[];
  starts: ProcessInfo[];
  execs: ProcessInfo[];
  exits: { pid: number; t: number }[];
  end: EndReason | null;
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
  const p = fakeProcfs();
  const clock = new FakeClock();
  try {
    for (const perProcess of [false, true]) {
      p.stat(4242, 4200, { u: 1000, s: 500 });
      const sampler = new Sampler({ pid: 4242, procRoot: p.root, cgroupRoot: p.cgroupRoot, clock, intervalMs: 100, system: false, children: perProcess, perProcess });
      const seen = watch(sampler);
      sampler.start();
      clock.advance(100);
      p.stat(4242, 4200, { u: 1010, s: 500 }, undefined, { state: 'Z' });
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
  const p = fakeProcfs();
  const clock = new FakeClock();
  try {
    const sampler = new Sampler({ pid: 4242, procRoot: p.root, cgroupRoot: p.cgroupRoot, clock, intervalMs: 100, system: false, counters: 'zero' });
    const seen = watch(sampler);
    sampler.start();
    p.addChild(5000, 4242);
    p.stat(5000, 4242, { u: 30, s: 0 });
    p.addChild(5001, 4242);
    p.stat(5001, 4242, { u: 0, s: 0 }, undefined, { state: 'Z' }); // born and exited between two ticks
    clock.advance(100); // t=0.1: 5000 adopted; 5001 a zombie already: not announced
    p.stat(5000, 4242, { u: 40, s: 0 }, undefined, { state: 'Z' });
    clock.advance(100); // t=0.2: 5000 is a zombie: gone from the tree
    clock.advance(100); // t=0.3: still unreaped, still listed: not adopted again
    p.remove(5000); // reaped: the parent's cutime takes its 0.4 s
    p.remove(5001);
    p.stat(4242, 4200, { u: 1000, s: 500, cu: 40 });
    clock.advance(100); // t=0.4
    sampler.stop();
    assert.deepEqual(seen.starts.map((s) => s.pid), [4242, 5000]);
    assert.deepEqual(seen.exits, [{ pid: 5000, t: 0.2 }]);
    assert.deepEqual(seen.samples.map((s) => s.tree.num_procs), [1, 2, 1, 1, 1]);
    const cpu = seen.samples.map((s) => Math.round(s.tree.cpu_user_seconds! * 100));
    assert.deepEqual(cpu, [1000, 1030, 1030, 1030, 1040], "the zombie's last seen 0.3 s kept; its final 0.1 s arrives with the reap");
    assert.deepEqual([...seen.samples.at(-1)!.processes!.keys()], [4242]);
  } finally {
    p.cleanup();
  }
});

test('a process that execs is announced again with its new comm and command line, once (fake procfs)', () => {
  const p = fakeProcfs();
  const clock = new FakeClock();
  try {
    for (const children of [false, true]) {
      p.stat(4242, 4200, { u: 1000, s: 500 }, undefined, { comm: 'bash' });
      p.cmdline(4242, ['bash', '/home/u/.pyenv/shims/python', 'app.py']);
      const sampler = new Sampler({ pid: 4242, procRoot: p.root, cgroupRoot: p.cgroupRoot, clock, intervalMs: 100, system: false, children });
      const seen = watch(sampler);
      sampler.start();
      clock.advance(100);
      p.stat(4242, 4200, { u: 1000, s: 500 }, undefined, { comm: 'python3.12' }); // same start time: exec
      p.cmdline(4242, ['/home/u/.pyenv/versions/3.12/bin/python3.12', 'app.py']);
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
