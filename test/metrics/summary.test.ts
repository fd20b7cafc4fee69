import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import type * as PromClient from 'prom-client';
import { Registry, Summary, SUMMARY_RELATIVE_ACCURACY } from '../../src/metrics/index.js';
import { QuantileSketch, interpolate } from '../../src/metrics/quantiles.js';
import { sampleValue } from '../../src/testing/index.js';

const require = createRequire(import.meta.url);
const prom = require('prom-client') as typeof PromClient;

/** tdigest's interpolation over the exact values (distinct value = one centroid). */
function exactReference(values: number[], qs: number[]): number[] {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  const means = [...counts.keys()].sort((a, b) => a - b);
  return interpolate(means, means.map((m) => counts.get(m)!), qs);
}

test('small data: quantiles equal prom-client (t-digest) exactly', async () => {
  const values = [100, 100, 100, 50, 50, 3, 7.25, 1e-3, -4, 0];
  const mine = new Summary({ name: 's', help: 'h', registers: [] });
  const theirs = new prom.Summary({ name: 's', help: 'h', registers: [] });
  for (const v of values) {
    mine.observe(v);
    theirs.observe(v);
  }
  assert.deepEqual((await mine.get()).values, (await theirs.get()).values);
});

test('large data: every estimate within the documented relative error of the exact interpolation', () => {
  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const values = Array.from({ length: 50_000 }, () => Math.exp(Math.log(1e-3) + rand() * Math.log(2e4)));
  const sketch = new QuantileSketch();
  for (const v of values) sketch.add(v);
  const qs = [0.01, 0.05, 0.5, 0.9, 0.95, 0.99, 0.999];
  const est = sketch.quantiles(qs) as number[];
  const ref = exactReference(values, qs);
  for (let i = 0; i < qs.length; i++) {
    const rel = Math.abs(est[i]! - ref[i]!) / ref[i]!;
    assert.ok(rel <= SUMMARY_RELATIVE_ACCURACY * 2, `q=${qs[i]} est=${est[i]} ref=${ref[i]} rel=${rel}`);
  }
});

test('large data: within 1 % of prom-client 15.1.3 on a smooth distribution', async () => {
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const mine = new Summary({ name: 's', help: 'h', registers: [], percentiles: [0.5, 0.9, 0.99] });
  const theirs = new prom.Summary({ name: 's', help: 'h', registers: [], percentiles: [0.5, 0.9, 0.99] });
  for (let i = 0; i < 20_000; i++) {
    const v = 0.05 + rand() * 0.1;
    mine.observe(v);
    theirs.observe(v);
  }
  const a = (await mine.get()).values;
  const b = (await theirs.get()).values;
  for (let i = 0; i < 3; i++) assert.ok(Math.abs(a[i]!.value - b[i]!.value) / b[i]!.value < 0.01, `${a[i]!.value} vs ${b[i]!.value}`);
});

test('sketches merge exactly (what cluster/worker aggregation relies on)', () => {
  const a = new QuantileSketch();
  const b = new QuantileSketch();
  const all = new QuantileSketch();
  for (let i = 1; i <= 1000; i++) {
    (i % 2 ? a : b).add(i / 7);
    all.add(i / 7);
  }
  const m = QuantileSketch.fromJSON(a.toJSON());
  m.merge(b);
  assert.deepEqual(m.quantiles([0.1, 0.5, 0.99]), all.quantiles([0.1, 0.5, 0.99]));
});

test('summary.time() and timed() record a duration; NaN is rejected with the metric named', async () => {
  const r = new Registry();
  const s = new Summary({ name: 'op_seconds', help: 'h', registers: [r] });
  const out = s.time(() => 42);
  assert.equal(out, 42);
  await s.time(() => new Promise((res) => setTimeout(res, 5)));
  const f = s.timed()((x: number) => x * 2);
  assert.equal(f(4), 8);
  assert.equal(await sampleValue(r, 'op_seconds_count'), 3);
  assert.throws(() => s.observe(NaN), /not a valid number: NaN \(summary "op_seconds"\)/);
  assert.throws(() => new Summary({ name: 'q', help: 'h', labelNames: ['quantile'], registers: [] }), /quantile is a reserved label/);
  assert.throws(() => new Summary({ name: 'q', help: 'h', percentiles: [1.5], registers: [] }), /percentile 1.5/);
});
