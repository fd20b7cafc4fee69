import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AssertionError } from 'node:assert';
import { Counter, Gauge, Histogram, Registry, Summary } from '../../src/metrics/index.js';
import { collectAndCompare, collectAndCount, sampleValue, toFloat64 } from '../../src/testing/index.js';

function fixture() {
  const r = new Registry();
  const c = new Counter({ name: 'http_requests_total', help: 'Requests', labelNames: ['method', 'code'], registers: [r] });
  c.inc({ method: 'GET', code: '200' }, 3);
  c.inc({ code: '500', method: 'POST' });
  const g = new Gauge({ name: 'temperature', help: 'Temp', registers: [r] });
  g.set(-1.5);
  const h = new Histogram({ name: 'lat_seconds', help: 'Latency', labelNames: ['route'], buckets: [0.1, 1], registers: [r] });
  for (const v of [0.05, 0.5, 5]) h.observe({ route: '/a' }, v);
  return { r, c, g, h };
}

test('collectAndCompare: an exposition text, in any order, HELP and TYPE where given', async () => {
  const { r } = fixture();
  await collectAndCompare(
    r,
    `
    # HELP http_requests_total Requests
    # TYPE http_requests_total counter
    http_requests_total{method="POST",code="500"} 1
    http_requests_total{code="200",method="GET"} 3
    `,
    { metricNames: ['http_requests_total'] },
  );
  // samples only (no HELP/TYPE given): a histogram by its family name covers buckets, sum and count
  await collectAndCompare(
    r,
    `lat_seconds_bucket{le="0.1",route="/a"} 1
     lat_seconds_bucket{le="1",route="/a"} 2
     lat_seconds_bucket{le="+Inf",route="/a"} 3
     lat_seconds_sum{route="/a"} 5.55
     lat_seconds_count{route="/a"} 3`,
    { metricNames: ['lat_seconds'] },
  );
  // the whole registry
  await collectAndCompare(
    r,
    `# TYPE temperature gauge
     temperature -1.5
     http_requests_total{method="GET",code="200"} 3
     http_requests_total{method="POST",code="500"} 1
     lat_seconds_bucket{le="0.1",route="/a"} 1
     lat_seconds_bucket{le="1",route="/a"} 2
     lat_seconds_bucket{le="+Inf",route="/a"} 3
     lat_seconds_sum{route="/a"} 5.55
     lat_seconds_count{route="/a"} 3`,
  );
});

test('collectAndCompare fails with a diff on a wrong value, a missing or extra series, a different HELP', async () => {
  const { r } = fixture();
  const fails = (p: Promise<void>, what: RegExp) =>
    assert.rejects(p, (e) => e instanceof AssertionError && /collectAndCompare/.test(e.message) && what.test(e.message));
  await fails(collectAndCompare(r, 'http_requests_total{method="GET",code="200"} 4\nhttp_requests_total{method="POST",code="500"} 1', { metricNames: ['http_requests_total'] }), /code="200",method="GET"\} 4/);
  await fails(collectAndCompare(r, 'http_requests_total{method="GET",code="200"} 3', { metricNames: ['http_requests_total'] }), /method="POST"/);
  await fails(collectAndCompare(r, 'temperature -1.5', { metricNames: ['temperature'] }).then(() => collectAndCompare(r, 'temperature -1.5')), /http_requests_total/);
  await fails(collectAndCompare(r, '# HELP temperature Heat\ntemperature -1.5', { metricNames: ['temperature'] }), /# HELP temperature/);
  await collectAndCompare(r, '# HELP temperature Heat\ntemperature -1.5', { metricNames: ['temperature'], ignoreHelp: true });
  await fails(collectAndCompare(r, '# TYPE temperature counter\ntemperature -1.5', { metricNames: ['temperature'] }), /# TYPE temperature/);
});

test('collectAndCompare with a value table: every series of each named sample, no more', async () => {
  const { r } = fixture();
  await collectAndCompare(r, { 'http_requests_total{code="200",method="GET"}': 3, 'http_requests_total{method="POST",code="500"}': 1, temperature: -1.5 });
  await collectAndCompare(r, { 'lat_seconds_count{route="/a"}': 3 });
  await assert.rejects(collectAndCompare(r, { 'http_requests_total{method="GET",code="200"}': 3 }), AssertionError, 'the POST series is missing from the table');
  await assert.rejects(collectAndCompare(r, { temperature: 1.5 }), AssertionError);
});

test('toFloat64, sampleValue and collectAndCount read values, not text', async () => {
  const { r, c, g, h } = fixture();
  assert.equal(await toFloat64(g), -1.5);
  assert.equal(await toFloat64(c, { method: 'GET', code: '200' }), 3);
  await assert.rejects(toFloat64(c), /has 2 series; pass the labels of one/);
  await assert.rejects(toFloat64(h), /is a histogram; read one of its samples with sampleValue/);
  assert.equal(await sampleValue(r, 'lat_seconds_bucket', { route: '/a', le: '1' }), 2);
  assert.equal(await sampleValue(h, 'lat_seconds_sum', { route: '/a' }), 5.55);
  assert.equal(await sampleValue(r, 'lat_seconds_count', { route: '/b' }), undefined);
  assert.equal(await collectAndCount(r), 4, 'two counter series, one gauge, one histogram series');
  assert.equal(await collectAndCount(r, 'lat_seconds'), 1);
  const s = new Summary({ name: 'sizes', help: 's', labelNames: ['k'], registers: [] });
  s.observe({ k: 'a' }, 1);
  s.observe({ k: 'b' }, 2);
  assert.equal(await collectAndCount(s), 2);
});

test('a metric that fails to collect fails the comparison with its error', async () => {
  const r = new Registry();
  new Gauge({
    name: 'broken',
    help: 'b',
    registers: [r],
    collect() {
      throw new Error('sensor gone');
    },
  });
  process.once('warning', () => {});
  await assert.rejects(collectAndCompare(r, 'broken 1'), /metric "broken" failed to collect: sensor gone/);
});
