import { test } from 'node:test';
import assert from 'node:assert/strict';
import { exponentialBuckets, Histogram, linearBuckets, Registry } from '../../src/metrics/index.js';
import { collectAndCompare, sampleValue } from '../../src/testing/index.js';

test('buckets are cumulative, +Inf equals count, bound handle observes without lookup', async () => {
  const r = new Registry();
  const h = new Histogram({ name: 'lat_seconds', help: 'h', labelNames: ['route'], buckets: [1, 2, 5], registers: [r] });
  const a = h.labels('/a');
  for (const v of [0.5, 1, 1.5, 3, 9]) a.observe(v);
  await collectAndCompare(
    r,
    `# HELP lat_seconds h
     # TYPE lat_seconds histogram
     lat_seconds_bucket{le="1",route="/a"} 2
     lat_seconds_bucket{le="2",route="/a"} 3
     lat_seconds_bucket{le="5",route="/a"} 4
     lat_seconds_bucket{le="+Inf",route="/a"} 5
     lat_seconds_sum{route="/a"} 15
     lat_seconds_count{route="/a"} 5`,
  );
});

test('many buckets use binary search with the same result', async () => {
  const r = new Registry();
  const bounds = linearBuckets(0, 1, 40);
  const h = new Histogram({ name: 'x', help: 'h', buckets: bounds, registers: [r] });
  for (let v = -1; v <= 41; v += 0.5) h.observe(v);
  const vals = (await h.get()).values;
  for (const b of bounds) {
    const expected = Array.from({ length: 85 }, (_, i) => -1 + i * 0.5).filter((v) => v <= b).length;
    assert.equal(vals.find((v) => v.labels.le === b)!.value, expected);
  }
});

test('bad buckets and values fail with the metric named', () => {
  assert.throws(() => new Histogram({ name: 'b', help: 'h', buckets: [1, 1], registers: [] }), /"b": buckets must be strictly increasing/);
  assert.throws(() => new Histogram({ name: 'b', help: 'h', buckets: [NaN], registers: [] }), /not a finite number/);
  assert.throws(() => new Histogram({ name: 'b', help: 'h', labelNames: ['le'], registers: [] }), /le is a reserved/);
  const h = new Histogram({ name: 'b', help: 'h', registers: [] });
  assert.throws(() => h.observe(Infinity), /not a valid number: Infinity \(histogram "b"\)/);
  assert.throws(() => exponentialBuckets(0, 2, 3), /positive start, got 0/);
});

test('timed decorator works on class methods (TC39 decorators) and as a wrapper', async () => {
  const r = new Registry();
  const h = new Histogram({ name: 'call_seconds', help: 'h', registers: [r] });
  const wrapped = h.timed()(async (x: number) => x + 1);
  assert.equal(await wrapped(1), 2);
  await assert.rejects(h.timed()(async () => { throw new Error('boom'); })(), /boom/);
  assert.equal(await sampleValue(r, 'call_seconds_count'), 2);
});
