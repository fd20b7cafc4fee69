/**
 * What every metric shares: configuration (validated once, with the bad value in the message),
 * registration, and the series table: a trie of Maps keyed by label value in declared label order,
 * so a labelled call does one Map lookup per label and builds no key string.
 */
import { inspect } from 'node:util';
import { usageError, usageTypeError } from '../core/errors.js';
import { globalRegistry, type Registry } from './registry.js';
import { assertLabelNames, assertMetricName, badLabelValue, undeclaredLabelError } from './validation.js';
import type { RenderContext } from './exposition.js';

import type { Aggregator, LabelValue, MetricObjectWithValues, MetricType } from './metric-data.js';

export type { Aggregator, LabelValue, LabelValues, MetricObjectWithValues, MetricType, MetricValue } from './metric-data.js';

/** What happens to a new series once a metric holds `cardinalityLimit` series. */
export type OverflowPolicy = 'fold' | 'drop';

export interface MetricConfiguration<T extends string = string, M = unknown> {
  name: string;
  help: string;
  labelNames?: readonly T[];
  /** Registries to register in; default `[register]`; `[]` for none. */
  registers?: Registry[];
  /** How cluster/worker aggregation combines this metric (prom-client's `aggregator`). */
  aggregator?: Aggregator;
  /** Called (with `this` = the metric) before every collection; may be async. */
  collect?: (this: M) => void | Promise<void>;
  enableExemplars?: boolean;
  /** Most series this metric may hold; default 10,000. `Infinity` turns the limit off. */
  cardinalityLimit?: number;
  /** `fold` (default): extra series go into one series labelled `perfscope_overflow="true"`; `drop`: discarded. */
  onCardinalityOverflow?: OverflowPolicy;
  /** Remove a series that saw no update for this long (checked at collection). Default: never. */
  seriesTtlSeconds?: number;
}

export const DEFAULT_CARDINALITY_LIMIT = 10_000;
export const OVERFLOW_LABEL = 'perfscope_overflow';

/** Seconds since this module loaded: small integers, so series timestamps stay unboxed. */
const BASE_MS = Date.now();
export const nowSeconds = (): number => Math.floor((Date.now() - BASE_MS) / 1000);

/** Fields every series carries. */
export interface SeriesBase {
  /** The labels object first given for the series (kept, not copied, as prom-client does), in its key order. */
  readonly labels: Readonly<Record<string, LabelValue>>;
  /** Rendered `a="x",b="y"`, built at the first scrape. */
  body: string | undefined;
  /** Set when the series is removed (remove/reset/expiry): bound handles then re-resolve. */
  dead: boolean;
  /** Set by every record; cleared at collection when idle expiry is on. */
  touched: boolean;
}

/** The series of a single-value metric (counter, gauge): one number. */
export class ValueSeries implements SeriesBase {
  value = 0;
  body: string | undefined = undefined;
  dead = false;
  touched = true;
  constructor(readonly labels: Readonly<Record<string, LabelValue>>) {}
}

const EMPTY_LABELS: Readonly<Record<string, LabelValue>> = Object.freeze({});

/**
 * The trie key of a label value: the string itself, a number's decimal form (so 200 and '200' are one
 * series, as in prom-client), undefined for an absent label. Anything else is refused at the call, as
 * prom-client refuses a Symbol: a value that renders as `[object Object]` or not at all (a Symbol broke
 * every later scrape) is a mistake to report where it is made.
 */
function keyOf(v: unknown, metric: string, label: string): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return `${v}`;
  if (v === undefined) return undefined;
  throw badLabelValue(metric, label, v);
}

/** Throws on a label value that is neither a string, a number nor undefined (for bound handles, made before any series). */
export function checkLabelValues(metric: string, labels: Record<string, unknown>): void {
  for (const k in labels) {
    const v = labels[k];
    if (typeof v !== 'string' && typeof v !== 'number' && v !== undefined) throw badLabelValue(metric, k, v);
  }
}

export function isLabelObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null;
}

/** prom-client's positional form: `labels('GET', '200')` or `labels({ method: 'GET' })`. */
export function labelsFromArgs(metric: string, labelNames: readonly string[], args: unknown[]): Record<string, unknown> {
  const first = args[0];
  if (isLabelObject(first)) return first;
  if (labelNames.length !== args.length) {
    throw usageError(
      `Invalid number of arguments (${args.length}): "${args.join(', ')}" for label names (${labelNames.length}): "${labelNames.join(', ')}" (metric "${metric}").`,
    );
  }
  const out: Record<string, unknown> = {};
  for (let i = 0; i < labelNames.length; i++) out[labelNames[i]!] = args[i];
  return out;
}

export abstract class Metric<T extends string = string, S extends SeriesBase = SeriesBase> {
  name: string;
  help: string;
  readonly labelNames: T[];
  readonly sortedLabelNames: T[];
  readonly registers: Registry[];
  aggregator: Aggregator;
  collect: ((this: this) => void | Promise<void>) | undefined;
  enableExemplars: boolean;
  abstract readonly type: MetricType;
  readonly cardinalityLimit: number;
  readonly onCardinalityOverflow: OverflowPolicy;
  readonly seriesTtlSeconds: number;

  /** Trie root: Map<label value of labelNames[0], Map<..., S>> (S directly when one label). */
  protected root = new Map<unknown, unknown>();
  /**
   * Series in creation order (the exposition order). Removed ones stay as tombstones (`dead`) until the
   * next collection compacts the array: 4 bytes a series, where a Set costs ~25 (bench/metrics.bench.ts).
   */
  protected series: S[] = [];
  private liveCount = 0;
  private tombstones = 0;
  /** nowSeconds()+1 at which a series was first seen idle (only with seriesTtlSeconds). */
  private idleSince: Map<S, number> | undefined;
  /** The label-less series of a metric without labelNames, or undefined until first use. */
  protected one: S | undefined;
  private overflow: S | undefined;
  private warned = false;

  constructor(config: MetricConfiguration<T, never>, reserved: readonly string[] = []) {
    if (!isLabelObject(config)) throw usageTypeError('constructor expected a config object');
    const c = config as MetricConfiguration<T, never> & Record<string, unknown>;
    if (!c.help) throw usageError(`Missing mandatory help parameter (metric ${inspect(c.name)})`);
    if (!c.name) throw usageError('Missing mandatory name parameter');
    assertMetricName(c.name);
    const labelNames = (c.labelNames ?? []) as T[];
    if (!Array.isArray(labelNames)) throw usageError(`labelNames of metric "${c.name}" must be an array`);
    assertLabelNames(c.name, labelNames, reserved);
    if (c.collect !== undefined && typeof c.collect !== 'function') {
      throw usageError(`Optional "collect" parameter must be a function (metric "${c.name}")`);
    }
    const limit = c.cardinalityLimit ?? DEFAULT_CARDINALITY_LIMIT;
    if (!(limit >= 1)) throw usageError(`cardinalityLimit of metric "${c.name}" must be >= 1, got ${String(limit)}`);
    const policy = c.onCardinalityOverflow ?? 'fold';
    if (policy !== 'fold' && policy !== 'drop') {
      throw usageError(`onCardinalityOverflow of metric "${c.name}" must be "fold" or "drop", got ${inspect(policy)}`);
    }
    const ttl = c.seriesTtlSeconds ?? 0;
    if (!(ttl >= 0)) throw usageError(`seriesTtlSeconds of metric "${c.name}" must be >= 0, got ${String(ttl)}`);

    this.name = c.name;
    this.help = c.help;
    this.labelNames = [...labelNames];
    this.sortedLabelNames = [...labelNames].sort();
    this.registers = c.registers ?? [globalRegistry];
    this.aggregator = c.aggregator ?? 'sum';
    this.collect = c.collect as ((this: this) => void | Promise<void>) | undefined;
    this.enableExemplars = c.enableExemplars === true;
    this.cardinalityLimit = limit;
    this.onCardinalityOverflow = policy;
    this.seriesTtlSeconds = ttl;
  }

  /** Registers in `this.registers`; subclasses call it last in their constructor. */
  protected register(): void {
    for (const r of this.registers) {
      if (this.enableExemplars && !r.isOpenMetrics) {
        throw usageTypeError(`Exemplars are supported only on OpenMetrics registries (metric "${this.name}")`);
      }
      r.registerMetric(this);
    }
  }

  protected abstract newSeries(labels: Readonly<Record<string, LabelValue>>): S;

  /** Number of live series. */
  get seriesCount(): number {
    return this.liveCount;
  }

  private addSeries(s: S): void {
    this.series.push(s);
    this.liveCount++;
  }

  private killSeries(s: S): void {
    s.dead = true;
    this.liveCount--;
    this.tombstones++;
    this.idleSince?.delete(s);
  }

  /** The series for `labels`, created on first use. Throws on an undeclared label name. */
  protected seriesFor(labels: Record<string, unknown>): S {
    const names = this.labelNames;
    const n = names.length;
    if (n === 0) {
      for (const k in labels) throw undeclaredLabelError(this.name, k, names);
      return this.one ?? this.slowSeries(labels);
    }
    let defined = 0;
    let node = this.root;
    const last = n - 1;
    for (let i = 0; i < last; i++) {
      const v = labels[names[i]!];
      if (v !== undefined) defined++;
      const next = node.get(typeof v === 'string' ? v : keyOf(v, this.name, names[i]!)) as Map<unknown, unknown> | undefined;
      if (next === undefined) return this.slowSeries(labels);
      node = next;
    }
    const v = labels[names[last]!];
    if (v !== undefined) defined++;
    const s = node.get(typeof v === 'string' ? v : keyOf(v, this.name, names[last]!)) as S | undefined;
    if (s === undefined) return this.slowSeries(labels);
    // prom-client rejects undeclared keys; counting keys is the cheap way to know there are none
    let keys = 0;
    for (const _k in labels) keys++;
    if (keys !== defined) this.checkLabelKeys(labels);
    return s;
  }

  protected checkLabelKeys(labels: Record<string, unknown>): void {
    const names = this.labelNames as string[];
    for (const k in labels) if (!names.includes(k)) throw undeclaredLabelError(this.name, k, names);
  }

  /** Miss path: validate, apply the cardinality limit, insert. */
  private slowSeries(labels: Record<string, unknown>): S {
    this.checkLabelKeys(labels);
    const names = this.labelNames;
    if (names.length === 0) {
      const s = this.newSeries(EMPTY_LABELS);
      this.one = s;
      this.addSeries(s);
      return s;
    }
    if (this.liveCount >= this.cardinalityLimit) return this.overflowSeries(labels);
    let node = this.root;
    const last = names.length - 1;
    for (let i = 0; i < last; i++) {
      const k = keyOf(labels[names[i]!], this.name, names[i]!);
      let next = node.get(k) as Map<unknown, unknown> | undefined;
      if (next === undefined) {
        next = new Map();
        node.set(k, next);
      }
      node = next;
    }
    // Like prom-client, keep the caller's labels object rather than a copy: a copy costs ~40 B a series
    // (bench/metrics.bench.ts, memory case). Callers must not mutate it afterwards (docs/metrics.md).
    const s = this.newSeries(labels as Record<string, LabelValue>);
    node.set(keyOf(labels[names[last]!], this.name, names[last]!), s);
    this.addSeries(s);
    return s;
  }

  private overflowSeries(labels: Record<string, unknown>): S {
    if (!this.warned) {
      this.warned = true;
      process.emitWarning(
        `metric "${this.name}" reached its cardinality limit of ${this.cardinalityLimit} series; ` +
          (this.onCardinalityOverflow === 'fold'
            ? `further label sets are counted in the series {${OVERFLOW_LABEL}="true"}`
            : 'further label sets are dropped') +
          ` (first one: ${inspect(labels)})`,
        { code: 'PERFSCOPE_CARDINALITY' },
      );
    }
    if (this.overflow === undefined || this.overflow.dead) {
      this.overflow = this.newSeries(Object.freeze({ [OVERFLOW_LABEL]: 'true' }));
      if (this.onCardinalityOverflow === 'fold') this.series.push(this.overflow); // not counted in `live`
    }
    return this.overflow;
  }

  /** Looks a series up without creating it. */
  protected findSeries(labels: Record<string, unknown>): S | undefined {
    const names = this.labelNames;
    if (names.length === 0) return this.one;
    let node: unknown = this.root;
    for (const name of names) {
      if (!(node instanceof Map)) return undefined;
      node = node.get(keyOf(labels[name], this.name, name));
    }
    return node as S | undefined;
  }

  /** Removes one series (prom-client's `remove(...labels)`). */
  remove(...args: unknown[]): void {
    const labels = labelsFromArgs(this.name, this.labelNames, args);
    this.checkLabelKeys(labels);
    this.dropSeries(labels);
  }

  protected dropSeries(labels: Record<string, unknown>): void {
    const names = this.labelNames;
    if (names.length === 0) {
      if (this.one !== undefined) {
        this.killSeries(this.one);
        this.one = undefined;
      }
      return;
    }
    const path: Map<unknown, unknown>[] = [];
    let node = this.root;
    for (let i = 0; i < names.length - 1; i++) {
      path.push(node);
      const next = node.get(keyOf(labels[names[i]!], this.name, names[i]!)) as Map<unknown, unknown> | undefined;
      if (next === undefined) return;
      node = next;
    }
    const k = keyOf(labels[names[names.length - 1]!], this.name, names[names.length - 1]!);
    const s = node.get(k) as S | undefined;
    if (s === undefined) return;
    node.delete(k);
    this.killSeries(s);
    // prune emptied inner maps
    for (let i = path.length - 1; i >= 0 && node.size === 0; i--) {
      const parent = path[i]!;
      parent.delete(keyOf(labels[names[i]!], this.name, names[i]!));
      node = parent;
    }
  }

  /** Drops every series (then subclasses recreate the label-less one where prom-client does). */
  protected clearSeries(): void {
    for (const s of this.series) s.dead = true;
    if (this.overflow !== undefined) this.overflow.dead = true;
    this.series = [];
    this.liveCount = 0;
    this.tombstones = 0;
    this.idleSince = undefined;
    this.root = new Map();
    this.one = undefined;
    this.overflow = undefined;
  }

  /** Ensures the label-less series exists (metrics without labelNames show 0 before the first record). */
  protected initUnlabelled(): void {
    if (this.labelNames.length === 0 && this.one === undefined) this.slowSeries({});
  }

  /** Runs the user's collect callback. */
  async runCollect(): Promise<void> {
    if (this.collect !== undefined) {
      const r = this.collect();
      if (r instanceof Promise) await r;
    }
  }

  /** Idle expiry, run at collection when `seriesTtlSeconds` is set. */
  protected expireIdle(): void {
    if (this.seriesTtlSeconds === 0) return;
    const now = nowSeconds();
    const idle = (this.idleSince ??= new Map());
    for (const s of [...this.series]) {
      if (s.dead) continue;
      if (s.touched) {
        s.touched = false;
        idle.delete(s);
        continue;
      }
      const since = idle.get(s);
      if (since === undefined) idle.set(s, now);
      else if (now - since >= this.seriesTtlSeconds) this.dropSeries(s.labels);
    }
  }

  /** Live series in creation order, for renderers and aggregation (run collect first). */
  liveSeries(): S[] {
    this.expireIdle();
    if (this.tombstones > 0) {
      this.series = this.series.filter((s) => !s.dead || s === this.overflow);
      this.tombstones = 0;
    }
    return this.series;
  }

  abstract reset(): void;
  abstract get(): Promise<MetricObjectWithValues>;
  /** Renders HELP, TYPE and samples (no trailing newline). Run `runCollect()` first. */
  abstract render(ctx: RenderContext): string;
}
