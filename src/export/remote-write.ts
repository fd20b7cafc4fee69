/**
 * remote_write: series from a source are queued on disk (queue.ts), then sent in order, in batches, to a
 * Prometheus remote write 1.0 receiver (Prometheus, VictoriaMetrics, Mimir, Thanos Receive, Cortex...).
 *
 * Faults never reach the app: an unreachable or failing receiver is a rate-limited line on stderr (or
 * the `log` given), counts in the self-metrics and `status().lastError`; the queue keeps the samples
 * (bounded by age and count, evictions counted) and the sender retries with capped exponential backoff
 * and jitter. Only bad options and an unopenable queue file throw, at start.
 */
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { usageError } from '../core/errors.js';
import { authHeader, checkHeaders, parseExportUrl, positive } from './options.js';
import type { Registry } from '../metrics/registry.js';
import { globalRegistry } from '../metrics/registry.js';
import { defaultStorePath } from '../store/store.js';
import type { ExportAuth } from './options.js';
import { ProtoWriter } from './protobuf.js';
import { RemoteWriteQueue, type Eviction, type QueueBatch } from './queue.js';
import { registrySource } from './registry-source.js';
import { encodeLabels, REMOTE_WRITE_HEADERS, seriesKey, seriesLabels, writeRequestBody, type SortedPairs } from './remote-write-encoding.js';
import { errText, RetryingSender, stderrLine, type BackoffOptions } from './retry.js';
import { remoteWriteMetrics, urlLabel, type RemoteWriteMetrics } from './self-metrics.js';
import { flattenFamily, type Collection, type FlatSample, type Labels, type SeriesSource } from './series.js';


export interface RemoteWriteOptions {
  /** The receiver's write endpoint, e.g. `http://127.0.0.1:9090/api/v1/write`. */
  url: string;
  /** Where the self-metrics are registered, and the default source. Default: the global registry. */
  registry?: Registry;
  /** What to send; default every metric of `registry`. `serve` passes its own host, group and target series. */
  source?: SeriesSource;
  /** Seconds between collections of `source`; default 15. 0 turns the timer off (call `collect()` or `append()`). */
  intervalSeconds?: number;
  auth?: ExportAuth;
  /** A file holding the credentials instead (docs/exporting.md: `basic USER:PASSWORD`, `bearer TOKEN`, `USER:PASSWORD` or a bare TOKEN); read at start. */
  authFile?: string;
  /** Extra request headers (e.g. `X-Scope-OrgID` for a multi-tenant Mimir). */
  headers?: Record<string, string>;
  /** Labels added to every series that does not set them itself (e.g. `{ job: 'api', instance: 'host-1' }`). */
  externalLabels?: Record<string, string>;
  /** The queue file; default `<store dir>/remote-write/<host>-<hash of url and labels>.db`. */
  queuePath?: string;
  /** Samples older than the newest queued one by more than this are dropped (counted); default 7200 (2 h). */
  maxQueueAgeSeconds?: number;
  /** Most samples queued, oldest dropped first (counted); default 10,000,000 (~240 MB on disk). */
  maxPendingSamples?: number;
  /** Samples per request; default 2000 (Prometheus' `max_samples_per_send`). */
  maxSamplesPerSend?: number;
  /** Per-request timeout; default 30 s (Prometheus' `remote_timeout`). */
  timeoutSeconds?: number;
  /** Backoff between retries: from `minBackoffMs` (100) doubling to `maxBackoffMs` (5000), with jitter. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** A longer Retry-After from the receiver is cut to this; default 300 s. */
  maxRetryAfterSeconds?: number;
  /** Where fault lines go (rate-limited to one per kind a minute); default stderr; `false` for none. */
  log?: ((line: string) => void) | false;
  /** How long `stop()` keeps sending what is queued; default 5 s. */
  flushTimeoutSeconds?: number;
}

export interface RemoteWriteStatus {
  readonly state: 'idle' | 'sending' | 'backoff' | 'stopped';
  readonly pendingSamples: number;
  readonly sentSamples: number;
  readonly droppedSamples: number;
  readonly failedSamples: number;
  /** Epoch ms of the newest sample the receiver accepted, or null. */
  readonly highestSentTimestampMs: number | null;
  /** The last fault (send, queue or collection), or null. */
  readonly lastError: string | null;
}

export interface RemoteWriteStopResult {
  /** Samples still queued (sent at the next start with the same queue file). */
  readonly pendingSamples: number;
  readonly queuePath: string;
}

/** A running remote_write sender. */
export interface RemoteWrite {
  readonly url: string;
  readonly queuePath: string;
  /** Collects the source once now and queues the samples (the timer does this every interval). */
  collect(): Promise<void>;
  /**
   * Queues samples pushed by the caller (a sampler's ticks, a scraped target's samples). Each series'
   * samples must come in timestamp order; returns how many were queued (0 and a log line on a storage error).
   */
  append(samples: readonly FlatSample[]): number;
  status(): RemoteWriteStatus;
  /** Stops collecting, sends what it can within `timeoutMs` (default `flushTimeoutSeconds`), closes the queue. */
  stop(options?: { timeoutMs?: number; finalCollect?: boolean }): Promise<RemoteWriteStopResult>;
}

interface Resolved {
  url: URL;
  registry: Registry;
  source: SeriesSource;
  intervalMs: number;
  headers: Record<string, string>;
  external: SortedPairs;
  queuePath: string;
  maxAgeMs: number;
  maxPendingSamples: number;
  maxSamplesPerSend: number;
  timeoutMs: number;
  backoff: BackoffOptions;
  log: (line: string) => void;
  flushTimeoutMs: number;
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

function resolve(o: RemoteWriteOptions): Resolved {
  if (typeof o !== 'object' || o === null) throw usageError('startRemoteWrite: expected an options object');
  const url = parseExportUrl('remote_write', o.url);
  const registry = o.registry ?? globalRegistry;
  const external: [string, string][] = [];
  for (const [k, v] of Object.entries(o.externalLabels ?? {})) {
    if (!LABEL_NAME.test(k) || k.startsWith('__')) throw usageError(`remote_write: invalid external label name ${JSON.stringify(k)}`);
    if (typeof v !== 'string') throw usageError(`remote_write: external label ${k} must be a string, got ${typeof v}`);
    external.push([k, v]);
  }
  external.sort((a, b) => (a[0] < b[0] ? -1 : 1));
  const interval = positive('remote_write', 'intervalSeconds', o.intervalSeconds, 15, 0);
  const maxAge = positive('remote_write', 'maxQueueAgeSeconds', o.maxQueueAgeSeconds, 7200, 1);
  const minBackoffMs = positive('remote_write', 'minBackoffMs', o.minBackoffMs, 100, 1);
  const maxBackoffMs = positive('remote_write', 'maxBackoffMs', o.maxBackoffMs, 5000, minBackoffMs);
  const reserved = ['content-type', 'content-encoding', 'content-length', 'x-prometheus-remote-write-version'];
  const log = o.log === false ? () => {} : (o.log ?? stderrLine);
  const headers = { ...REMOTE_WRITE_HEADERS, ...checkHeaders('remote_write', o.headers, reserved), ...authHeader('remote_write', o.auth, o.authFile, log) };
  const sig = JSON.stringify([urlLabel(url), external]);
  const queuePath =
    o.queuePath ??
    join(
      dirname(defaultStorePath()),
      'remote-write',
      `${url.host.replace(/[^A-Za-z0-9.-]/g, '_')}-${createHash('sha256').update(sig).digest('hex').slice(0, 12)}.db`,
    );
  return {
    url,
    registry,
    source: o.source ?? registrySource(registry),
    intervalMs: interval * 1000,
    headers,
    external,
    queuePath,
    maxAgeMs: maxAge * 1000,
    maxPendingSamples: positive('remote_write', 'maxPendingSamples', o.maxPendingSamples, 10_000_000, 1, true),
    maxSamplesPerSend: positive('remote_write', 'maxSamplesPerSend', o.maxSamplesPerSend, 2000, 1, true),
    timeoutMs: positive('remote_write', 'timeoutSeconds', o.timeoutSeconds, 30, 0.001) * 1000,
    backoff: { minBackoffMs, maxBackoffMs, maxRetryAfterMs: positive('remote_write', 'maxRetryAfterSeconds', o.maxRetryAfterSeconds, 300, 0) * 1000 },
    log,
    flushTimeoutMs: positive('remote_write', 'flushTimeoutSeconds', o.flushTimeoutSeconds, 5, 0) * 1000,
  };
}

/**
 * Starts a remote_write sender: opens (or resumes) its queue, collects the source every
 * `intervalSeconds`, and sends in the background. Throws PerfscopeError on bad options (EUSAGE) or a
 * queue file it cannot open or that another process holds (EIO); after that, nothing it does throws.
 */
export function startRemoteWrite(options: RemoteWriteOptions): RemoteWrite {
  const r = resolve(options);
  const metrics = remoteWriteMetrics(r.registry, urlLabel(r.url));
  const queue = RemoteWriteQueue.open(r.queuePath, {
    maxAgeMs: r.maxAgeMs,
    maxPendingSamples: r.maxPendingSamples,
    maxChunkSamples: r.maxSamplesPerSend,
  });
  return new RemoteWriter(r, queue, metrics);
}

class RemoteWriter extends RetryingSender implements RemoteWrite {
  readonly url: string;
  readonly queuePath: string;
  private readonly r: Resolved;
  private readonly queue: RemoteWriteQueue;
  private readonly m: RemoteWriteMetrics;
  private readonly writer = new ProtoWriter(256 * 1024);
  private readonly extSig: string;
  private records = new Float64Array(3 * 4096);
  private n = 0;
  private finalPending = 0;
  private stopResult: Promise<RemoteWriteStopResult> | undefined;
  private sent = 0;
  private dropped = 0;
  private highestSentMs: number | null = null;
  private readonly labelsOf: (id: number) => Uint8Array;

  constructor(r: Resolved, queue: RemoteWriteQueue, metrics: RemoteWriteMetrics) {
    super(`perfscope remote_write ${urlLabel(r.url)}`, r, metrics.failed);
    this.r = r;
    this.url = r.url.href;
    this.queuePath = queue.path;
    this.queue = queue;
    this.m = metrics;
    this.extSig = `${JSON.stringify(r.external)}#`;
    this.labelsOf = (id) => queue.labelsOf(id);
    metrics.pending.set(queue.pendingSamples);
    if (queue.pendingSamples > 0) {
      this.log.always('resume', `${this.name}: resuming with ${queue.pendingSamples} queued samples from ${queue.path}`);
    }
    this.startSending(r.intervalMs);
  }

  collect(): Promise<void> {
    return this.collectNow();
  }

  protected take(c: Collection): void {
    this.n = 0;
    for (const f of c.families) flattenFamily(f, c.timestampMs, this.push);
    this.commit();
  }

  append(samples: readonly FlatSample[]): number {
    if (this.stopped || this.stopping) return 0;
    this.n = 0;
    for (const s of samples) this.push(s.name, s.labels, null, null, s.value, s.timestampMs);
    return this.commit();
  }

  private readonly push = (name: string, labels: Labels, extraName: string | null, extraValue: string | null, value: number, ts: number): void => {
    const key = this.extSig + seriesKey(name, labels, extraName, extraValue);
    let id = this.queue.idOf(key);
    if (id === undefined) id = this.queue.addSeries(key, encodeLabels(seriesLabels(name, labels, extraName, extraValue, this.r.external)));
    let rec = this.records;
    const i = this.n * 3;
    if (i + 3 > rec.length) {
      const next = new Float64Array(rec.length * 2);
      next.set(rec);
      this.records = rec = next;
    }
    rec[i] = id;
    rec[i + 1] = ts;
    rec[i + 2] = value;
    this.n++;
  };

  private commit(): number {
    const n = this.n;
    if (n === 0) return 0;
    let evictions: Eviction[];
    try {
      evictions = this.queue.append(this.records, n);
    } catch (err) {
      this.m.dropped('queue_error').inc(n);
      this.dropped += n;
      this.fault('queue', `${this.name}: ${n} samples lost, the queue ${this.queuePath} could not store them: ${errText(err)}`);
      return 0;
    }
    this.m.enqueued.inc(n);
    for (const e of evictions) {
      this.m.dropped(e.reason).inc(e.samples);
      this.dropped += e.samples;
      this.fault(
        e.reason,
        `${this.name}: dropped ${e.samples} queued samples (${e.reason === 'too_old' ? `older than ${this.r.maxAgeMs / 1000} s` : `over ${this.r.maxPendingSamples} pending`}); the receiver has been failing: ${this.lastError ?? 'no answer yet'}`,
      );
    }
    this.m.pending.set(this.queue.pendingSamples);
    this.wake();
    return n;
  }

  protected async run(): Promise<void> {
    while (!this.stopped) {
      let batch: QueueBatch | null;
      try {
        batch = this.queue.peek(this.r.maxSamplesPerSend);
      } catch (err) {
        this.fault('queue', `${this.name}: cannot read the queue ${this.queuePath}: ${errText(err)}`);
        await this.sleep(this.r.backoff.maxBackoffMs);
        continue;
      }
      if (batch === null) {
        if (this.stopping) return;
        await this.idle();
        continue;
      }
      let body: Buffer;
      try {
        body = writeRequestBody(this.writer, batch.records, batch.count, this.labelsOf);
      } catch (err) {
        this.giveUp(batch, 'queue_error', `cannot encode ${batch.count} queued samples: ${errText(err)}`);
        continue;
      }
      const b = batch;
      const v = await this.deliver(
        body,
        b.count,
        (f, delay) => `${this.name}: send failed (${f.reason}); retrying in ${delay} ms, ${this.queue.pendingSamples} samples queued`,
        (f, attempt) => {
          if (b.maxTimestampMs >= this.queue.newestTimestampMs - this.r.maxAgeMs) return false;
          this.giveUp(b, 'too_old', `gave up on ${b.count} samples older than ${this.r.maxAgeMs / 1000} s after ${attempt + 1} attempts: ${f.reason}`);
          return true;
        },
      );
      if (v === null) return;
      if (v.verdict === 'drop') this.giveUp(batch, 'rejected', `receiver rejected ${batch.count} samples (dropped): ${v.reason}`);
      if (v.verdict !== 'sent') continue;
      try {
        this.queue.ack(batch);
      } catch (err) {
        // the samples stay queued and are sent again (receivers accept an identical duplicate)
        this.fault('queue', `${this.name}: sent, but cannot delete from the queue ${this.queuePath}: ${errText(err)}`);
        await this.sleep(this.r.backoff.maxBackoffMs);
        continue;
      }
      this.sent += batch.count;
      this.m.samples.inc(batch.count);
      if (this.highestSentMs === null || batch.maxTimestampMs > this.highestSentMs) {
        this.highestSentMs = batch.maxTimestampMs;
        this.m.highestSent.set(batch.maxTimestampMs / 1000);
      }
      this.m.pending.set(this.queue.pendingSamples);
      this.recovered(() => `${this.name}: sending again; ${this.queue.pendingSamples} samples still queued`);
    }
  }

  private giveUp(batch: QueueBatch, reason: 'rejected' | 'too_old' | 'queue_error', text: string): void {
    try {
      this.queue.ack(batch);
    } catch (err) {
      this.fault('queue', `${this.name}: cannot delete from the queue: ${errText(err)}`);
    }
    this.dropped += batch.count;
    this.m.dropped(reason).inc(batch.count);
    this.m.pending.set(this.queue.pendingSamples);
    this.fault(reason, `${this.name}: ${text}`);
  }

  status(): RemoteWriteStatus {
    return {
      state: this.currentState,
      pendingSamples: this.stopped ? this.finalPending : this.queue.pendingSamples,
      sentSamples: this.sent,
      droppedSamples: this.dropped,
      failedSamples: this.failed,
      highestSentTimestampMs: this.highestSentMs,
      lastError: this.lastError,
    };
  }
  stop(options: { timeoutMs?: number; finalCollect?: boolean } = {}): Promise<RemoteWriteStopResult> {
    this.stopResult ??= this.doStop(options.timeoutMs ?? this.r.flushTimeoutMs, options.finalCollect ?? true);
    return this.stopResult;
  }

  private async doStop(timeoutMs: number, finalCollect: boolean): Promise<RemoteWriteStopResult> {
    await this.halt(timeoutMs, finalCollect);
    this.finalPending = this.queue.pendingSamples;
    this.m.pending.set(this.finalPending);
    this.queue.close();
    if (this.finalPending > 0) {
      this.log.always('stop', `${this.name}: stopped with ${this.finalPending} samples queued in ${this.queuePath}; they are sent at the next start`);
    }
    return { pendingSamples: this.finalPending, queuePath: this.queuePath };
  }
}
