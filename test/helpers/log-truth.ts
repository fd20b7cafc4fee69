/**
 * The truth of a generated log, computed from the generator's own records and independently of the
 * analyzer: values sorted with Array#sort, percentiles by numpy's 'linear' definition written out
 * again here (not src/analysis/stats.ts), counts and sums in record order.
 */
import { writtenSeconds, type Format, type GenCall, type GenEntry } from '../fixtures/logs/generate.js';

export interface TruthGroup {
  key: string;
  values: number[];
  count: number;
  errors: number;
  warnings: number;
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
  sum: number;
  share: number;
}

/** numpy.percentile(values, 100 q) with the default 'linear' method, on an ascending array. */
export function numpyLinear(ascending: readonly number[], q: number): number {
  const h = (ascending.length - 1) * q;
  const below = ascending[Math.floor(h)]!;
  const above = ascending[Math.ceil(h)]!;
  return below + (h - Math.floor(h)) * (above - below);
}

export const keyOf = (format: Format, c: GenCall): string => (format === 'text' || format === 'ecs' ? c.spec.fn : c.spec.route);

export function truthOf(format: Format, entries: readonly GenEntry[], inRange: (c: GenCall) => boolean = () => true): Map<string, TruthGroup> {
  const byKey = new Map<string, { values: number[]; errors: number; warnings: number }>();
  for (const e of entries) {
    if (e.kind !== 'call' || !inRange(e)) continue;
    const key = keyOf(format, e);
    let g = byKey.get(key);
    if (!g) byKey.set(key, (g = { values: [], errors: 0, warnings: 0 }));
    g.values.push(writtenSeconds(format, e.trueSeconds));
    if (e.error) g.errors++;
    else if (e.warning && format !== 'nginx') g.warnings++;
  }
  let all = 0;
  for (const g of byKey.values()) for (const v of g.values) all += v;
  const out = new Map<string, TruthGroup>();
  for (const [key, g] of byKey) {
    const sorted = [...g.values].sort((a, b) => a - b);
    let sum = 0;
    for (const v of g.values) sum += v;
    out.set(key, {
      key,
      values: g.values,
      count: g.values.length,
      errors: g.errors,
      warnings: g.warnings,
      mean: sum / g.values.length,
      p50: numpyLinear(sorted, 0.5),
      p90: numpyLinear(sorted, 0.9),
      p95: numpyLinear(sorted, 0.95),
      p99: numpyLinear(sorted, 0.99),
      max: sorted[sorted.length - 1]!,
      sum,
      share: sum / all,
    });
  }
  return out;
}

export const malformedLines = (entries: readonly GenEntry[]): number[] => entries.filter((e) => e.kind === 'malformed').map((e) => e.line);
