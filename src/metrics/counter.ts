/** Counter: a value that only goes up. prom-client's API; `labels()` returns a bound handle. */
import { format } from 'node:util';
import { usageError, usageTypeError } from '../core/errors.js';
import { braces, counterFamilyName, header, missingDefaults, renderExemplar, type RenderContext } from './exposition.js';
import { Exemplar } from './exemplar.js';
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
import { formatValue, renderLabelPairs } from './validation.js';

export type CounterConfiguration<T extends string = string> = MetricConfiguration<T, Counter<T>>;

const DETACHED = new ValueSeries({});
DETACHED.dead = true;

const NO_LABELS = Object.freeze({}) as Record<string, unknown>;

export interface IncreaseWithExemplar<T extends string> {
  labels?: LabelValues<T>;
  value?: number;
  exemplarLabels?: Record<string, string | number>;
}

export class Counter<T extends string = string> extends Metric<T, ValueSeries> {
  readonly type = 'counter' as const;
  private exemplars: Map<ValueSeries, Exemplar> | undefined;

  constructor(config: CounterConfiguration<T>) {
    super(config as MetricConfiguration<T, never>);
    if (this.enableExemplars) {
      this.exemplars = new Map();
      (this as { inc: unknown }).inc = this.incWithExemplar;
    }
    this.reset();
    this.register();
  }

  protected newSeries(labels: Readonly<Record<string, LabelValue>>): ValueSeries {
    return new ValueSeries(labels);
  }

  private badIncrement(value: unknown): Error {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      return usageTypeError(`Value is not a valid number: ${format(value)} (counter "${this.name}")`);
    }
    return usageError(`It is not possible to decrease a counter: inc(${value}) on counter "${this.name}"`);
  }

  /** Adds `value` (default 1) to the series for `labels`. Throws on a negative, NaN or infinite value. */
  inc(value?: number): void;
  inc(labels: LabelValues<T>, value?: number): void;
  inc(labels?: LabelValues<T> | number, value?: number): void {
    if (typeof labels === 'object' && labels !== null) {
      const v = value ?? 1;
      if (typeof v !== 'number' || !(v >= 0) || v === Infinity) throw this.badIncrement(v);
      const s = this.seriesFor(labels as Record<string, unknown>);
      s.value += v;
      s.touched = true;
      return;
    }
    const v = labels ?? 1;
    if (typeof v !== 'number' || !(v >= 0) || v === Infinity) throw this.badIncrement(v);
    const s = this.one ?? this.seriesFor(NO_LABELS);
    s.value += v;
    s.touched = true;
  }

  /** prom-client's exemplar form: `inc({ labels, value, exemplarLabels })` (OpenMetrics registries). */
  incWithExemplar({ labels = {} as LabelValues<T>, value = 1, exemplarLabels }: IncreaseWithExemplar<T> = {}): void {
    if (typeof value !== 'number' || !(value >= 0) || value === Infinity) throw this.badIncrement(value);
    const s = this.seriesFor(labels as Record<string, unknown>);
    s.value += value;
    s.touched = true;
    if (exemplarLabels === undefined) return;
    let e = this.exemplars!.get(s);
    if (e === undefined) {
      e = new Exemplar();
      this.exemplars!.set(s, e);
    }
    e.validateExemplarLabelSet(exemplarLabels);
    e.labelSet = exemplarLabels;
    e.value = value ? value : 1;
    e.timestamp = Date.now() / 1000;
  }

  /** @internal series resolution for bound handles */
  resolve(labels: Record<string, unknown>): ValueSeries {
    return labels === NO_LABELS ? (this.one ?? this.seriesFor(labels)) : this.seriesFor(labels);
  }

  /**
   * A handle bound to one label set: `inc()` on it does no lookup (the series is resolved on first use and
   * again only if the series was removed). Positional values follow `labelNames`, or pass an object.
   */
  labels(...values: (LabelValue | LabelValues<T>)[]): BoundCounter {
    const labels = labelsFromArgs(this.name, this.labelNames, values);
    this.checkLabelKeys(labels);
    checkLabelValues(this.name, labels);
    return new BoundCounter(this as Counter, labels);
  }

  /** The current value for `labels` (0 when absent). */
  getValue(labels: LabelValues<T> = {}): number {
    return this.findSeries(labels as Record<string, unknown>)?.value ?? 0;
  }

  reset(): void {
    this.clearSeries();
    this.exemplars?.clear();
    this.initUnlabelled();
  }

  async get(): Promise<MetricObjectWithValues> {
    await this.runCollect();
    const values: MetricValue[] = [];
    for (const s of this.liveSeries()) {
      const v: MetricValue = { value: s.value, labels: s.labels as Record<string, LabelValue> };
      if (this.exemplars !== undefined) v.exemplar = this.exemplars.get(s);
      values.push(v);
    }
    return { help: this.help, name: this.name, type: 'counter', values, aggregator: this.aggregator };
  }

  render(ctx: RenderContext): string {
    const family = counterFamilyName(this.name, ctx.openMetrics);
    const line = ctx.openMetrics ? `${family}_total` : family;
    let out = header(ctx, family, this.help, 'counter');
    const ex = ctx.openMetrics ? this.exemplars : undefined;
    for (const s of this.liveSeries()) {
      let body = s.body;
      if (body === undefined) body = s.body = renderLabelPairs(s.labels);
      const v = s.value;
      const value = v - v === 0 ? `${v}` : formatValue(v); // finite fast path
      out += `\n${line}${ctx.defaultLabels === null ? (body === '' ? '' : `{${body}}`) : braces(body, missingDefaults(ctx, s.labels))} ${value}`;
      if (ex !== undefined) {
        const e = ex.get(s);
        if (e !== undefined) out += renderExemplar(e as Parameters<typeof renderExemplar>[0]);
      }
    }
    return out;
  }
}

/** A counter series handle. */
export class BoundCounter {
  private s: ValueSeries = DETACHED;
  constructor(
    private readonly metric: Counter,
    private readonly labelValues: Record<string, unknown>,
  ) {}

  inc(value?: number): void {
    let s = this.s;
    if (s.dead) s = this.s = this.metric.resolve(this.labelValues);
    if (value === undefined) {
      s.value += 1;
    } else {
      if (typeof value !== 'number' || !(value >= 0) || value === Infinity) {
        this.metric.inc(this.labelValues as LabelValues, value); // throws the counter's error
      }
      s.value += value;
    }
    s.touched = true;
  }

  /** The series' current value. */
  get(): number {
    return this.s.dead ? this.metric.getValue(this.labelValues as LabelValues) : this.s.value;
  }
}

