/**
 * FakeProcfs writes what the real readers read: every figure set through the builder comes back
 * exactly from ProcessReader, SystemReader, the Sampler on a FakeClock and the default process metrics.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { ProcessReader } from '../../src/sampling/process.js';
import { SystemReader } from '../../src/sampling/system.js';
import { Sampler, type Sample } from '../../src/sampling/sampler.js';
import { collectDefaultMetrics, Registry } from '../../src/metrics/index.js';
import { FakeClock, FakeProcfs, sampleValue } from '../../src/testing/index.js';

const MiB = 2 ** 20;

test('ProcessReader reads back every figure of a fake process', () => {
  const proc = new FakeProcfs();
  try {
    proc.setProcess({
      pid: 4242,
      ppid: 4200,
      comm: 'my ) worker',
      userTicks: 1234,
      systemTicks: 567,
      childrenUserTicks: 89,
      childrenSystemTicks: 12,
      threads: [4242, 4243, 4244],
      minorFaults: 4962,
      majorFaults: 11,
      rssBytes: 58300 * 1024,
      vmsBytes: 1594908 * 1024,
      rssAnonBytes: 16828 * 1024,
      rssFileBytes: 41344 * 1024,
      rssShmemBytes: 128 * 1024,
      swapBytes: 256 * 1024,
      voluntaryCtxSwitches: 13,
      involuntaryCtxSwitches: 20,
      io: { readChars: 255342, writeChars: 85, readSyscalls: 100, writeSyscalls: 12, readBytes: 1044480, writeBytes: 4096 },
      openFds: 5,
      smaps: { rssBytes: 58172 * 1024, pssBytes: 55291 * 1024, privateBytes: 54320 * 1024 },
      threadCpuNs: [227128495, 1000, 2000],
    });
    const r = new ProcessReader(4242, { procRoot: proc.root, precise: true, smaps: true });
    const s = r.read()!;
    r.close();
    assert.equal(s.comm, 'my ) worker');
    assert.equal(s.ppid, 4200);
    assert.equal(s.userSeconds, 12.34);
    assert.equal(s.systemSeconds, 5.67);
    assert.equal(s.childrenUserSeconds, 0.89);
    assert.equal(s.childrenSystemSeconds, 0.12);
    assert.equal(s.numThreads, 3);
    assert.equal(s.minorFaults, 4962);
    assert.equal(s.majorFaults, 11);
    assert.equal(s.rssBytes, 58300 * 1024);
    assert.equal(s.vmsBytes, 1594908 * 1024);
    assert.equal(s.rssAnonBytes, 16828 * 1024);
    assert.equal(s.rssShmemBytes, 128 * 1024);
    assert.equal(s.swapBytes, 256 * 1024);
    assert.equal(s.voluntaryCtxSwitches, 13);
    assert.equal(s.involuntaryCtxSwitches, 20);
    assert.deepEqual(s.io, { readChars: 255342, writeChars: 85, readSyscalls: 100, writeSyscalls: 12, readBytes: 1044480, writeBytes: 4096, cancelledWriteBytes: 0 });
    assert.equal(s.numFds, 5);
    assert.equal(s.pssBytes, 55291 * 1024);
    assert.equal(s.ussBytes, 54320 * 1024);
    assert.equal(s.preciseCpuSeconds, (227128495 + 1000 + 2000) / 1e9);
    assert.deepEqual(s.unavailable, {});
  } finally {
    proc.cleanup();
  }
});

test('SystemReader reads back the system files', () => {
  const proc = new FakeProcfs({
    cpus: [
      { user: 100, system: 50, idle: 850 },
      { user: 300, nice: 10, idle: 690 },
    ],
    contextSwitches: 486034,
    memTotalBytes: 4 * 2 ** 30,
    memAvailableBytes: 3 * 2 ** 30,
    memFreeBytes: 2 * 2 ** 30,
    swapTotalBytes: 2 ** 30,
    swapFreeBytes: 2 ** 29,
    load1: 0.15,
    load5: 0.1,
    load15: 0.08,
    disks: [{ name: 'vda', readOps: 10, readBytes: 4096, writeOps: 3, writeBytes: 8192, busyMs: 7 }],
    netInterfaces: [{ name: 'eth0', rxBytes: 1000, txBytes: 2000, rxPackets: 10, txPackets: 20 }],
  });
  try {
    const r = new SystemReader({ procRoot: proc.root });
    const s = r.read();
    r.close();
    assert.equal(s.cpu.user, 4);
    assert.equal(s.cpu.nice, 0.1);
    assert.equal(s.cpu.idle, 15.4);
    assert.equal(s.perCpu.length, 2);
    assert.equal(s.perCpu[1]!.user, 3);
    assert.equal(s.contextSwitches, 486034);
    assert.equal(s.memory.totalBytes, 4 * 2 ** 30);
    assert.equal(s.memory.availableBytes, 3 * 2 ** 30);
    assert.equal(s.memory.usedBytes, 2 ** 30);
    assert.equal(s.swap.usedBytes, 2 ** 29);
    assert.deepEqual(s.load, { avg1: 0.15, avg5: 0.1, avg15: 0.08, runnable: 1, total: 100 });
    assert.deepEqual(s.disks, [{ name: 'vda', readOps: 10, writeOps: 3, readBytes: 4096, writeBytes: 8192, busyMs: 7 }]);
    assert.deepEqual(s.net, [{ name: 'eth0', rxBytes: 1000, txBytes: 2000, rxPackets: 10, txPackets: 20, rxErrors: 0, txErrors: 0, rxDrops: 0, txDrops: 0 }]);
  } finally {
    proc.cleanup();
  }
});

test('a Sampler on a FakeClock and a FakeProcfs: exact CPU %, a child that starts and exits', () => {
  const proc = new FakeProcfs();
  const clock = new FakeClock();
  try {
    proc.setProcess({ pid: 4242, userTicks: 1000, systemTicks: 500, rssBytes: 50 * MiB });
    const sampler = new Sampler({ pid: 4242, procRoot: proc.root, cgroupRoot: `${proc.root}/nocgroup`, clock, intervalMs: 100, system: false });
    const samples: Sample[] = [];
    const started: number[] = [];
    sampler.on('sample', (s: Sample) => samples.push(s));
    sampler.on('process-start', (p: { pid: number }) => started.push(p.pid));
    sampler.start();
    proc.updateProcess(4242, { userTicks: 1004, systemTicks: 501 }); // 5 ticks = 50 ms CPU in 100 ms
    clock.advance(100);
    proc.setProcess({ pid: 4300, ppid: 4242, comm: 'child', rssBytes: 10 * MiB });
    proc.updateProcess(4242, { userTicks: 1009, systemTicks: 502, children: [4300] });
    clock.advance(100);
    sampler.stop();
    assert.equal(samples[0]!.tree.cpu_percent, null, 'the first has no interval');
    assert.ok(Math.abs(samples[1]!.tree.cpu_percent! - 50) < 1e-9, `cpu % ${samples[1]!.tree.cpu_percent}`);
    assert.equal(samples[2]!.tree.rss_bytes, 60 * MiB, 'parent and child');
    assert.deepEqual(started.filter((pid) => pid === 4300), [4300]);
  } finally {
    proc.cleanup();
  }
});

test('childrenFiles: false is a kernel without task/TID/children: the Sampler finds the child by its ppid', () => {
  const proc = new FakeProcfs({ childrenFiles: false });
  const clock = new FakeClock();
  try {
    proc.setProcess({ pid: 4242, children: [4300] });
    assert.ok(!existsSync(`${proc.root}/4242/task/4242/children`), 'no children file');
    const sampler = new Sampler({ pid: 4242, procRoot: proc.root, cgroupRoot: `${proc.root}/nocgroup`, clock, intervalMs: 100, system: false });
    const started: number[] = [];
    sampler.on('process-start', (p: { pid: number }) => started.push(p.pid));
    sampler.start();
    proc.setProcess({ pid: 4300, ppid: 4242, comm: 'child' });
    clock.advance(100);
    sampler.stop();
    assert.deepEqual(started, [4242, 4300]);
    proc.updateSystem({ childrenFiles: true });
    proc.updateProcess(4242, {});
    assert.equal(readFileSync(`${proc.root}/4242/task/4242/children`, 'utf8'), '4300 ', 'and back on: listed');
  } finally {
    proc.cleanup();
  }
});

test('default process metrics read procRoot/self', async () => {
  const proc = new FakeProcfs();
  try {
    proc.setProcess({ pid: 77, rssBytes: 123 * MiB, vmsBytes: 456 * MiB, dataBytes: 78 * MiB, openFds: 9, maxFds: 4096 });
    proc.linkSelf(77);
    const r = new Registry();
    collectDefaultMetrics({ register: r, procRoot: proc.root });
    assert.equal(await sampleValue(r, 'process_resident_memory_bytes'), 123 * MiB);
    assert.equal(await sampleValue(r, 'process_virtual_memory_bytes'), 456 * MiB);
    assert.equal(await sampleValue(r, 'process_heap_bytes'), 78 * MiB);
    assert.equal(await sampleValue(r, 'process_open_fds'), 9);
    assert.equal(await sampleValue(r, 'process_max_fds'), 4096);
    r.clear();
  } finally {
    proc.cleanup();
  }
});
