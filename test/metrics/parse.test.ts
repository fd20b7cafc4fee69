import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import type * as PromClient from 'prom-client';
import { PerfscopeError } from '../../src/core/errors.js';
import { parseExposition } from '../../src/metrics/parse.js';

const require = createRequire(import.meta.url);
const prom = require('prom-client') as typeof PromClient;

test("prom-client's own output in both formats parses back to the values put in", async () => {
  for (const ct of [prom.prometheusContentType, prom.openMetricsContentType]) {
    const r = new (prom.Registry as unknown as new (ct: string) => PromClient.Registry)(ct);
    const c = new prom.Counter({ name: 'jobs_total', help: 'Jobs "done" \\ here\nok', labelNames: ['q'], registers: [r] });
    c.inc({ q: 'a "quoted" \\ back\nslash } { , =' }, 2);
    const g = new prom.Gauge({ name: 'g', help: 'g', registers: [r] });
    g.set(NaN);
    const h = new prom.Histogram({ name: 'h', help: 'h', buckets: [1], registers: [r] });
    h.observe(0.5);
    h.observe(3);
    const families = parseExposition(await r.metrics());
    const jobs = families.find((f) => f.name === (ct === prom.openMetricsContentType ? 'jobs' : 'jobs_total'))!;
    assert.equal(jobs.type, 'counter');
    assert.equal(jobs.help, 'Jobs "done" \\ here\nok');
    assert.deepEqual(jobs.samples, [{ name: 'jobs_total', labels: { q: 'a "quoted" \\ back\nslash } { , =' }, value: 2 }]);
    assert.ok(Number.isNaN(families.find((f) => f.name === 'g')!.samples[0]!.value), 'Nan');
    const hist = families.find((f) => f.name === 'h')!;
    assert.deepEqual(
      hist.samples.map((s) => [s.name, s.labels.le, s.value]),
      [
        ['h_bucket', '1', 1],
        ['h_bucket', '+Inf', 2],
        ['h_sum', undefined, 3.5],
        ['h_count', undefined, 2],
      ],
    );
  }
});

test('timestamps, exemplars, comments and untyped samples', () => {
  const om = parseExposition('# TYPE a counter\na_total{x="1"} 3 # {trace_id="abc"} 1 1700000000.5\na_created 1.7e9\n# EOF\n');
  assert.deepEqual(om[0]!.samples.map((s) => s.name), ['a_total', 'a_created']);
  assert.equal(om[0]!.samples[0]!.value, 3);
  const text = parseExposition('# a comment\nplain 1 1700000000000\nother{a="b",} +Inf\n');
  assert.deepEqual(text.map((f) => [f.name, f.type]), [['plain', 'untyped'], ['other', 'untyped']]);
  assert.equal(text[0]!.samples[0]!.timestamp, 1700000000000);
  assert.equal(text[1]!.samples[0]!.value, Infinity);
});

test('a malformed line is a PerfscopeError EBADDATA naming the line', () => {
  for (const [bad, why] of [
    ['x{a="b"', /not closed|"," or "}"/],
    ['x{a=b} 1', /quoted value/],
    ['x 1 2 3', /a value \(and at most a timestamp\)/],
    ['x one', /"one" is not a number/],
    ['x{a="\\q"} 1', /unknown escape/],
    ['x{a="1",a="2"} 1', /given twice/],
    ['9x 1', /a metric name was expected/],
  ] as const) {
    assert.throws(
      () => parseExposition(`ok 1\n${bad}\n`),
      (e) => e instanceof PerfscopeError && e.code === 'EBADDATA' && /^exposition line 2: /.test(e.message) && why.test(e.message),
      bad,
    );
  }
  assert.throws(() => parseExposition('# just a comment\nx 1\n# EOF\n'), /OpenMetrics allows no comment lines/);
});
