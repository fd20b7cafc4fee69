import { test } from 'node:test';
import assert from 'node:assert/strict';
import { m4, m4Union } from '../../src/report/m4.js';

test('M4 keeps a single-sample spike among 1,000,000 points', () => {
  const n = 1_000_000;
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    x[i] = i * 0.01;
    y[i] = 10 + Math.sin(i / 100);
  }
  y[654_321] = 400;
  y[123_457] = -5;
  const r = m4(x, y, 0, x[n - 1]!, 1000);
  assert.ok(r.x.length <= 4 * 1000, `at most 4 points per column, got ${r.x.length}`);
  assert.ok(r.y.includes(400), 'the spike is kept');
  assert.ok(r.y.includes(-5), 'the dip is kept');
  const at = r.y.indexOf(400);
  assert.equal(r.x[at], x[654_321], 'at its own time');
  for (let i = 1; i < r.x.length; i++) assert.ok(r.x[i]! >= r.x[i - 1]!, 'x stays ascending');
});

test('M4 keeps first, min, max and last of each column, in time order', () => {
  const x = [0, 1, 2, 3, 4, 5, 6, 7];
  const y = [5, 9, 1, 4, 5, 0, 7, 6];
  const r = m4(x, y, 0, 8, 2); // columns [0,4) and [4,8]
  assert.deepEqual([...r.x], [0, 1, 2, 3, 4, 5, 6, 7], 'four distinct points per column: all kept');
  const r2 = m4([0, 1, 2, 3, 4, 5], [3, 1, 2, 8, 2, 3], 0, 6, 1);
  assert.deepEqual([...r2.x], [0, 1, 3, 5]);
  assert.deepEqual([...r2.y], [3, 1, 8, 3]);
});

test('M4 keeps gaps: null and NaN break the line', () => {
  const x = [0, 1, 2, 3, 4, 5, 6];
  const y = [1, 2, null, null, 3, NaN, 4];
  const r = m4(x, y, 0, 7, 7);
  assert.deepEqual([...r.x], [0, 1, 2, 4, 5, 6]);
  assert.ok(Number.isNaN(r.y[2]!), 'one gap point after 2');
  assert.ok(Number.isNaN(r.y[4]!));
  assert.equal(r.y[5], 4);
});

test('M4 of an empty or all-null series is empty', () => {
  assert.equal(m4([], [], 0, 1, 10).x.length, 0);
  const r = m4([0, 1, 2], [null, null, null], 0, 2, 10);
  assert.equal(r.x.length, 0);
});

test('m4Union keeps every series its M4 points on a shared x', () => {
  const n = 10_000;
  const x = Array.from({ length: n }, (_, i) => i);
  const a = x.map((i) => (i === 7777 ? 100 : 1));
  const b = x.map((i) => (i === 3333 ? -100 : 1));
  const idx = m4Union(x, [a, b], 0, n - 1, 50);
  assert.ok(idx.includes(7777) && idx.includes(3333));
  assert.ok(idx.length <= 8 * 50);
});
