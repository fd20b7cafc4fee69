/**
 * The host-wide process table: exact values on the fixture tree; on the live /proc, births, exits,
 * renames (exec, prctl), counters against ProcessReader and against a child's own figures, the
 * native batch reader against the JavaScript path, and a sleeping process not re-read.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ProcessTable, type ProcessRecord } from '../../src/sampling/process-table.js';
import { ProcessReader } from '../../src/sampling/process.js';
import { loadNative } from '../../src/sampling/native.js';

const fixture = fileURLToPath(new URL('../fixtures/proc', import.meta.url));

function child(code: string): Promise<ChildProcess> {
  const c = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    c.stdout!.once('data', () => resolve(c));
    c.once('error', reject);
  });
}

function exited(c: ChildProcess): Promise<void> {
  return new Promise((resolve) => (c.exitCode !== null ? resolve() : c.once('exit', () => resolve())));
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('fixture tree: every field of a process and of a kernel thread, faults reported, not thrown', () => {
  const t = new ProcessTable({ procRoot: fixture });
  const u = t.update();
  const byPid = new Map(u.born.map((r) => [r.pid, r]));
  const p = byPid.get(4242)!;
  assert.equal(p.comm, 'my ) worker');
  assert.equal(p.cmdline, 'node --expose-gc worker.js --name my worker');
  assert.equal(p.ppid, 4200);
  assert.equal(p.state, 'S');
  assert.equal(p.kernelThread, false);
  assert.equal(p.userSeconds, 12.34);
  assert.equal(p.systemSeconds, 5.67);
  assert.equal(p.numThreads, 8);
  assert.equal(p.minorFaults, 4962);
  assert.equal(p.majorFaults, 11);
  assert.equal(p.startTimeTicks, 81326);
  assert.equal(p.rssBytes, 58300 * 1024);
  assert.equal(p.vmsBytes, 1594908 * 1024);
  assert.equal(p.swapBytes, 256 * 1024);
  assert.equal(p.readBytes, 1044480);
  assert.equal(p.writeBytes, 4096);
  assert.equal(p.readChars, 255342);
  assert.equal(p.numFds, 5);
  assert.equal(p.voluntaryCtxSwitches, 13);
  assert.equal(p.involuntaryCtxSwitches, 20);
  const k = byPid.get(4243)!;
  assert.equal(k.kernelThread, true);
  assert.equal(k.cmdline, null);
  assert.equal(k.voluntaryCtxSwitches, 60);
  assert.equal(k.rssBytes, 0);
  // 4243's io is a directory and its fd/ a file: two faults, the process still listed, fields null.
  assert.equal(k.readBytes, null);
  assert.equal(k.numFds, null);
  assert.equal(u.errors.length, 2, u.errors.join('\n'));
  assert.match(u.errors[0]!, /4243\/io: is a directory/);
  assert.equal(t.stats.errors, 2);
  // A second update: nothing born, nothing gone, no new fault (each is reported once).
  const u2 = t.update();
  assert.deepEqual([u2.born.length, u2.exited.length, u2.errors.length], [0, 0, 0]);
  t.close();
});

for (const native of [false, true]) {
  const skip = native && loadNative() === null ? 'native addon not built' : false;
  test(`live /proc (${native ? 'native batch reader' : 'JavaScript path'}): births, exits, values as ProcessReader reads them`, { skip }, async () => {
    const t = new ProcessTable({ native });
    assert.equal(t.native, native);
    const first = t.update();
    assert.ok(first.born.length > 3, 'the first update reports every process');
    const me = t.records.get(process.pid)!;
    assert.ok(me, 'this process is in the table');
    // 'node' up to Node 22; Node 24 names its main thread, hence the process, 'MainThread'.
    assert.equal(me.comm, readFileSync('/proc/self/comm', 'utf8').trim());
    assert.ok(me.cmdline?.includes('node'));

    const c = await child("setInterval(() => {}, 1000); process.stdout.write('up\\n')");
    const u = t.update();
    const rec = u.born.find((r) => r.pid === c.pid);
    assert.ok(rec, 'the new child is born in the next update');
    assert.equal(rec.ppid, process.pid);
    for (let i = 0; i < 3; i++) t.update(); // the native reader's first read of a process is a full one
    const reader = new ProcessReader(c.pid!);
    const snap = reader.read()!;
    reader.close();
    const again = t.records.get(c.pid!)!;
    assert.equal(again.startTimeTicks, snap.startTimeTicks);
    assert.equal(again.numThreads, snap.numThreads);
    assert.ok(Math.abs(again.rssBytes - snap.rssBytes) <= 512 * 1024, `${again.rssBytes} vs ${snap.rssBytes}`);
    assert.equal(again.vmsBytes, snap.vmsBytes);
    assert.ok(again.numFds !== null && again.numFds === snap.numFds, `${again.numFds} vs ${snap.numFds}`);
    assert.ok(again.readChars !== null && snap.io !== null && again.readChars <= snap.io.readChars);

    c.kill('SIGKILL');
    await exited(c);
    const gone = t.update();
    assert.ok(gone.exited.some((r) => r.pid === c.pid), 'the exit is seen on the next update');
    assert.equal(t.records.has(c.pid!), false);
    assert.equal(t.stats.errors, 0);
    t.close();
  });
}

test('counters: a child that burns 300 ms of CPU and writes 1 MiB shows it; a sleeping one is not re-read', async () => {
  const t = new ProcessTable();
  t.update();
  const burner = await child(
    "require('fs').writeFileSync('/dev/null', Buffer.alloc(1 << 20)); const end = process.cpuUsage(); process.stdout.write('up\\n'); const t0 = Date.now(); while (process.cpuUsage(end).user < 300000 && Date.now() - t0 < 5000); setInterval(() => {}, 1000);",
  );
  await sleep(1500);
  t.update();
  t.update();
  const rec = t.records.get(burner.pid!)!;
  assert.ok(rec.userSeconds + rec.systemSeconds >= 0.29, `cpu ${rec.userSeconds + rec.systemSeconds}`);
  assert.ok(rec.writeChars !== null && rec.writeChars >= 1 << 20, `wchar ${rec.writeChars}`);
  // Sleeping now (single-threaded? a Node child has threads: it is re-read every update). A sleep(1)
  // child is single-threaded and idle: the table must not re-read its detail files.
  const idle = spawn('sleep', ['30'], { stdio: 'ignore' });
  await sleep(200);
  t.update(); // born
  t.update(); // first re-read after birth
  const idleRec = t.records.get(idle.pid!)!;
  const readAt = idleRec.readAt;
  t.update();
  t.update();
  assert.equal(idleRec.readAt, readAt, 'an idle single-threaded process keeps its values without a detail read');
  assert.equal(idleRec.numThreads, 1);
  burner.kill('SIGKILL');
  idle.kill('SIGKILL');
  await Promise.all([exited(burner), exited(idle)]);
  t.close();
});

test('renames: a process that changes its name (prctl via process.title) is reported with its new comm and command line', async () => {
  const t = new ProcessTable();
  const c = await child("process.stdout.write('up\\n'); setTimeout(() => { process.title = 'renamed-worker'; }, 300); setInterval(() => {}, 1000);");
  t.update();
  assert.equal(t.records.get(c.pid!)?.comm, readFileSync('/proc/self/comm', 'utf8').trim(), 'a Node child starts with the name Node gives it');
  await sleep(800);
  let renamed: ProcessRecord | undefined;
  for (let i = 0; i < 3 && renamed === undefined; i++) renamed = t.update().renamed.find((r) => r.pid === c.pid);
  assert.ok(renamed, 'rename reported');
  assert.equal(renamed.comm, 'renamed-worker');
  c.kill('SIGKILL');
  await exited(c);
  t.close();
});

test('the native reader and the JavaScript path agree on every process of the host', { skip: loadNative() === null ? 'native addon not built' : false }, () => {
  const js = new ProcessTable({ native: false });
  const nat = new ProcessTable({ native: true });
  for (let i = 0; i < 3; i++) {
    js.update();
    nat.update();
  }
  let compared = 0;
  for (const [pid, a] of js.records) {
    const b = nat.records.get(pid);
    if (b === undefined || a.startTimeTicks !== b.startTimeTicks) continue;
    // a kernel worker names itself by its workqueue, '+' while it runs work and '-' after
    // (kworker/1:0-events, kworker/u8:6+iou_exit, the kernel's wq_worker_comm): that part may change
    // between the two reads; the rest of its comm may not
    if (a.kernelThread && a.comm.startsWith('kworker/')) assert.equal(b.comm.split(/[-+]/)[0], a.comm.split(/[-+]/)[0]);
    else assert.equal(b.comm, a.comm);
    assert.equal(b.kernelThread, a.kernelThread);
    assert.equal(b.ppid, a.ppid);
    // Counters read a moment apart: equal for the quiet ones, never lower in the later reader.
    assert.ok(Math.abs(b.userSeconds - a.userSeconds) <= 0.5, `${pid} ${a.comm} user ${a.userSeconds} ${b.userSeconds}`);
    assert.ok(Math.abs(b.voluntaryCtxSwitches - a.voluntaryCtxSwitches) <= 500, `${pid} ${a.comm} ctx`);
    assert.equal(b.readBytes === null, a.readBytes === null);
    assert.equal(b.numFds === null, a.numFds === null, `${pid} ${a.comm} fds ${a.numFds} ${b.numFds}`);
    compared++;
  }
  assert.ok(compared > 3, `compared ${compared}`);
  js.close();
  nat.close();
});

test('the native listing (getdents64) finds the PIDs readdir finds: every PID listed before and after, nothing that never existed', { skip: loadNative() === null ? 'native addon not built' : false }, () => {
  const addon = loadNative() as unknown as { listPids(dirFd: number, out: Int32Array): number };
  const numeric = (): Set<number> => new Set(readdirSync('/proc').filter((n) => /^[1-9]\d*$/.test(n)).map(Number));
  const fd = openSync('/proc', 'r');
  try {
    const before = numeric();
    const out = new Int32Array(1 << 16);
    const n = addon.listPids(fd, out);
    const after = numeric();
    assert.ok(n > 3 && n <= out.length, `listed ${n}`);
    const listed = new Set(out.subarray(0, n));
    assert.equal(listed.size, n, 'no PID twice');
    // Processes come and go between the three listings: the ones present before and after must be
    // listed; a PID listed by neither readdir must be a process born and gone in between (a few at most).
    for (const pid of before) if (after.has(pid)) assert.ok(listed.has(pid), `PID ${pid} missing from the native listing`);
    const unknown = [...listed].filter((pid) => !before.has(pid) && !after.has(pid));
    assert.ok(unknown.length <= 5, `listed but never seen by readdir: ${unknown.join(', ')}`);
    // A short array: only what fits is written, the count says how big to make it; the offset is reset per call.
    const small = new Int32Array(2);
    const again = addon.listPids(fd, small);
    assert.ok(again > 2, `count ${again}`);
    assert.ok(listed.has(small[0]!) || after.has(small[0]!) || numeric().has(small[0]!));
    assert.ok(Math.abs(addon.listPids(fd, out) - n) <= 5, 'the same listing again from offset 0');
  } finally {
    closeSync(fd);
  }
});

for (const native of [false, true]) {
  const skip = native && loadNative() === null ? 'native addon not built' : false;
  test(`a multi-threaded process whose main thread sleeps while a worker runs (${native ? 'native' : 'JavaScript'}): context switches and VmSwap as status says`, { skip }, async () => {
    // The main thread blocks in Atomics.wait (no context switch of its own) while a worker burns CPU:
    // with no swap active the table may leave status out, and must still report what status says.
    const c = await child(
      "const { Worker } = require('worker_threads'); new Worker('const t0 = Date.now(); while (Date.now() - t0 < 20000);', { eval: true }); setTimeout(() => { process.stdout.write('up\\n'); Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20000); }, 300);",
    );
    const t = new ProcessTable({ native });
    t.update();
    const cpu0 = t.records.get(c.pid!)!.userSeconds;
    for (let i = 0; i < 3; i++) {
      await sleep(300);
      t.update();
    }
    const rec = t.records.get(c.pid!)!;
    const status = readFileSync(`/proc/${c.pid}/status`, 'latin1');
    const field = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
    assert.ok(rec.userSeconds > cpu0, `the worker's CPU is seen (${cpu0} -> ${rec.userSeconds})`);
    assert.ok(rec.numThreads > 1);
    assert.equal(rec.voluntaryCtxSwitches, field('voluntary_ctxt_switches'));
    assert.equal(rec.involuntaryCtxSwitches, field('nonvoluntary_ctxt_switches'));
    assert.equal(rec.swapBytes, field('VmSwap') * 1024);
    c.kill('SIGKILL');
    await exited(c);
    t.close();
  });
}

test('a newborn that stays idle is not re-read on its next update (native reader seeded from the first read)', { skip: loadNative() === null ? 'native addon not built' : false }, async () => {
  const t = new ProcessTable({ native: true });
  t.update();
  const idle = spawn('sleep', ['30'], { stdio: 'ignore' });
  await sleep(200);
  const born = t.update().born.find((r) => r.pid === idle.pid);
  assert.ok(born, 'born');
  const readAt = born.readAt;
  t.update();
  assert.equal(born.readAt, readAt, 'no detail read: the seeded schedstat hash matched');
  assert.equal(born.comm, 'sleep');
  idle.kill('SIGKILL');
  await exited(idle);
  t.close();
});

for (const native of [false, true]) {
  const skip = native && loadNative() === null ? 'native addon not built' : false;
  test(`an idle child whose parent exits gets its new parent (${native ? 'native' : 'JavaScript'}): ppid as stat says`, { skip }, async () => {
    // sh starts a sleep, prints its PID and waits to be killed; the sleep never runs meanwhile.
    const sh = spawn('sh', ['-c', 'sleep 30 & echo $!; read x'], { stdio: ['pipe', 'pipe', 'inherit'] });
    const pid = Number(await new Promise<string>((resolve) => sh.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim()))));
    const t = new ProcessTable({ native });
    t.update();
    t.update();
    const rec = t.records.get(pid)!;
    assert.equal(rec.ppid, sh.pid);
    sh.kill('SIGKILL');
    await exited(sh);
    await sleep(100);
    let u = t.update();
    for (let i = 0; i < 3 && !u.exited.some((r) => r.pid === sh.pid); i++) u = t.update();
    const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 4).split(' ')[0]);
    assert.notEqual(ppid, sh.pid, 'the kernel reparented the sleep');
    assert.equal(rec.ppid, ppid);
    process.kill(pid, 'SIGKILL');
    t.close();
  });
}
