import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import type * as PromClient from 'prom-client';
import * as ours from '../../src/metrics/index.js';

const require = createRequire(import.meta.url);
const prom = require('prom-client') as typeof PromClient;

type Lib = typeof ours | typeof prom;

/** One program, run against either library. */
function program(lib: Lib, reg: unknown): void {
  const registers = [reg] as never;
  const c = new lib.Counter({ name: 'http_requests_total', help: 'Requests "x" \\ \n y', labelNames: ['method', 'code'], registers });
  c.inc({ method: 'GET', code: 200 });
  c.inc({ code: '500', method: 'P"O\\ST\n' }, 3);
  c.labels('PUT', '201').inc(2.5);
  new lib.Counter({ name: 'plain', help: 'p', registers }).inc();
  const g = new lib.Gauge({ name: 'g', help: 'gauge', labelNames: ['a'], registers });
  g.set({ a: 'x' }, NaN);
  g.set({ a: 'y' }, -Infinity);
  g.inc({ a: 'z' });
  g.dec({ a: 'z' }, 5);
  new lib.Gauge({ name: 'g2', help: 'gauge2', registers });
  const h = new lib.Histogram({ name: 'h_seconds', help: 'hist', labelNames: ['route'], buckets: [0.1, 1, 10], registers });
  h.observe({ route: '/a' }, 0.05);
  h.observe({ route: '/a' }, 5);
  h.observe({ route: '/b' }, 50);
  h.observe(0.5);
  h.zero({ route: '/z' });
  new lib.Histogram({ name: 'h2', help: 'hist2', registers }).observe(0.3);
  const s = new lib.Summary({ name: 's', help: 'sum', labelNames: ['k'], registers });
  for (const v of [100, 100, 100, 50, 50]) s.observe({ k: 'v' }, v);
  const s2 = new lib.Summary({ name: 's2', help: 'sum2', registers, percentiles: [0.5, 0.9] });
  for (let i = 1; i <= 10; i++) s2.observe(i * 1.5);
}

for (const openMetrics of [false, true]) {
  for (const defaults of [false, true]) {
    test(`same program, same exposition as prom-client 15.1.3 (${openMetrics ? 'OpenMetrics' : 'text 0.0.4'}${defaults ? ', default labels' : ''})`, async () => {
      const ct = openMetrics ? prom.openMetricsContentType : prom.prometheusContentType;
      const theirs = new (prom.Registry as unknown as new (ct: string) => PromClient.Registry)(ct);
      const mine = new ours.Registry(ct);
      if (defaults) {
        theirs.setDefaultLabels({ app: 'x', method: 'dflt' });
        mine.setDefaultLabels({ app: 'x', method: 'dflt' });
      }
      program(prom, theirs);
      program(ours, mine);
      let expected = await theirs.metrics();
      // the one deliberate difference: OpenMetrics forbids a bare `"` in HELP, so we escape it
      if (openMetrics) expected = expected.replace('Requests "x"', 'Requests \\"x\\"');
      assert.equal(await mine.metrics(), expected);
    });
  }
}

test('one registry renders either format on request (content negotiation)', async () => {
  const r = new ours.Registry();
  new ours.Counter({ name: 'jobs_total', help: 'j', registers: [r] }).inc();
  assert.match(await r.metrics(), /^jobs_total 1$/m);
  const om = await r.metrics({ openMetrics: true });
  assert.match(om, /^# TYPE jobs counter$/m);
  assert.match(om, /^jobs_total 1$/m);
  assert.ok(om.endsWith('# EOF\n'));
});

test('label values and help text cannot break the exposition', async () => {
  const r = new ours.Registry();
  const g = new ours.Gauge({ name: 'evil', help: 'line1\nline2 \\ end', labelNames: ['v'], registers: [r] });
  g.set({ v: 'a"b\\c\nd}{,=' }, 1);
  const text = await r.metrics();
  assert.equal(text, '# HELP evil line1\\nline2 \\\\ end\n# TYPE evil gauge\nevil{v="a\\"b\\\\c\\nd}{,="} 1\n');
});
