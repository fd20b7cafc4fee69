import { test, mock } from 'node:test';
import assert from 'node:assert/strict';
import { Counter, Registry, OVERFLOW_LABEL } from '../../src/metrics/index.js';
import { collectAndCompare, collectAndCount } from '../../src/testing/index.js';

const fresh = (extra: Record<string, unknown> = {}) => {
  const registry = new Registry();
  const c = new Counter({ name: 'req_total', help: 'requests', labelNames: ['method', 'code'], registers: [registry], ...extra });
  return { registry, c };
};

test('inc with labels, positional labels and a bound handle share one series', async () => {
  const { c } = fresh();
  c.inc({ method: 'GET', code: '200' });
  c.inc({ code: 200, method: 'GET' }, 2); // number and string label values are one series, as in prom-client
  const h = c.labels('GET', '200');
  h.inc();
  h.inc(0.5);
  assert.equal(c.getValue({ method: 'GET', code: '200' }), 4.5);
  assert.equal(h.get(), 4.5);
  const { values } = await c.get();
  assert.equal(values.length, 1);
});

test('a bound handle re-resolves its series after remove() and reset()', () => {
  const { c } = fresh();
  const h = c.labels('GET', '200');
  h.inc(3);
  c.remove('GET', '200');
  assert.equal(c.getValue({ method: 'GET', code: '200' }), 0);
  h.inc();
  assert.equal(c.getValue({ method: 'GET', code: '200' }), 1);
  c.reset();
  h.inc(2);
  assert.equal(c.getValue({ method: 'GET', code: '200' }), 2);
});

test('labels() does not create the series before the first inc (same exposition as prom-client)', async () => {
  const { c, registry } = fresh();
  c.labels('GET', '200');
  assert.equal(await registry.metrics(), '# HELP req_total requests\n# TYPE req_total counter\n');
});

test('bad input fails at the call, naming the metric and the value', () => {
  const { c } = fresh();
  assert.throws(() => c.inc({ method: 'GET' }, -1), /decrease a counter: inc\(-1\) on counter "req_total"/);
  assert.throws(() => c.inc(NaN), /Value is not a valid number: NaN \(counter "req_total"\)/);
  assert.throws(() => c.inc({ method: 'GET' }, Infinity), /Infinity/);
  assert.throws(() => c.inc('3' as unknown as number), TypeError);
  assert.throws(() => c.inc({ methd: 'GET' } as never), /Added label "methd" is not included in initial labelset.*req_total/);
  assert.throws(() => c.labels('GET'), /Invalid number of arguments \(1\).*req_total/);
  assert.throws(() => c.labels('GET', '200').inc(-2), /decrease a counter/);
  assert.throws(() => new Counter({ name: 'bad-name', help: 'x', registers: [] }), /Invalid metric name 'bad-name'/);
  assert.throws(() => new Counter({ name: 'ok', help: 'x', labelNames: ['1x'], registers: [] }), /Invalid label name '1x' for metric "ok"/);
  assert.throws(() => new Counter({ name: 'ok', help: '', registers: [] }), /help/);
  const r = new Registry();
  new Counter({ name: 'dup', help: 'x', registers: [r] });
  assert.throws(() => new Counter({ name: 'dup', help: 'x', registers: [r] }), /dup has already been registered/);
});

test('cardinality limit: one warning, extra series folded into the overflow series', async () => {
  const warnings: string[] = [];
  const onWarn = (w: Error) => warnings.push(w.message);
  process.on('warning', onWarn);
  try {
    const { c, registry } = fresh({ cardinalityLimit: 3 });
    for (let i = 0; i < 10; i++) c.inc({ method: `m${i}`, code: '200' });
    await new Promise((r) => setImmediate(r));
    assert.equal(warnings.filter((w) => w.includes('req_total')).length, 1);
    assert.match(warnings[0]!, /cardinality limit of 3/);
    await collectAndCompare(registry, {
      'req_total{method="m0",code="200"}': 1,
      'req_total{method="m1",code="200"}': 1,
      'req_total{method="m2",code="200"}': 1,
      [`req_total{${OVERFLOW_LABEL}="true"}`]: 7,
    });
    assert.equal(c.seriesCount, 3);
  } finally {
    process.off('warning', onWarn);
  }
});

test('cardinality limit with drop: extra series are discarded', async () => {
  const { c, registry } = fresh({ cardinalityLimit: 2, onCardinalityOverflow: 'drop' });
  for (let i = 0; i < 5; i++) c.inc({ method: `m${i}`, code: '200' });
  assert.equal(await collectAndCount(registry), 2);
  await collectAndCompare(registry, { 'req_total{method="m0",code="200"}': 1, 'req_total{method="m1",code="200"}': 1 });
});

test('idle series expire after seriesTtlSeconds (checked at collection)', async () => {
  mock.timers.enable({ apis: ['Date'], now: 1_000_000 });
  try {
    const { c, registry } = fresh({ seriesTtlSeconds: 60 });
    const h = c.labels('GET', '200');
    h.inc();
    c.inc({ method: 'POST', code: '500' });
    await registry.metrics(); // both touched
    mock.timers.tick(30_000);
    h.inc();
    await registry.metrics(); // POST idle since now
    mock.timers.tick(61_000);
    h.inc();
    await collectAndCompare(registry, { 'req_total{method="GET",code="200"}': 3 }); // POST expired
    h.inc();
    assert.equal(c.getValue({ method: 'GET', code: '200' }), 4);
  } finally {
    mock.timers.reset();
  }
});

test('unlabelled counter starts at 0 and rejects label keys', async () => {
  const r = new Registry();
  const c = new Counter({ name: 'plain_total', help: 'p', registers: [r] });
  assert.equal(await r.metrics(), '# HELP plain_total p\n# TYPE plain_total counter\nplain_total 0\n');
  c.inc();
  c.inc(2);
  assert.equal(c.getValue(), 3);
  assert.throws(() => c.inc({ a: 'x' } as never), /Added label "a"/);
});
