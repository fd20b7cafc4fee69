/**
 * OTLP/HTTP metrics export: the series `/metrics` shows, collected every interval, encoded as OTLP
 * (protobuf or JSON), gzip-compressed off the event loop, and POSTed to `<url>` (a Collector's
 * `/v1/metrics`, or a vendor's OTLP endpoint). Failed requests stay in a bounded in-memory queue and
 * are retried in order with the same backoff as remote_write; what the bound or the receiver drops is
 * counted and logged, never silent.
 */
import { hostname } from 'node:os';
import { basename, extname } from 'node:path';
import { gzip } from 'node:zlib';
import { promisify } from 'node:util';
import { usageError } from '../core/errors.js';
import { version as perfscopeVersion } from '../core/version.js';
import { globalRegistry, type Registry } from '../metrics/registry.js';
import { authHeader, checkHeaders, parseExportUrl, positive, type ExportAuth } from './options.js';
import { countPoints, DeltaState, encodeOtlpJson, encodeOtlpProtobuf, type AttributeValue, type OtlpResource, type Temporality } from './otlp-encoding.js';
import { registrySource } from './registry-source.js';
import { errText, RetryingSender, stderrLine, type BackoffOptions } from './retry.js';
import { otlpMetrics, urlLabel, type OtlpMetrics } from './self-metrics.js';
import type { Collection, SeriesSource } from './series.js';

const gzipAsync = promisify(gzip);

export type OtlpProtocol = 'http/protobuf' | 'http/json';

export interface OtlpExportOptions {
  /** The full metrics endpoint, e.g. `http://127.0.0.1:4318/v1/metrics` (a Collector) or a vendor's. */
  url: string;
  /** Default 'http/protobuf'. */
  protocol?: OtlpProtocol;
  /** Request headers (vendors' API keys: `api-key`, `DD-API-KEY`, `Authorization`...). */
  headers?: Record<string, string>;
  auth?: ExportAuth;
  /** A file holding the credentials instead (docs/exporting.md: `basic USER:PASSWORD`, `bearer TOKEN`, `USER:PASSWORD` or a bare TOKEN); read at start. */
  authFile?: string;
  /** Where the self-metrics are registered, and the default source. Default: the global registry. */
  registry?: Registry;
  /** What to send; default every metric of `registry`. */
  source?: SeriesSource;
  /**
   * Resource attributes, merged over the defaults: `service.name` (OTEL_SERVICE_NAME, else the main
   * script's name), `host.name`, `process.pid`. OTEL_RESOURCE_ATTRIBUTES is read too.
   */
  resource?: Record<string, AttributeValue>;
  /** Counters and histograms as cumulative (default) or delta against the previous export. */
  temporality?: Temporality;
  /** Seconds between exports; default 60 (the OpenTelemetry SDK's). 0: only `exportNow()`. */
  intervalSeconds?: number;
  /** gzip (default) or none. */
  compression?: 'gzip' | 'none';
  timeoutSeconds?: number;
  /** Requests kept for retry while the receiver fails; the oldest are dropped (counted) beyond it. Default 30. */
  maxQueuedRequests?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  maxRetryAfterSeconds?: number;
  log?: ((line: string) => void) | false;
  flushTimeoutSeconds?: number;
}

export interface OtlpExportStatus {
  readonly state: 'idle' | 'sending' | 'backoff' | 'stopped';
  readonly pendingRequests: number;
  readonly pendingPoints: number;
  readonly exportedPoints: number;
  readonly droppedPoints: number;
  readonly failedPoints: number;
  readonly lastError: string | null;
}

export interface OtlpExport {
  readonly url: string;
  readonly protocol: OtlpProtocol;
  /** Collects and queues one export now (the timer does this every interval); resolves once queued. */
  exportNow(): Promise<void>;
  status(): OtlpExportStatus;
  /** Stops the timer, exports once more, sends within `timeoutMs`; what is left is counted as dropped. */
  stop(options?: { timeoutMs?: number; finalExport?: boolean }): Promise<{ droppedPoints: number }>;
}

interface Resolved {
  url: URL;
  protocol: OtlpProtocol;
  registry: Registry;
  source: SeriesSource;
  resource: OtlpResource;
  temporality: Temporality;
  intervalMs: number;
  gzip: boolean;
  headers: Record<string, string>;
  timeoutMs: number;
  maxQueued: number;
  backoff: BackoffOptions;
  log: (line: string) => void;
  flushTimeoutMs: number;
}

/** `service.name` when none is given: OTEL_SERVICE_NAME, else the main script's base name, else `node`. */
export function defaultServiceName(env: NodeJS.ProcessEnv = process.env, argv: string[] = process.argv): string {
  if (env.OTEL_SERVICE_NAME) return env.OTEL_SERVICE_NAME;
  const main = argv[1];
  if (main) {
    const b = basename(main, extname(main));
    if (b !== '' && b !== 'index' && b !== 'main') return b;
  }
  return env.npm_package_name || 'node';
}

/** OTEL_RESOURCE_ATTRIBUTES (`k=v,k2=v2`, values percent-decoded), as the SDKs read it. */
export function envResourceAttributes(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (env.OTEL_RESOURCE_ATTRIBUTES ?? '').split(',')) {
    const i = part.indexOf('=');
    if (i <= 0) continue;
    try {
      out[part.slice(0, i).trim()] = decodeURIComponent(part.slice(i + 1).trim());
    } catch {
      // a malformed escape: the attribute is skipped, as the SDKs do
    }
  }
  return out;
}

function resolve(o: OtlpExportOptions): Resolved {
  if (typeof o !== 'object' || o === null) throw usageError('startOtlpExport: expected an options object');
  const url = parseExportUrl('otlp', o.url);
  const protocol = o.protocol ?? 'http/protobuf';
  if (protocol !== 'http/protobuf' && protocol !== 'http/json') throw usageError(`otlp: protocol must be http/protobuf or http/json, got ${JSON.stringify(protocol)}`);
  const temporality = o.temporality ?? 'cumulative';
  if (temporality !== 'cumulative' && temporality !== 'delta') throw usageError(`otlp: temporality must be cumulative or delta, got ${JSON.stringify(temporality)}`);
  const compression = o.compression ?? 'gzip';
  if (compression !== 'gzip' && compression !== 'none') throw usageError(`otlp: compression must be gzip or none, got ${JSON.stringify(compression)}`);
  const attributes: Record<string, AttributeValue> = {
    'service.name': defaultServiceName(),
    ...envResourceAttributes(),
    'host.name': hostname(),
    'process.pid': process.pid,
  };
  for (const [k, v] of Object.entries(o.resource ?? {})) {
    if (typeof v !== 'string' && typeof v !== 'boolean' && !(typeof v === 'number' && Number.isFinite(v))) {
      throw usageError(`otlp: resource attribute ${k} must be a string, boolean or finite number, got ${String(v)}`);
    }
    attributes[k] = v;
  }
  const registry = o.registry ?? globalRegistry;
  const reserved = ['content-type', 'content-encoding', 'content-length'];
  const minBackoffMs = positive('otlp', 'minBackoffMs', o.minBackoffMs, 100, 1);
  const log = o.log === false ? () => {} : (o.log ?? stderrLine);
  return {
    url,
    protocol,
    registry,
    source: o.source ?? registrySource(registry),
    resource: { attributes },
    temporality,
    intervalMs: positive('otlp', 'intervalSeconds', o.intervalSeconds, 60, 0) * 1000,
    gzip: compression === 'gzip',
    headers: {
      'Content-Type': protocol === 'http/json' ? 'application/json' : 'application/x-protobuf',
      ...(compression === 'gzip' ? { 'Content-Encoding': 'gzip' } : {}),
      'User-Agent': `perfscope-otlp/${perfscopeVersion}`,
      ...checkHeaders('otlp', o.headers, reserved),
      ...authHeader('otlp', o.auth, o.authFile, log),
    },
    timeoutMs: positive('otlp', 'timeoutSeconds', o.timeoutSeconds, 10, 0.001) * 1000,
    maxQueued: positive('otlp', 'maxQueuedRequests', o.maxQueuedRequests, 30, 1, true),
    backoff: {
      minBackoffMs,
      maxBackoffMs: positive('otlp', 'maxBackoffMs', o.maxBackoffMs, 5000, minBackoffMs),
      maxRetryAfterMs: positive('otlp', 'maxRetryAfterSeconds', o.maxRetryAfterSeconds, 300, 0) * 1000,
    },
    log,
    flushTimeoutMs: positive('otlp', 'flushTimeoutSeconds', o.flushTimeoutSeconds, 5, 0) * 1000,
  };
}

/**
 * Starts exporting. Throws PerfscopeError('EUSAGE') on bad options; after that nothing it does throws:
 * faults are lines (rate-limited), self-metrics (`perfscope_otlp_*`) and `status().lastError`.
 */
export function startOtlpExport(options: OtlpExportOptions): OtlpExport {
  const r = resolve(options);
  return new OtlpExporter(r, otlpMetrics(r.registry, urlLabel(r.url)));
}

interface Pending {
  body: Buffer;
  points: number;
}

class OtlpExporter extends RetryingSender implements OtlpExport {
  readonly url: string;
  readonly protocol: OtlpProtocol;
  private readonly r: Resolved;
  private readonly m: OtlpMetrics;
  private readonly delta = new DeltaState();
  private readonly queue: Pending[] = [];
  private pendingPoints = 0;
  private stopResult: Promise<{ droppedPoints: number }> | undefined;
  private exported = 0;
  private dropped = 0;

  constructor(r: Resolved, m: OtlpMetrics) {
    super(`perfscope otlp ${urlLabel(r.url)}`, r, m.failed);
    this.r = r;
    this.m = m;
    this.url = r.url.href;
    this.protocol = r.protocol;
    this.startSending(r.intervalMs);
  }

  exportNow(): Promise<void> {
    return this.collectNow();
  }

  protected async take(c: Collection): Promise<void> {
    const points = countPoints(c);
    if (points === 0) return;
    let body: Buffer;
    try {
      const o = { resource: this.r.resource, scope: { name: 'perfscope', version: perfscopeVersion }, temporality: this.r.temporality, delta: this.delta };
      const raw = this.r.protocol === 'http/json' ? Buffer.from(encodeOtlpJson(c, o)) : encodeOtlpProtobuf(c, o);
      body = this.r.gzip ? await gzipAsync(raw) : raw;
    } catch (err) {
      this.m.dropped('encode_error').inc(points);
      this.dropped += points;
      this.fault('encode', `${this.name}: ${points} points lost, they could not be encoded: ${errText(err)}`);
      return;
    }
    if (this.stopped) return;
    this.queue.push({ body, points });
    this.pendingPoints += points;
    while (this.queue.length > this.r.maxQueued) {
      // the oldest is dropped, unless it is being sent (index 0 while sending): then the next oldest
      const i = this.currentState === 'idle' ? 0 : 1;
      const [old] = this.queue.splice(i, 1);
      this.pendingPoints -= old!.points;
      this.dropped += old!.points;
      this.m.dropped('queue_full').inc(old!.points);
      this.fault('queue_full', `${this.name}: dropped ${old!.points} points: more than ${this.r.maxQueued} requests waiting; the receiver has been failing: ${this.lastError ?? 'no answer yet'}`);
    }
    this.m.pending.set(this.pendingPoints);
    this.wake();
  }

  protected async run(): Promise<void> {
    while (!this.stopped) {
      const head = this.queue[0];
      if (head === undefined) {
        if (this.stopping) return;
        await this.idle();
        continue;
      }
      const v = await this.deliver(head.body, head.points, (f, delay) => `${this.name}: export failed (${f.reason}); retrying in ${delay} ms, ${this.queue.length} requests waiting`);
      if (v === null) return;
      this.queue.shift();
      this.pendingPoints -= head.points;
      this.m.pending.set(this.pendingPoints);
      if (v.verdict === 'sent') {
        this.exported += head.points;
        this.m.exported.inc(head.points);
        this.recovered(() => `${this.name}: exporting again; ${this.queue.length} requests waiting`);
      } else {
        this.dropped += head.points;
        this.m.dropped('rejected').inc(head.points);
        this.fault('rejected', `${this.name}: receiver rejected ${head.points} points (dropped): ${v.verdict === 'drop' ? v.reason : 'no answer'}`);
      }
    }
  }

  status(): OtlpExportStatus {
    return {
      state: this.currentState,
      pendingRequests: this.queue.length,
      pendingPoints: this.pendingPoints,
      exportedPoints: this.exported,
      droppedPoints: this.dropped,
      failedPoints: this.failed,
      lastError: this.lastError,
    };
  }

  stop(options: { timeoutMs?: number; finalExport?: boolean } = {}): Promise<{ droppedPoints: number }> {
    this.stopResult ??= this.doStop(options.timeoutMs ?? this.r.flushTimeoutMs, options.finalExport ?? true);
    return this.stopResult;
  }

  private async doStop(timeoutMs: number, finalExport: boolean): Promise<{ droppedPoints: number }> {
    await this.halt(timeoutMs, finalExport);
    const left = this.pendingPoints;
    if (left > 0) {
      this.m.dropped('shutdown').inc(left);
      this.dropped += left;
      this.pendingPoints = 0;
      this.queue.length = 0;
      this.m.pending.set(0);
      this.log.always('stop', `${this.name}: stopped with ${left} points not exported (receiver: ${this.lastError ?? 'no answer'})`);
    }
    return { droppedPoints: left };
  }
}
