/** StoreSink: the store side of a recording that store faults cannot stop (real SQLite, a real lock). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { RunStore } from '../../src/store/store.js';
import { openDatabase } from '../../src/store/sqlite.js';
import { StoreSink } from '../../src/record/store-sink.js';
import type { RecordNote } from '../../src/record/notes.js';
import { makeMeta, tempDir } from '../store/helpers.js';

function clock() {
  const c = { now: 0, nowMs: () => c.now };
  return c;
}

test('a store locked from the first sample: rows wait (up to the cap, then are dropped and named), the run is created and caught up once the lock goes', (t) => {
  const path = join(tempDir(t), 'runs.db');
  const store = RunStore.open({ path, busyTimeoutMs: 0 });
  const locker = openDatabase(path, { readonly: false });
  locker.exec('BEGIN IMMEDIATE');
  const c = clock();
  const notes: RecordNote[] = [];
  const meta = makeMeta();
  // 10 rows of one column (16 bytes each) fit the cap; later ones are dropped while the store fails.
  const sink = new StoreSink(store, () => meta, (n) => notes.push(n), { maxBufferedBytes: 160, nowMs: c.nowMs });
  sink.addProcess({ pid: 4242, ppid: 1, comm: 'node', cmdline: 'node app.js', firstSeen: 0 });
  for (let i = 0; i < 30; i++) {
    c.now = i * 100;
    sink.append('tree', i / 10, { x: i });
    sink.flush();
  }
  assert.equal(sink.id, null, 'the run could not be created yet');
  assert.equal(notes.length, 1);
  assert.match(notes[0]!.message, /^store .*: the store is locked by another process \(busy\) at 0\.00 s; sampling goes on/);
  locker.exec('COMMIT');
  locker.close();
  for (let i = 30; i < 40; i++) {
    c.now = i * 100;
    sink.append('tree', i / 10, { x: i });
    sink.flush();
  }
  assert.notEqual(sink.id, null, 'created once the lock was gone');
  assert.match(notes[1]!.message, /is written again$/);
  sink.finish({ ...meta, sampleCount: 40, endedAtMs: meta.startedAtMs + 4000 });
  const outcome = sink.outcome();
  assert.equal(outcome.complete, false);
  assert.match(outcome.lost!, /^run 1 in the store .* is incomplete: \d+ samples from [\d.]+ s to [\d.]+ s were dropped while the store could not be written \(over 160 B waited in memory\)$/);
  const run = store.getRun(1);
  const x = run.samples.x!;
  const dropped = Number(/: (\d+) samples from/.exec(outcome.lost!)![1]);
  assert.equal(x.length, 40 - dropped);
  assert.deepEqual(x.slice(0, 3), [0, 1, 2], 'the rows that waited are in');
  assert.deepEqual(x.slice(-3), [37, 38, 39], 'and those after the lock');
  assert.equal(run.processes?.[0]?.comm, 'node', 'what came before the run existed is replayed');
  assert.ok(run.events.some((e) => e.kind === 'note' && /not kept \(the store could not be written\)/.test(e.detail ?? '')), 'the gap is marked in the run');
  store.close();
});

test('a run that never took a sample is not created; a failure after the last retry is one line naming the samples', (t) => {
  const path = join(tempDir(t), 'runs.db');
  const store = RunStore.open({ path, busyTimeoutMs: 0 });
  const none = new StoreSink(store, () => makeMeta(), () => {});
  none.addProcess({ pid: 1, ppid: 0, comm: 'x', cmdline: null, firstSeen: 0 });
  none.finish({});
  assert.deepEqual(none.outcome(), { path: store.path, runId: null, complete: true, error: null, lost: null });
  assert.deepEqual(store.listRuns(), []);

  const c = clock();
  const sink = new StoreSink(store, () => makeMeta(), () => {}, { nowMs: c.nowMs });
  sink.append('tree', 0, { x: 0 });
  sink.flush(true);
  const locker = openDatabase(path, { readonly: false });
  locker.exec('BEGIN IMMEDIATE');
  for (let i = 1; i < 20; i++) {
    c.now = i * 100;
    sink.append('tree', i / 10, { x: i });
    sink.flush();
  }
  sink.finish({ sampleCount: 20 });
  locker.exec('COMMIT');
  locker.close();
  const outcome = sink.outcome();
  assert.equal(outcome.error?.code, 'EIO');
  assert.equal(outcome.lost, `run 1 in the store ${store.path} is incomplete: the last 19 of its 20 samples, 0.10 s to 1.90 s, could not be written (the store is locked by another process (busy))`);
  assert.equal(store.getRun(1).samples.timestamp.length, 1);
  store.close();
});
