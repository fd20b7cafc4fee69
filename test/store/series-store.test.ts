/**
 * serve's history file: the chunk codec is lossless (NaN, negative zero, huge counters) and small on
 * constant series; the store upserts chunks, reads ranges per block, prunes by retention, refuses a
 * run store and a second live writer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeChunk, encodeChunk } from '../../src/store/chunk-codec.js';
import { SeriesStore } from '../../src/store/series-store.js';
import { RunStore } from '../../src/store/store.js';
import { sqliteEngine } from '../../src/store/sqlite.js';
import { PerfscopeError } from '../../src/core/errors.js';

const skip = sqliteEngine() === null ? 'no SQLite engine on this Node' : false;

test('chunk codec: lossless round trip, compact for constant and counter columns', () => {
  const n = 60;
  const times = Float64Array.from({ length: n }, (_, i) => 1_796_000_000_000 + i * 1000.25);
  const constant = new Float64Array(n).fill(25276502016);
  const counter = Float64Array.from({ length: n }, (_, i) => 1234.56 + i * 0.01 * (i % 7));
  const odd = Float64Array.from({ length: n }, (_, i) => (i % 3 === 0 ? NaN : i % 3 === 1 ? -0 : 2 ** 60 + i));
  const blob = encodeChunk({ ids: [1, 7, 4_000_000_000], times, columns: [constant, counter, odd] });
  const back = decodeChunk(blob);
  assert.deepEqual(Array.from(back.ids), [1, 7, 4_000_000_000]);
  assert.deepEqual([...back.times], [...times]);
  assert.deepEqual([...back.columns[0]!], [...constant]);
  assert.deepEqual([...back.columns[1]!], [...counter]);
  for (let i = 0; i < n; i++) assert.ok(Object.is(back.columns[2]![i], odd[i]), `value ${i}`);
  const constantOnly = encodeChunk({ ids: [1], times, columns: [constant] });
  assert.ok(constantOnly.length < 200, `constant column chunk is ${constantOnly.length} bytes`);
  assert.throws(() => decodeChunk(Buffer.from([9, 0, 0])), RangeError);
});

test('store: upsert, ranges per block, series identity, retention, events; survives reopening', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'perfscope-ss-'));
  const path = join(dir, 'serve.db');
  let s = SeriesStore.open({ path });
  const id = s.seriesId('node_load1', 'host', 'node_load1', {});
  const gid = s.seriesId('x{groupname="a"}', 'group:a', 'x', { groupname: 'a' });
  assert.equal(s.seriesId('node_load1', 'host', 'node_load1', {}), id);
  const chunk = (start: number, rows: number, v: number) =>
    encodeChunk({ ids: [id], times: Float64Array.from({ length: rows }, (_, i) => start + i * 1000), columns: [new Float64Array(rows).fill(v)] });
  s.writeChunks('raw', [{ block: 'host', startMs: 0, endMs: 9000, rows: 10, data: chunk(0, 10, 1) }]);
  // The same chunk grown: replaces the row.
  s.writeChunks('raw', [{ block: 'host', startMs: 0, endMs: 59000, rows: 60, data: chunk(0, 60, 2) }]);
  s.writeChunks('raw', [
    { block: 'host', startMs: 60000, endMs: 119000, rows: 60, data: chunk(60000, 60, 3) },
    { block: 'group:a', startMs: 60000, endMs: 119000, rows: 60, data: encodeChunk({ ids: [gid], times: Float64Array.from({ length: 60 }, (_, i) => 60000 + i * 1000), columns: [new Float64Array(60).fill(5)] }) },
  ]);
  assert.equal(s.readChunks('raw', 0, 200000).length, 3);
  assert.deepEqual(s.readChunks('raw', 70000, 80000, ['host']).map((c) => c.startMs), [60000]);
  assert.deepEqual(s.readChunks('raw', 30000, 40000).map((c) => [c.block, c.rows]), [['host', 60]]);
  assert.equal(decodeChunk(s.readChunks('raw', 0, 1000)[0]!.data).columns[0]![5], 2);
  assert.deepEqual(s.seriesByIds([gid]).get(gid), { id: gid, key: 'x{groupname="a"}', block: 'group:a', name: 'x', labels: { groupname: 'a' } });
  s.addEvent(5, 'start', 'PID 1');
  assert.deepEqual(s.events(0, 10), [{ tMs: 5, kind: 'start', detail: 'PID 1' }]);
  assert.equal(s.prune('raw', 60000), 1, 'the chunk ending at 59 s is past a retention ending at 60 s');
  assert.deepEqual(s.span('raw'), { fromMs: 60000, toMs: 119000 });
  s.close();
  s = SeriesStore.open({ path });
  assert.equal(s.readChunks('raw', 0, 200000).length, 2);
  s.close();
  rmSync(dir, { recursive: true, force: true });
});

test('store: a run store or another live writer is refused with a clear error', { skip }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'perfscope-ss-'));
  const runs = join(dir, 'runs.db');
  RunStore.open({ path: runs }).close();
  assert.throws(() => SeriesStore.open({ path: runs }), (e: unknown) => e instanceof PerfscopeError && e.code === 'EIO' && /not a perfscope serve history file/.test(e.message));
  const path = join(dir, 'serve.db');
  // Another live process holds the file: written as its lock by a child that stays alive.
  const holder = spawn(process.execPath, ['--import', 'tsx', '-e', `import('${new URL('../../src/store/series-store.ts', import.meta.url).href}').then((m) => { m.SeriesStore.open({ path: ${JSON.stringify(path)} }); process.stdout.write('held\\n'); setInterval(() => {}, 1000); })`], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve) => holder.stdout!.once('data', () => resolve()));
  assert.throws(() => SeriesStore.open({ path }), (e: unknown) => e instanceof PerfscopeError && e.code === 'EUSAGE' && new RegExp(`in use by another perfscope serve \\(PID ${holder.pid}\\)`).test(e.message));
  holder.kill('SIGKILL');
  await new Promise((r) => holder.once('exit', r));
  // Its writer is dead now: the lock is taken over.
  SeriesStore.open({ path }).close();
  rmSync(dir, { recursive: true, force: true });
});
