/**
 * Histogram with classic cumulative buckets. Per series: a Float64Array of per-bucket counts (the last
 * slot is +Inf), a sum and a count; `observe` finds the bucket by comparison over a Float64Array of
 * bounds and allocates nothing.
 */
import { format } from 'node:util';
import { usageTypeError } from '../core/errors.js';
import { BoundObserver, type ObservingMetric } from './bound-observer.js';
import { resolveBuckets } from './buckets.js';
import { Exemplar } from './exemplar.js';
import { braces, header, missingDefaults, renderExemplar, type RenderContext } from './exposition.js';
import {
  checkLabelValues,
  labelsFromArgs,
  Metric,
  type LabelValue,
  type LabelValues,
  type MetricConfiguration,
  type MetricObjectWithValues,
  type MetricValue,
  type SeriesBase,
} from './metric.js';
import { clockStart, secondsSince, timeCall, timedDecorator } from './timer.js';
import { formatValue, renderLabelPairs } from './validation.js';

export interface HistogramConfiguration<T extends string = string> extends MetricConfiguration<T, Histogram<T>> {
  /** Upper bounds, strictly increasing; default prom-client's 0.005 ... 10. */
  buckets?: number[];
}

class HistogramSeries implements SeriesBase {
  sum = 0;
  count = 0;
  body: string | undefined = undefined;
  dead = false;
  touched = true;
  readonly counts: Float64Array;
  constructor(
    readonly labels: Readonly<Record<string, LabelValue>>,
    slots: number,
  ) {
    this.counts = new Float64Array(slots);
  }
}
const DETACHED = new HistogramSeries({}, 0);
DETACHED.dead = true;
const NO_LABELS = Object.freeze({}) as Record<string, unknown>;

export interface ObserveWithExemplar<T extends string> {
  labels?: LabelValues<T>;
  value: number;
  exemplarLabels?: Record<string, string | number>;
}

export class Histogram<T extends string = string> extends Metric<T, HistogramSeries> {
  readonly type = 'histogram' as const;
  /** The bucket upper bounds (without +Inf). */
  readonly upperBounds: number[];
  readonly buckets: number[];
  private readonly bounds: Float64Array;
  private readonly linear: boolean;
  private exemplars: Map<HistogramSeries, (Exemplar | undefined)[]> | undefined;

  constructor(config: HistogramConfiguration<T>) {
    super(config as MetricConfiguration<T, never>, ['le']);
    this.bounds = resolveBuckets(this.name, config.buckets);
    this.upperBounds = Object.freeze(Array.from(this.bounds)) as number[];
    this.buckets = this.upperBounds;
    this.linear = this.bounds.length <= 16;
    if (this.enableExemplars) {
      this.exemplars = new Map();
      (this as { observe: unknown }).observe = this.observeWithExemplar;
    }
    this.initUnlabelled();
    this.register();
  }

  protected newSeries(labels: Readonly<Record<string, LabelValue>>): HistogramSeries {
    return new HistogramSeries(labels, this.bounds.length + 1);
  }

  private bucketOf(v: number): number {
    const b = this.bounds;
    if (this.linear) {
      let i = 0;
      const n = b.length;
      while (i < n && v > b[i]!) i++;
      return i;
    }
    let lo = 0;
    let hi = b.length;
    while (lo < hi) {
      const m = (lo + hi) >>> 1;
      if (v > b[m]!) lo = m + 1;
      else hi = m;
    }
    return lo;
  }

  private badValue(value: unknown): TypeError {
    return usageTypeError(`Value is not a valid number: ${format(value)} (histogram "${this.name}")`);
  }

  /** Records `value` (finite) in the series for `labels`. */
  observe(value: number): void;
  observe(labels: LabelValues<T>, value: number): void;
  observe(labels: LabelValues<T> | number, value?: number): void {
    let s: HistogramSeries;
    let v: number;
    if (typeof labels === 'object' && labels !== null) {
      v = value as number;
      if (v - v !== 0) throw this.badValue(v); // not a finite number (strings are caught below)
      if (typeof v !== 'number') throw this.badValue(v);
      s = this.seriesFor(labels as Record<string, unknown>);
    } else {
      v = (labels ?? value) as number;
      if (typeof v !== 'number' || v - v !== 0) throw this.badValue(v);
      s = this.one ?? this.seriesFor(NO_LABELS);
    }
    s.counts[this.bucketOf(v)]! += 1;
    s.sum += v;
    s.count += 1;
    s.touched = true;
  }

  /** @internal */
  record(s: HistogramSeries, v: number): void {
    s.counts[this.bucketOf(v)]! += 1;
    s.sum += v;
    s.count += 1;
    s.touched = true;
  }

  /** @internal */
  resolve(labels: Record<string, unknown>): HistogramSeries {
    return labels === NO_LABELS ? (this.one ?? this.seriesFor(labels)) : this.seriesFor(labels);
  }

  /** @internal */
  checkValue(v: unknown): asserts v is number {
    if (typeof v !== 'number' || v - v !== 0) throw this.badValue(v);
  }

  /** prom-client's exemplar form (OpenMetrics registries): `observe({ labels, value, exemplarLabels })`. */
  observeWithExemplar({ labels = {} as LabelValues<T>, value, exemplarLabels }: ObserveWithExemplar<T>): void {
    this.checkValue(value);
    const s = this.seriesFor(labels as Record<string, unknown>);
    const b = this.bucketOf(value);
    this.record(s, value);
    if (exemplarLabels === undefined || Object.keys(exemplarLabels).length === 0) return;
    let list = this.exemplars!.get(s);
    if (list === undefined) {
      list = new Array<Exemplar | undefined>(this.bounds.length + 1);
      this.exemplars!.set(s, list);
    }
    const e = list[b] ?? new Exemplar();
    e.validateExemplarLabelSet(exemplarLabels);
    e.labelSet = exemplarLabels;
    e.value = value;
    e.timestamp = Date.now() / 1000;
    list[b] = e;
  }

  /** Creates (or resets to zero) the series for `labels`, so it is exported before its first observation. */
  zero(labels: LabelValues<T>): void {
    const s = this.seriesFor(labels as Record<string, unknown>);
    s.counts.fill(0);
    s.sum = 0;
    s.count = 0;
    this.exemplars?.delete(s);
  }

  /** Starts a timer; the returned function observes the elapsed seconds and returns them. */
  startTimer(
    labels?: LabelValues<T>,
    exemplarLabels?: Record<string, string | number>,
  ): (endLabels?: LabelValues<T>, endExemplarLabels?: Record<string, string | number>) => number {
    const start = clockStart();
    return (endLabels?: LabelValues<T>, endExemplarLabels?: Record<string, string | number>) => {
      const seconds = secondsSince(start);
      const merged = { ...labels, ...endLabels } as LabelValues<T>;
      if (this.enableExemplars) {
        this.observeWithExemplar({ labels: merged, value: seconds, exemplarLabels: { ...exemplarLabels, ...endExemplarLabels } });
      } else {
        this.observe(merged, seconds);
      }
      return seconds;
    };
  }

  /** Runs `fn` and observes its duration in seconds (awaits a returned promise). */
  time<R>(fn: () => R, labels?: LabelValues<T>): R {
    return timeCall(fn, (seconds) => this.observe((labels ?? {}) as LabelValues<T>, seconds));
  }

  /** A method decorator / function wrapper observing each call's duration: `@h.timed()`. */
  timed(labels?: LabelValues<T>) {
    return timedDecorator((seconds) => this.observe((labels ?? {}) as LabelValues<T>, seconds));
  }

  /** A handle bound to one label set; its `observe` does no lookup. */
  labels(...values: (LabelValue | LabelValues<T>)[]): BoundHistogram<T> {
    const labels = labelsFromArgs(this.name, this.labelNames, values);
    this.checkLabelKeys(labels);
    checkLabelValues(this.name, labels);
    return new BoundHistogram<T>(this, labels);
  }

  reset(): void {
    this.clearSeries();
    this.exemplars?.clear();
  }

  private seriesValues(s: HistogramSeries, out: MetricValue[]): void {
    const bucketName = `${this.name}_bucket`;
    const ex = this.exemplars?.get(s);
    let acc = 0;
    for (let i = 0; i < this.upperBounds.length; i++) {
      acc += s.counts[i]!;
      out.push({
        value: acc,
        metricName: bucketName,
        exemplar: ex?.[i] ?? null,
        labels: { le: this.upperBounds[i]!, ...s.labels } as Record<string, LabelValue>,
      });
    }
    out.push({
      value: s.count,
      metricName: bucketName,
      exemplar: ex?.[this.upperBounds.length] ?? null,
      labels: { le: '+Inf', ...s.labels } as Record<string, LabelValue>,
    });
    out.push({ value: s.sum, metricName: `${this.name}_sum`, labels: { ...s.labels } });
    out.push({ value: s.count, metricName: `${this.name}_count`, labels: { ...s.labels } });
  }

  async get(): Promise<MetricObjectWithValues> {
    await this.runCollect();
    const values: MetricValue[] = [];
    for (const s of this.liveSeries()) this.seriesValues(s, values);
    return { name: this.name, help: this.help, type: 'histogram', values, aggregator: this.aggregator };
  }

  render(ctx: RenderContext): string {
    const name = this.name;
    let out = header(ctx, name, this.help, 'histogram');
    const nb = this.upperBounds.length;
    const prefixes = this.upperBounds.map((b) => `\n${name}_bucket{le="${b}"`);
    prefixes.push(`\n${name}_bucket{le="+Inf"`);
    const sumName = `\n${name}_sum`;
    const countName = `\n${name}_count`;
    const ex = ctx.openMetrics ? this.exemplars : undefined;
    for (const s of this.liveSeries()) {
      let body = s.body;
      if (body === undefined) body = s.body = renderLabelPairs(s.labels);
      const missing = ctx.defaultLabels === null ? '' : missingDefaults(ctx, s.labels);
      const tail = (missing === '' ? '' : `,${missing}`) + (body === '' ? '' : `,${body}`) + '} ';
      const list = ex?.get(s);
      let acc = 0;
      const c = s.counts;
      for (let i = 0; i < nb; i++) {
        acc += c[i]!;
        out += `${prefixes[i]}${tail}${acc}`;
        const e = list?.[i];
        if (e !== undefined) out += renderExemplar(e as Parameters<typeof renderExemplar>[0]);
      }
      out += `${prefixes[nb]}${tail}${s.count}`;
      const e = list?.[nb];
      if (e !== undefined) out += renderExemplar(e as Parameters<typeof renderExemplar>[0]);
      const sl = braces(missing, body);
      const sum = s.sum;
      out += `${sumName}${sl} ${sum - sum === 0 ? `${sum}` : formatValue(sum)}${countName}${sl} ${s.count}`;
    }
    return out;
  }
}

/** A histogram series handle: `observe()` does no lookup. */
export class BoundHistogram<T extends string = string> extends BoundObserver<T, HistogramSeries> {
  constructor(metric: ObservingMetric<T, HistogramSeries>, labelValues: Record<string, unknown>) {
    super(metric, labelValues, DETACHED);
  }
}
