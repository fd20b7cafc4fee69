import assert from 'node:assert/strict';
import test from 'node:test';
import { distributionBounds, summarizeExact } from '../../../src/analysis/logs/key-summary.js';

/** The bucket of each value by its definition: the first bound >= v, the last bucket above all. */
function naiveDistribution(values: Float64Array, bounds: readonly number[]): number[] {
  const out = new Array<number>(bounds.length).fill(0);
  for (const v of values) {
    const b = bounds.findIndex((x) => x >= v);
    out[b < 0 ? bounds.length - 1 : b]!++;
  }
  return out;
}

test('summarizeExact: the distribution (by bit-prefix table) is the one of the bucket definition', () => {
  let seed = 11;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const bounds = distributionBounds(1e-4, 30);
  const cases: number[][] = [
    Array.from({ length: 50_000 }, () => Math.exp(random() * 14 - 9)),
    // every bound itself, its neighbours one ulp away, zero, and values past the last bound
    [...bounds, ...bounds.map((b) => b * (1 + Number.EPSILON)), ...bounds.map((b) => b * (1 - Number.EPSILON)), 0, 1e-300, 31, 1e9],
    // out of the table's domain: -0 and an infinity go through the search
    [-0, Infinity, 0.5],
  ];
  for (const values of cases) {
    const seconds = Float64Array.from(values);
    const expected = naiveDistribution(seconds, bounds);
    const n = seconds.length;
    const s = summarizeExact({ seconds, time: new Int32Array(n), flags: new Uint8Array(n), baseS: 0 }, null, bounds, true);
    assert.deepEqual(s.distribution, expected);
    assert.equal(s.count, n);
  }
});
