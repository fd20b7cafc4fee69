import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Counter, Gauge, Registry, register, openMetricsContentType, collectDefaultMetrics, defaultMetricNames } from '../../src/metrics/index.js';
import { PerfscopeError } from '../../src/core/errors.js';
import { collectAndCompare, sampleValue } from '../../src/testing/index.js';
import { countOpenFds, readMaxFds, readStatusMemory } from '../../src/metrics/default-metrics/procfs.js';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

test('merge, single metric access, reset and clear', async () => {
  const a = new Registry();
  const b = new Registry();
  new Counter({ name: 'a_total', help: 'a', registers: [a] }).inc(2);
  new Gauge({ name: 'b', help: 'b', registers: [b] }).set(3);
  const m = Registry.merge([a, b]);
  await collectAndCompare(m, '# TYPE a_total counter\na_total 2\n# TYPE b gauge\nb 3', { strictOrder: true });
  assert.throws(() => Registry.merge([a, new Registry(openMetricsContentType)]), /same content type/);
  assert.match(await a.getSingleMetricAsString('a_total'), /a_total 2/);
  a.resetMetrics();
  await collectAndCompare(a, { a_total: 0 });
  a.clear();
  assert.equal(await a.metrics(), '\n');
  assert.throws(() => new Registry('text/html'), /Content type text\/html is unsupported/);
  assert.ok(register instanceof Registry && Registry.globalRegistry === register);
});

test('getMetricsAsJSON merges default labels; collect callbacks run (async too)', async () => {
  const r = new Registry();
  r.setDefaultLabels({ app: 'svc' });
  let n = 0;
  new Gauge({
    name: 'cb',
    help: 'cb',
    registers: [r],
    async collect() {
      await new Promise((res) => setImmediate(res));
      this.set(++n);
    },
  });
  const json = await r.getMetricsAsJSON();
  assert.deepEqual(json[0]!.values, [{ value: 1, labels: { app: 'svc' } }]);
  assert.equal(await sampleValue(r, 'cb', { app: 'svc' }), 2);
});

test('default metrics: prom-client names, plus event-loop utilisation', async () => {
  const r = new Registry();
  collectDefaultMetrics({ register: r, prefix: 'x_' });
  const text = await r.metrics();
  for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'process_start_time_seconds', 'nodejs_eventloop_lag_p99_seconds', 'nodejs_heap_size_used_bytes', 'nodejs_gc_duration_seconds', 'nodejs_version_info', 'nodejs_eventloop_utilization_ratio']) {
    assert.match(text, new RegExp(`^# TYPE x_${name} `, 'm'), name);
  }
  assert.ok(defaultMetricNames.includes('process_open_fds'));
  assert.throws(() => collectDefaultMetrics({ register: r, prefix: 'x_' }), /already been registered/);
});

test('procfs reader works on a fixture tree and returns undefined when files are missing', () => {
  const root = mkdtempSync(join(tmpdir(), 'perfscope-proc-'));
  mkdirSync(join(root, '42', 'fd'), { recursive: true });
  writeFileSync(join(root, '42', 'status'), 'Name:\tnode\nVmSize:\t  1000 kB\nVmRSS:\t   200 kB\nVmData:\t   300 kB\n');
  writeFileSync(join(root, '42', 'limits'), 'Limit                     Soft Limit           Hard Limit           Units\nMax open files            1024                 4096                 files\n');
  for (const f of ['0', '1', '2']) writeFileSync(join(root, '42', 'fd', f), '');
  assert.deepEqual(readStatusMemory(root, 42), { rss: 204800, vsize: 1024000, data: 307200 });
  assert.equal(readMaxFds(root, 42), 1024);
  assert.equal(countOpenFds(root, 42), 3);
  assert.equal(readStatusMemory(root, 43), undefined);
  assert.equal(countOpenFds(root, 43), undefined);
});

test('a label value that is neither a string nor a number is refused at the call (TypeError, the label named)', async () => {
  const r = new Registry();
  const c = new Counter({ name: 'req_total', help: 'r', labelNames: ['route'], registers: [r] });
  c.inc({ route: '/ok' });
  const refused = (e: unknown) => e instanceof TypeError && e instanceof PerfscopeError && /Label value of "route" must be a string or a number, got Symbol\(x\) \(metric "req_total"\)/.test(e.message);
  assert.throws(() => c.inc({ route: Symbol('x') } as never), refused);
  assert.throws(() => c.labels(Symbol('x') as never), refused, 'a bound handle is refused when made');
  for (const bad of [{}, null, true, [1], () => 1, 10n]) {
    assert.throws(() => c.inc({ route: bad } as never), TypeError, `refused: ${String(bad)}`);
  }
  const g = new Gauge({ name: 'g', help: 'g', labelNames: ['a', 'b'], registers: [r] });
  assert.throws(() => g.set({ a: 'x', b: Symbol('y') } as never, 1), /Label value of "b"/);
  assert.throws(() => r.setDefaultLabels({ app: Symbol('a') } as never), /Label value of "app"/);
  c.inc({ route: 200 });
  // nothing half-made: every scrape still answers, with the good series only
  await collectAndCompare(r, { 'req_total{route="/ok"}': 1, 'req_total{route="200"}': 1 });
});

test('a failing metric never breaks a scrape: left out, reported as data, a counter, one warning and a comment', async () => {
  const warnings: Error[] = [];
  const onWarning = (w: Error) => void warnings.push(w);
  process.on('warning', onWarning);
  try {
    const r = new Registry();
    new Counter({ name: 'good_total', help: 'good', registers: [r] }).inc(3);
    let broken = true;
    new Gauge({
      name: 'flaky',
      help: 'collect fails while broken',
      registers: [r],
      collect() {
        if (broken) throw new Error('sensor unplugged\nsecond line');
        this.set(7);
      },
    });
    r.registerMetric({ name: 'foreign', get: () => Promise.reject(new Error('no data')) });
    r.registerMetric({ name: 'unrenderable', type: 'gauge', get: () => ({ name: 'unrenderable', help: 'h', type: 'gauge', values: [{ value: 1, labels: { a: Symbol('s') } }] }) });
    new Gauge({ name: 'after', help: 'after', registers: [r] }).set(1);

    const first = await r.scrape();
    assert.deepEqual(first.errors.map((e) => e.metric), ['flaky', 'foreign', 'unrenderable']);
    assert.match(String(first.errors[0]!.error), /sensor unplugged/);
    assert.match(first.text, /^good_total 3$/m);
    assert.match(first.text, /^after 1$/m);
    assert.match(first.text, /^# perfscope: metric "flaky" left out of this scrape: Error: sensor unplugged\\u000asecond line$/m);
    assert.match(first.text, /^perfscope_scrape_errors_total\{metric="flaky"\} 1$/m);
    assert.match(first.text, /^perfscope_scrape_errors_total\{metric="unrenderable"\} 1$/m);
    assert.doesNotMatch(first.text, /^flaky /m);
    // OpenMetrics: no comment lines (its grammar has none), the counter as a proper family, # EOF last
    const om = await r.scrape({ openMetrics: true });
    assert.doesNotMatch(om.text, /^# perfscope/m);
    assert.match(om.text, /^# TYPE perfscope_scrape_errors counter$/m);
    assert.match(om.text, /^perfscope_scrape_errors_total\{metric="flaky"\} 2$/m);
    assert.ok(om.text.endsWith('# EOF\n'));
    // metrics() and getMetricsAsJSON() answer the same way instead of rejecting
    assert.match(await r.metrics(), /^good_total 3$/m);
    const json = await r.getMetricsAsJSON();
    assert.deepEqual(json.map((m) => m.name), ['good_total', 'flaky', 'unrenderable', 'after', 'perfscope_scrape_errors_total'].filter((n) => n !== 'flaky'));
    await new Promise((res) => setImmediate(res));
    const mine = warnings.filter((w) => (w as { code?: string }).code === 'PERFSCOPE_SCRAPE');
    assert.deepEqual(mine.map((w) => /metric "(\w+)"/.exec(w.message)![1]), ['flaky', 'foreign', 'unrenderable'], 'one warning per metric, not per scrape');
    // recovery: back in the exposition; failing again warns again
    broken = false;
    assert.match(await r.metrics(), /^flaky 7$/m);
    broken = true;
    await r.metrics();
    await new Promise((res) => setImmediate(res));
    assert.equal(warnings.filter((w) => /metric "flaky"/.test(w.message)).length, 2);
  } finally {
    process.off('warning', onWarning);
  }
});
