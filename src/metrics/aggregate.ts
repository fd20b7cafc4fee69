/**
 * Aggregation across `cluster` workers and `worker_threads`: prom-client's AggregatorRegistry (same IPC
 * message names and per-metric `aggregator`), plus worker threads, plus summaries merged correctly: a
 * worker sends its summary sketches, the primary merges them and computes quantiles over the union
 * (prom-client sums the quantiles).
 */
import cluster from 'node:cluster';
import type { Worker } from 'node:worker_threads';
import { usageError, usageTypeError } from '../core/errors.js';
import { OPENMETRICS_CONTENT_TYPE, PROMETHEUS_CONTENT_TYPE } from './exposition.js';
import type { Aggregator, LabelValue, MetricObjectWithValues, MetricValue } from './metric-data.js';
import { QuantileSketch, type SketchData } from './quantiles.js';
import { globalRegistry, Registry, type RegistryMetric } from './registry.js';

export const GET_METRICS_REQ = 'prom-client:getMetricsReq';
export const GET_METRICS_RES = 'prom-client:getMetricsRes';

/** A metric as a worker sends it: `get()` output plus, for summaries, sketch state. */
export interface TransferredMetric extends MetricObjectWithValues {
  percentiles?: number[];
  sketches?: { labels: Record<string, LabelValue>; count: number; sum: number; sketch: SketchData }[];
}

function labelKey(labels: Record<string, unknown> | undefined): string {
  if (!labels) return '';
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}:${String(labels[k])}`)
    .join(',');
}

export type AggregatorFunction = (metrics: MetricObjectWithValues[]) => MetricObjectWithValues | undefined;

/** prom-client's AggregatorFactory: group values by metricName + labels, combine with `fn`. */
export function AggregatorFactory(fn: (values: MetricValue[]) => number): AggregatorFunction {
  return (metrics) => {
    const first = metrics[0];
    if (first === undefined) return undefined;
    const result: MetricObjectWithValues = { help: first.help, name: first.name, type: first.type, values: [], aggregator: first.aggregator };
    const groups = new Map<string, MetricValue[]>();
    for (const m of metrics) {
      for (const v of m.values) {
        const k = `${v.metricName ?? ''}_${labelKey(v.labels)}`;
        const g = groups.get(k);
        if (g) g.push(v);
        else groups.set(k, [v]);
      }
    }
    for (const vs of groups.values()) {
      const v0 = vs[0]!;
      const out: MetricValue = { value: fn(vs), labels: v0.labels };
      if (v0.metricName) out.metricName = v0.metricName;
      result.values.push(out);
    }
    return result;
  };
}

export const aggregators: Record<Aggregator, AggregatorFunction> = {
  sum: AggregatorFactory((v) => v.reduce((p, c) => p + c.value, 0)),
  first: AggregatorFactory((v) => v[0]!.value),
  omit: () => undefined,
  average: AggregatorFactory((v) => v.reduce((p, c) => p + c.value, 0) / v.length),
  min: AggregatorFactory((v) => v.reduce((p, c) => Math.min(p, c.value), Infinity)),
  max: AggregatorFactory((v) => v.reduce((p, c) => Math.max(p, c.value), -Infinity)),
};

/** Merges summaries by label set: counts and sums add up, quantiles come from the merged sketches. */
function mergeSummaries(metrics: TransferredMetric[]): MetricObjectWithValues {
  const first = metrics[0]!;
  const percentiles = first.percentiles ?? [];
  const byLabels = new Map<string, { labels: Record<string, LabelValue>; count: number; sum: number; sketch: QuantileSketch }>();
  for (const m of metrics) {
    for (const s of m.sketches ?? []) {
      const k = labelKey(s.labels);
      let acc = byLabels.get(k);
      if (acc === undefined) {
        acc = { labels: s.labels, count: 0, sum: 0, sketch: new QuantileSketch() };
        byLabels.set(k, acc);
      }
      acc.count += s.count;
      acc.sum += s.sum;
      acc.sketch.merge(QuantileSketch.fromJSON(s.sketch));
    }
  }
  const values: MetricValue[] = [];
  for (const acc of byLabels.values()) {
    const qs = acc.sketch.quantiles(percentiles);
    percentiles.forEach((p, i) => {
      const q = qs[i];
      values.push({ labels: { quantile: p, ...acc.labels }, value: q ? q : 0 });
    });
    values.push({ metricName: `${first.name}_sum`, labels: acc.labels, value: acc.sum });
    values.push({ metricName: `${first.name}_count`, labels: acc.labels, value: acc.count });
  }
  return { name: first.name, help: first.help, type: 'summary', values, aggregator: first.aggregator };
}

/** JSON of `registries`, with summary sketches attached (what a worker sends). */
export async function metricsForTransfer(registries: Registry[]): Promise<TransferredMetric[][]> {
  return Promise.all(
    registries.map(async (r) => {
      const out: TransferredMetric[] = await r.getMetricsAsJSON();
      const list = r.getMetricsAsArray();
      for (let i = 0; i < out.length; i++) {
        const m = list[i] as RegistryMetric & { sketches?: () => TransferredMetric['sketches']; percentiles?: number[] };
        if (out[i]!.type === 'summary' && typeof m.sketches === 'function') {
          out[i]!.sketches = m.sketches();
          out[i]!.percentiles = m.percentiles;
        }
      }
      return out;
    }),
  );
}

let workerRegistries: Registry[] = [globalRegistry];
let requestCounter = 0;
let clusterListenersAdded = false;
interface Pending {
  responses: TransferredMetric[][];
  pending: number;
  done: (err: Error | null, result?: TransferredMetric[][]) => void;
  timer: NodeJS.Timeout;
}
const requests = new Map<number, Pending>();

function collectFrom(
  send: (message: { type: string; requestId: number }) => number,
  timeoutMs: number,
): Promise<TransferredMetric[][]> {
  const requestId = requestCounter++;
  return new Promise((resolvePromise, reject) => {
    let settled = false;
    const request: Pending = {
      responses: [],
      pending: 0,
      done(err, result) {
        if (settled) return;
        settled = true;
        clearTimeout(request.timer);
        requests.delete(requestId);
        if (err) reject(err);
        else resolvePromise(result ?? []);
      },
      timer: setTimeout(() => request.done(new Error('Operation timed out.')), timeoutMs),
    };
    requests.set(requestId, request);
    request.pending = send({ type: GET_METRICS_REQ, requestId });
    if (request.pending === 0) request.done(null, []);
  });
}

function onResponse(message: unknown): void {
  const m = message as { type?: string; requestId?: number; error?: string; metrics?: TransferredMetric[][] } | null;
  if (m?.type !== GET_METRICS_RES || m.requestId === undefined) return;
  const request = requests.get(m.requestId);
  if (request === undefined) return;
  if (m.error) {
    request.done(new Error(m.error));
    return;
  }
  for (const r of m.metrics ?? []) request.responses.push(r);
  request.pending--;
  if (request.pending === 0) request.done(null, request.responses);
}

async function respond(message: unknown, reply: (msg: unknown) => void): Promise<void> {
  const m = message as { type?: string; requestId?: number } | null;
  if (m?.type !== GET_METRICS_REQ) return;
  try {
    reply({ type: GET_METRICS_RES, requestId: m.requestId, metrics: await metricsForTransfer(workerRegistries) });
  } catch (err) {
    reply({ type: GET_METRICS_RES, requestId: m.requestId, error: (err as Error).message });
  }
}

async function addClusterListeners(): Promise<void> {
  if (clusterListenersAdded) return;
  clusterListenersAdded = true;
  if (cluster.isPrimary) cluster.on('message', (_worker, message) => onResponse(message));
  else if (cluster.isWorker) process.on('message', (message) => void respond(message, (msg) => process.send?.(msg)));
}

// As in prom-client, a cluster worker answers the primary's requests without any set-up of its own:
// loading perfscope in a worker is enough.
if (cluster.isWorker) void addClusterListeners();

export interface AggregateOptions {
  /** Also include this process's own registries (default false, as prom-client). */
  includeSelf?: boolean;
  /** Give up after this long (default 5000 ms). */
  timeoutMs?: number;
}

/** A Registry that can gather and aggregate metrics from cluster workers and worker threads. */
export class AggregatorRegistry extends Registry {
  private readonly threads = new Set<Worker>();
  private readonly ready: Promise<void>;

  constructor(regContentType: string = PROMETHEUS_CONTENT_TYPE) {
    super(regContentType);
    this.ready = addClusterListeners();
  }

  /** Aggregated exposition of all connected cluster workers. */
  async clusterMetrics(options: AggregateOptions = {}): Promise<string> {
    await this.ready;
    const responses = await collectFrom((msg) => {
      let n = 0;
      for (const w of Object.values(cluster.workers ?? {})) {
        if (w?.isConnected()) {
          w.send(msg);
          n++;
        }
      }
      return n;
    }, options.timeoutMs ?? 5000);
    if (options.includeSelf) responses.push(...(await metricsForTransfer(workerRegistries)));
    if (responses.length === 0 && !options.includeSelf) return '';
    return AggregatorRegistry.aggregate(responses, this.contentType).metrics();
  }

  /** Makes `worker` (which called `serveWorkerMetrics()`) a source for `workerMetrics()`. */
  addWorker(worker: Worker): void {
    if (this.threads.has(worker)) return;
    this.threads.add(worker);
    worker.on('message', onResponse);
    worker.once('exit', () => {
      this.threads.delete(worker);
      worker.off('message', onResponse);
    });
  }

  /** Aggregated exposition of the added worker threads (and this thread's registries if `includeSelf`). */
  async workerMetrics(options: AggregateOptions = {}): Promise<string> {
    const responses = await collectFrom((msg) => {
      for (const w of this.threads) w.postMessage(msg);
      return this.threads.size;
    }, options.timeoutMs ?? 5000);
    if (options.includeSelf) responses.push(...(await metricsForTransfer(workerRegistries)));
    return AggregatorRegistry.aggregate(responses, this.contentType).metrics();
  }

  /**
   * A registry built from `getMetricsAsJSON()` outputs, combined per metric with its `aggregator`;
   * summaries that carry sketches are merged exactly instead.
   */
  static aggregate(metricsArr: TransferredMetric[][], registryType: string = PROMETHEUS_CONTENT_TYPE): Registry {
    const reg = new Registry(registryType === OPENMETRICS_CONTENT_TYPE ? OPENMETRICS_CONTENT_TYPE : PROMETHEUS_CONTENT_TYPE);
    const byName = new Map<string, TransferredMetric[]>();
    for (const metrics of metricsArr) {
      for (const m of metrics) {
        const list = byName.get(m.name);
        if (list) list.push(m);
        else byName.set(m.name, [m]);
      }
    }
    for (const metrics of byName.values()) {
      const first = metrics[0]!;
      let aggregated: MetricObjectWithValues | undefined;
      if (first.type === 'summary' && first.aggregator === 'sum' && metrics.every((m) => m.sketches !== undefined)) {
        aggregated = mergeSummaries(metrics);
      } else {
        const fn = aggregators[first.aggregator];
        if (typeof fn !== 'function') throw usageError(`'${first.aggregator}' is not a defined aggregator.`);
        aggregated = fn(metrics);
      }
      if (aggregated) {
        const data = aggregated;
        reg.registerMetric({ ...data, get: () => data });
      }
    }
    return reg;
  }

  /** Registries a cluster worker or worker thread reports (default: the default registry). */
  static setRegistries(regs: Registry | Registry[]): void {
    const list = Array.isArray(regs) ? regs : [regs];
    for (const r of list) if (!(r instanceof Registry)) throw usageTypeError(`Expected Registry, got ${typeof r}`);
    workerRegistries = list;
  }
}

/**
 * In a worker thread: answer metric requests from the parent's AggregatorRegistry (`addWorker`).
 * Returns a function that stops answering (the listener otherwise keeps the port referenced).
 */
export async function serveWorkerMetrics(registries?: Registry | Registry[]): Promise<() => void> {
  const { parentPort } = await import('node:worker_threads');
  if (parentPort === null) throw usageError('serveWorkerMetrics() must be called inside a worker thread');
  if (registries !== undefined) AggregatorRegistry.setRegistries(registries);
  const port = parentPort;
  const listener = (message: unknown): void => void respond(message, (msg) => port.postMessage(msg));
  port.on('message', listener);
  return () => port.off('message', listener);
}
