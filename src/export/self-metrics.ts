/**
 * The exporters' own metrics, named after Prometheus' remote-storage metrics and registered in the
 * registry the caller gives (so they are scraped, and exported, with everything else). Several
 * exporters in one registry share each metric, told apart by the `url` label.
 */
import { Counter, type BoundCounter } from '../metrics/counter.js';
import { Gauge, type BoundGauge } from '../metrics/gauge.js';
import type { Registry } from '../metrics/registry.js';

function getOrCreate<M extends Counter | Gauge>(
  registry: Registry,
  Ctor: new (config: { name: string; help: string; labelNames: string[]; registers: Registry[] }) => M,
  name: string,
  help: string,
  labelNames: string[],
): M {
  const existing = registry.getSingleMetric(name);
  if (existing !== undefined) {
    if (existing instanceof Ctor && sameNames((existing as Counter).labelNames, labelNames)) return existing as M;
    throw new Error(`the registry already holds a metric "${name}" that is not perfscope's own ${Ctor.name.toLowerCase()} with labels [${labelNames.join(', ')}]`);
  }
  return new Ctor({ name, help, labelNames, registers: [registry] });
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The `url` label: scheme, host and path, never credentials or query (tokens live there). */
export function urlLabel(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname}`;
}

export type RemoteWriteDropReason = 'rejected' | 'too_old' | 'queue_full' | 'queue_error' | 'collect_error';

export interface RemoteWriteMetrics {
  readonly enqueued: BoundCounter;
  readonly samples: BoundCounter;
  readonly failed: BoundCounter;
  dropped(reason: RemoteWriteDropReason): BoundCounter;
  readonly pending: BoundGauge;
  readonly highestSent: BoundGauge;
}

export function remoteWriteMetrics(registry: Registry, url: string): RemoteWriteMetrics {
  const enqueued = getOrCreate(registry, Counter, 'perfscope_remote_write_enqueued_total', 'Samples written to the remote_write queue.', ['url']);
  const samples = getOrCreate(registry, Counter, 'perfscope_remote_write_samples_total', 'Samples the remote_write receiver accepted (2xx).', ['url']);
  const failed = getOrCreate(
    registry,
    Counter,
    'perfscope_remote_write_failed_total',
    'Samples in remote_write requests that failed with a recoverable error (5xx, 429, network) and stay queued for a retry.',
    ['url'],
  );
  const dropped = getOrCreate(
    registry,
    Counter,
    'perfscope_remote_write_dropped_total',
    'Samples given up on: rejected by the receiver (4xx other than 429), older than the queue bound, over the queue size, or lost to a queue storage error.',
    ['url', 'reason'],
  );
  const pending = getOrCreate(registry, Gauge, 'perfscope_remote_write_pending_samples', 'Samples queued and not yet accepted by the receiver.', ['url']);
  const highest = getOrCreate(
    registry,
    Gauge,
    'perfscope_remote_write_highest_sent_timestamp_seconds',
    'Timestamp of the newest sample the receiver accepted, in seconds since the epoch.',
    ['url'],
  );
  const reasons = new Map<RemoteWriteDropReason, BoundCounter>();
  const d = (reason: RemoteWriteDropReason): BoundCounter => {
    let c = reasons.get(reason);
    if (c === undefined) reasons.set(reason, (c = dropped.labels({ url, reason })));
    return c;
  };
  const out: RemoteWriteMetrics = {
    enqueued: enqueued.labels({ url }),
    samples: samples.labels({ url }),
    failed: failed.labels({ url }),
    dropped: d,
    pending: pending.labels({ url }),
    highestSent: highest.labels({ url }),
  };
  // every series exists (at 0) from the start, so dashboards and alerts see them before the first fault
  for (const c of [out.enqueued, out.samples, out.failed, d('rejected')]) c.inc(0);
  return out;
}

export type OtlpDropReason = 'rejected' | 'queue_full' | 'encode_error' | 'collect_error' | 'shutdown';

export interface OtlpMetrics {
  readonly exported: BoundCounter;
  readonly failed: BoundCounter;
  dropped(reason: OtlpDropReason): BoundCounter;
  readonly pending: BoundGauge;
}

/** OTLP counts data points (one per series per export), like the Collector's exporter metrics. */
export function otlpMetrics(registry: Registry, url: string): OtlpMetrics {
  const exported = getOrCreate(registry, Counter, 'perfscope_otlp_exported_points_total', 'Data points the OTLP receiver accepted.', ['url']);
  const failed = getOrCreate(
    registry,
    Counter,
    'perfscope_otlp_failed_points_total',
    'Data points in OTLP requests that failed with a recoverable error and are retried.',
    ['url'],
  );
  const dropped = getOrCreate(
    registry,
    Counter,
    'perfscope_otlp_dropped_points_total',
    'Data points given up on: rejected by the receiver, over the retry queue, not collectable, or still queued at shutdown.',
    ['url', 'reason'],
  );
  const pending = getOrCreate(registry, Gauge, 'perfscope_otlp_pending_points', 'Data points waiting to be (re)sent.', ['url']);
  const reasons = new Map<OtlpDropReason, BoundCounter>();
  const d = (reason: OtlpDropReason): BoundCounter => {
    let c = reasons.get(reason);
    if (c === undefined) reasons.set(reason, (c = dropped.labels({ url, reason })));
    return c;
  };
  const out: OtlpMetrics = { exported: exported.labels({ url }), failed: failed.labels({ url }), dropped: d, pending: pending.labels({ url }) };
  for (const c of [out.exported, out.failed, d('rejected')]) c.inc(0);
  out.pending.set(0);
  return out;
}
