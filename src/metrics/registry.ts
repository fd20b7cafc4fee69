/**
 * A set of metrics and the way they are rendered: prom-client's Registry, plus per-call format choice
 * (for content negotiation), a scrape that yields to the event loop between metrics once it has run
 * for `yieldAfterMs`, and a scrape that survives a bad metric.
 *
 * Faults: one metric whose collect callback or rendering fails never breaks a scrape (client_golang's
 * ContinueOnError). The scrape returns every other metric; the failed one is left out and reported
 * three ways: in `scrape().errors` (the caller's data), a process warning (once per metric until it
 * recovers, code PERFSCOPE_SCRAPE) and the counter `perfscope_scrape_errors_total{metric}` appended to
 * the exposition; text-format scrapes also carry a `# perfscope: ...` comment line in its place
 * (OpenMetrics allows no comments).
 */
import {
  OPENMETRICS_CONTENT_TYPE,
  PROMETHEUS_CONTENT_TYPE,
  renderContext,
  renderGeneric,
  type ContentType,
  type GenericMetric,
  type RenderContext,
} from './exposition.js';
import type { MetricObjectWithValues } from './metric-data.js';
import { badLabelValue } from './validation.js';
import { usageError, usageTypeError } from '../core/errors.js';

/** Anything a registry can hold: our metric classes, or an object with prom-client's `get()`. */
export interface RegistryMetric {
  name: string;
  type?: string;
  get(): MetricObjectWithValues | GenericMetric | Promise<MetricObjectWithValues | GenericMetric>;
  getForPromString?(): GenericMetric | Promise<GenericMetric>;
  reset?(): void;
  /** Fast path of our own classes. */
  render?(ctx: RenderContext): string;
  runCollect?(): Promise<void>;
}

export interface MetricsOptions {
  /** Render OpenMetrics 1.0 (true) or text 0.0.4 (false) regardless of the registry's content type. */
  openMetrics?: boolean;
}

/** A metric left out of a scrape, and why. */
export interface ScrapeError {
  /** The metric's name. */
  metric: string;
  /** What its collect callback, get() or rendering threw. */
  error: unknown;
}

/** A scrape: the exposition (every metric that could be collected) and the faults met making it. */
export interface Scrape {
  text: string;
  errors: ScrapeError[];
}

/** Name of the counter of metrics left out of scrapes. */
export const SCRAPE_ERRORS_METRIC = 'perfscope_scrape_errors_total';

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export class Registry {
  static get PROMETHEUS_CONTENT_TYPE(): typeof PROMETHEUS_CONTENT_TYPE {
    return PROMETHEUS_CONTENT_TYPE;
  }
  static get OPENMETRICS_CONTENT_TYPE(): typeof OPENMETRICS_CONTENT_TYPE {
    return OPENMETRICS_CONTENT_TYPE;
  }

  /** The default registry (prom-client exposes it as `Registry.globalRegistry`). */
  static globalRegistry: Registry;

  private _metrics = new Map<string, RegistryMetric>();
  private _defaultLabels: Record<string, string | number> = {};
  private _contentType: ContentType;
  /** Metrics left out of scrapes, by name: the series of perfscope_scrape_errors_total (empty until a fault). */
  private scrapeErrors = new Map<string, number>();
  /** Metrics that failed at their last scrape (warned about once until they recover). */
  private failing = new Set<string>();
  /** A scrape gives the event loop a turn between metrics after this much synchronous work. */
  yieldAfterMs = 10;

  constructor(regContentType: string = PROMETHEUS_CONTENT_TYPE) {
    if (regContentType !== PROMETHEUS_CONTENT_TYPE && regContentType !== OPENMETRICS_CONTENT_TYPE) {
      throw usageTypeError(`Content type ${regContentType} is unsupported`);
    }
    this._contentType = regContentType;
  }

  get contentType(): ContentType {
    return this._contentType;
  }

  get isOpenMetrics(): boolean {
    return this._contentType === OPENMETRICS_CONTENT_TYPE;
  }

  setContentType(metricsContentType: string): void {
    if (metricsContentType !== PROMETHEUS_CONTENT_TYPE && metricsContentType !== OPENMETRICS_CONTENT_TYPE) {
      throw usageError(`Content type ${metricsContentType} is unsupported`);
    }
    this._contentType = metricsContentType;
  }

  getMetricsAsArray(): RegistryMetric[] {
    return [...this._metrics.values()];
  }

  private async renderOne(metric: RegistryMetric, ctx: RenderContext): Promise<string> {
    if (typeof metric.render === 'function' && typeof metric.runCollect === 'function') {
      await metric.runCollect();
      return metric.render(ctx);
    }
    const data =
      typeof metric.getForPromString === 'function' ? await metric.getForPromString() : await metric.get();
    return renderGeneric(ctx, data as GenericMetric);
  }

  /** One metric's text in this registry's format (prom-client API). */
  async getMetricsAsString(metric: RegistryMetric): Promise<string> {
    return this.renderOne(metric, renderContext(this.isOpenMetrics, this._defaultLabels));
  }

  /**
   * The whole exposition (prom-client's API). Collect callbacks run concurrently first, then metrics
   * render in registration order. A metric that fails is left out and reported (see the file comment);
   * use `scrape()` to receive the faults as data.
   */
  async metrics(options: MetricsOptions = {}): Promise<string> {
    return (await this.scrape(options)).text;
  }

  /** The exposition and the faults met making it: a failing metric is left out, never the whole scrape. */
  async scrape(options: MetricsOptions = {}): Promise<Scrape> {
    const openMetrics = options.openMetrics ?? this.isOpenMetrics;
    const ctx = renderContext(openMetrics, this._defaultLabels);
    const list = this.getMetricsAsArray();
    const parts: (string | undefined)[] = new Array<string | undefined>(list.length);
    const failed: (unknown[] | undefined)[] = new Array<unknown[] | undefined>(list.length);
    const fail = (i: number, err: unknown): void => void (failed[i] = [err]);
    // collect callbacks (and generic get()s) may be async: start them together, as prom-client does
    const pending: Promise<void>[] = [];
    for (let i = 0; i < list.length; i++) {
      const m = list[i]!;
      if (typeof m.render === 'function' && typeof m.runCollect === 'function') {
        if (hasCollect(m)) pending.push(runCollect(m).catch((err: unknown) => fail(i, err)));
      } else {
        pending.push(
          this.renderOne(m, ctx).then(
            (text) => void (parts[i] = text),
            (err: unknown) => fail(i, err),
          ),
        );
      }
    }
    if (pending.length > 0) await Promise.all(pending);
    let start = performance.now();
    for (let i = 0; i < list.length; i++) {
      const m = list[i]!;
      if (parts[i] !== undefined || failed[i] !== undefined) continue;
      try {
        parts[i] = m.render!(ctx);
      } catch (err) {
        fail(i, err);
      }
      if (performance.now() - start > this.yieldAfterMs && i < list.length - 1) {
        await yieldToLoop();
        start = performance.now();
      }
    }
    const errors: ScrapeError[] = [];
    for (let i = 0; i < list.length; i++) {
      const f = failed[i];
      if (f === undefined) {
        if (this.failing.size > 0) this.failing.delete(list[i]!.name);
        continue;
      }
      const name = list[i]!.name;
      errors.push({ metric: name, error: f[0] });
      // text 0.0.4 has comments: say why the metric is missing where it would be (OpenMetrics has none)
      if (!openMetrics) parts[i] = `# perfscope: metric ${JSON.stringify(name)} left out of this scrape: ${describe(f[0])}`;
    }
    if (errors.length > 0) this.report(errors);
    const body = parts.filter((p): p is string => p !== undefined);
    if (this.scrapeErrors.size > 0) body.push(renderGeneric(ctx, this.scrapeErrorsMetric() as GenericMetric));
    const text = openMetrics ? `${body.join('\n')}\n# EOF\n` : `${body.join('\n\n')}\n`;
    return { text, errors };
  }

  /** perfscope_scrape_errors_total as prom-client's get() shape (rendered by the generic path). */
  private scrapeErrorsMetric(): MetricObjectWithValues {
    return {
      name: SCRAPE_ERRORS_METRIC,
      help: 'Metrics left out of a scrape because their collect callback or rendering failed, by metric name.',
      type: 'counter',
      aggregator: 'sum',
      values: [...this.scrapeErrors].map(([metric, value]) => ({ value, labels: { metric } })),
    };
  }

  /** Counts each fault and warns once per metric until it recovers. */
  private report(errors: ScrapeError[]): void {
    for (const e of errors) {
      this.scrapeErrors.set(e.metric, (this.scrapeErrors.get(e.metric) ?? 0) + 1);
      if (this.failing.has(e.metric)) continue;
      this.failing.add(e.metric);
      process.emitWarning(
        `metric ${JSON.stringify(e.metric)} was left out of a scrape: ${describe(e.error)} (warned once until it recovers; counted in ${SCRAPE_ERRORS_METRIC})`,
        { code: 'PERFSCOPE_SCRAPE' },
      );
    }
  }

  registerMetric(metric: RegistryMetric): void {
    const existing = this._metrics.get(metric.name);
    if (existing !== undefined && existing !== metric) {
      throw usageError(`A metric with the name ${metric.name} has already been registered.`);
    }
    this._metrics.set(metric.name, metric);
  }

  clear(): void {
    this._metrics = new Map();
    this._defaultLabels = {};
    this.scrapeErrors.clear();
    this.failing.clear();
  }

  /** Every metric's data (prom-client's API); like a scrape, a metric whose get() fails is left out and reported. */
  async getMetricsAsJSON(): Promise<MetricObjectWithValues[]> {
    const defaultNames = Object.keys(this._defaultLabels);
    const list = this.getMetricsAsArray();
    const settled = await Promise.allSettled(list.map(async (m) => m.get()));
    const all: MetricObjectWithValues[] = [];
    const errors: ScrapeError[] = [];
    for (let i = 0; i < settled.length; i++) {
      const r = settled[i]!;
      if (r.status === 'fulfilled') {
        all.push(r.value as MetricObjectWithValues);
      } else errors.push({ metric: list[i]!.name, error: r.reason });
    }
    if (errors.length > 0) this.report(errors);
    if (this.scrapeErrors.size > 0) all.push(this.scrapeErrorsMetric());
    if (defaultNames.length > 0) {
      for (const item of all) {
        for (const val of item.values ?? []) {
          val.labels = { ...val.labels };
          for (const k of defaultNames) val.labels[k] = val.labels[k] || this._defaultLabels[k]!;
        }
      }
    }
    return all;
  }

  removeSingleMetric(name: string): void {
    this._metrics.delete(name);
  }

  getSingleMetricAsString(name: string): Promise<string> {
    const m = this._metrics.get(name);
    if (m === undefined) return Promise.reject(usageError(`No metric named "${name}" in this registry`));
    return this.getMetricsAsString(m);
  }

  getSingleMetric(name: string): RegistryMetric | undefined {
    return this._metrics.get(name);
  }

  setDefaultLabels(labels: Record<string, string | number>): void {
    for (const [k, v] of Object.entries(labels ?? {})) {
      if (typeof v !== 'string' && typeof v !== 'number') throw badLabelValue('default labels', k, v);
    }
    this._defaultLabels = labels;
  }

  /** The labels setDefaultLabels() gave (a copy); every series of this registry carries them unless it sets its own. */
  getDefaultLabels(): Record<string, string | number> {
    return { ...this._defaultLabels };
  }

  resetMetrics(): void {
    for (const m of this._metrics.values()) m.reset?.();
  }

  /** A registry holding the metrics of all `registers` (which must share a content type and not overlap). */
  static merge(registers: Registry[]): Registry {
    const first = registers[0];
    if (first === undefined) throw usageError('Registry.merge needs at least one registry');
    for (const r of registers) {
      if (r.contentType !== first.contentType) {
        throw usageError('Registers can only be merged if they have the same content type');
      }
    }
    const merged = new Registry(first.contentType);
    for (const r of registers) for (const m of r.getMetricsAsArray()) merged.registerMetric(m);
    return merged;
  }
}

function hasCollect(m: RegistryMetric): boolean {
  return typeof (m as { collect?: unknown }).collect === 'function';
}

/** A metric's collect callback as a promise (one that throws synchronously becomes a rejection). */
async function runCollect(m: RegistryMetric): Promise<void> {
  await m.runCollect!();
}

/** A fault on one line, for a comment or a warning: `Type: message`, control characters escaped. */
function describe(err: unknown): string {
  const text = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  // eslint-disable-next-line no-control-regex -- escaping them is the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The default registry (prom-client's `register`). */
export const globalRegistry = new Registry();
Registry.globalRegistry = globalRegistry;
