import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Counter, TreeAccount } from '../../src/sampling/tree-account.js';
import type { ProcessSnapshot } from '../../src/sampling/types.js';
import { processSnapshot } from '../helpers/snapshots.js';

function snap(pid: number, ppid: number, cpu: { u: number; s?: number; cu?: number; cs?: number }, ioRead = 0): ProcessSnapshot {
  return processSnapshot({
    pid,
    ppid,
    startTimeTicks: pid,
    userSeconds: cpu.u,
    systemSeconds: cpu.s ?? 0,
    childrenUserSeconds: cpu.cu ?? 0,
    childrenSystemSeconds: cpu.cs ?? 0,
    io: { readChars: 0, writeChars: 0, readSyscalls: 0, writeSyscalls: 0, readBytes: ioRead, writeBytes: 0, cancelledWriteBytes: 0 },
    numFds: 3,
  });
}

const tick = (acc: TreeAccount, ...snaps: ProcessSnapshot[]) => acc.update(new Map(snaps.map((s) => [s.pid, s])));

test('a child reaped by a tracked parent is counted once: before, during and after the transfer', () => {
  const acc = new TreeAccount();
  assert.equal(tick(acc, snap(1, 0, { u: 1 }), snap(2, 1, { u: 2 }, 100))[Counter.cpuTotal], 3);
  // Child exits and is reaped, but this tick read the parent before the kernel folded the child in.
  let t = tick(acc, snap(1, 0, { u: 1.5 }));
  assert.equal(t[Counter.cpuTotal], 3.5, 'child time held as pending, not lost');
  assert.equal(t[Counter.ioReadBytes], 100);
  // Next tick the parent's cutime has grown by the child's total (plus the child's last 0.25 s).
  t = tick(acc, snap(1, 0, { u: 1.5, cu: 2.25 }, 100));
  assert.equal(t[Counter.cpuTotal], 3.75, 'absorbed once, the extra 0.25 s is new time');
  assert.equal(t[Counter.ioReadBytes], 100, 'reaped I/O counted once');
  t = tick(acc, snap(1, 0, { u: 1.5, cu: 2.25 }, 100));
  assert.equal(t[Counter.cpuTotal], 3.75, 'and stays so');
});

test('the transfer already visible in the same tick is not double counted', () => {
  const acc = new TreeAccount();
  tick(acc, snap(1, 0, { u: 1 }), snap(2, 1, { u: 2 }));
  const t = tick(acc, snap(1, 0, { u: 1, cu: 2 }));
  assert.equal(t[Counter.cpuTotal], 3);
});

test('an orphan (parent not tracked) keeps its last totals after it is gone', () => {
  const acc = new TreeAccount();
  tick(acc, snap(1, 0, { u: 1 }), snap(5, 99, { u: 4, s: 1 }));
  const t = tick(acc, snap(1, 0, { u: 1 }));
  assert.equal(t[Counter.cpuTotal], 6);
  assert.equal(t[Counter.cpuUser], 5);
  assert.equal(t[Counter.cpuSystem], 1);
});

test('grandchild reaped by a child that then exits: totals flow up without loss or double count', () => {
  const acc = new TreeAccount();
  tick(acc, snap(1, 0, { u: 1 }), snap(2, 1, { u: 1 }), snap(3, 2, { u: 1 }));
  // 3 exits; 2 reaps it later; then 2 exits before its growth was seen.
  let t = tick(acc, snap(1, 0, { u: 1 }), snap(2, 1, { u: 1 }));
  assert.equal(t[Counter.cpuTotal], 3);
  t = tick(acc, snap(1, 0, { u: 1 }));
  assert.equal(t[Counter.cpuTotal], 3, '2 and its pending 3 are moved to 1');
  t = tick(acc, snap(1, 0, { u: 1, cu: 2 }));
  assert.equal(t[Counter.cpuTotal], 3, 'once 1 absorbs both, nothing is pending');
});
