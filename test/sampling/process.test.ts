import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { PerfscopeError } from '../../src/core/errors.js';
import { ProcessReader, emptyStatRecord, parseStat } from '../../src/sampling/process.js';

const procRoot = fileURLToPath(new URL('../fixtures/proc', import.meta.url));
const KiB = 1024;

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

describe('parseStat', () => {
  it('takes the comm up to the last ")" and counts fields after it', () => {
    const out = emptyStatRecord();
    const text = '77 (a) b (c)) R 5 0 0 0 -1 0 10 11 12 13 14 15 16 17 18 19 20 21 22 23';
    assert.equal(parseStat(text, out), true);
    assert.equal(out.comm, 'a) b (c)');
    assert.equal(out.state, 'R');
    assert.equal(out.ppid, 5);
    assert.equal(out.minorFaults, 10);
    assert.equal(out.majorFaults, 12);
    assert.equal(out.utimeTicks, 14);
    assert.equal(out.stimeTicks, 15);
    assert.equal(out.cutimeTicks, 16);
    assert.equal(out.cstimeTicks, 17);
    assert.equal(out.numThreads, 20);
    assert.equal(out.startTimeTicks, 22);
  });

  it('decodes a UTF-8 comm and rejects text that is not a stat line', () => {
    const out = emptyStatRecord();
    const latin1 = Buffer.from('9 (wörker) S 1 0 0 0 -1 0 0 0 0 0 0 0 0 0 0 0 1 0 5', 'utf8').toString('latin1');
    assert.equal(parseStat(latin1, out), true);
    assert.equal(out.comm, 'wörker');
    assert.equal(parseStat('garbage', out), false);
    assert.equal(parseStat('1 (x) S 1 2', out), false);
  });

  it('notices a renamed process when the record is reused (same length, longer, back)', () => {
    const out = emptyStatRecord();
    for (const comm of ['node', 'node', 'nodf', 'node-worker', 'wörker', 'node']) {
      const line = Buffer.from(`9 (${comm}) S 1 0 0 0 -1 0 0 0 0 0 0 0 0 0 0 0 1 0 5`, 'utf8').toString('latin1');
      assert.equal(parseStat(line, out), true);
      assert.equal(out.comm, comm);
    }
  });
});

describe('ProcessReader on the fixture tree', () => {
  it('parses stat, status, io, fd count exactly (comm with spaces and ")")', () => {
    const r = new ProcessReader(4242, { procRoot });
    assert.equal(r.startTimeTicks, 81326);
    const s = r.read();
    r.close();
    assert.ok(s);
    assert.deepEqual(s, {
      pid: 4242,
      ppid: 4200,
      comm: 'my ) worker',
      state: 'S',
      startTimeTicks: 81326,
      userSeconds: 12.34,
      systemSeconds: 5.67,
      childrenUserSeconds: 0.89,
      childrenSystemSeconds: 0.12,
      preciseCpuSeconds: null,
      numThreads: 8,
      minorFaults: 4962,
      majorFaults: 11,
      rssBytes: 58300 * KiB,
      vmsBytes: 1594908 * KiB,
      peakRssBytes: 58300 * KiB,
      rssAnonBytes: 16828 * KiB,
      rssFileBytes: 41344 * KiB,
      rssShmemBytes: 128 * KiB,
      swapBytes: 256 * KiB,
      ussBytes: null,
      pssBytes: null,
      io: {
        readChars: 255342,
        writeChars: 85,
        readSyscalls: 100,
        writeSyscalls: 12,
        readBytes: 1044480,
        writeBytes: 4096,
        cancelledWriteBytes: 0,
      },
      numFds: 5,
      voluntaryCtxSwitches: 13,
      involuntaryCtxSwitches: 20,
      unavailable: {},
    });
  });

  it('sums task/*/schedstat in precise mode and reads smaps_rollup in smaps mode', () => {
    const r = new ProcessReader(4242, { procRoot, precise: true, smaps: true });
    const s = r.read();
    const again = r.read();
    r.close();
    assert.ok(s && again);
    assert.equal(s.preciseCpuSeconds, 251744343 / 1e9);
    assert.equal(again.preciseCpuSeconds, 251744343 / 1e9);
    assert.equal(s.pssBytes, 55291 * KiB);
    assert.equal(s.ussBytes, (37492 + 16828) * KiB);
    assert.deepEqual(s.unavailable, {});
  });

  it('gives a kernel thread zero memory and reports unreadable io and fd as unavailable', () => {
    const r = new ProcessReader(4243, { procRoot, smaps: true });
    const s = r.read();
    r.close();
    assert.ok(s);
    assert.equal(s.comm, 'kthreadd');
    assert.equal(s.ppid, 2);
    assert.equal(s.startTimeTicks, 26);
    assert.equal(s.rssBytes, 0);
    assert.equal(s.vmsBytes, 0);
    assert.equal(s.peakRssBytes, 0);
    assert.equal(s.rssAnonBytes, 0);
    assert.equal(s.swapBytes, 0);
    assert.equal(s.io, null);
    assert.equal(s.numFds, null);
    assert.equal(s.ussBytes, null);
    assert.equal(s.unavailable.io?.code, 'EISDIR');
    assert.match(s.unavailable.io?.reason ?? '', /\/4243\/io/);
    assert.equal(s.unavailable.numFds?.code, 'ENOTDIR');
    assert.equal(s.unavailable.ussBytes?.code, 'ENOENT'); // no smaps_rollup in the fixture
  });

  it('throws ENOPROC for a PID that does not exist and EUSAGE for a bad PID', () => {
    assert.throws(
      () => new ProcessReader(9999, { procRoot }),
      (err: unknown) =>
        err instanceof PerfscopeError && err.code === 'ENOPROC' && err.message === 'no process with PID 9999',
    );
    for (const bad of [0, -1, 1.5, Number.NaN, 2 ** 60]) {
      assert.throws(
        () => new ProcessReader(bad, { procRoot }),
        (err: unknown) => err instanceof PerfscopeError && err.code === 'EUSAGE',
      );
    }
  });

  describe('on a copy of the fixture', () => {
    const dir = mkdtempSync(join(tmpdir(), 'perfscope-proc-'));
    after(() => rmSync(dir, { recursive: true, force: true }));

    it('returns null once the start time changes (PID reused)', () => {
      cpSync(procRoot, dir, { recursive: true });
      const r = new ProcessReader(4242, { procRoot: dir });
      assert.ok(r.read());
      const stat = join(dir, '4242', 'stat');
      writeFileSync(stat, readFileSync(stat, 'latin1').replace(' 81326 ', ' 99999 '), 'latin1');
      assert.equal(r.read(), null);
      assert.equal(r.read(), null); // and stays closed
    });

    it('returns null when the process directory disappears mid-read', () => {
      cpSync(procRoot, dir, { recursive: true });
      const r = new ProcessReader(4242, { procRoot: dir });
      assert.ok(r.read());
      rmSync(join(dir, '4242'), { recursive: true });
      assert.equal(r.read(), null);
    });
  });
});

describe('ProcessReader on the live /proc', () => {
  it('reads this process: RSS agrees with process.memoryUsage(), threads and fds present', () => {
    const r = new ProcessReader(process.pid);
    const s = r.read();
    const rss = process.memoryUsage().rss;
    r.close();
    assert.ok(s);
    assert.equal(s.pid, process.pid);
    assert.equal(s.ppid, process.ppid);
    assert.equal(s.state, 'R'); // we are running while we read our own stat
    assert.ok(Math.abs(s.rssBytes - rss) / rss < 0.05, `rss ${s.rssBytes} vs memoryUsage ${rss}`);
    assert.ok(s.numThreads >= 1);
    assert.ok(s.numFds !== null && s.numFds > 0);
    assert.ok(s.io !== null && s.io.readChars > 0);
    assert.equal(r.read(), null, 'closed reader reads null');
  });

  it('precise CPU time follows process.cpuUsage() and never drops when a thread exits', async () => {
    const worker = new Worker('let x = 0; for (let i = 0; i < 2e7; i++) x += i;', { eval: true });
    await once(worker, 'online');
    const r = new ProcessReader(process.pid, { precise: true, smaps: true });
    const before = process.cpuUsage();
    const s1 = r.read();
    const afterUsage = process.cpuUsage();
    await once(worker, 'exit');
    const s2 = r.read();
    r.close();
    assert.ok(s1 && s2 && s1.preciseCpuSeconds !== null && s2.preciseCpuSeconds !== null);
    const lo = (before.user + before.system) / 1e6;
    const hi = (afterUsage.user + afterUsage.system) / 1e6;
    // getrusage and schedstat count the same run time; slack for threads that exited before we looked.
    assert.ok(s1.preciseCpuSeconds >= lo * 0.95 - 0.05 && s1.preciseCpuSeconds <= hi * 1.05 + 0.05,
      `precise ${s1.preciseCpuSeconds} vs cpuUsage ${lo}..${hi}`);
    assert.ok(s2.preciseCpuSeconds >= s1.preciseCpuSeconds);
    assert.ok(s1.ussBytes !== null && s1.pssBytes !== null && s1.ussBytes > 0 && s1.pssBytes >= s1.ussBytes);
  });

  it('reads a zombie child as state Z, then null once it is reaped', async () => {
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 300)'], { stdio: 'ignore' });
    assert.ok(child.pid);
    const r = new ProcessReader(child.pid, { precise: true, smaps: true });
    const first = r.read();
    assert.ok(first);
    assert.equal(first.startTimeTicks, r.startTimeTicks);
    // Node reaps children from the event loop, so while this loop blocks it the child stays a zombie.
    let snap = first;
    for (let i = 0; i < 2000 && snap.state !== 'Z'; i++) {
      sleepSync(10);
      const next = r.read();
      assert.ok(next, 'an unreaped child is still there');
      snap = next;
    }
    assert.equal(snap.state, 'Z');
    assert.equal(snap.rssBytes, 0);
    assert.equal(snap.peakRssBytes, 0, 'a zombie has no memory, and no peak left to report');
    assert.equal(snap.numFds, 0);
    assert.ok(snap.preciseCpuSeconds !== null && snap.preciseCpuSeconds > 0);
    assert.equal(snap.ussBytes, null);
    assert.equal(snap.unavailable.ussBytes?.code, 'ESRCH'); // smaps_rollup of a process without mm
    await once(child, 'exit');
    assert.equal(r.read(), null);
    r.close();
  });

  it('throws ENOPROC for a PID that is not running', () => {
    let pid = Number(readFileSync('/proc/sys/kernel/pid_max', 'utf8')) - 1;
    while (existsSync(`/proc/${pid}`)) pid--;
    assert.throws(
      () => new ProcessReader(pid),
      (err: unknown) => err instanceof PerfscopeError && err.code === 'ENOPROC' && err.message === `no process with PID ${pid}`,
    );
  });

  it("reports PID 1's io as unavailable (EACCES) when the kernel refuses it", (t) => {
    const r = new ProcessReader(1);
    const s = r.read();
    r.close();
    assert.ok(s);
    if (s.io !== null) {
      t.skip('/proc/1/io is readable here (not a ptrace-protected PID 1)');
      return;
    }
    assert.deepEqual(s.unavailable.io, {
      code: 'EACCES',
      reason: 'permission denied reading /proc/1/io (it needs ptrace access to the process)',
    });
  });
});
