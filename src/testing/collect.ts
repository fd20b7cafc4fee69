/**
 * Tests that compare values, not regexes over text: client_golang's testutil for perfscope registries.
 *
 *   await collectAndCompare(registry, `
 *     # HELP http_requests_total Requests
 *     # TYPE http_requests_total counter
 *     http_requests_total{code="200",method="GET"} 3
 *   `, { metricNames: ['http_requests_total'] });
 *   await collectAndCompare(registry, { 'http_requests_total{method="GET",code="200"}': 3 });
 *   assert.equal(await toFloat64(counter), 3);
 *   assert.equal(await sampleValue(registry, 'latency_seconds_count', { route: '/a' }), 5);
 *
 * Everything is collected the way a scrape collects it (collect callbacks run), rendered as text 0.0.4
 * and parsed back (src/metrics/parse.ts), so what is compared is what Prometheus would read. A metric
 * that fails to collect makes these helpers reject with its error: in a test, a fault is a failure.
 */
import { AssertionError, deepStrictEqual } from 'node:assert/strict';
import { inspect } from 'node:util';
import { usageError } from '../core/errors.js';
import { parseExposition, type ParsedFamily, type ParsedSample } from '../metrics/parse.js';
import { Registry, type RegistryMetric } from '../metrics/registry.js';
import { escapeLabelValue } from '../metrics/validation.js';

/** A registry, or one metric (counter, gauge, histogram, summary, or anything with prom-client's get()). */
export type Collectable = Registry | RegistryMetric;

export interface CompareOptions {
  /** Compare only the samples of these metrics (a histogram's name covers its `_bucket`, `_sum`, `_count`). */
  metricNames?: readonly string[];
  /** Do not compare HELP texts (default false). HELP is compared only for metrics whose HELP the expected text gives. */
  ignoreHelp?: boolean;
  /** Compare the order of metrics and samples too (default false: order is ignored, as client_golang does). */
  strictOrder?: boolean;
}

/** Expected sample values by series: `name{label="value",...}` (any label order) or a bare `name`. */
export type ValueTable = Readonly<Record<string, number>>;

const SUFFIXES = ['', '_total', '_created', '_bucket', '_count', '_sum', '_info'];

function isRegistryMetric(x: unknown): x is RegistryMetric {
  return typeof x === 'object' && x !== null && typeof (x as RegistryMetric).get === 'function' && typeof (x as RegistryMetric).name === 'string';
}

/** The text 0.0.4 exposition of `source`, parsed; rejects when a metric failed to collect. */
export async function collect(source: Collectable): Promise<ParsedFamily[]> {
  let registry: Registry;
  if (source instanceof Registry) registry = source;
  else if (isRegistryMetric(source)) {
    registry = new Registry();
    registry.registerMetric(source);
  } else throw usageError(`expected a Registry or a metric, got ${inspect(source)}`);
  const { text, errors } = await registry.scrape({ openMetrics: false });
  if (errors.length > 0) {
    const first = errors[0]!;
    throw new AssertionError({
      message: `metric ${JSON.stringify(first.metric)} failed to collect: ${first.error instanceof Error ? first.error.message : String(first.error)}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}`,
    });
  }
  return parseExposition(text, { openMetrics: false });
}

const numberText = (v: number): string => (Number.isNaN(v) ? 'NaN' : v === Infinity ? '+Inf' : v === -Infinity ? '-Inf' : `${v}`);

/** `name{a="x",b="y"}` with labels sorted by name: one spelling per series. */
export function seriesKey(name: string, labels: Readonly<Record<string, string>>): string {
  const keys = Object.keys(labels).sort();
  return keys.length === 0 ? name : `${name}{${keys.map((k) => `${k}="${escapeLabelValue(labels[k])}"`).join(',')}}`;
}

const sampleLine = (s: ParsedSample): string => `${seriesKey(s.name, s.labels)} ${numberText(s.value)}`;

const belongsTo = (sampleName: string, metricNames: readonly string[] | undefined): boolean =>
  metricNames === undefined || metricNames.some((m) => sampleName.startsWith(m) && SUFFIXES.includes(sampleName.slice(m.length)));

const familyWanted = (family: string, metricNames: readonly string[] | undefined): boolean =>
  metricNames === undefined || metricNames.some((m) => m === family || family.startsWith(m) && SUFFIXES.includes(family.slice(m.length)) || m.startsWith(family) && SUFFIXES.includes(m.slice(family.length)));

/** The comparable lines of an exposition: declarations the expected side gives, then every sample. */
function lines(families: ParsedFamily[], declared: Map<string, { help: boolean; type: boolean }>, options: CompareOptions): string[] {
  const decl: string[] = [];
  const samples: string[] = [];
  for (const f of families) {
    const d = declared.get(f.name);
    if (d !== undefined && familyWanted(f.name, options.metricNames)) {
      if (d.help && options.ignoreHelp !== true) decl.push(`# HELP ${f.name} ${f.help ?? '(none)'}`);
      if (d.type) decl.push(`# TYPE ${f.name} ${f.type}`);
    }
    for (const s of f.samples) if (belongsTo(s.name, options.metricNames)) samples.push(sampleLine(s));
  }
  if (options.strictOrder !== true) {
    decl.sort();
    samples.sort();
  }
  return [...decl, ...samples];
}

function fail(e: unknown, what: string): never {
  if (e instanceof AssertionError) {
    throw new AssertionError({ message: `${what}\n${e.message}`, actual: e.actual, expected: e.expected, operator: e.operator });
  }
  throw e;
}

/**
 * Collects `source` and compares it with `expected`: an exposition text (HELP and TYPE lines are
 * compared for the metrics it declares them for; samples always) or a table of sample values (every
 * series of each sample name in the table must be listed, and no other). Rejects with an
 * AssertionError showing the difference.
 */
export async function collectAndCompare(source: Collectable, expected: string | ValueTable, options: CompareOptions = {}): Promise<void> {
  const actual = await collect(source);
  if (typeof expected === 'string') {
    const want = parseExposition(expected.replace(/^[ \t]+/gm, ''), { openMetrics: false });
    // a HELP or TYPE is compared only where the expected text gives one
    const typed = new Set([...expected.matchAll(/^[ \t]*#[ \t]+TYPE[ \t]+(\S+)/gm)].map((m) => m[1]!));
    const declared = new Map(want.map((f) => [f.name, { help: f.help !== undefined, type: typed.has(f.name) }]));
    try {
      deepStrictEqual(lines(actual, declared, options), lines(want, declared, options));
    } catch (e) {
      fail(e, 'collectAndCompare: the collected metrics differ from the expected exposition');
    }
    return;
  }
  if (typeof expected !== 'object' || expected === null) throw usageError(`collectAndCompare: expected must be an exposition text or a value table, got ${inspect(expected)}`);
  const wantLines: string[] = [];
  const names = new Set<string>();
  for (const [key, value] of Object.entries(expected)) {
    const parsed = parseExposition(`${key} 0\n`, { openMetrics: false })[0]?.samples[0];
    if (parsed === undefined) throw usageError(`collectAndCompare: ${JSON.stringify(key)} is not a series (name{label="value",...})`);
    if (typeof value !== 'number') throw usageError(`collectAndCompare: the value for ${key} must be a number, got ${inspect(value)}`);
    names.add(parsed.name);
    wantLines.push(`${seriesKey(parsed.name, parsed.labels)} ${numberText(value)}`);
  }
  const gotLines: string[] = [];
  for (const f of actual) for (const s of f.samples) if (names.has(s.name)) gotLines.push(sampleLine(s));
  try {
    deepStrictEqual(gotLines.sort(), wantLines.sort());
  } catch (e) {
    fail(e, `collectAndCompare: the samples of ${[...names].join(', ')} differ from the table`);
  }
}

/**
 * The value of one sample of `source`: `sampleName` (e.g. `latency_seconds_count`) with exactly these
 * labels; undefined when there is no such sample.
 */
export async function sampleValue(source: Collectable, sampleName: string, labels: Readonly<Record<string, string | number>> = {}): Promise<number | undefined> {
  const key = seriesKey(sampleName, Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, String(v)])));
  for (const f of await collect(source)) for (const s of f.samples) if (s.name === sampleName && seriesKey(s.name, s.labels) === key) return s.value;
  return undefined;
}

/**
 * client_golang's ToFloat64: the value of a counter's or gauge's one series (or of the series with
 * exactly `labels`). Rejects for histograms and summaries (use sampleValue) and when the series is
 * missing or ambiguous.
 */
export async function toFloat64(metric: RegistryMetric, labels?: Readonly<Record<string, string | number>>): Promise<number> {
  const families = await collect(metric);
  const family = families.find((f) => f.name === metric.name) ?? families[0];
  if (family === undefined) throw new AssertionError({ message: `toFloat64: ${metric.name} collected nothing` });
  if (family.type === 'histogram' || family.type === 'summary') {
    throw usageError(`toFloat64: ${metric.name} is a ${family.type}; read one of its samples with sampleValue(metric, '${metric.name}_count', labels)`);
  }
  const samples = labels === undefined ? family.samples : family.samples.filter((s) => seriesKey('', s.labels) === seriesKey('', Object.fromEntries(Object.entries(labels).map(([k, v]) => [k, String(v)]))));
  if (samples.length !== 1) {
    throw new AssertionError({
      message: `toFloat64: ${metric.name} has ${samples.length === 0 ? 'no series' : `${samples.length} series`}${labels === undefined ? '' : ` with labels ${inspect(labels)}`}; ${samples.length > 1 ? 'pass the labels of one' : 'nothing to read'}`,
    });
  }
  return samples[0]!.value;
}

/** client_golang's CollectAndCount: the number of series (label sets; a histogram's buckets count once) of `source`, or of the named metrics. */
export async function collectAndCount(source: Collectable, ...metricNames: string[]): Promise<number> {
  const wanted = metricNames.length === 0 ? undefined : metricNames;
  let n = 0;
  for (const f of await collect(source)) {
    if (!familyWanted(f.name, wanted)) continue;
    const series = new Set<string>();
    for (const s of f.samples) {
      const { le: _le, quantile: _q, ...rest } = s.labels;
      series.add(seriesKey('', rest));
    }
    n += series.size;
  }
  return n;
}
