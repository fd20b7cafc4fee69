import { test } from 'node:test';
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import { ColumnPacker, unpackColumn } from '../../src/report/pack.js';

function ints(blob: string): Int32Array {
  const bytes = gunzipSync(Buffer.from(blob, 'base64'));
  return new Int32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
}

test('packed columns round-trip to the quantum, nulls kept', () => {
  const p = new ColumnPacker();
  const cpu = [null, 99.8123, 100.1, 0, 160.25, null, 3.14159];
  const rss = [1024 * 1024 * 100, 1024 * 1024 * 101, null, 1024 ** 3 * 8];
  const a = p.add(cpu, 0.01);
  const b = p.add(rss, 1024);
  const blob = p.finish();
  const all = ints(blob);
  const cpuBack = unpackColumn(all, a);
  assert.equal(cpuBack[0], null);
  assert.equal(cpuBack[5], null);
  for (const [i, v] of cpu.entries()) if (v !== null) assert.ok(Math.abs(cpuBack[i]! - v) <= 0.005 + 1e-9, `${cpuBack[i]} ≈ ${v}`);
  assert.deepEqual(unpackColumn(all, b), rss);
});

test('a column with deltas beyond 31 bits gets a coarser quantum, not an overflow', () => {
  const p = new ColumnPacker();
  const big = [0, 2 ** 45, 0];
  const ref = p.add(big, 1);
  assert.ok(ref.quantum > 1);
  const back = unpackColumn(ints(p.finish()), ref);
  for (const [i, v] of big.entries()) assert.ok(Math.abs(back[i]! - v) <= ref.quantum);
});

test('indexes select the kept samples', () => {
  const p = new ColumnPacker();
  const ref = p.add([1, 2, 3, 4, 5], 1, [0, 2, 4]);
  assert.deepEqual(unpackColumn(ints(p.finish()), ref), [1, 3, 5]);
});
