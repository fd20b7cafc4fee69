/**
 * A SeriesSource over a metrics Registry: what `/metrics` shows, read through the prom-client `get()`
 * contract every registered metric honours (ours and prom-client's own objects alike), so it depends on
 * no registry internals. Histogram and summary values come back flat (`_bucket{le}`, `_sum`, `_count`)
 * and are regrouped per series here.
 */
import type { Registry, RegistryMetric } from '../metrics/registry.js';
import type { Collection, HistogramPoint, Labels, MetricFamily, SummaryPoint, ValuePoint } from './series.js';

/** What the source reads of a registry (structural, so tests and serve can pass their own). */
export type RegistryLike = Pick<Registry, 'getMetricsAsArray'>;

interface FlatValue {
  value: number;
  labels?: Record<string, unknown>;
  metricName?: string;
}

interface FlatMetric {
  name: string;
  help: string;
  type: string;
  values?: FlatValue[];
}

export interface RegistrySourceOptions {
  /** Wall clock, epoch ms (tests inject one). */
  nowMs?: () => number;
}

/**
 * A source reading `registry` at each `collect()`. Metrics are read concurrently (collect callbacks may
 * be async); one that throws is reported in `errors` and the others are still returned. The registry's
 * default labels are applied as the exposition applies them (a series' own label wins).
 */
export function registrySource(registry: RegistryLike, options: RegistrySourceOptions = {}): { collect(): Promise<Collection> } {
  const nowMs = options.nowMs ?? Date.now;
  const startTimeMs = nowMs();
  return {
    async collect(): Promise<Collection> {
      const metrics = registry.getMetricsAsArray();
      const settled = await Promise.allSettled(metrics.map((m) => m.get() as Promise<FlatMetric> | FlatMetric));
      const timestampMs = nowMs();
      const defaults = defaultLabelsOf(registry);
      const families: MetricFamily[] = [];
      const errors: Error[] = [];
      for (let i = 0; i < settled.length; i++) {
        const r = settled[i]!;
        if (r.status === 'rejected') {
          const cause = r.reason as unknown;
          const msg = cause instanceof Error ? cause.message : String(cause);
          errors.push(new Error(`collecting metric "${(metrics[i] as RegistryMetric).name}" failed: ${msg}`, { cause }));
          continue;
        }
        try {
          const f = toFamily(r.value, defaults);
          if (f !== undefined) families.push(f);
        } catch (err) {
          errors.push(err instanceof Error ? err : new Error(String(err)));
        }
      }
      return { families, timestampMs, startTimeMs, errors };
    },
  };
}

/**
 * The registry's default labels: `getDefaultLabels()` of ours; a prom-client registry has no getter,
 * so its field is read when present.
 */
function defaultLabelsOf(registry: RegistryLike): Labels | null {
  const r = registry as { getDefaultLabels?: () => Labels; _defaultLabels?: Labels };
  const d = typeof r.getDefaultLabels === 'function' ? r.getDefaultLabels() : r._defaultLabels;
  if (d === undefined || d === null) return null;
  for (const _k in d) return d;
  return null;
}

function withDefaults(labels: Record<string, unknown> | undefined, defaults: Labels | null, drop: string | null): Labels {
  const src = (labels ?? {}) as Record<string, string | number>;
  if (defaults === null && (drop === null || !(drop in src))) return src;
  const out: Record<string, string | number> = {};
  for (const k in src) if (k !== drop) out[k] = src[k]!;
  if (defaults !== null) for (const k in defaults) if (!(k in out)) out[k] = defaults[k]!;
  return out;
}

function toFamily(m: FlatMetric, defaults: Labels | null): MetricFamily | undefined {
  const values = m.values ?? [];
  const base = { name: m.name, help: m.help };
  switch (m.type) {
    case 'counter':
    case 'gauge': {
      const points: ValuePoint[] = new Array<ValuePoint>(values.length);
      for (let i = 0; i < values.length; i++) {
        const v = values[i]!;
        points[i] = { labels: withDefaults(v.labels, defaults, null), value: v.value };
      }
      return { ...base, type: m.type, points };
    }
    case 'histogram':
      return { ...base, type: 'histogram', points: histogramPoints(m.name, values, defaults) };
    case 'summary':
      return { ...base, type: 'summary', points: summaryPoints(m.name, values, defaults) };
    default: {
      const points = values.map((v) => ({ labels: withDefaults(v.labels, defaults, null), value: v.value }));
      return { ...base, type: 'untyped', points };
    }
  }
}

/** Same labels, ignoring `skip` on the left (`le` / `quantile`). */
function sameSeries(withExtra: Record<string, unknown>, skip: string, plain: Labels): boolean {
  let n = 0;
  for (const k in withExtra) {
    if (k === skip) continue;
    if (String(withExtra[k]) !== String(plain[k])) return false;
    n++;
  }
  let m = 0;
  for (const _k in plain) m++;
  return n === m;
}

/** An identity of a label set without `skip`, independent of key order. */
function keyWithout(labels: Record<string, unknown>, skip: string): string {
  const keys = Object.keys(labels).filter((k) => k !== skip).sort();
  let out = '';
  for (const k of keys) out += `${k}\u0000${String(labels[k])}\u0000`;
  return out;
}

interface HistogramGroup {
  raw: Labels;
  bounds: number[];
  counts: number[];
  sum: number;
  count: number;
}

/**
 * Fast path: values in the order ours and prom-client's `get()` give them — per series its buckets in
 * increasing `le` ending with +Inf, then `_sum`, then `_count` — grouped by position, with no label
 * comparisons (the label-matching path below cost ~250 ns a value). Returns undefined when the values
 * are not in that order, and the caller falls back.
 */
function histogramBySequence(name: string, values: FlatValue[], defaults: Labels | null): HistogramPoint[] | undefined {
  const bucketName = `${name}_bucket`;
  const sumName = `${name}_sum`;
  const countName = `${name}_count`;
  const out: HistogramPoint[] = [];
  let bounds: number[] | undefined;
  let i = 0;
  while (i < values.length) {
    const counts: number[] = [];
    const les: number[] = [];
    let v = values[i]!;
    while ((v.metricName ?? bucketName) === bucketName) {
      const le = v.labels?.le;
      if (le === '+Inf' || le === Infinity) break;
      const b = Number(le);
      if (!(les.length === 0 || b > les[les.length - 1]!)) return undefined;
      les.push(b);
      counts.push(v.value);
      v = values[++i]!;
      if (v === undefined) return undefined;
    }
    const inf = values[i];
    const sum = values[i + 1];
    const count = values[i + 2];
    if (inf === undefined || sum?.metricName !== sumName || count?.metricName !== countName) return undefined;
    if ((inf.metricName ?? bucketName) !== bucketName) return undefined;
    i += 3;
    if (bounds === undefined || !sameBounds(bounds, les)) bounds = les;
    out.push({ labels: withDefaults(sum.labels, defaults, null), bounds, cumulativeCounts: counts, sum: sum.value, count: count.value });
  }
  return out;
}

function histogramPoints(name: string, values: FlatValue[], defaults: Labels | null): HistogramPoint[] {
  const fast = histogramBySequence(name, values, defaults);
  if (fast !== undefined) return fast;
  const bucketName = `${name}_bucket`;
  const sumName = `${name}_sum`;
  const countName = `${name}_count`;
  const groups: HistogramGroup[] = [];
  // values come series by series (ours and prom-client's alike): compare with the current group, and
  // look a series up by key only when that fails (a new series, or an unusual order)
  const byKey = new Map<string, HistogramGroup>();
  let cur: HistogramGroup | undefined;
  const find = (labels: Record<string, unknown>, skip: string): HistogramGroup | undefined => {
    if (cur !== undefined && sameSeries(labels, skip, cur.raw)) return cur;
    const g = byKey.get(keyWithout(labels, skip));
    if (g !== undefined) cur = g;
    return g;
  };
  for (const v of values) {
    const labels = v.labels ?? {};
    const metricName = v.metricName ?? bucketName;
    if (metricName === bucketName) {
      let g = find(labels, 'le');
      if (g === undefined) {
        const raw: Record<string, unknown> = {};
        for (const k in labels) if (k !== 'le') raw[k] = labels[k];
        g = cur = { raw: raw as Labels, bounds: [], counts: [], sum: 0, count: 0 };
        groups.push(g);
        byKey.set(keyWithout(labels, 'le'), g);
      }
      const le = Number(labels.le === '+Inf' ? Infinity : labels.le);
      if (le !== Infinity) {
        g.bounds.push(le);
        g.counts.push(v.value);
      }
    } else if (metricName === sumName || metricName === countName) {
      let g = find(labels, '');
      if (g === undefined) {
        g = cur = { raw: { ...labels } as Labels, bounds: [], counts: [], sum: 0, count: 0 };
        groups.push(g);
        byKey.set(keyWithout(labels, ''), g);
      }
      if (metricName === sumName) g.sum = v.value;
      else g.count = v.value;
    }
  }
  // series of one histogram share their bounds: share the array too, so consumers format them once
  let shared: number[] | undefined;
  return groups.map((g) => {
    if (shared === undefined || !sameBounds(shared, g.bounds)) shared = g.bounds;
    return {
      labels: withDefaults(g.raw as Record<string, unknown>, defaults, null),
      bounds: shared,
      cumulativeCounts: g.counts,
      sum: g.sum,
      count: g.count,
    };
  });
}

function sameBounds(a: number[], b: number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function summaryPoints(name: string, values: FlatValue[], defaults: Labels | null): SummaryPoint[] {
  const sumName = `${name}_sum`;
  const countName = `${name}_count`;
  const out: { raw: Labels; quantiles: number[]; values: number[]; sum: number; count: number }[] = [];
  const byKey = new Map<string, (typeof out)[number]>();
  let cur: (typeof out)[number] | undefined;
  for (const v of values) {
    const labels = v.labels ?? {};
    const metricName = v.metricName ?? name;
    const isQuantile = metricName === name;
    const skip = isQuantile ? 'quantile' : '';
    if (cur === undefined || !sameSeries(labels, skip, cur.raw)) {
      const key = keyWithout(labels, skip);
      cur = byKey.get(key);
      if (cur === undefined) {
        const raw: Record<string, unknown> = {};
        for (const k in labels) if (k !== 'quantile' || !isQuantile) raw[k] = labels[k];
        cur = { raw: raw as Labels, quantiles: [], values: [], sum: 0, count: 0 };
        out.push(cur);
        byKey.set(key, cur);
      }
    }
    if (isQuantile) {
      cur.quantiles.push(Number(labels.quantile));
      cur.values.push(v.value);
    } else if (metricName === sumName) cur.sum = v.value;
    else if (metricName === countName) cur.count = v.value;
  }
  return out.map((g) => ({
    labels: withDefaults(g.raw as Record<string, unknown>, defaults, null),
    quantiles: g.quantiles,
    values: g.values,
    sum: g.sum,
    count: g.count,
  }));
}
