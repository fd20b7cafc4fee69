/** Change points: a large sustained shift is found where it is; noise, small shifts and short blips are not. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bestSplit, findChanges, type ChangeRule } from '../../src/analysis/change-points.js';
import { sfc32 } from '../fixtures/logs/generate.js';

/** Per-window medians of log-normal calls with a median of `median(w)`. */
function windows(seed: number, n: number, callsPerWindow: number, median: (w: number) => number): { values: Float64Array; calls: number[][] } {
  const random = sfc32(seed);
  const normal = (): number => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const calls: number[][] = [];
  const values = new Float64Array(n);
  for (let w = 0; w < n; w++) {
    const c = Array.from({ length: callsPerWindow }, () => median(w) * Math.exp(0.6 * normal())).sort((a, b) => a - b);
    calls.push(c);
    values[w] = c.length % 2 ? c[(c.length - 1) / 2]! : (c[c.length / 2 - 1]! + c[c.length / 2]!) / 2;
  }
  return { values, calls };
}

function medianRule(calls: number[][]): ChangeRule {
  return {
    over: (a, b) => {
      const all = calls.slice(a, b).flat().sort((x, y) => x - y);
      if (all.length === 0) return null;
      return all.length % 2 ? all[(all.length - 1) / 2]! : (all[all.length / 2 - 1]! + all[all.length / 2]!) / 2;
    },
    large: (b, a) => a / b >= 1.5 || b / a >= 1.5,
    midpoint: (b, a) => Math.sqrt(a * b),
  };
}

test('a x1.8 step is found at its window, with before and after', () => {
  const { values, calls } = windows(1, 100, 30, (w) => (w < 60 ? 0.01 : 0.018));
  const found = findChanges(values, medianRule(calls));
  assert.equal(found.length, 1);
  assert.equal(found[0]!.window, 60);
  assert.ok(Math.abs(found[0]!.before / 0.01 - 1) < 0.1 && Math.abs(found[0]!.after / 0.018 - 1) < 0.1);
  assert.ok(found[0]!.z < -4 && found[0]!.sustained >= 0.8);
});

test('two steps (up, then back down) are both found by binary segmentation', () => {
  const { values, calls } = windows(2, 120, 40, (w) => (w >= 40 && w < 80 ? 0.03 : 0.01));
  assert.deepEqual(
    findChanges(values, medianRule(calls)).map((c) => c.window),
    [40, 80],
  );
});

test('no change on steady data (200 seeds), on a x1.3 shift (not large), or on a 3-window blip (not sustained)', () => {
  for (let seed = 0; seed < 200; seed++) {
    const { values, calls } = windows(seed, 100, 8, () => 0.01);
    assert.deepEqual(findChanges(values, medianRule(calls)), [], `seed ${seed}`);
  }
  const small = windows(3, 100, 50, (w) => (w < 50 ? 0.01 : 0.013));
  assert.deepEqual(findChanges(small.values, medianRule(small.calls)), []);
  const blip = windows(4, 100, 50, (w) => (w >= 50 && w < 53 ? 0.1 : 0.01));
  assert.deepEqual(findChanges(blip.values, medianRule(blip.calls)), []);
});

test('bestSplit: windows without enough calls (NaN) are skipped, ties are handled, too few windows give nothing', () => {
  assert.equal(bestSplit([1, 2, 3], 2), null);
  assert.equal(bestSplit([5, 5, 5, 5, 5, 5], 2), null, 'all tied: no test');
  const s = bestSplit([0, 0, 0, 0, 0, 1, 1, 1, 1, 1], 3)!;
  assert.equal(s.split, 5);
  const values = Float64Array.from({ length: 60 }, (_, i) => (i % 7 === 0 ? NaN : i < 30 ? 1 : 2));
  const found = findChanges(values, { over: (a) => (a < 30 ? 1 : 2), large: (b, a) => a / b >= 1.5, midpoint: (b, a) => (a + b) / 2 }, { minZ: 3 });
  assert.equal(found.length, 1);
  assert.equal(found[0]!.window, 30);
});
