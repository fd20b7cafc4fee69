import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { descendantsOf, readCmdline, scanProcesses } from '../../src/sampling/tree.js';
import { ProcessReader, hasChildrenFiles } from '../../src/sampling/process.js';
import { Sampler } from '../../src/sampling/sampler.js';
import type { ProcEntry } from '../../src/sampling/types.js';

const procRoot = fileURLToPath(new URL('../fixtures/proc-tree', import.meta.url));

describe('scanProcesses on the fixture tree', () => {
  it('lists numeric entries with parent and start time, skipping vanished ones', () => {
    const entries = scanProcesses(procRoot).sort((a, b) => a.pid - b.pid);
    assert.deepEqual(entries, [
      { pid: 1, ppid: 0, startTimeTicks: 5 },
      { pid: 2, ppid: 0, startTimeTicks: 5 },
      { pid: 100, ppid: 1, startTimeTicks: 1000 },
      { pid: 200, ppid: 100, startTimeTicks: 1100 },
      { pid: 201, ppid: 100, startTimeTicks: 1101 },
      { pid: 300, ppid: 200, startTimeTicks: 1200 },
      { pid: 500, ppid: 1, startTimeTicks: 600 },
    ]);
  });
});

describe('descendantsOf', () => {
  const entries = scanProcesses(procRoot);

  it('returns all descendants breadth first, without the root', () => {
    assert.deepEqual(descendantsOf(100, entries).sort((a, b) => a - b), [200, 201, 300]);
    assert.deepEqual(descendantsOf(200, entries), [300]);
    assert.deepEqual(descendantsOf(300, entries), []);
    assert.deepEqual(descendantsOf(4242, entries), []);
    const all = descendantsOf(1, entries);
    assert.deepEqual([...all].sort((a, b) => a - b), [100, 200, 201, 300, 500]);
    assert.ok(all.indexOf(300) > all.indexOf(100) && all.indexOf(300) > all.indexOf(500)); // breadth first
  });

  it('terminates on a cycle (a torn scan) and does not report the root', () => {
    const cyclic: ProcEntry[] = [
      { pid: 10, ppid: 11, startTimeTicks: 1 },
      { pid: 11, ppid: 10, startTimeTicks: 1 },
    ];
    assert.deepEqual(descendantsOf(10, cyclic), [11]);
  });
});

describe('readCmdline', () => {
  it('joins NUL-separated arguments with spaces; empty or missing gives null', () => {
    assert.equal(readCmdline(100, procRoot), 'node server.js --port 8080');
    assert.equal(readCmdline(300, procRoot), 'worker: grüße'); // a rewritten title, UTF-8
    assert.equal(readCmdline(2, procRoot), null);
    assert.equal(readCmdline(999, procRoot), null);
  });
});

describe('process trees on the live /proc', () => {
  it('finds a child and a grandchild of this process, with their command lines', async () => {
    const script =
      "const c = require('child_process').spawn(process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' });" +
      "console.log(c.pid); process.stdin.on('end', () => { c.kill(); process.exit(0); }); process.stdin.resume();";
    const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      const [line] = (await once(child.stdout, 'data')) as [Buffer];
      const grandchild = Number(line.toString().trim());
      const entries = scanProcesses();
      assert.ok(entries.length > 1);
      assert.ok(entries.some((e) => e.pid === process.pid && e.ppid === process.ppid));
      const desc = descendantsOf(process.pid, entries);
      assert.ok(desc.includes(child.pid as number), `child ${child.pid} in ${desc.join(',')}`);
      assert.ok(desc.includes(grandchild), `grandchild ${grandchild} in ${desc.join(',')}`);
      assert.ok(desc.indexOf(child.pid as number) < desc.indexOf(grandchild));
      assert.equal(readCmdline(grandchild), `${process.execPath} -e setTimeout(() => {}, 30000)`);
      assert.equal(readCmdline(2), null, 'PID 2 (kthreadd) has no command line');
    } finally {
      child.stdin.end();
      await once(child, 'exit');
    }
  });
});

/**
 * A Node child with two children of its own: one spawned by its main thread, one by a worker thread
 * (the kernel files that one under the worker's task/TID/children). Prints both PIDs; ends on stdin EOF.
 */
async function treeWithWorkerChild(): Promise<{ child: ReturnType<typeof spawn>; fromMain: number; fromWorker: number }> {
  const sleeper = "[process.execPath, ['-e', 'setTimeout(() => {}, 30000)'], { stdio: 'ignore' }]";
  const worker =
    `const { spawn } = require('child_process'); const { parentPort } = require('worker_threads');` +
    `const b = spawn(...${sleeper}); parentPort.postMessage(b.pid); parentPort.on('message', () => { b.kill(); process.exit(0); });`;
  const script =
    `const { spawn } = require('child_process'); const { Worker } = require('worker_threads');` +
    `const a = spawn(...${sleeper}); const w = new Worker(${JSON.stringify(worker)}, { eval: true });` +
    `w.on('message', (b) => console.log(a.pid + ' ' + b));` +
    `process.stdin.on('end', () => { a.kill(); w.postMessage('stop'); w.on('exit', () => process.exit(0)); }); process.stdin.resume();`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  const [line] = (await once(child.stdout!, 'data')) as [Buffer];
  const [fromMain, fromWorker] = line.toString().trim().split(' ').map(Number) as [number, number];
  return { child, fromMain, fromWorker };
}

describe('children listed by task/TID/children (what the Sampler discovers with)', () => {
  it('ProcessReader.childPids() finds children forked by any thread, the same set a full scan finds', async () => {
    assert.equal(hasChildrenFiles(process.pid), true, 'this kernel has CONFIG_PROC_CHILDREN');
    const { child, fromMain, fromWorker } = await treeWithWorkerChild();
    const reader = new ProcessReader(child.pid!);
    try {
      const listed = reader.childPids().sort((a, b) => a - b);
      const scanned = scanProcesses()
        .filter((e) => e.ppid === child.pid)
        .map((e) => e.pid)
        .sort((a, b) => a - b);
      assert.deepEqual(listed, [fromMain, fromWorker].sort((a, b) => a - b));
      assert.deepEqual(listed, scanned);
      assert.deepEqual(reader.childPids().sort((a, b) => a - b), listed, 'the kept-open files read the same again');
      const leaf = new ProcessReader(fromMain);
      assert.deepEqual(leaf.childPids(), [], 'a leaf has no children');
      leaf.close();
    } finally {
      reader.close();
      child.stdin!.end();
      await once(child, 'exit');
    }
    assert.deepEqual(reader.childPids(), [], 'closed reader');
    assert.equal(hasChildrenFiles(1, fileURLToPath(new URL('../fixtures/proc-tree', import.meta.url))), false, 'fixture trees scan');
  });

  it('the Sampler announces both grandchildren, with their parent, and counts them in the tree', async () => {
    const { child, fromMain, fromWorker } = await treeWithWorkerChild();
    const sampler = new Sampler({ pid: child.pid!, intervalMs: 50, durationMs: 300, system: false });
    const started = new Map<number, number>();
    sampler.on('process-start', (p: { pid: number; ppid: number }) => started.set(p.pid, p.ppid));
    let maxProcs = 0;
    sampler.on('sample', (s: { tree: { num_procs: number | null } }) => (maxProcs = Math.max(maxProcs, s.tree.num_procs ?? 0)));
    try {
      sampler.start();
      await sampler.done;
      assert.equal(started.get(fromMain), child.pid);
      assert.equal(started.get(fromWorker), child.pid);
      assert.equal(maxProcs, 3);
    } finally {
      child.stdin!.end();
      await once(child, 'exit');
    }
  });
});

describe('scanProcesses errors', () => {
  it('throws ENOTFOUND for a procRoot that cannot be listed', async () => {
    const { PerfscopeError } = await import('../../src/core/errors.js');
    assert.throws(
      () => scanProcesses('/nonexistent-proc'),
      (err: unknown) => err instanceof PerfscopeError && err.code === 'ENOTFOUND',
    );
  });
});
