import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { PerfscopeError } from '../../src/core/errors.js';
import { SystemReader, wholeDiskNames } from '../../src/sampling/system.js';

const procRoot = fileURLToPath(new URL('../fixtures/proc', import.meta.url));
const KiB = 1024;

describe('wholeDiskNames', () => {
  it('drops partitions, loop, ram and zram devices and keeps md1 next to md10', () => {
    const names = ['loop0', 'ram0', 'zram0', 'sda', 'sda1', 'sda15', 'sdb', 'vda', 'vda1', 'xvda', 'xvda2',
      'nvme0n1', 'nvme0n1p1', 'nvme1n1', 'mmcblk0', 'mmcblk0p2', 'md1', 'md10', 'md1p1', 'dm-0', 'dm-1', 'sr0'];
    assert.deepEqual([...wholeDiskNames(names)], ['sda', 'sdb', 'vda', 'xvda', 'nvme0n1', 'nvme1n1', 'mmcblk0', 'md1',
      'md10', 'dm-0', 'dm-1', 'sr0']);
  });

  it('keeps a numbered device whose base is not listed (a partition is only one of a listed disk)', () => {
    assert.deepEqual([...wholeDiskNames(['sdc1', 'nvme0n1p1'])], ['sdc1', 'nvme0n1p1']);
  });
});

describe('SystemReader on the fixture tree', () => {
  it('parses /proc/stat, meminfo, loadavg, diskstats and net/dev exactly', () => {
    const r = new SystemReader({ procRoot });
    const s = r.read();
    r.close();
    assert.deepEqual(s.cpu, {
      user: 97.12, nice: 0, system: 18.78, idle: 1512.34, iowait: 3.6,
      irq: 0, softirq: 0.73, steal: 0.08, guest: 0, guestNice: 0,
    });
    assert.deepEqual(s.perCpu, [
      { user: 18.15, nice: 0, system: 8.68, idle: 787.45, iowait: 1.94, irq: 0, softirq: 0.08, steal: 0.03, guest: 0, guestNice: 0 },
      { user: 78.96, nice: 0, system: 10.1, idle: 724.88, iowait: 1.66, irq: 0, softirq: 0.65, steal: 0.05, guest: 0, guestNice: 0 },
    ]);
    assert.equal(s.contextSwitches, 486034);
    assert.equal(s.procsRunning, 1);
    assert.equal(s.procsBlocked, 0);
    assert.deepEqual(s.memory, {
      totalBytes: 24684084 * KiB,
      availableBytes: 24333088 * KiB,
      freeBytes: 24339420 * KiB,
      buffersBytes: 1188 * KiB,
      cachedBytes: 166548 * KiB, // not SwapCached, which follows it
      usedBytes: (24684084 - 24333088) * KiB,
    });
    assert.deepEqual(s.swap, { totalBytes: 0, freeBytes: 0, usedBytes: 0 });
    assert.deepEqual(s.load, { avg1: 0.15, avg5: 0.1, avg15: 0.08, runnable: 2, total: 95 });
    assert.deepEqual(
      s.disks.map((d) => d.name),
      ['vda', 'nvme0n1', 'md1', 'md10', 'dm-0', 'mmcblk0'],
    );
    assert.deepEqual(s.disks[0], {
      name: 'vda', readOps: 43381, writeOps: 7943, readBytes: 2836714 * 512, writeBytes: 1585872 * 512, busyMs: 4904,
    });
    assert.deepEqual(s.net, [
      { name: 'ifb0', rxBytes: 0, txBytes: 0, rxPackets: 0, txPackets: 0, rxErrors: 0, txErrors: 0, rxDrops: 0, txDrops: 0 },
      { name: 'ifb1', rxBytes: 0, txBytes: 0, rxPackets: 0, txPackets: 0, rxErrors: 0, txErrors: 0, rxDrops: 0, txDrops: 0 },
      {
        name: 'eth0', rxBytes: 133375822, txBytes: 558477, rxPackets: 5155, txPackets: 4042,
        rxErrors: 0, txErrors: 0, rxDrops: 0, txDrops: 0,
      },
    ]);
  });

  describe('on an edited copy', () => {
    const dir = mkdtempSync(join(tmpdir(), 'perfscope-sys-'));
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('skips an intr line far larger than the buffer, and computes swap use', () => {
      cpSync(procRoot, dir, { recursive: true });
      const statPath = join(dir, 'stat');
      const huge = `intr 1 ${'0 '.repeat(60_000)}7`;
      writeFileSync(statPath, readFileSync(statPath, 'latin1').replace(/^intr .*$/m, huge));
      const memPath = join(dir, 'meminfo');
      writeFileSync(
        memPath,
        readFileSync(memPath, 'latin1')
          .replace(/^SwapTotal:.*$/m, 'SwapTotal:       2097152 kB')
          .replace(/^SwapFree:.*$/m, 'SwapFree:        1572864 kB'),
      );
      const r = new SystemReader({ procRoot: dir });
      const s = r.read();
      r.close();
      assert.equal(s.contextSwitches, 486034);
      assert.equal(s.procsRunning, 1);
      assert.equal(s.perCpu.length, 2);
      assert.deepEqual(s.swap, { totalBytes: 2097152 * KiB, freeBytes: 1572864 * KiB, usedBytes: 524288 * KiB });
    });

    it('fails loudly at construction when a file is missing, and read() throws after close()', () => {
      const empty = mkdtempSync(join(dir, 'empty-'));
      assert.throws(
        () => new SystemReader({ procRoot: empty }),
        (err: unknown) => err instanceof PerfscopeError && err.code === 'ENOTFOUND' && err.message === `cannot read ${empty}/stat: no such file or directory`,
      );
      const r = new SystemReader({ procRoot });
      r.close();
      r.close();
      assert.throws(() => r.read(), { code: 'EBADF' });
    });
  });
});

describe('SystemReader on the live /proc', () => {
  it('reads the machine: one entry per CPU, MemTotal as os.totalmem(), counters that do not go back', () => {
    const r = new SystemReader();
    const a = r.read();
    const b = r.read();
    r.close();
    assert.equal(a.perCpu.length, cpus().length);
    assert.equal(a.memory.totalBytes, totalmem());
    assert.ok(a.memory.availableBytes > 0 && a.memory.availableBytes <= a.memory.totalBytes);
    assert.ok(b.cpu.idle >= a.cpu.idle && b.cpu.user >= a.cpu.user && b.contextSwitches >= a.contextSwitches);
    assert.ok(a.load.total >= 1);
    assert.ok(a.disks.every((d) => !/^(loop|ram|zram)/.test(d.name)));
    assert.ok(a.net.every((n) => n.name !== 'lo'));
  });
});
