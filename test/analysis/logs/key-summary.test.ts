import assert from 'node:assert/strict';
import test from 'node:test';
import { DistributionBuckets, distributionBounds, summarizeExact } from '../../../src/analysis/logs/key-summary.js';

/** The bucket of each value by its definition: the first bound >= v, the last bucket above all. */
function naiveDistribution(values: Float64Array, bounds: readonly number[]): number[] {
  const out = new Array<number>(bounds.length).fill(0);
  for (const v of values) {
    const b = bounds.findIndex((x) => x >= v);
    out[b < 0 ? bounds.length - 1 : b]!++;
  }
  return out;
}

test('summarizeExact: the distribution (by the binary exponent, then comparisons) is the one of the bucket definition', () => {
  let seed = 11;
  const random = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  // the usual bounds, a wide range (61 bounds, the most), one value (a single bound), all zero ([0])
  for (const bounds of [distributionBounds(1e-4, 30), distributionBounds(5e-7, 2e4), distributionBounds(0.02, 0.02), distributionBounds(0, 0)]) {
    const cases: number[][] = [
      Array.from({ length: 50_000 }, () => Math.exp(random() * 14 - 9)),
      // every bound itself, its neighbours one ulp away, zero, and values past the last bound
      [...bounds, ...bounds.map((b) => b * (1 + Number.EPSILON)), ...bounds.map((b) => b * (1 - Number.EPSILON)), 0, 1e-300, 31, 1e9],
      // -0, a subnormal, the largest double, an infinity and NaN (the last bucket, as the definition says)
      [-0, 5e-324, 2.2e-308, Number.MAX_VALUE, Infinity, NaN, 0.5, -1],
    ];
    for (const values of cases) {
      const seconds = Float64Array.from(values);
      const expected = naiveDistribution(seconds, bounds);
      const n = seconds.length;
      const s = summarizeExact({ seconds, time: new Int32Array(n), flags: new Uint8Array(n), baseS: 0 }, null, new DistributionBuckets(bounds), true);
      assert.deepEqual(s.distribution, expected, `bounds ${bounds.length}, ${n} values`);
      assert.equal(s.count, n);
    }
  }
});
