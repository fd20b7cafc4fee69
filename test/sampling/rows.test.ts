/**
 * Row derivation on hand-made snapshots (no procfs, no clock): CPU % from the carried counters,
 * cumulative columns from their base, sums over the tree, per-process rows, system shares and rates.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpuShares, machineCores, newSystemCarry, newTreeCarry, processRow, systemRow, treeRow, type ProcessCarry } from '../../src/sampling/rows.js';
import { TreeAccount, counterCount, vectorOf } from '../../src/sampling/tree-account.js';
import type { HostFacts } from '../../src/sampling/host-facts.js';
import { cpuTimes, processSnapshot, systemSnapshot } from '../helpers/snapshots.js';

const host: HostFacts = { cpuCount: 4, memTotalBytes: 8000, clockTicksPerSecond: 100, cgroup: null };
const io = (readBytes: number) => ({ readChars: 2 * readBytes, writeChars: 0, readSyscalls: 3, writeSyscalls: 0, readBytes, writeBytes: 0, cancelledWriteBytes: 0 });

test('treeRow: CPU % is the counters\' difference over the time between rows; the first is null', () => {
  const carry = newTreeCarry();
  const a = processSnapshot({ pid: 10, userSeconds: 1, systemSeconds: 0.5, rssBytes: 800, io: io(100) });
  const first = treeRow(a, null, vectorOf(a), 0, carry, host, 'first');
  assert.equal(first.cpu_percent, null);
  assert.equal(first.cpu_percent_machine, null);
  assert.equal(first.cpu_user_seconds, 0, "'first': cumulative columns count from sample 0");
  assert.equal(first.io_read_bytes, 0);
  assert.equal(first.memory_percent, 10);
  assert.equal(first.num_procs, 1);
  // 0.5 s of CPU over 0.25 s: 200 % of one core, 50 % of the 4-core machine.
  const b = processSnapshot({ pid: 10, userSeconds: 1.3, systemSeconds: 0.7, rssBytes: 800, io: io(150) });
  const second = treeRow(b, null, vectorOf(b), 0.25, carry, host, 'first');
  assert.ok(Math.abs(second.cpu_percent! - 200) < 1e-9, String(second.cpu_percent));
  assert.ok(Math.abs(second.cpu_percent_machine! - 50) < 1e-9);
  assert.ok(Math.abs(second.cpu_user_seconds! - 0.3) < 1e-12);
  assert.ok(Math.abs(second.cpu_system_seconds! - 0.2) < 1e-12);
  assert.equal(second.io_read_bytes, 50);
  assert.equal(second.io_read_chars, 100);
});

test("treeRow: 'zero' counts from the process start; no time between rows gives no CPU %", () => {
  const carry = newTreeCarry();
  const a = processSnapshot({ pid: 10, userSeconds: 2, io: io(7) });
  treeRow(a, null, vectorOf(a), 0, carry, host, 'zero');
  const again = treeRow(a, null, vectorOf(a), 0, carry, host, 'zero');
  assert.equal(again.cpu_user_seconds, 2);
  assert.equal(again.io_read_bytes, 7);
  assert.equal(again.cpu_percent, null, 'the same t twice: no interval, no rate');
});

test('treeRow: a tree sums its live members (root once); fds left out for a member that hides them, null when the root does', () => {
  const carry = newTreeCarry();
  const root = processSnapshot({ pid: 10, rssBytes: 100, vmsBytes: 1000, numThreads: 2, numFds: 5, swapBytes: null });
  const kid = processSnapshot({ pid: 11, ppid: 10, rssBytes: 50, vmsBytes: 500, numThreads: 3, numFds: 4, swapBytes: 8 });
  const live = new Map([
    [10, root],
    [11, kid],
  ]);
  const totals = new TreeAccount().update(live);
  const row = treeRow(root, live, totals, 0, carry, host, 'zero');
  assert.equal(row.rss_bytes, 150);
  assert.equal(row.vms_bytes, 1500);
  assert.equal(row.num_threads, 5);
  assert.equal(row.num_fds, 9);
  assert.equal(row.swap_bytes, 8, 'a member with swap makes the sum a number');
  assert.equal(row.num_procs, 2);
  assert.equal(row.io_read_bytes, null, "the root's I/O is not readable");
  const hidden = processSnapshot({ pid: 11, ppid: 10, numFds: null });
  const row2 = treeRow(root, new Map([[10, root], [11, hidden]]), new Float64Array(counterCount), 1, carry, host, 'zero');
  assert.equal(row2.num_fds, 5);
  const hiddenRoot = processSnapshot({ pid: 10, numFds: null });
  const row3 = treeRow(hiddenRoot, new Map([[10, hiddenRoot], [11, kid]]), new Float64Array(counterCount), 2, carry, host, 'zero');
  assert.equal(row3.num_fds, null);
});

test('treeRow and machineCores: the cgroup CPU quota and memory limit apply when set', () => {
  const limited: HostFacts = { ...host, cgroup: { version: 2, path: '/x', memoryLimitBytes: 400, memoryUsageBytes: null, cpuQuotaCores: 0.5 } };
  assert.equal(machineCores(limited), 0.5);
  assert.equal(machineCores({ ...host, cgroup: { ...limited.cgroup!, cpuQuotaCores: 16 } }), 4, 'a quota above the CPUs is the CPUs');
  const carry = newTreeCarry();
  const a = processSnapshot({ pid: 1, rssBytes: 100 });
  treeRow(a, null, vectorOf(a), 0, carry, limited, 'first');
  const b = processSnapshot({ pid: 1, rssBytes: 100, userSeconds: 0.25 });
  const row = treeRow(b, null, vectorOf(b), 1, carry, limited, 'first');
  assert.equal(row.cpu_percent, 25);
  assert.equal(row.cpu_percent_machine, 50, '25 % of one core is half of a 0.5-core quota');
  assert.equal(row.memory_limit_percent, 25);
});

test('processRow: the process\'s own CPU (precise when measured) over its own interval', () => {
  const carry: ProcessCarry = { prevOwnCpu: null, prevT: 0.5 };
  const a = processSnapshot({ pid: 5, userSeconds: 1, systemSeconds: 1, preciseCpuSeconds: 2.004, rssBytes: 400, io: io(9), numFds: 3 });
  const first = processRow(a, 0.5, carry, host);
  assert.equal(first.cpu_percent, null);
  assert.equal(first.cpu_user_seconds, 1, 'counters since the process started');
  assert.equal(first.memory_percent, 5);
  assert.equal(first.io_read_bytes, 9);
  const b = processSnapshot({ pid: 5, userSeconds: 1, systemSeconds: 1, preciseCpuSeconds: 2.104 });
  const second = processRow(b, 1.5, carry, host);
  assert.ok(Math.abs(second.cpu_percent! - 10) < 1e-9, 'schedstat time, not the unchanged tick counters');
  assert.equal(second.io_read_bytes, null);
  assert.equal(second.num_fds, null);
});

test('systemRow: shares from the carried snapshot, per-CPU and per-device columns, rates over the interval', () => {
  const carry = newSystemCarry();
  const before = systemSnapshot({
    cpu: cpuTimes({ user: 10, idle: 10 }),
    perCpu: [cpuTimes({ user: 5, idle: 5 }), cpuTimes({ user: 5, idle: 5 })],
    contextSwitches: 1000,
    disks: [{ name: 'sda', readOps: 0, writeOps: 0, readBytes: 512, writeBytes: 1024, busyMs: 0 }, { name: 'dm-0', readOps: 0, writeOps: 0, readBytes: 1, writeBytes: 2, busyMs: 0 }],
    net: [{ name: 'eth0', rxBytes: 10, txBytes: 20, rxPackets: 0, txPackets: 0, rxErrors: 0, txErrors: 0, rxDrops: 0, txDrops: 0 }],
  });
  const first = systemRow(before, 0, carry);
  assert.equal(first.cpu_percent, null);
  assert.equal(first.cpu0_percent, null);
  assert.equal(first.context_switches_per_second, null);
  assert.equal(first.memory_percent, 40);
  assert.equal(first.swap_percent, 0, 'no swap configured reads 0 %');
  assert.equal(first.disk_read_bytes, 513);
  assert.equal(first.disk_sda_write_bytes, 1024);
  assert.equal(first.disk_dm_0_read_bytes, 1, "a device name's '-' becomes '_' in its column");
  assert.equal(first.net_eth0_tx_bytes, 20);
  const after = systemSnapshot({
    cpu: cpuTimes({ user: 13, system: 1, idle: 15, iowait: 1 }),
    perCpu: [cpuTimes({ user: 8, idle: 5 }), cpuTimes({ user: 5, idle: 10 })],
    contextSwitches: 1500,
  });
  const second = systemRow(after, 2, carry);
  assert.equal(second.cpu_percent, 40, '(3 user + 1 system) of 10 s: iowait is not busy');
  assert.equal(second.cpu_user_percent, 30);
  assert.equal(second.cpu_iowait_percent, 10);
  assert.equal(second.cpu0_percent, 100);
  assert.equal(second.cpu1_percent, 0);
  assert.equal(second.context_switches_per_second, 250);
});

test('cpuShares: guest time is inside user already, and a counter that went back counts as 0', () => {
  const s = cpuShares(cpuTimes({ user: 10, guest: 5, idle: 10 }), cpuTimes({ user: 20, guest: 10, idle: 5, steal: 10 }));
  assert.deepEqual(s, { busy: 100, user: 50, system: 0, iowait: 0, steal: 50 });
  assert.deepEqual(cpuShares(cpuTimes({ idle: 5 }), cpuTimes({ idle: 5 })), { busy: 0, user: 0, system: 0, iowait: 0, steal: 0 });
});

test("peak_rss_bytes: a process's VmHWM; for the tree the largest any member reached, kept after it exits", () => {
  const carry = newTreeCarry();
  const root = processSnapshot({ pid: 10, rssBytes: 100, peakRssBytes: 300 });
  const kid = processSnapshot({ pid: 11, ppid: 10, rssBytes: 50, peakRssBytes: 900 });
  const both = new Map([
    [10, root],
    [11, kid],
  ]);
  assert.equal(treeRow(root, both, new TreeAccount().update(both), 0, carry, host, 'zero').peak_rss_bytes, 900);
  const alone = new Map([[10, root]]);
  assert.equal(treeRow(root, alone, new Float64Array(counterCount), 1, carry, host, 'zero').peak_rss_bytes, 900, 'the exited child\'s peak stays');
  assert.equal(processRow(kid, 0, { prevOwnCpu: null, prevT: 0 }, host).peak_rss_bytes, 900);
  const unknown = newTreeCarry();
  const kthread = processSnapshot({ pid: 2, peakRssBytes: null });
  assert.equal(treeRow(kthread, null, vectorOf(kthread), 0, unknown, host, 'zero').peak_rss_bytes, null);
});
