/**
 * serve's exporters (`--remote-write`, `--otlp`): the export library's senders (export/remote-write.ts,
 * export/otlp-export.ts) fed with serve's series (series-source.ts) on serve's own ticks, so every
 * collection is one tick's values stamped with that tick's time, and no tick is sent twice.
 *
 * - Each exporter collects at the first tick at least its interval after its previous collection (the
 *   interval is rounded to serve's ticks; one shorter than a tick means every tick).
 * - Their self-metrics go to the agent's registry: on /metrics, and exported too.
 * - Their fault lines go through the agent's fault reporting (`perfscope_serve_faults_total{kind=
 *   "remote_write"|"otlp"}` and one line on stderr); they already write at most one line per fault kind
 *   and destination a minute, with how many they held back. Sampling never waits for them.
 * - remote_write queues on disk, one file per destination beside serve's store (remoteWriteQueuePath),
 *   so a receiver outage or a serve restart loses nothing within the queue's bounds (2 h, 10 M samples).
 */
import { createHash } from 'node:crypto';
import { basename, dirname, extname, join } from 'node:path';
import { startOtlpExport, type OtlpExport, type OtlpExportOptions } from '../export/otlp-export.js';
import { startRemoteWrite, type RemoteWrite, type RemoteWriteOptions } from '../export/remote-write.js';
import { usageError } from '../core/errors.js';
import type { Agent, TickReport } from './agent.js';
import type { FaultKind } from './faults.js';
import { serveSource } from './series-source.js';

/** A remote_write destination of serve: the library's options, less what serve provides itself. */
export interface ServeRemoteWriteOptions extends Omit<RemoteWriteOptions, 'registry' | 'source' | 'intervalSeconds' | 'log'> {
  /** How often serve's series are queued for this destination, ms; default 15,000 (Prometheus' scrape interval). */
  intervalMs?: number;
}

/** An OTLP destination of serve: the library's options, less what serve provides itself. */
export interface ServeOtlpOptions extends Omit<OtlpExportOptions, 'registry' | 'source' | 'intervalSeconds' | 'log'> {
  /** How often serve's series are exported, ms; default 60,000 (the OpenTelemetry SDK's). */
  intervalMs?: number;
}

export interface ServeExportOptions {
  remoteWrite?: readonly ServeRemoteWriteOptions[];
  otlp?: readonly ServeOtlpOptions[];
}

export const defaultRemoteWriteIntervalMs = 15_000;
export const defaultOtlpIntervalMs = 60_000;

/**
 * The queue file of a remote_write destination: beside serve's store, named after the store and the
 * destination (`serve.db` → `serve.remote-write-<host>-<hash of the URL>.db`), so it survives a restart
 * and each serve store has its own. The hash is of the URL without credentials; labels are not in it
 * (the queue keeps each sample's labels), so changing `--remote-write-label` keeps the backlog.
 */
export function remoteWriteQueuePath(storePath: string, url: string): string {
  let host = 'invalid';
  let key = url;
  try {
    const u = new URL(url);
    host = u.host;
    key = `${u.protocol}//${u.host}${u.pathname}${u.search}`;
  } catch {
    // checked by the exporter, which names the bad URL
  }
  const hash = createHash('sha256').update(key).digest('hex').slice(0, 12);
  return join(dirname(storePath), `${basename(storePath, extname(storePath))}.remote-write-${host.replace(/[^A-Za-z0-9.-]/g, '_')}-${hash}.db`);
}

/** An exporter line that reports progress rather than a fault (the library writes these unconditionally). */
const progress = /: resuming with \d+ queued samples|: (?:sending|exporting) again;|; they are sent at the next start$/;

interface Channel {
  readonly kind: FaultKind;
  readonly intervalMs: number;
  /** Wall ms of the tick last collected, and its index. */
  lastMs: number | null;
  lastIndex: number;
  collect(): void;
  stop(timeoutMs: number | undefined, finalCollect: boolean): Promise<unknown>;
}

/** serve's running exporters. */
export class ServeExports {
  readonly remoteWrites: readonly RemoteWrite[];
  readonly otlp: readonly OtlpExport[];
  private readonly agent: Agent;
  private readonly channels: Channel[];
  private readonly onTick: (report: TickReport) => void;
  private stopped: Promise<void> | null = null;

  /**
   * Starts every exporter (opening each remote_write queue) and hooks them to the agent's ticks; call
   * before `agent.start()` so the first tick is seen. Throws PerfscopeError on bad options (EUSAGE) or a
   * queue another process holds (EIO), with nothing left running.
   */
  constructor(agent: Agent, options: ServeExportOptions, storePath: string) {
    this.agent = agent;
    const source = serveSource(agent);
    const channels: Channel[] = [];
    const remoteWrites: RemoteWrite[] = [];
    const otlp: OtlpExport[] = [];
    const logTo = (kind: FaultKind) => (line: string) => {
      const message = line.replace(/^perfscope (?:remote_write|otlp) /, '');
      if (progress.test(line)) agent.faults.note(kind, message);
      else agent.faults.reportLimited(kind, message);
    };
    const tickMs = agent.options.intervalMs;
    try {
      for (const o of options.remoteWrite ?? []) {
        const { intervalMs, ...rest } = o;
        const every = checkInterval('remote_write', intervalMs, defaultRemoteWriteIntervalMs);
        const rw = startRemoteWrite({ queuePath: remoteWriteQueuePath(storePath, o.url), ...rest, registry: agent.registry, source, intervalSeconds: 0, log: logTo('remote_write') });
        remoteWrites.push(rw);
        channels.push({
          kind: 'remote_write',
          intervalMs: every,
          lastMs: null,
          lastIndex: -1,
          collect: () => void rw.collect(),
          stop: (timeoutMs, finalCollect) => rw.stop({ timeoutMs, finalCollect }),
        });
      }
      for (const o of options.otlp ?? []) {
        const { intervalMs, ...rest } = o;
        const every = checkInterval('otlp', intervalMs, defaultOtlpIntervalMs);
        const ex = startOtlpExport({ ...rest, registry: agent.registry, source, intervalSeconds: 0, log: logTo('otlp') });
        otlp.push(ex);
        channels.push({
          kind: 'otlp',
          intervalMs: every,
          lastMs: null,
          lastIndex: -1,
          collect: () => void ex.exportNow(),
          stop: (timeoutMs, finalCollect) => ex.stop({ timeoutMs, finalExport: finalCollect }),
        });
      }
    } catch (err) {
      for (const c of channels) void c.stop(0, false);
      throw err;
    }
    this.channels = channels;
    this.remoteWrites = remoteWrites;
    this.otlp = otlp;
    this.onTick = (report) => {
      const bootS = agent.host.last?.bootTimeSeconds ?? 0;
      source.noteTick(report.wallMs, bootS * 1000);
      for (const c of channels) {
        // half a tick of slack: ticks land a few ms around their deadlines
        if (c.lastMs !== null && report.wallMs - c.lastMs < c.intervalMs - tickMs / 2) continue;
        c.lastMs = report.wallMs;
        c.lastIndex = report.index;
        c.collect();
      }
    };
    if (channels.length > 0) agent.on('tick', this.onTick);
  }

  get size(): number {
    return this.channels.length;
  }

  /**
   * Stops collecting, queues the last tick where an exporter has not taken it yet, and gives the
   * senders `timeoutMs` (default: each exporter's `flushTimeoutSeconds`, 5 s) to send what they hold.
   * What remote_write could not send stays in its queue for the next start. Idempotent; never throws.
   */
  stop(timeoutMs?: number): Promise<void> {
    this.stopped ??= (async () => {
      this.agent.off('tick', this.onTick);
      const last = this.agent.lastTick?.index ?? -1;
      await Promise.all(
        this.channels.map((c) =>
          c.stop(timeoutMs, last >= 0 && c.lastIndex !== last).catch((err: unknown) => this.agent.faults.reportLimited(c.kind, `stopping: ${String(err)}`)),
        ),
      );
    })();
    return this.stopped;
  }
}

function checkInterval(kind: string, ms: number | undefined, dflt: number): number {
  if (ms === undefined) return dflt;
  if (typeof ms !== 'number' || !Number.isFinite(ms) || ms <= 0) throw usageError(`${kind}: intervalMs must be a positive number of ms, got ${String(ms)}`);
  return ms;
}
