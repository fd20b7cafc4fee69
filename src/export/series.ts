/**
 * What the exporters send: metric families in the Prometheus data model, as a source collects them.
 * One shape for every producer — an app's Registry today (registry-source.ts), `serve`'s host and group
 * series and its scraped targets later — so remote_write and OTLP are translations of one thing.
 */

/** Label values by label name (numbers are sent as their decimal text). */
export type Labels = Readonly<Record<string, string | number>>;

/** A counter, gauge or untyped sample. */
export interface ValuePoint {
  readonly labels: Labels;
  readonly value: number;
  /** When the value was read, epoch ms; default the collection's `timestampMs`. */
  readonly timestampMs?: number;
  /** Cumulative counters: when counting began, epoch ms; default the collection's `startTimeMs`. */
  readonly startTimeMs?: number;
}

/** A classic histogram series: cumulative counts per upper bound, as the text format exposes them. */
export interface HistogramPoint {
  readonly labels: Labels;
  /** Upper bounds, increasing, without +Inf. */
  readonly bounds: readonly number[];
  /** Cumulative count of observations <= bounds[i]; `count` is the +Inf bucket. Same length as `bounds`. */
  readonly cumulativeCounts: ArrayLike<number>;
  readonly sum: number;
  readonly count: number;
  readonly timestampMs?: number;
  readonly startTimeMs?: number;
}

/** A summary series: quantiles (0..1) with their values, sum and count. */
export interface SummaryPoint {
  readonly labels: Labels;
  readonly quantiles: readonly number[];
  /** Same length as `quantiles`. */
  readonly values: ArrayLike<number>;
  readonly sum: number;
  readonly count: number;
  readonly timestampMs?: number;
  readonly startTimeMs?: number;
}

interface FamilyBase {
  /** The Prometheus name, exactly as `/metrics` shows it in text format 0.0.4 (no suffix added). */
  readonly name: string;
  readonly help: string;
  /** UCUM-style unit for OTLP (`s`, `By`, `1`), when the producer declares one; '' or absent otherwise. */
  readonly unit?: string;
}

export interface ValueFamily extends FamilyBase {
  readonly type: 'counter' | 'gauge' | 'untyped';
  readonly points: readonly ValuePoint[];
}

export interface HistogramFamily extends FamilyBase {
  readonly type: 'histogram';
  readonly points: readonly HistogramPoint[];
}

export interface SummaryFamily extends FamilyBase {
  readonly type: 'summary';
  readonly points: readonly SummaryPoint[];
}

export type MetricFamily = ValueFamily | HistogramFamily | SummaryFamily;

/** One collection: every family, when it was taken, and what failed (a fault is data, not a throw). */
export interface Collection {
  readonly families: readonly MetricFamily[];
  /** Epoch ms of the collection: the timestamp of every point that has none of its own. */
  readonly timestampMs: number;
  /** Epoch ms since which cumulative values count (a point's own `startTimeMs` wins). */
  readonly startTimeMs: number;
  /** Metrics that could not be collected this time (the others are still in `families`). */
  readonly errors: readonly Error[];
}

/**
 * A producer of series. `collect()` is called once per export interval by each exporter that uses the
 * source; it must not throw for one bad metric (put it in `errors`), and may be async.
 */
export interface SeriesSource {
  collect(): Promise<Collection> | Collection;
}

/** One flat sample, as remote_write and OpenMetrics carry it: `__name__` is `name`. */
export interface FlatSample {
  readonly name: string;
  readonly labels: Labels;
  readonly value: number;
  readonly timestampMs: number;
}

/**
 * Calls `emit` for every flat series of `family` in text-format terms: counters and gauges as they are,
 * histograms as `_bucket{le}` (cumulative, +Inf last), `_sum`, `_count`; summaries as `{quantile}`,
 * `_sum`, `_count`. `le`/`quantile` values are formatted as the text format does (`+Inf`, `0.5`).
 */
export function flattenFamily(
  family: MetricFamily,
  defaultTimestampMs: number,
  emit: (name: string, labels: Labels, extraName: string | null, extraValue: string | null, value: number, timestampMs: number) => void,
): void {
  const name = family.name;
  switch (family.type) {
    case 'counter':
    case 'gauge':
    case 'untyped':
      for (const p of family.points) emit(name, p.labels, null, null, p.value, p.timestampMs ?? defaultTimestampMs);
      return;
    case 'histogram': {
      const bucket = `${name}_bucket`;
      const sum = `${name}_sum`;
      const count = `${name}_count`;
      let les: string[] | undefined;
      let lesFor: readonly number[] | undefined;
      for (const p of family.points) {
        const t = p.timestampMs ?? defaultTimestampMs;
        if (p.bounds !== lesFor) {
          lesFor = p.bounds;
          les = p.bounds.map(formatBound);
        }
        for (let i = 0; i < p.bounds.length; i++) emit(bucket, p.labels, 'le', les![i]!, p.cumulativeCounts[i]!, t);
        emit(bucket, p.labels, 'le', '+Inf', p.count, t);
        emit(sum, p.labels, null, null, p.sum, t);
        emit(count, p.labels, null, null, p.count, t);
      }
      return;
    }
    case 'summary': {
      const sum = `${name}_sum`;
      const count = `${name}_count`;
      for (const p of family.points) {
        const t = p.timestampMs ?? defaultTimestampMs;
        for (let i = 0; i < p.quantiles.length; i++) emit(name, p.labels, 'quantile', formatBound(p.quantiles[i]!), p.values[i]!, t);
        emit(sum, p.labels, null, null, p.sum, t);
        emit(count, p.labels, null, null, p.count, t);
      }
      return;
    }
  }
}

/** A bucket bound or quantile as the text format writes it. */
export function formatBound(v: number): string {
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return `${v}`;
}

/**
 * One source over several (serve: its own registry, the host and group series, each scraped target):
 * collected concurrently; families concatenated in order, errors gathered (a source that throws
 * becomes one error, the others still count); the collection's time is the latest of theirs.
 */
export function combineSources(sources: readonly SeriesSource[]): SeriesSource {
  return {
    async collect(): Promise<Collection> {
      const settled = await Promise.allSettled(sources.map((s) => s.collect()));
      const families: MetricFamily[] = [];
      const errors: Error[] = [];
      let timestampMs = 0;
      let startTimeMs = Infinity;
      for (const r of settled) {
        if (r.status === 'rejected') {
          errors.push(r.reason instanceof Error ? r.reason : new Error(String(r.reason)));
          continue;
        }
        const c = r.value;
        // points without their own times keep their source's: stamp them before mixing sources
        const stamp = c.timestampMs;
        const start = c.startTimeMs;
        for (const f of c.families) families.push(withTimes(f, stamp, start));
        errors.push(...c.errors);
        if (c.timestampMs > timestampMs) timestampMs = c.timestampMs;
        if (c.startTimeMs < startTimeMs) startTimeMs = c.startTimeMs;
      }
      if (timestampMs === 0) timestampMs = Date.now();
      if (startTimeMs === Infinity) startTimeMs = timestampMs;
      return { families, timestampMs, startTimeMs, errors };
    },
  };
}

/** `f` with every point carrying explicit times (the defaults of the collection it came from). */
function withTimes(f: MetricFamily, timestampMs: number, startTimeMs: number): MetricFamily {
  const points = (f.points as readonly (ValuePoint | HistogramPoint | SummaryPoint)[]).map((p) =>
    p.timestampMs !== undefined && p.startTimeMs !== undefined ? p : { ...p, timestampMs: p.timestampMs ?? timestampMs, startTimeMs: p.startTimeMs ?? startTimeMs },
  );
  return { ...f, points } as MetricFamily;
}
