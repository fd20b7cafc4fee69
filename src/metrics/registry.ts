/**
 * A set of metrics and the way they are rendered: prom-client's Registry, plus per-call format choice
 * (for content negotiation) and a scrape that yields to the event loop between metrics once it has run
 * for `yieldAfterMs`.
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

  /** The whole exposition. Collect callbacks run concurrently first, then metrics render in registration order. */
  async metrics(options: MetricsOptions = {}): Promise<string> {
    const openMetrics = options.openMetrics ?? this.isOpenMetrics;
    const ctx = renderContext(openMetrics, this._defaultLabels);
    const list = this.getMetricsAsArray();
    const parts: string[] = new Array<string>(list.length);
    // collect callbacks (and generic get()s) may be async: start them together, as prom-client does
    const pending: Promise<void>[] = [];
    for (let i = 0; i < list.length; i++) {
      const m = list[i]!;
      if (typeof m.render === 'function' && typeof m.runCollect === 'function') {
        if (hasCollect(m)) pending.push(m.runCollect());
      } else {
        pending.push(this.renderOne(m, ctx).then((s) => void (parts[i] = s)));
      }
    }
    if (pending.length > 0) await Promise.all(pending);
    let start = performance.now();
    for (let i = 0; i < list.length; i++) {
      const m = list[i]!;
      if (parts[i] !== undefined) continue;
      parts[i] = m.render!(ctx);
      if (performance.now() - start > this.yieldAfterMs && i < list.length - 1) {
        await yieldToLoop();
        start = performance.now();
      }
    }
    return openMetrics ? `${parts.join('\n')}\n# EOF\n` : `${parts.join('\n\n')}\n`;
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
  }

  async getMetricsAsJSON(): Promise<MetricObjectWithValues[]> {
    const defaultNames = Object.keys(this._defaultLabels);
    const all = (await Promise.all(this.getMetricsAsArray().map((m) => m.get()))) as MetricObjectWithValues[];
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
    this._defaultLabels = labels;
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

/** The default registry (prom-client's `register`). */
export const globalRegistry = new Registry();
Registry.globalRegistry = globalRegistry;
