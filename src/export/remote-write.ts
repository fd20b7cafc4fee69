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
import { PerfscopeError, usageError } from '../core/errors.js';
import { authHeader, checkHeaders, parseExportUrl, positive } from './options.js';
import type { Registry } from '../metrics/registry.js';
import { globalRegistry } from '../metrics/registry.js';
import { defaultStorePath } from '../store/store.js';
import { agentFor, post, type PostTarget } from './http-post.js';
import type { ExportAuth } from './options.js';
import { ProtoWriter } from './protobuf.js';
import { RemoteWriteQueue, type Eviction, type QueueBatch } from './queue.js';
import { registrySource } from './registry-source.js';
import { encodeLabels, REMOTE_WRITE_HEADERS, seriesKey, seriesLabels, writeRequestBody, type SortedPairs } from './remote-write-encoding.js';
import { RateLimitedLog } from '../core/rate-limited-log.js';
import { backoffDelayMs, stderrLine, type BackoffOptions } from './retry.js';
import { remoteWriteMetrics, urlLabel, type RemoteWriteMetrics } from './self-metrics.js';
import { flattenFamily, type FlatSample, type Labels, type SeriesSource } from './series.js';


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

class RemoteWriter implements RemoteWrite {
  readonly url: string;
  readonly queuePath: string;
  private readonly r: Resolved;
  private readonly queue: RemoteWriteQueue;
  private readonly m: RemoteWriteMetrics;
  private readonly log: RateLimitedLog;
  private readonly target: PostTarget;
  private readonly writer = new ProtoWriter(256 * 1024);
  private readonly extSig: string;
  private records = new Float64Array(3 * 4096);
  private n = 0;
  private timer: NodeJS.Timeout | undefined;
  private collecting: Promise<void> | undefined;
  private state: RemoteWriteStatus['state'] = 'idle';
  private stopping = false;
  private stopped = false;
  private readonly abort = new AbortController();
  private wake: (() => void) | undefined;
  private sleepWake: (() => void) | undefined;
  private finalPending = 0;
  private readonly loop: Promise<void>;
  private stopResult: Promise<RemoteWriteStopResult> | undefined;
  private sent = 0;
  private dropped = 0;
  private failed = 0;
  private highestSentMs: number | null = null;
  private lastError: string | null = null;
  private failing = false;
  private readonly labelsOf: (id: number) => Uint8Array;

  constructor(r: Resolved, queue: RemoteWriteQueue, metrics: RemoteWriteMetrics) {
    this.r = r;
    this.url = r.url.href;
    this.queuePath = queue.path;
    this.queue = queue;
    this.m = metrics;
    this.log = new RateLimitedLog(r.log, 60_000);
    this.target = { url: r.url, headers: r.headers, timeoutMs: r.timeoutMs, agent: agentFor(r.url) };
    this.extSig = `${JSON.stringify(r.external)}#`;
    this.labelsOf = (id) => queue.labelsOf(id);
    metrics.pending.set(queue.pendingSamples);
    if (queue.pendingSamples > 0) {
      this.log.always('resume', `perfscope remote_write ${urlLabel(r.url)}: resuming with ${queue.pendingSamples} queued samples from ${queue.path}`);
    }
    if (r.intervalMs > 0) {
      this.timer = setInterval(() => void this.collect(), r.intervalMs);
      this.timer.unref();
    }
    this.loop = this.run().catch((err: unknown) => {
      // run() handles its own faults; reaching here is a bug, reported rather than thrown at the app
      this.fault('internal', `perfscope remote_write: sender stopped by an internal error: ${String(err)}`);
    });
  }

  collect(): Promise<void> {
    if (this.stopped || this.stopping) return Promise.resolve();
    // a collection slower than the interval is not stacked: the running one is awaited
    this.collecting ??= this.collectOnce().finally(() => (this.collecting = undefined));
    return this.collecting;
  }

  private async collectOnce(): Promise<void> {
    let c;
    try {
      c = await this.r.source.collect();
    } catch (err) {
      this.fault('collect', `perfscope remote_write ${urlLabel(this.r.url)}: collection failed: ${errText(err)}`);
      return;
    }
    if (this.stopped) return;
    for (const e of c.errors) this.fault('collect', `perfscope remote_write ${urlLabel(this.r.url)}: ${e.message}`);
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
      this.fault('queue', `perfscope remote_write ${urlLabel(this.r.url)}: ${n} samples lost, the queue ${this.queuePath} could not store them: ${errText(err)}`);
      return 0;
    }
    this.m.enqueued.inc(n);
    for (const e of evictions) {
      this.m.dropped(e.reason).inc(e.samples);
      this.dropped += e.samples;
      this.fault(
        e.reason,
        `perfscope remote_write ${urlLabel(this.r.url)}: dropped ${e.samples} queued samples (${e.reason === 'too_old' ? `older than ${this.r.maxAgeMs / 1000} s` : `over ${this.r.maxPendingSamples} pending`}); the receiver has been failing: ${this.lastError ?? 'no answer yet'}`,
      );
    }
    this.m.pending.set(this.queue.pendingSamples);
    this.wake?.();
    return n;
  }

  private fault(kind: string, line: string): void {
    this.lastError = line;
    this.log.line(kind, line);
  }

  private async run(): Promise<void> {
    let attempt = 0;
    while (!this.stopped) {
      let batch: QueueBatch | null;
      try {
        batch = this.queue.peek(this.r.maxSamplesPerSend);
      } catch (err) {
        this.fault('queue', `perfscope remote_write ${urlLabel(this.r.url)}: cannot read the queue ${this.queuePath}: ${errText(err)}`);
        await this.sleep(this.r.backoff.maxBackoffMs);
        continue;
      }
      if (batch === null) {
        if (this.stopping) return;
        this.state = 'idle';
        await new Promise<void>((resolve) => (this.wake = resolve));
        this.wake = undefined;
        continue;
      }
      let body: Buffer;
      try {
        body = writeRequestBody(this.writer, batch.records, batch.count, this.labelsOf);
      } catch (err) {
        this.giveUp(batch, 'queue_error', `cannot encode ${batch.count} queued samples: ${errText(err)}`);
        continue;
      }
      attempt = 0;
      for (;;) {
        this.state = 'sending';
        const v = await post(this.target, body, this.abort.signal);
        if (this.stopped) return;
        if (v.verdict === 'sent') {
          try {
            this.queue.ack(batch);
          } catch (err) {
            // the samples stay queued and are sent again (receivers accept an identical duplicate)
            this.fault('queue', `perfscope remote_write ${urlLabel(this.r.url)}: sent, but cannot delete from the queue ${this.queuePath}: ${errText(err)}`);
            await this.sleep(this.r.backoff.maxBackoffMs);
            break;
          }
          this.sent += batch.count;
          this.m.samples.inc(batch.count);
          if (this.highestSentMs === null || batch.maxTimestampMs > this.highestSentMs) {
            this.highestSentMs = batch.maxTimestampMs;
            this.m.highestSent.set(batch.maxTimestampMs / 1000);
          }
          this.m.pending.set(this.queue.pendingSamples);
          if (this.failing) {
            this.failing = false;
            this.log.always('recovered', `perfscope remote_write ${urlLabel(this.r.url)}: sending again; ${this.queue.pendingSamples} samples still queued`);
          }
          break;
        }
        if (v.verdict === 'drop') {
          this.giveUp(batch, 'rejected', `receiver rejected ${batch.count} samples (dropped): ${v.reason}`);
          break;
        }
        this.failed += batch.count;
        this.m.failed.inc(batch.count);
        this.failing = true;
        if (batch.maxTimestampMs < this.queue.newestTimestampMs - this.r.maxAgeMs) {
          this.giveUp(batch, 'too_old', `gave up on ${batch.count} samples older than ${this.r.maxAgeMs / 1000} s after ${attempt + 1} attempts: ${v.reason}`);
          break;
        }
        const delay = backoffDelayMs(attempt++, this.r.backoff, v.retryAfterMs);
        this.fault('retry', `perfscope remote_write ${urlLabel(this.r.url)}: send failed (${v.reason}); retrying in ${delay} ms, ${this.queue.pendingSamples} samples queued`);
        this.state = 'backoff';
        await this.sleep(delay);
        if (this.stopped) return;
      }
    }
  }

  private giveUp(batch: QueueBatch, reason: 'rejected' | 'too_old' | 'queue_error', text: string): void {
    try {
      this.queue.ack(batch);
    } catch (err) {
      this.fault('queue', `perfscope remote_write ${urlLabel(this.r.url)}: cannot delete from the queue: ${errText(err)}`);
    }
    this.dropped += batch.count;
    this.m.dropped(reason).inc(batch.count);
    this.m.pending.set(this.queue.pendingSamples);
    this.fault(reason, `perfscope remote_write ${urlLabel(this.r.url)}: ${text}`);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        this.sleepWake = undefined;
        resolve();
      }, ms);
      t.unref();
      this.sleepWake = () => {
        clearTimeout(t);
        this.sleepWake = undefined;
        resolve();
      };
    });
  }

  status(): RemoteWriteStatus {
    return {
      state: this.stopped ? 'stopped' : this.state,
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
    if (this.timer !== undefined) clearInterval(this.timer);
    const deadline = setTimeout(() => {
      this.stopped = true;
      this.abort.abort();
      this.sleepWake?.();
      this.wake?.();
    }, timeoutMs);
    // a source that never answers must not hold stop() past its deadline
    const expired = new Promise<void>((resolve) => {
      const t = setTimeout(resolve, timeoutMs);
      t.unref();
    });
    await Promise.race([finalCollect ? this.collect() : (this.collecting ?? Promise.resolve()), expired]);
    this.stopping = true;
    this.wake?.();
    await this.loop;
    clearTimeout(deadline);
    this.stopped = true;
    this.finalPending = this.queue.pendingSamples;
    this.m.pending.set(this.finalPending);
    this.target.agent.destroy();
    this.queue.close();
    this.state = 'stopped';
    if (this.finalPending > 0) {
      this.log.always('stop', `perfscope remote_write ${urlLabel(this.r.url)}: stopped with ${this.finalPending} samples queued in ${this.queuePath}; they are sent at the next start`);
    }
    return { pendingSamples: this.finalPending, queuePath: this.queuePath };
  }
}

function errText(err: unknown): string {
  return err instanceof PerfscopeError || err instanceof Error ? err.message : String(err);
}
