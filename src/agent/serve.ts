/**
 * `perfscope serve` as a library call: an Agent sampling the host and its process groups, and the
 * HTTP server answering from it, with the live dashboard (report/dashboard-page.ts) at `/`. `startServe()` resolves once both run; `close()` stops the server,
 * then the agent (flushing the history).
 */
import { PerfscopeError } from '../core/errors.js';
import type { HttpAuth } from '../server/auth.js';
import { NotFoundError, startServeServer, type ServeBackend, type ServeServer } from '../server/serve-api.js';
import type { ConnectionLimits } from '../server/connection-limits.js';
import type { SseOptions } from '../server/sse.js';
import { dashboardAssets, dashboardHtml } from '../report/dashboard-page.js';
import { Agent, HistoryUnavailable } from './agent.js';
import type { ServeExports, ServeOtlpOptions, ServeRemoteWriteOptions } from './exports.js';
import { serveStorePath, type AgentOptions } from './options.js';

export interface ServeOptions extends AgentOptions {
  /** TCP port (default 9464; 0 picks a free one). */
  port?: number;
  /** Interface (default 127.0.0.1). Any other needs `auth`: see `isLoopback`. */
  host?: string;
  auth?: HttpAuth;
  /** Connection cap, timeouts and request limits (the metrics server's: docs/metrics.md). */
  limits?: ConnectionLimits;
  stream?: SseOptions;
  /**
   * remote_write destinations: serve's series (everything /metrics shows) queued every `intervalMs`
   * (default 15 s) in a file per destination beside the store (`remoteWriteQueuePath`) and sent.
   */
  remoteWrite?: readonly ServeRemoteWriteOptions[];
  /** OTLP/HTTP destinations: the same series every `intervalMs` (default 60 s). */
  otlp?: readonly ServeOtlpOptions[];
}

export interface ServeHandle {
  readonly agent: Agent;
  readonly server: ServeServer;
  /** The running exporters (none without `remoteWrite` / `otlp`). */
  readonly exports: ServeExporters;
  /** The dashboard URL, e.g. http://127.0.0.1:9464/ */
  readonly url: string;
  /** Stops the server, then the exporters (sending what they can within their flush timeout, 5 s), then the agent. */
  close(): Promise<void>;
}

/** What a ServeHandle tells of its exporters. */
export type ServeExporters = Pick<ServeExports, 'remoteWrites' | 'otlp' | 'size' | 'stop'>;

/** serve without `remoteWrite` / `otlp`: the export library is not even loaded (less code, less memory). */
const noExporters: ServeExporters = { remoteWrites: [], otlp: [], size: 0, stop: () => Promise.resolve() };

/** Whether `host` only accepts local connections (127.0.0.0/8, ::1, localhost). */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase();
  return h === 'localhost' || h === '::1' || h === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}


/**
 * Starts the agent and its server. A non-loopback host without `auth` is refused (PerfscopeError
 * EUSAGE); a port in use is PerfscopeError EIO. Nothing is left running when it throws.
 */
export async function startServe(options: ServeOptions = {}): Promise<ServeHandle> {
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 9464;
  if (!isLoopback(host) && options.auth === undefined) {
    throw new PerfscopeError('EUSAGE', `serving on ${host} (not loopback) needs credentials: give --auth-file FILE (user and password, or a bearer token)`);
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new PerfscopeError('EUSAGE', `port must be an integer from 0 to 65535, got ${port}`);
  const assets = dashboardAssets();
  const agent = new Agent(options);
  let exports: ServeExporters | undefined;
  let server: ServeServer;
  try {
    // before the first tick, so it is exported too; a queue that cannot be opened stops the start here
    const wanted = (options.remoteWrite?.length ?? 0) + (options.otlp?.length ?? 0) > 0;
    exports = wanted
      ? new (await import('./exports.js')).ServeExports(agent, { remoteWrite: options.remoteWrite, otlp: options.otlp }, agent.options.storePath ?? serveStorePath())
      : noExporters;
    await agent.start();
    server = await startServeServer({
      backend: backendOf(agent),
      port,
      host,
      auth: options.auth,
      limits: options.limits,
      stream: options.stream,
      staticDir: assets.dir,
      staticMounts: assets.mounts,
      indexHtml: dashboardHtml(),
    });
  } catch (err) {
    await exports?.stop(0);
    agent.stop();
    // a listening error arrives as a PerfscopeError with the system error as its cause
    const code = ((err as { cause?: NodeJS.ErrnoException }).cause ?? (err as NodeJS.ErrnoException)).code;
    if (code === 'EADDRINUSE') throw new PerfscopeError('EIO', `cannot listen on ${host}:${port}: the address is in use (pick another --port, or --port 0)`, { cause: err });
    if (code === 'EACCES') throw new PerfscopeError('EACCESS', `cannot listen on ${host}:${port}: permission denied (ports below 1024 need privileges)`, { cause: err });
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new PerfscopeError('EUSAGE', `cannot listen on ${host}: no such local address`, { cause: err });
    throw err;
  }
  return {
    agent,
    server,
    exports,
    url: server.url,
    close: async () => {
      await server.close();
      // before the agent closes its files: the exporters' last collection reads serve's registry
      await exports.stop();
      agent.stop();
    },
  };
}

function backendOf(agent: Agent): ServeBackend {
  const o = agent.options;
  return {
    registry: agent.registry,
    metrics: (format, gz) => agent.exposition.get(format, gz),
    info: () => agent.info(),
    groups: () => ({ t: Math.round(agent.lastTick?.wallMs ?? Date.now()), intervalSeconds: o.intervalMs / 1000, host: agent.hostSummary, groups: agent.groupTable() }),
    history: (req) => {
      try {
        const run = agent.historyRun(req);
        if (req.group !== undefined && !run.meta.serve.groups.includes(req.group) && !agent.groups.groups.has(req.group)) {
          throw new NotFoundError(`no group named ${JSON.stringify(req.group)} in the last ${req.seconds} s`);
        }
        return run;
      } catch (err) {
        if (err instanceof HistoryUnavailable) throw new NotFoundError(err.message);
        throw err;
      }
    },
    maxHistorySeconds: () => Math.max(o.rawRetentionMs, o.minuteRetentionMs) / 1000,
    hello: () => JSON.stringify(agent.info()),
    backlog: (seconds, afterMs) => agent.backlogPayloads(Math.ceil((seconds * 1000) / o.intervalMs), afterMs ?? -Infinity),
    onTick: (listener) => {
      const on = (): void => {
        const tMs = Math.round(agent.lastTick?.wallMs ?? Date.now());
        listener(tMs, agent.streamPayload());
      };
      agent.on('tick', on);
      return () => agent.off('tick', on);
    },
    health: () => ({ lastTickAgeSeconds: agent.lastTick === null ? null : (Date.now() - agent.lastTick.wallMs) / 1000, intervalSeconds: o.intervalMs / 1000 }),
    fault: (kind, message) => agent.faults.report(kind, message),
  };
}
