/**
 * Usage errors of the metrics classes: PerfscopeError with code EUSAGE (what the rest of perfscope
 * throws), and of prom-client's class for the same mistake, checked by making each mistake against
 * prom-client 15.1.3 and against us.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import type * as PromClient from 'prom-client';
import { PerfscopeError } from '../../src/core/errors.js';
import * as ours from '../../src/metrics/index.js';
import { AggregatorRegistry } from '../../src/metrics/aggregate.js';

const require = createRequire(import.meta.url);
const prom = require('prom-client') as typeof PromClient;

type Lib = typeof ours | typeof prom;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- mistakes on purpose: the types forbid them
type Any = any;

const om = (lib: Lib): Any => new (lib.Registry as Any)(lib.openMetricsContentType);
const mistakes: [string, (lib: Lib) => unknown][] = [
  ['no config object', (lib) => new (lib.Counter as Any)('x')],
  ['missing help', (lib) => new lib.Counter({ name: 'x', registers: [] } as Any)],
  ['missing name', (lib) => new lib.Counter({ help: 'h', registers: [] } as Any)],
  ['invalid metric name', (lib) => new lib.Counter({ name: 'bad-name', help: 'h', registers: [] })],
  ['invalid label name', (lib) => new lib.Counter({ name: 'x', help: 'h', labelNames: ['1x'], registers: [] })],
  ['collect not a function', (lib) => new lib.Counter({ name: 'x', help: 'h', registers: [], collect: 5 } as Any)],
  ['counter decreased', (lib) => new lib.Counter({ name: 'x', help: 'h', registers: [] }).inc(-1)],
  ['counter value not a number', (lib) => new lib.Counter({ name: 'x', help: 'h', registers: [] }).inc('3ms' as Any)],
  ['undeclared label', (lib) => new lib.Counter({ name: 'x', help: 'h', labelNames: ['a'], registers: [] }).inc({ b: 'x' } as Any)],
  ['wrong number of positional labels', (lib) => new lib.Counter({ name: 'x', help: 'h', labelNames: ['a', 'b'], registers: [] }).labels('x')],
  ['gauge value not a number', (lib) => new lib.Gauge({ name: 'x', help: 'h', registers: [] }).set('x' as Any)],
  ['gauge delta not a number', (lib) => new lib.Gauge({ name: 'x', help: 'h', registers: [] }).inc('x' as Any)],
  ['le label on a histogram', (lib) => new lib.Histogram({ name: 'x', help: 'h', labelNames: ['le'], registers: [] })],
  ['histogram value not a number', (lib) => new lib.Histogram({ name: 'x', help: 'h', registers: [] }).observe('x' as Any)],
  ['quantile label on a summary', (lib) => new lib.Summary({ name: 'x', help: 'h', labelNames: ['quantile'], registers: [] })],
  ['summary value not a number', (lib) => new lib.Summary({ name: 'x', help: 'h', registers: [] }).observe({}, 'x' as Any)],
  ['registry of an unknown content type', (lib) => new (lib.Registry as Any)('text/html')],
  ['unknown content type set', (lib) => new lib.Registry().setContentType('text/html' as Any)],
  [
    'a name registered twice',
    (lib) => {
      const r = new lib.Registry();
      new lib.Counter({ name: 'x', help: 'h', registers: [r as Any] });
      new lib.Counter({ name: 'x', help: 'h', registers: [r as Any] });
    },
  ],
  ['registries of two formats merged', (lib) => lib.Registry.merge([new lib.Registry(), om(lib)] as Any)],
  ['linear buckets, count 0', (lib) => lib.linearBuckets(0, 1, 0)],
  ['exponential buckets, start 0', (lib) => lib.exponentialBuckets(0, 2, 3)],
  ['default metrics config not an object', (lib) => lib.collectDefaultMetrics('x' as Any)],
  ['exemplars on a text registry', (lib) => new lib.Counter({ name: 'x', help: 'h', registers: [new lib.Registry() as Any], enableExemplars: true })],
  [
    'exemplar label set too long',
    (lib) =>
      new lib.Counter({ name: 'x', help: 'h', registers: [om(lib)], enableExemplars: true }).inc({
        value: 1,
        exemplarLabels: { traceId: 'x'.repeat(200) },
      } as Any),
  ],
];

const thrown = (f: () => unknown): unknown => {
  try {
    f();
  } catch (e) {
    return e;
  }
  return assert.fail('did not throw');
};
const baseClass = (e: unknown): string => (e instanceof RangeError ? 'RangeError' : e instanceof TypeError ? 'TypeError' : 'Error');

for (const [mistake, make] of mistakes) {
  test(`usage error, prom-client's class: ${mistake}`, () => {
    const theirs = thrown(() => make(prom));
    const mine = thrown(() => make(ours));
    assert.ok(mine instanceof PerfscopeError, `a PerfscopeError: ${String(mine)}`);
    assert.equal((mine as PerfscopeError).code, 'EUSAGE');
    assert.equal((mine as PerfscopeError).exitCode, 2);
    assert.ok(mine instanceof Error);
    assert.equal(baseClass(mine), baseClass(theirs), `prom-client threw ${String(theirs)}`);
  });
}

test("AggregatorRegistry.setRegistries of a non-registry: TypeError, as prom-client's", () => {
  const e = thrown(() => AggregatorRegistry.setRegistries(['x' as Any]));
  assert.ok(e instanceof TypeError && e instanceof PerfscopeError && e.code === 'EUSAGE');
});
