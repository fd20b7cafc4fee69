/**
 * Summary: count, sum and quantiles over all observations or a sliding window. Quantiles come from the
 * log-bucketed sketch in quantiles.ts (relative error 0.5 %), computed at collection; observing costs one
 * logarithm and a few array writes, and reads no clock (window rotation is driven by a shared timer).
 */
import { format } from 'node:util';
import { usageError, usageTypeError } from '../core/errors.js';
import { BoundObserver, type ObservingMetric } from './bound-observer.js';
import { header, missingDefaults, braces, type RenderContext } from './exposition.js';
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
import { EpochTicker, QuantileSketch, WindowedSketch, type SketchData } from './quantiles.js';
import { startClock, timeCall, timedDecorator } from './timer.js';
import { formatValue, renderLabelPairs } from './validation.js';

export const DEFAULT_PERCENTILES: readonly number[] = Object.freeze([0.01, 0.05, 0.5, 0.9, 0.95, 0.99, 0.999]);

export interface SummaryConfiguration<T extends string = string> extends MetricConfiguration<T, Summary<T>> {
  percentiles?: number[];
  /** With `ageBuckets`: quantiles cover only the last `maxAgeSeconds` (count and sum stay cumulative). */
  maxAgeSeconds?: number;
  ageBuckets?: number;
  /** Drop a series whose window is empty at collection. */
  pruneAgedBuckets?: boolean;
  /** Accepted for compatibility; the sketch needs no compression. */
  compressCount?: number;
}

type Sketch = QuantileSketch | WindowedSketch;

class SummarySeries implements SeriesBase {
  count = 0;
  sum = 0;
  body: string | undefined = undefined;
  dead = false;
  touched = true;
  constructor(
    readonly labels: Readonly<Record<string, LabelValue>>,
    readonly sketch: Sketch,
  ) {}
}
const DETACHED = new SummarySeries({}, new QuantileSketch());
DETACHED.dead = true;
const NO_LABELS = Object.freeze({}) as Record<string, unknown>;

export class Summary<T extends string = string> extends Metric<T, SummarySeries> {
  readonly type = 'summary' as const;
  readonly percentiles: number[];
  readonly maxAgeSeconds: number | undefined;
  readonly ageBuckets: number | undefined;
  readonly pruneAgedBuckets: boolean;
  readonly compressCount: number;
  private readonly ticker: EpochTicker | undefined;

  constructor(config: SummaryConfiguration<T>) {
    super(config as MetricConfiguration<T, never>, ['quantile']);
    const ps = config.percentiles ?? DEFAULT_PERCENTILES;
    if (!Array.isArray(ps)) throw usageError(`Summary "${this.name}": percentiles must be an array`);
    for (const p of ps) {
      if (typeof p !== 'number' || !(p >= 0 && p <= 1)) {
        throw usageError(`Summary "${this.name}": percentile ${format(p)} is not a number in [0, 1]`);
      }
    }
    this.percentiles = [...ps];
    this.maxAgeSeconds = config.maxAgeSeconds;
    this.ageBuckets = config.ageBuckets;
    this.pruneAgedBuckets = config.pruneAgedBuckets === true;
    this.compressCount = config.compressCount ?? 1000;
    if (config.maxAgeSeconds && config.ageBuckets) {
      if (!(config.maxAgeSeconds > 0) || !Number.isInteger(config.ageBuckets) || config.ageBuckets < 1) {
        throw usageError(
          `Summary "${this.name}": maxAgeSeconds must be > 0 and ageBuckets a positive integer (got ${config.maxAgeSeconds}, ${config.ageBuckets})`,
        );
      }
      this.ticker = new EpochTicker(Math.max(1, Math.round((config.maxAgeSeconds * 1000) / config.ageBuckets)));
    }
    this.initUnlabelled();
    this.register();
  }

  protected newSeries(labels: Readonly<Record<string, LabelValue>>): SummarySeries {
    const sketch = this.ticker === undefined ? new QuantileSketch() : new WindowedSketch(this.ticker, this.ageBuckets!);
    return new SummarySeries(labels, sketch);
  }

  private badValue(value: unknown): TypeError {
    return usageTypeError(`Value is not a valid number: ${format(value)} (summary "${this.name}")`);
  }

  /** @internal */
  checkValue(v: unknown): asserts v is number {
    if (typeof v !== 'number' || v - v !== 0) throw this.badValue(v);
  }

  /** @internal */
  resolve(labels: Record<string, unknown>): SummarySeries {
    return labels === NO_LABELS ? (this.one ?? this.seriesFor(labels)) : this.seriesFor(labels);
  }

  /** @internal */
  record(s: SummarySeries, v: number): void {
    s.sketch.add(v);
    s.count += 1;
    s.sum += v;
    s.touched = true;
  }

  /** Records `value` (finite). */
  observe(value: number): void;
  observe(labels: LabelValues<T>, value: number): void;
  observe(labels: LabelValues<T> | number, value?: number): void {
    let s: SummarySeries;
    let v: number;
    if (typeof labels === 'object' && labels !== null) {
      v = value as number;
      if (typeof v !== 'number' || v - v !== 0) throw this.badValue(v);
      s = this.seriesFor(labels as Record<string, unknown>);
    } else {
      v = (labels ?? value) as number;
      if (typeof v !== 'number' || v - v !== 0) throw this.badValue(v);
      s = this.one ?? this.seriesFor(NO_LABELS);
    }
    s.sketch.add(v);
    s.count += 1;
    s.sum += v;
    s.touched = true;
  }

  startTimer(labels?: LabelValues<T>): (endLabels?: LabelValues<T>) => number {
    return startClock<LabelValues<T>>((seconds, endLabels) => {
      this.observe({ ...labels, ...endLabels } as LabelValues<T>, seconds);
    });
  }

  /** Runs `fn` and observes its duration in seconds (awaits a returned promise). */
  time<R>(fn: () => R, labels?: LabelValues<T>): R {
    return timeCall(fn, (seconds) => this.observe((labels ?? {}) as LabelValues<T>, seconds));
  }

  /** A method decorator / function wrapper observing each call's duration: `@REQUEST_TIME.timed()`. */
  timed(labels?: LabelValues<T>) {
    return timedDecorator((seconds) => this.observe((labels ?? {}) as LabelValues<T>, seconds));
  }

  labels(...values: (LabelValue | LabelValues<T>)[]): BoundSummary<T> {
    const labels = labelsFromArgs(this.name, this.labelNames, values);
    this.checkLabelKeys(labels);
    checkLabelValues(this.name, labels);
    return new BoundSummary<T>(this, labels);
  }

  /** Zeroes every series (prom-client keeps the series and clears their data). */
  reset(): void {
    for (const s of this.liveSeries()) {
      s.sketch.reset();
      s.count = 0;
      s.sum = 0;
    }
  }

  private quantilesOf(s: SummarySeries): (number | undefined)[] {
    const sk = s.sketch instanceof WindowedSketch ? s.sketch.merged() : s.sketch;
    return sk.quantiles(this.percentiles);
  }

  /** Prunes empty windows when `pruneAgedBuckets` is set. */
  private live(): SummarySeries[] {
    const out: SummarySeries[] = [];
    for (const s of this.liveSeries()) {
      if (this.pruneAgedBuckets && s.sketch instanceof WindowedSketch && s.sketch.size() === 0) {
        this.dropSeries(s.labels);
        continue;
      }
      out.push(s);
    }
    return out;
  }

  async get(): Promise<MetricObjectWithValues> {
    await this.runCollect();
    const values: MetricValue[] = [];
    for (const s of this.live()) {
      const qs = this.quantilesOf(s);
      for (let i = 0; i < this.percentiles.length; i++) {
        const q = qs[i];
        values.push({
          labels: { quantile: this.percentiles[i]!, ...s.labels } as Record<string, LabelValue>,
          value: q ? q : 0,
        });
      }
      values.push({ metricName: `${this.name}_sum`, labels: s.labels as Record<string, LabelValue>, value: s.sum });
      values.push({ metricName: `${this.name}_count`, labels: s.labels as Record<string, LabelValue>, value: s.count });
    }
    return { name: this.name, help: this.help, type: 'summary', values, aggregator: this.aggregator };
  }

  /** @internal per-series sketch state, for exact merging across processes/threads. */
  sketches(): { labels: Record<string, LabelValue>; count: number; sum: number; sketch: SketchData }[] {
    return this.live().map((s) => ({
      labels: s.labels as Record<string, LabelValue>,
      count: s.count,
      sum: s.sum,
      sketch: (s.sketch instanceof WindowedSketch ? s.sketch.merged() : s.sketch).toJSON(),
    }));
  }

  render(ctx: RenderContext): string {
    const name = this.name;
    let out = header(ctx, name, this.help, 'summary');
    const qPrefix = this.percentiles.map((p) => `\n${name}{quantile="${p}"`);
    for (const s of this.live()) {
      let body = s.body;
      if (body === undefined) body = s.body = renderLabelPairs(s.labels);
      const missing = ctx.defaultLabels === null ? '' : missingDefaults(ctx, s.labels);
      const tail = (body === '' ? '' : `,${body}`) + (missing === '' ? '' : `,${missing}`) + '} ';
      const qs = this.quantilesOf(s);
      for (let i = 0; i < qPrefix.length; i++) {
        const q = qs[i];
        out += `${qPrefix[i]}${tail}${formatValue(q ? q : 0)}`;
      }
      const sl = braces(body, missing);
      out += `\n${name}_sum${sl} ${formatValue(s.sum)}\n${name}_count${sl} ${s.count}`;
    }
    return out;
  }
}

/** A summary series handle: `observe()` does no lookup. */
export class BoundSummary<T extends string = string> extends BoundObserver<T, SummarySeries> {
  constructor(metric: ObservingMetric<T, SummarySeries>, labelValues: Record<string, unknown>) {
    super(metric, labelValues, DETACHED);
  }
}
