import { test } from 'node:test';
import assert from 'node:assert/strict';
import client from 'prom-client';
import { Counter, Gauge, Histogram, Registry, Summary } from '../../src/metrics/index.js';
import { registrySource } from '../../src/export/registry-source.js';
import { flattenFamily, type HistogramFamily, type SummaryFamily } from '../../src/export/series.js';

test('registrySource regroups histogram and summary series and applies default labels like the exposition', async () => {
  const reg = new Registry();
  reg.setDefaultLabels({ env: 'prod', route: 'default-loses' });
  new Counter({ name: 'c_total', help: 'counter help', labelNames: ['route'], registers: [reg] }).inc({ route: '/x' }, 2);
  new Gauge({ name: 'g', help: 'gauge', registers: [reg] }).set(5);
  const h = new Histogram({ name: 'h_seconds', help: 'hist', buckets: [1, 2], labelNames: ['route'], registers: [reg] });
  h.observe({ route: '/a' }, 0.5);
  h.observe({ route: '/b' }, 1.5);
  h.observe({ route: '/b' }, 9);
  const s = new Summary({ name: 's', help: 'sum', percentiles: [0.5, 0.99], labelNames: ['k'], registers: [reg] });
  s.observe({ k: 'v' }, 3);
  const t0 = Date.now();
  const c = await registrySource(reg).collect();
  assert.deepEqual(c.errors, []);
  assert.ok(c.timestampMs >= t0 && c.startTimeMs <= c.timestampMs);
  const byName = new Map(c.families.map((f) => [f.name, f]));
  assert.deepEqual(byName.get('c_total'), { name: 'c_total', help: 'counter help', type: 'counter', points: [{ labels: { route: '/x', env: 'prod' }, value: 2 }] });
  assert.deepEqual(byName.get('g')!.points, [{ labels: { env: 'prod', route: 'default-loses' }, value: 5 }]);
  const hf = byName.get('h_seconds') as HistogramFamily;
  assert.equal(hf.type, 'histogram');
  assert.deepEqual(
    hf.points.map((p) => ({ labels: p.labels, bounds: p.bounds, counts: Array.from(p.cumulativeCounts), sum: p.sum, count: p.count })),
    [
      { labels: { route: '/a', env: 'prod' }, bounds: [1, 2], counts: [1, 1], sum: 0.5, count: 1 },
      { labels: { route: '/b', env: 'prod' }, bounds: [1, 2], counts: [0, 1], sum: 10.5, count: 2 },
    ],
  );
  assert.equal(hf.points[0]!.bounds, hf.points[1]!.bounds, 'series of one histogram share one bounds array');
  const sf = byName.get('s') as SummaryFamily;
  assert.deepEqual(sf.points.map((p) => ({ ...p, values: Array.from(p.values) })), [
    { labels: { k: 'v', env: 'prod', route: 'default-loses' }, quantiles: [0.5, 0.99], values: [3, 3], sum: 3, count: 1 },
  ]);
  // flattened back, the histogram is exactly the text format's series
  const flat: string[] = [];
  flattenFamily(hf, 0, (name, labels, en, ev, v) => flat.push(`${name}${JSON.stringify(labels)}${en ?? ''}${ev ?? ''} ${v}`));
  assert.deepEqual(flat.slice(0, 5), [
    'h_seconds_bucket{"route":"/a","env":"prod"}le1 1',
    'h_seconds_bucket{"route":"/a","env":"prod"}le2 1',
    'h_seconds_bucket{"route":"/a","env":"prod"}le+Inf 1',
    'h_seconds_sum{"route":"/a","env":"prod"} 0.5',
    'h_seconds_count{"route":"/a","env":"prod"} 1',
  ]);
});

test('a metric whose collect throws is an error in the collection; the others are still there', async () => {
  const reg = new Registry();
  new Gauge({ name: 'ok_gauge', help: 'h', registers: [reg] }).set(1);
  new Gauge({
    name: 'broken',
    help: 'h',
    registers: [reg],
    collect() {
      throw new Error('sensor unplugged');
    },
  });
  const c = await registrySource(reg).collect();
  assert.deepEqual(c.families.map((f) => f.name), ['ok_gauge']);
  assert.equal(c.errors.length, 1);
  assert.match(c.errors[0]!.message, /collecting metric "broken" failed: sensor unplugged/);
});

test('prom-client metric objects registered in our registry are read through the same contract', async () => {
  const reg = new Registry();
  const h = new client.Histogram({ name: 'pc_hist', help: 'h', buckets: [1], labelNames: ['a'], registers: [] });
  h.observe({ a: 'x' }, 0.5);
  h.observe({ a: 'y' }, 5);
  const s = new client.Summary({ name: 'pc_sum', help: 'h', percentiles: [0.5], registers: [] });
  s.observe(4);
  reg.registerMetric(h as never);
  reg.registerMetric(s as never);
  const c = await registrySource(reg).collect();
  const hf = c.families.find((f) => f.name === 'pc_hist') as HistogramFamily;
  assert.deepEqual(hf.points.map((p) => [p.labels, Array.from(p.cumulativeCounts), p.count, p.sum]), [
    [{ a: 'x' }, [1], 1, 0.5],
    [{ a: 'y' }, [0], 1, 5],
  ]);
  const sf = c.families.find((f) => f.name === 'pc_sum') as SummaryFamily;
  assert.deepEqual([sf.points[0]!.quantiles, Array.from(sf.points[0]!.values), sf.points[0]!.count], [[0.5], [4], 1]);
});

test('histogram values in an unusual order (series interleaved) are still grouped by their labels', async () => {
  const reg = new Registry();
  const values = [
    { metricName: 'x_bucket', labels: { le: 1, a: '1' }, value: 1 },
    { metricName: 'x_bucket', labels: { le: 1, a: '2' }, value: 5 },
    { metricName: 'x_bucket', labels: { le: '+Inf', a: '1' }, value: 2 },
    { metricName: 'x_bucket', labels: { le: '+Inf', a: '2' }, value: 6 },
    { metricName: 'x_sum', labels: { a: '2' }, value: 60 },
    { metricName: 'x_sum', labels: { a: '1' }, value: 10 },
    { metricName: 'x_count', labels: { a: '1' }, value: 2 },
    { metricName: 'x_count', labels: { a: '2' }, value: 6 },
  ];
  reg.registerMetric({ name: 'x', get: () => ({ name: 'x', help: 'h', type: 'histogram', values }) } as never);
  const c = await registrySource(reg).collect();
  const hf = c.families[0] as HistogramFamily;
  assert.deepEqual(
    hf.points.map((p) => [p.labels, p.bounds, Array.from(p.cumulativeCounts), p.sum, p.count]),
    [
      [{ a: '1' }, [1], [1], 10, 2],
      [{ a: '2' }, [1], [5], 60, 6],
    ],
  );
});

test('combineSources: families of every source, each point keeping its own source time, errors gathered', async () => {
  const { combineSources } = await import('../../src/export/series.js');
  const a = new Registry();
  new Gauge({ name: 'a_g', help: 'h', registers: [a] }).set(1);
  const b = {
    collect: () => ({ families: [{ name: 'b_g', help: 'h', type: 'gauge' as const, points: [{ labels: {}, value: 2 }] }], timestampMs: 1000, startTimeMs: 500, errors: [new Error('one target down')] }),
  };
  const broken = { collect: () => Promise.reject(new Error('scrape failed')) };
  const c = await combineSources([registrySource(a), b, broken]).collect();
  assert.deepEqual(c.families.map((f) => f.name), ['a_g', 'b_g']);
  assert.equal(c.families[1]!.points[0]!.timestampMs, 1000);
  assert.equal(c.families[1]!.points[0]!.startTimeMs, 500);
  assert.ok(c.families[0]!.points[0]!.timestampMs! > 1000);
  assert.deepEqual(c.errors.map((e) => e.message), ['one target down', 'scrape failed']);
  assert.equal(c.startTimeMs, 500);
});
