import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PerfscopeError } from '../../src/core/errors.js';
import { distribution, firstLast, max, mean, min, quantile, quantileSorted, quantilesInPlace, sortedFinite } from '../../src/analysis/stats.js';

const close = (a: number | null, b: number) => assert.ok(a !== null && Math.abs(a - b) < 1e-12, `${a} ≈ ${b}`);

test('quantile interpolates linearly like numpy.quantile (default method)', () => {
  // Reference values from numpy.quantile(x, q).
  close(quantile([1, 2, 3, 4], 0.5), 2.5);
  close(quantile([1, 2, 3, 4], 0.95), 3.85);
  close(quantile([15, 20, 35, 40, 50], 0.4), 29);
  close(quantile([3, 1, 2], 0), 1);
  close(quantile([3, 1, 2], 1), 3);
  close(quantile([7], 0.95), 7);
  close(quantile([10, 0], 0.25), 2.5);
});

test('nulls and NaN are skipped; nothing measured gives null', () => {
  close(quantile([null, 4, NaN, 1, null, 2, 3], 0.5), 2.5);
  assert.equal(quantile([], 0.5), null);
  assert.equal(quantile([null, null], 0.5), null);
  close(mean([null, 1, 2, NaN, 6]), 3);
  assert.equal(mean([null]), null);
  assert.equal(max([null, -5, -2, null]), -2);
  assert.equal(min([null, -5, -2, null]), -5);
  assert.equal(max([]), null);
  assert.deepEqual(firstLast([null, 3, null, 8, null]), { first: 3, last: 8 });
  assert.equal(firstLast([null]), null);
});

test('sortedFinite sorts numerically, not as strings', () => {
  assert.deepEqual([...sortedFinite([10, 9, null, 100, -1])], [-1, 9, 10, 100]);
});

test('quantile rejects q outside [0, 1]', () => {
  const usage = (e: unknown) => e instanceof PerfscopeError && e.code === 'EUSAGE' && /quantile must be within \[0, 1\]/.test(e.message);
  assert.throws(() => quantileSorted([1], 1.5), usage);
  assert.throws(() => quantileSorted([1], NaN), usage);
});

test('distribution gives count, mean, p50, p95, max in one go', () => {
  const d = distribution([null, ...Array.from({ length: 101 }, (_, i) => i)]);
  assert.equal(d.count, 101);
  close(d.mean, 50);
  close(d.p50, 50);
  close(d.p95, 95);
  assert.equal(d.max, 100);
  assert.deepEqual(distribution([null]), { count: 0, mean: null, p50: null, p95: null, max: null });
});

test('quantilesInPlace: the same as sorting then quantileSorted, on random, tied, sorted and reversed data', () => {
  let seed = 7;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const cases: Float64Array[] = [
    Float64Array.from({ length: 10_001 }, () => Math.exp(random() * 10)),
    Float64Array.from({ length: 5_000 }, () => Math.floor(random() * 4)),
    Float64Array.from({ length: 3_000 }, (_, i) => i),
    Float64Array.from({ length: 3_000 }, (_, i) => 3000 - i),
    Float64Array.from({ length: 1 }, () => 5),
    Float64Array.from({ length: 2 }, (_, i) => i * 10),
    // large enough for radix-select.ts: log-normal-like, heavy ties, one bucket, a wide range,
    // and out of its domain (a negative value, -0, an infinity): the same answers
    Float64Array.from({ length: 100_000 }, () => Math.exp(random() * 20 - 10)),
    Float64Array.from({ length: 50_000 }, () => Math.floor(random() * 3) / 1000),
    Float64Array.from({ length: 40_000 }, () => 1 + random() / 1e6),
    Float64Array.from({ length: 40_000 }, (_, i) => (i === 777 ? -1 : random())),
    Float64Array.from({ length: 40_000 }, (_, i) => (i % 3 === 0 ? -0 : random())),
    Float64Array.from({ length: 40_000 }, (_, i) => (i === 5 ? Infinity : random() * 1e300)),
    new Float64Array(17).fill(0.25),
  ];
  const qs4 = [0.5, 0.9, 0.95, 0.99, 0, 1, 0.333];
  for (const values of cases) {
    const sorted = values.slice().sort();
    const expected = qs4.map((q) => quantileSorted(sorted, q));
    assert.deepEqual(quantilesInPlace(values.slice(), qs4), expected);
  }
  assert.deepEqual(quantilesInPlace(new Float64Array(0), [0.5]), [null]);
  assert.throws(() => quantilesInPlace(new Float64Array(3), [1.5]), RangeError);
});
