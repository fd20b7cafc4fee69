import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openDatabase, sqliteEngine } from '../../src/store/sqlite.js';
import { PerfscopeError } from '../../src/core/errors.js';
import { RunStore, defaultStorePath } from '../../src/store/store.js';
import { makeMeta, tempDir } from './helpers.js';

function fakeClock() {
  const c = { now: 0, nowMs: () => c.now };
  return c;
}

test('a run round-trips: series with nulls and late columns, system, processes, events, final meta', (t) => {
  const path = join(tempDir(t), 'runs.db');
  const store = RunStore.open({ path });
  const meta = makeMeta();
  const w = store.createRun(meta);
  assert.equal(meta.id, w.id, 'createRun assigns meta.id');
  w.addProcess({ pid: 10, ppid: 1, comm: 'node', cmdline: 'node app.js', firstSeen: 0 });
  w.addProcess({ pid: 11, ppid: 10, comm: 'sh', cmdline: null, firstSeen: 0.2 });
  for (let i = 0; i < 30; i++) {
    const t = i / 10;
    w.append('tree', t, { cpu_percent: i === 0 ? null : i * 1.5, rss_bytes: 2 ** 40 + i, ...(i >= 17 ? { late: -i } : {}) });
    w.append('system', t, { load1: 0.1 * i });
    w.append(10, t, { rss_bytes: i });
    if (i >= 2 && i < 5) w.append(11, t, { rss_bytes: 100 + i });
    if (i % 7 === 0) w.flush(true);
  }
  w.processExited(11, 0.5);
  w.addEvent({ t: 0.2, kind: 'process-start', pid: 11 });
  w.addEvent({ t: 0.5, kind: 'process-exit', pid: 11, detail: 'code 0' });
  w.finish({ endedAtMs: meta.startedAtMs + 3000, exitCode: 0, missedDeadlines: 2 });

  const run = store.getRun(w.id);
  assert.equal(run.meta.id, w.id);
  assert.equal(run.meta.exitCode, 0);
  assert.equal(run.meta.sampleCount, 30, 'sampleCount defaults to the rows written');
  assert.equal(run.meta.missedDeadlines, 2);
  assert.deepEqual(Object.keys(run.samples), ['timestamp', 'cpu_percent', 'rss_bytes', 'late']);
  assert.equal(run.samples.timestamp.length, 30);
  assert.equal(run.samples.timestamp[29], 2.9);
  assert.equal(run.samples.cpu_percent![0], null);
  assert.equal(run.samples.cpu_percent![3], 4.5);
  assert.equal(run.samples.rss_bytes![29], 2 ** 40 + 29);
  assert.deepEqual(run.samples.late!.slice(15, 19), [null, null, -17, -18]);
  assert.deepEqual(run.system?.load1?.length, 30);
  assert.deepEqual(
    run.processes?.map((p) => [p.pid, p.ppid, p.comm, p.cmdline, p.firstSeen, p.exited, p.samples.timestamp.length]),
    [
      [10, 1, 'node', 'node app.js', 0, null, 30],
      [11, 10, 'sh', null, 0.2, 0.5, 3],
    ],
  );
  assert.deepEqual(run.processes?.[1]?.samples.rss_bytes, [102, 103, 104]);
  assert.deepEqual(run.events, [
    { t: 0.2, kind: 'process-start', pid: 11 },
    { t: 0.5, kind: 'process-exit', pid: 11, detail: 'code 0' },
  ]);
  const [row] = store.listRuns();
  assert.deepEqual(
    { id: row?.id, status: row?.status, durationSeconds: row?.durationSeconds, sampleCount: row?.sampleCount, exitCode: row?.exitCode },
    { id: w.id, status: 'finished', durationSeconds: 3, sampleCount: 30, exitCode: 0 },
  );
  store.close();
});

test('NaN is stored as null (the chunk encoding uses NaN for null); infinities survive', (t) => {
  const store = RunStore.open({ path: join(tempDir(t), 'runs.db') });
  const w = store.createRun(makeMeta());
  w.append('tree', 0, { a: NaN, b: Infinity, c: -0.1 });
  w.finish({});
  assert.deepEqual(store.getRun(w.id).samples, { timestamp: [0], a: [null], b: [Infinity], c: [-0.1] });
  store.close();
});

test('flush commits only once a second has passed on the injected clock, or when forced', (t) => {
  const path = join(tempDir(t), 'runs.db');
  const clock = fakeClock();
  const store = RunStore.open({ path, nowMs: clock.nowMs });
  const reader = RunStore.open({ path, readonly: true });
  const w = store.createRun(makeMeta());
  const committed = () => reader.getRun(w.id).samples.timestamp.length;
  for (let i = 0; i < 10; i++) {
    clock.now = i * 100;
    w.append('tree', i / 10, { x: i });
    assert.equal(w.flush(), false, `no commit at ${clock.now} ms`);
  }
  assert.equal(committed(), 0);
  clock.now = 1000;
  w.append('tree', 1, { x: 10 });
  assert.equal(w.flush(), true);
  assert.equal(committed(), 11);
  w.append('tree', 1.1, { x: 11 });
  assert.equal(w.flush(true), true);
  assert.equal(committed(), 12);
  reader.close();
  store.close();
});

test('a second connection reads the run while the writer is open; status is recording', (t) => {
  const path = join(tempDir(t), 'runs.db');
  const store = RunStore.open({ path });
  const w = store.createRun(makeMeta());
  w.append('tree', 0, { x: 1 });
  w.flush(true);
  const reader = RunStore.open({ path, readonly: true });
  assert.deepEqual(reader.listRuns().map((r) => [r.id, r.status, r.sampleCount]), [[w.id, 'recording', 1]]);
  assert.equal(reader.getRun(w.id).meta.endedAtMs, null);
  w.append('tree', 0.1, { x: 2 });
  w.flush(true);
  assert.deepEqual(reader.getRun(w.id).samples.x, [1, 2]);
  reader.close();
  w.finish({ endedAtMs: Date.now() });
  store.close();
});

test('unknown run ids, deleteRun', (t) => {
  const path = join(tempDir(t), 'runs.db');
  const store = RunStore.open({ path });
  const w = store.createRun(makeMeta());
  w.finish({});
  assert.throws(() => store.getRun(12), (e: unknown) => e instanceof PerfscopeError && e.code === 'ENOTFOUND' && e.message === `no run 12 in ${path}`);
  store.deleteRun(w.id);
  assert.deepEqual(store.listRuns(), []);
  assert.throws(() => store.deleteRun(w.id), { code: 'ENOTFOUND' });
  store.close();
});

test('missing, corrupt and foreign files fail with the path in the message', (t) => {
  const dir = tempDir(t);
  const missing = join(dir, 'none.db');
  assert.throws(() => RunStore.open({ path: missing, readonly: true }), (e: unknown) => e instanceof PerfscopeError && e.code === 'ENOTFOUND' && e.message.includes(missing));
  const corrupt = join(dir, 'corrupt.db');
  writeFileSync(corrupt, 'this is not an SQLite database, just text. '.repeat(200));
  for (const readonly of [true, false]) {
    assert.throws(() => RunStore.open({ path: corrupt, readonly }), (e: unknown) => e instanceof PerfscopeError && e.code === 'EIO' && e.message.includes(corrupt));
  }
  const foreign = join(dir, 'foreign.db');
  const db = openDatabase(foreign, { readonly: false });
  db.exec('CREATE TABLE t (x)');
  db.close();
  assert.throws(() => RunStore.open({ path: foreign }), /not a perfscope store/);
  const newer = join(dir, 'newer.db');
  const db2 = openDatabase(newer, { readonly: false });
  db2.exec('PRAGMA user_version = 99');
  db2.close();
  assert.throws(() => RunStore.open({ path: newer }), /newer perfscope/);
});

test('open creates the directory; defaultStorePath follows PERFSCOPE_STORE, XDG_DATA_HOME, HOME', (t) => {
  const dir = tempDir(t);
  const store = RunStore.open({ path: join(dir, 'a', 'b', 'runs.db') });
  assert.equal(store.path, join(dir, 'a', 'b', 'runs.db'));
  store.close();
  assert.equal(defaultStorePath({ PERFSCOPE_STORE: '/x/s.db', XDG_DATA_HOME: '/xdg', HOME: '/h' }), '/x/s.db');
  assert.equal(defaultStorePath({ XDG_DATA_HOME: '/xdg', HOME: '/h' }), '/xdg/perfscope/runs.db');
  assert.equal(defaultStorePath({ XDG_DATA_HOME: 'relative', HOME: '/h' }), '/h/.local/share/perfscope/runs.db');
  assert.equal(defaultStorePath({ HOME: '/h' }), '/h/.local/share/perfscope/runs.db');
});

test('a recorder killed with SIGKILL leaves a readable store missing at most the last second', async (t) => {
  const path = join(tempDir(t), 'runs.db');
  const fixture = new URL('../fixtures/store-writer.ts', import.meta.url).pathname;
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, path], { stdio: ['ignore', 'pipe', 'inherit'] });
  let lastAppended = 0;
  let lastCommitted = 0;
  let out = '';
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  // Kill once the child reports 50 appended rows (2.5 s at 20 Hz) and at least one commit.
  await new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      const lines = out.split('\n');
      out = lines.pop() ?? '';
      for (const line of lines) {
        const m = /^(appended|committed) (\d+)$/.exec(line);
        if (m?.[1] === 'appended') lastAppended = Number(m[2]);
        if (m?.[1] === 'committed') lastCommitted = Number(m[2]);
      }
      if (lastAppended >= 50 && lastCommitted > 0) {
        child.kill('SIGKILL');
        resolve();
      }
    });
    child.on('exit', (code) => reject(new Error(`writer exited early with ${code}`)));
  });
  assert.equal(await exited, 'SIGKILL');

  const store = RunStore.open({ path, readonly: true });
  const [row] = store.listRuns();
  assert.equal(row?.status, 'interrupted');
  const run = store.getRun(row.id);
  const stored = run.samples.timestamp.length;
  assert.ok(stored >= lastCommitted, `stored ${stored} >= last reported commit ${lastCommitted}`);
  // 20 rows a second: at most one second (plus the tick in flight) may be missing.
  assert.ok(stored >= lastAppended - 21, `stored ${stored} within 1 s of ${lastAppended} appended`);
  assert.equal(run.meta.endedAtMs, null);
  assert.equal(run.meta.sampleCount, stored);
  assert.deepEqual(run.samples.cpu_percent, Array.from({ length: stored }, (_, i) => i));
  store.close();
});

test('the SQLite engine: node:sqlite where Node has it, better-sqlite3 on Node 20', () => {
  const engine = sqliteEngine();
  const major = Number(process.versions.node.split('.')[0]);
  // Node 22.13+ and 24 ship node:sqlite unflagged (22.23 and 24.21 are what CI runs); Node 20 has none.
  assert.equal(engine, major >= 22 ? 'node:sqlite' : 'better-sqlite3');
});

test('a recorder killed and its PID reused by another process is interrupted, not recording forever (issue 11.8)', async (t) => {
  const path = join(tempDir(t), 'runs.db');
  const store = RunStore.open({ path });
  const w = store.createRun(makeMeta());
  w.append('tree', 0, { x: 1 });
  w.flush(true);
  assert.equal(store.runStatus(w.id), 'recording', 'its recorder (this process) is alive');
  // Another live process now holds the recorder's PID (what PID reuse after a SIGKILL looks like).
  const other = spawn('sleep', ['30'], { stdio: 'ignore' });
  try {
    const db = openDatabase(path, { readonly: false });
    db.prepare('UPDATE runs SET recorder_pid = ? WHERE id = ?').run(other.pid, w.id);
    db.close();
    assert.equal(store.runStatus(w.id), 'interrupted', 'same PID, another start time');
    assert.equal(store.listRuns()[0]?.status, 'interrupted');
  } finally {
    other.kill();
    store.close();
  }
});

test('a store of schema 1 is migrated when opened to write, and read as it is when opened read-only', (t) => {
  const dir = tempDir(t);
  const v1 = (name: string): string => {
    const path = join(dir, name);
    const store = RunStore.open({ path });
    const w = store.createRun(makeMeta({ command: ['old'] }));
    w.append('tree', 0, { x: 1 });
    w.finish({ exitCode: 0 });
    store.close();
    // What perfscope 0.1.0 wrote: no recorder start time or boot id, user_version 1.
    const db = openDatabase(path, { readonly: false });
    db.exec('ALTER TABLE runs DROP COLUMN recorder_start_ticks; ALTER TABLE runs DROP COLUMN recorder_boot_id; PRAGMA user_version = 1');
    db.close();
    return path;
  };
  const readonlyPath = v1('ro.db');
  const ro = RunStore.open({ path: readonlyPath, readonly: true });
  assert.deepEqual(ro.listRuns().map((r) => [r.id, r.status, r.command]), [[1, 'finished', ['old']]]);
  assert.equal(ro.getRun(1).samples.timestamp.length, 1);
  ro.close();
  const check = openDatabase(readonlyPath, { readonly: true });
  assert.equal(Number(check.pragma('user_version')), 1, 'reading did not migrate');
  check.close();

  const rwPath = v1('rw.db');
  const rw = RunStore.open({ path: rwPath });
  assert.equal(rw.getRun(1).meta.command?.[0], 'old');
  const w = rw.createRun(makeMeta());
  w.append('tree', 0, { x: 2 });
  w.flush(true);
  assert.equal(rw.runStatus(w.id), 'recording');
  w.finish({});
  rw.close();
  const after = openDatabase(rwPath, { readonly: true });
  assert.equal(Number(after.pragma('user_version')), 2);
  const row = after.prepare('SELECT recorder_start_ticks, recorder_boot_id FROM runs WHERE id = 2').get() as { recorder_start_ticks: number; recorder_boot_id: string };
  assert.ok(row.recorder_start_ticks > 0 && /^[0-9a-f-]{36}$/.test(row.recorder_boot_id), JSON.stringify(row));
  after.close();
});
