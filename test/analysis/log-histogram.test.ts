/** LogHistogram: every quantile within 1 % of numpy's linear quantile; merging is adding; zeros and ties. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LogHistogram } from '../../src/analysis/log-histogram.js';
import { quantileSorted } from '../../src/analysis/stats.js';
import { sfc32 } from '../fixtures/logs/generate.js';

const QS = [0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.99, 0.999, 1];

function check(values: number[], h: LogHistogram, bound = 0.01): void {
  const sorted = Float64Array.from(values).sort();
  const got = h.quantiles(QS);
  QS.forEach((q, i) => {
    const exact = quantileSorted(sorted, q)!;
    const err = exact === 0 ? Math.abs(got[i]!) : Math.abs(got[i]! - exact) / exact;
    assert.ok(err <= bound + 1e-12, `q=${q}: ${got[i]} vs ${exact} (${(err * 100).toFixed(3)} %)`);
  });
  assert.equal(h.count, values.length);
  assert.equal(h.min, sorted[0]);
  assert.equal(h.max, sorted[sorted.length - 1]);
}

test('within 1 % at every quantile: log-normal, heavy tails, bimodal, integer milliseconds with ties, tiny samples', () => {
  const random = sfc32(99);
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const sets: number[][] = [
    Array.from({ length: 50_000 }, () => 0.007 * Math.exp(0.5 * normal())),
    Array.from({ length: 20_000 }, () => 0.001 / Math.pow(1 - random(), 1.5)),
    Array.from({ length: 20_000 }, () => (random() < 0.7 ? 0.002 : 0.06) * Math.exp(0.3 * normal())),
    Array.from({ length: 20_000 }, () => Math.round(20 * Math.exp(normal())) / 1000),
    [0.5],
    [0.001, 2],
    Array.from({ length: 37 }, () => random() * 3),
  ];
  for (const values of sets) {
    const h = new LogHistogram();
    for (const v of values) h.add(v);
    check(values, h);
  }
});

test('merge equals adding everything to one sketch; zeros are exact', () => {
  const random = sfc32(5);
  const a = new LogHistogram();
  const b = new LogHistogram();
  const all = new LogHistogram();
  const values: number[] = [];
  for (let i = 0; i < 30_000; i++) {
    const v = i % 10 === 0 ? 0 : Math.exp(random() * 12 - 9);
    values.push(v);
    (i % 3 === 0 ? a : b).add(v);
    all.add(v);
  }
  a.merge(b);
  assert.deepEqual(a.quantiles(QS), all.quantiles(QS));
  assert.equal(a.count, all.count);
  assert.ok(Math.abs(a.sum - all.sum) <= 1e-9 * all.sum);
  check(values, a);
  assert.equal(a.quantile(0.05), 0, 'the 10 % zeros are read back as 0');
  assert.throws(() => a.merge(new LogHistogram(0.02)), RangeError);
  assert.deepEqual(new LogHistogram().quantiles([0.5]), [null]);
  const ignored = new LogHistogram();
  ignored.add(-1);
  ignored.add(NaN);
  assert.equal(ignored.count, 0);
});
