import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { descendantsOf, readCmdline, scanProcesses } from '../../src/sampling/tree.js';
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

describe('scanProcesses errors', () => {
  it('throws ENOTFOUND for a procRoot that cannot be listed', async () => {
    const { PerfscopeError } = await import('../../src/core/errors.js');
    assert.throws(
      () => scanProcesses('/nonexistent-proc'),
      (err: unknown) => err instanceof PerfscopeError && err.code === 'ENOTFOUND',
    );
  });
});
