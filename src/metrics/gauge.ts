/** Gauge: a value that goes up and down. prom-client's API; `labels()` returns a bound handle. */
import { format } from 'node:util';
import { usageTypeError } from '../core/errors.js';
import { braces, header, missingDefaults, type RenderContext } from './exposition.js';
import {
  checkLabelValues,
  labelsFromArgs,
  Metric,
  type LabelValue,
  type LabelValues,
  type MetricConfiguration,
  type MetricObjectWithValues,
  type MetricValue,
  ValueSeries,
} from './metric.js';
import { startClock, timeCall, timedDecorator } from './timer.js';
import { formatValue, renderLabelPairs } from './validation.js';

export type GaugeConfiguration<T extends string = string> = MetricConfiguration<T, Gauge<T>>;

const DETACHED = new ValueSeries({});
DETACHED.dead = true;
const NO_LABELS = Object.freeze({}) as Record<string, unknown>;

export class Gauge<T extends string = string> extends Metric<T, ValueSeries> {
  readonly type = 'gauge' as const;

  constructor(config: GaugeConfiguration<T>) {
    super(config as MetricConfiguration<T, never>);
    this.reset();
    this.register();
  }

  protected newSeries(labels: Readonly<Record<string, LabelValue>>): ValueSeries {
    return new ValueSeries(labels);
  }

  private badValue(what: string, value: unknown): TypeError {
    return usageTypeError(`${what} is not a valid number: ${format(value)} (gauge "${this.name}")`);
  }

  /** @internal */
  resolve(labels: Record<string, unknown>): ValueSeries {
    return labels === NO_LABELS ? (this.one ?? this.seriesFor(labels)) : this.seriesFor(labels);
  }

  /** Sets the series for `labels` to `value` (any number, NaN included). */
  set(value: number): void;
  set(labels: LabelValues<T>, value: number): void;
  set(labels: LabelValues<T> | number, value?: number): void {
    let s: ValueSeries;
    if (typeof labels === 'object' && labels !== null) {
      if (typeof value !== 'number') throw this.badValue('Value', value);
      s = this.seriesFor(labels as Record<string, unknown>);
    } else {
      value = labels;
      if (typeof value !== 'number') throw this.badValue('Value', value);
      s = this.one ?? this.seriesFor(NO_LABELS);
    }
    s.value = value;
    s.touched = true;
  }

  /** Adds `value` (default 1). */
  inc(value?: number): void;
  inc(labels: LabelValues<T>, value?: number): void;
  inc(labels?: LabelValues<T> | number, value?: number): void {
    this.add(labels, value, 1);
  }

  /** Subtracts `value` (default 1). */
  dec(value?: number): void;
  dec(labels: LabelValues<T>, value?: number): void;
  dec(labels?: LabelValues<T> | number, value?: number): void {
    this.add(labels, value, -1);
  }

  private add(labels: LabelValues<T> | number | undefined, value: number | undefined, sign: number): void {
    let s: ValueSeries;
    if (typeof labels === 'object' && labels !== null) {
      const v = value === undefined ? 1 : value;
      if (typeof v !== 'number') throw this.badValue('Delta', sign * (v as number));
      s = this.seriesFor(labels as Record<string, unknown>);
      s.value += sign * v;
    } else {
      const v = labels === undefined ? 1 : labels;
      if (typeof v !== 'number') throw this.badValue('Delta', sign < 0 ? `-${String(v)}` : v);
      s = this.one ?? this.seriesFor(NO_LABELS);
      s.value += sign * v;
    }
    s.touched = true;
  }

  /** Sets the gauge to the current Unix time in seconds. */
  setToCurrentTime(labels?: LabelValues<T>): void {
    const now = Date.now() / 1000;
    if (labels === undefined) this.set(now);
    else this.set(labels, now);
  }

  /** Starts a timer; the returned function sets the gauge to the elapsed seconds and returns them. */
  startTimer(labels?: LabelValues<T>): (endLabels?: LabelValues<T>) => number {
    return startClock<LabelValues<T>>((seconds, endLabels) => {
      this.set({ ...labels, ...endLabels } as LabelValues<T>, seconds);
    });
  }

  /** Runs `fn` and sets the gauge to its duration in seconds (awaits a returned promise). */
  time<R>(fn: () => R, labels?: LabelValues<T>): R {
    return timeCall(fn, (seconds) => this.set((labels ?? {}) as LabelValues<T>, seconds));
  }

  /** A method decorator / function wrapper that sets the gauge to each call's duration. */
  timed(labels?: LabelValues<T>) {
    return timedDecorator((seconds) => this.set((labels ?? {}) as LabelValues<T>, seconds));
  }

  /** The current value for `labels` (0 when absent). prom-client's `_getValue`. */
  getValue(labels: LabelValues<T> = {}): number {
    return this.findSeries(labels as Record<string, unknown>)?.value ?? 0;
  }
  _getValue(labels?: LabelValues<T>): number {
    return this.getValue(labels);
  }

  /** A handle bound to one label set; its methods do no lookup. */
  labels(...values: (LabelValue | LabelValues<T>)[]): BoundGauge<T> {
    const labels = labelsFromArgs(this.name, this.labelNames, values);
    this.checkLabelKeys(labels);
    checkLabelValues(this.name, labels);
    return new BoundGauge<T>(this, labels);
  }

  reset(): void {
    this.clearSeries();
    this.initUnlabelled();
  }

  async get(): Promise<MetricObjectWithValues> {
    await this.runCollect();
    const values: MetricValue[] = [];
    for (const s of this.liveSeries()) values.push({ value: s.value, labels: s.labels as Record<string, LabelValue> });
    return { help: this.help, name: this.name, type: 'gauge', values, aggregator: this.aggregator };
  }

  render(ctx: RenderContext): string {
    const name = this.name;
    let out = header(ctx, name, this.help, 'gauge');
    for (const s of this.liveSeries()) {
      let body = s.body;
      if (body === undefined) body = s.body = renderLabelPairs(s.labels);
      const v = s.value;
      const value = v - v === 0 ? `${v}` : formatValue(v);
      out += `\n${name}${ctx.defaultLabels === null ? (body === '' ? '' : `{${body}}`) : braces(body, missingDefaults(ctx, s.labels))} ${value}`;
    }
    return out;
  }
}

/** A gauge series handle. */
export class BoundGauge<T extends string = string> {
  private s: ValueSeries = DETACHED;
  constructor(
    private readonly metric: Gauge<T>,
    private readonly labelValues: Record<string, unknown>,
  ) {}

  private series(): ValueSeries {
    let s = this.s;
    if (s.dead) s = this.s = this.metric.resolve(this.labelValues);
    s.touched = true;
    return s;
  }

  set(value: number): void {
    if (typeof value !== 'number') this.metric.set(this.labelValues as LabelValues<T>, value);
    this.series().value = value;
  }
  inc(value = 1): void {
    if (typeof value !== 'number') this.metric.inc(this.labelValues as LabelValues<T>, value);
    this.series().value += value;
  }
  dec(value = 1): void {
    if (typeof value !== 'number') this.metric.dec(this.labelValues as LabelValues<T>, value);
    this.series().value -= value;
  }
  setToCurrentTime(): void {
    this.set(Date.now() / 1000);
  }
  startTimer(): (endLabels?: LabelValues<T>) => number {
    return this.metric.startTimer(this.labelValues as LabelValues<T>);
  }
  get(): number {
    return this.s.dead ? this.metric.getValue(this.labelValues as LabelValues<T>) : this.s.value;
  }
}
