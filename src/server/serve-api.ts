/**
 * The HTTP face of `perfscope serve` (docs/serve.md is the contract): `/metrics`, `/healthz`,
 * `/api/info`, `/api/groups`, `/api/history`, `/api/stream` (SSE), `/` and the dashboard's static
 * files, as one route table on the server pieces the metrics server is built from (http-server.ts,
 * router.ts, auth.ts, connection-limits.ts, respond.ts), with auth on every path. It knows nothing of
 * /proc or the store: an agent implements `ServeBackend`.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Counter } from '../metrics/counter.js';
import { Gauge } from '../metrics/gauge.js';
import type { Registry } from '../metrics/registry.js';
import { OPENMETRICS_CONTENT_TYPE, PROMETHEUS_CONTENT_TYPE } from '../metrics/exposition.js';
import type { HttpAuth } from './auth.js';
import type { ConnectionLimits } from './connection-limits.js';
import { startHttpServer, type HttpServer } from './http-server.js';
import { acceptsGzip, negotiate } from './negotiate.js';
import { securityHeaders, send, sendError, sendJson } from './respond.js';
import type { Route, RouteContext } from './router.js';
import { SseHub, frame, type SseOptions } from './sse.js';
import { staticRoute, type StaticMount } from './static-files.js';

/** A history request after validation. */
export interface HistoryRequest {
  seconds: number;
  group?: string;
  tier?: 'raw' | 'minute' | 'auto';
  top?: number;
}

/** What the HTTP layer needs from the agent. */
export interface ServeBackend {
  metrics(format: 'text' | 'openmetrics', gzipped: boolean): Promise<Buffer>;
  info(): unknown;
  groups(): unknown;
  /** The run-format history; throws `NotFoundError` when there is none (no store, unknown group). */
  history(req: HistoryRequest): unknown;
  /** The longest `seconds` a history request may ask for. */
  maxHistorySeconds(): number;
  /** The stream's `hello` event data (JSON). */
  hello(): string;
  /** Tick payloads (JSON) for a new viewer: the last `seconds` of ticks, only those after `afterMs` when given. */
  backlog(seconds: number, afterMs: number | null): { tMs: number; payload: string }[];
  /** Calls `listener` after every tick with its payload; returns the unsubscribe function. */
  onTick(listener: (tMs: number, payload: string) => void): () => void;
  /** Seconds since the last tick, and the interval (for /healthz). */
  health(): { lastTickAgeSeconds: number | null; intervalSeconds: number };
  /** Faults of the HTTP layer (a failed handler, a dropped viewer). */
  fault(kind: 'http' | 'viewer', message: string): void;
  /** serve's registry: the HTTP layer adds its request and viewer metrics to it. */
  registry: Registry;
}

/** Thrown by a backend for a 404 answer (the message is the JSON error). */
export class NotFoundError extends Error {}

export interface ServeServerOptions {
  backend: ServeBackend;
  port: number;
  host?: string;
  auth?: HttpAuth;
  /** Connection cap, timeouts and request limits (connection-limits.ts; the metrics server's defaults). */
  limits?: ConnectionLimits;
  stream?: SseOptions;
  /** The dashboard's assets, served at /assets/. */
  staticDir?: string;
  /** More asset directories below /assets/ (the chart kit, uPlot); the longest prefix wins. */
  staticMounts?: StaticMount[];
  /** The page at `/` (default: a small page listing the endpoints). Served with `pageCsp`. */
  indexHtml?: string;
}

export interface ServeServer {
  /** The dashboard's URL, e.g. http://127.0.0.1:9464/ */
  readonly url: string;
  readonly port: number;
  readonly server: HttpServer['server'];
  /** Open connections, and connections closed at the cap to make room. */
  readonly connections: HttpServer['connections'];
  readonly viewers: SseHub;
  /** Stops listening, ends open connections (streams included). */
  close(): Promise<void>;
}

/**
 * The page's Content-Security-Policy: scripts, styles, the stream and the API from serve itself only;
 * no inline script or style, no plugin, no framing, no form posts.
 */
export const pageCsp = "default-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** Starts serve's HTTP server on `port` (0: a free one); resolves once it listens. */
export async function startServeServer(o: ServeServerOptions): Promise<ServeServer> {
  const b = o.backend;
  const requests = new Counter({ name: 'perfscope_serve_http_requests_total', help: 'HTTP requests answered, by route and status code.', labelNames: ['route', 'code'], registers: [b.registry] });
  const droppedViewers = new Counter({ name: 'perfscope_serve_viewers_dropped_total', help: 'Stream viewers dropped for falling behind (a slow or stuck client).', registers: [b.registry] });
  const hub = new SseHub({
    ...o.stream,
    onViewerError: (message) => {
      if (message.startsWith('viewer dropped')) droppedViewers.inc();
      b.fault('viewer', message);
    },
  });
  new Gauge({
    name: 'perfscope_serve_viewers',
    help: 'Live stream viewers connected now.',
    registers: [b.registry],
    collect() {
      this.set(hub.size);
    },
  });
  const unsubscribe = b.onTick((tMs, payload) => hub.broadcast('tick', payload, String(tMs)));
  const index = o.indexHtml ?? indexPage();

  type Handler = (req: IncomingMessage, res: ServerResponse, ctx: RouteContext) => Promise<void> | void;
  const api: Record<string, Handler> = {
    '/': (req, res) => send(req, res, 200, 'text/html; charset=utf-8', index, { headers: { 'content-security-policy': pageCsp } }),
    '/healthz': (req, res) => {
      const h = b.health();
      const stale = h.lastTickAgeSeconds === null || h.lastTickAgeSeconds > Math.max(5, 3 * h.intervalSeconds);
      return send(req, res, stale ? 503 : 200, 'text/plain; charset=utf-8', stale ? `stale: ${h.lastTickAgeSeconds === null ? 'no tick yet' : `last tick ${h.lastTickAgeSeconds.toFixed(1)} s ago`}\n` : 'ok\n');
    },
    '/metrics': async (req, res) => {
      const format = negotiate(req.headers.accept);
      const gz = acceptsGzip(req.headers['accept-encoding']);
      // the agent builds each body (and its gzip) once per tick, so it is sent as is
      const body = await b.metrics(format, gz);
      res.writeHead(200, {
        ...securityHeaders,
        'content-type': format === 'openmetrics' ? OPENMETRICS_CONTENT_TYPE : PROMETHEUS_CONTENT_TYPE,
        vary: 'Accept, Accept-Encoding',
        'content-length': String(body.length),
        ...(gz ? { 'content-encoding': 'gzip' } : {}),
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    },
    '/api/info': (req, res) => sendJson(req, res, 200, b.info()),
    '/api/groups': (req, res) => sendJson(req, res, 200, b.groups()),
    '/api/history': (req, res, ctx) => {
      const parsed = parseHistoryQuery(ctx.query, b.maxHistorySeconds());
      if (typeof parsed === 'string') return sendError(req, res, 400, parsed);
      let run: unknown;
      try {
        run = b.history(parsed);
      } catch (err) {
        if (err instanceof NotFoundError) return sendError(req, res, 404, err.message);
        throw err;
      }
      return sendJson(req, res, 200, run);
    },
    '/api/stream': (req, res, ctx) => {
      const raw = ctx.query.get('backlog');
      const backlogSeconds = raw === null ? 300 : Number(raw);
      if (!(backlogSeconds >= 0 && backlogSeconds <= 86400) || (raw !== null && !/^\d+(\.\d+)?$/.test(raw))) {
        return sendError(req, res, 400, `backlog must be a number of seconds from 0 to 86400, got ${JSON.stringify(raw)}`);
      }
      if (req.method === 'HEAD') return send(req, res, 200, 'text/event-stream; charset=utf-8', '');
      const last = req.headers['last-event-id'];
      const afterMs = typeof last === 'string' && /^\d{1,16}$/.test(last) ? Number(last) : null;
      const ticks = b.backlog(backlogSeconds, afterMs);
      const first = frame('hello', b.hello()) + frame('backlog', `[${ticks.map((t) => t.payload).join(',')}]`, ticks.length > 0 ? String(ticks[ticks.length - 1]!.tMs) : undefined);
      hub.attach(req, res, first);
    },
  };
  const mounts: StaticMount[] = [...(o.staticDir === undefined ? [] : [{ prefix: '/assets/', dir: o.staticDir }]), ...(o.staticMounts ?? [])];
  const routes: Route[] = [...Object.entries(api).map(([path, handle]) => ({ path, handle })), ...mounts.map(staticRoute)];

  let http: HttpServer;
  try {
    http = await startHttpServer(
      {
        port: o.port,
        host: o.host,
        limits: o.limits,
        router: {
          routes,
          auth: o.auth,
          realm: 'perfscope',
          onError: (err, path) => b.fault('http', `${path}: ${err instanceof Error ? err.message : String(err)}`),
          onResponse: (route, status) => requests.inc({ route: route === undefined ? 'other' : route.prefix === true ? 'static' : route.path, code: String(status) }),
        },
      },
      'perfscope serve',
    );
  } catch (err) {
    unsubscribe();
    hub.close();
    throw err;
  }
  return {
    url: `${http.origin}/`,
    port: http.port,
    server: http.server,
    connections: http.connections,
    viewers: hub,
    close: async () => {
      unsubscribe();
      hub.close();
      await http.close();
    },
  };
}

/** Validates /api/history's query: the request, or the reason it is refused (400). */
export function parseHistoryQuery(q: URLSearchParams, maxSeconds: number): HistoryRequest | string {
  for (const key of q.keys()) {
    if (!['seconds', 'group', 'tier', 'top'].includes(key)) return `unknown parameter ${JSON.stringify(key)} (seconds, group, tier, top)`;
  }
  const rawSeconds = q.get('seconds') ?? '300';
  const seconds = Number(rawSeconds);
  if (!/^\d+(\.\d+)?$/.test(rawSeconds) || !(seconds > 0) || seconds > maxSeconds) {
    return `seconds must be a number from 1 to ${maxSeconds}, got ${JSON.stringify(rawSeconds)}`;
  }
  const out: HistoryRequest = { seconds };
  const group = q.get('group');
  if (group !== null) {
    if (group.length === 0 || group.length > 128) return 'group must be 1-128 characters';
    out.group = group;
  }
  const tier = q.get('tier');
  if (tier !== null) {
    if (tier !== 'raw' && tier !== 'minute' && tier !== 'auto') return `tier must be raw, minute or auto, got ${JSON.stringify(tier)}`;
    out.tier = tier;
  }
  const top = q.get('top');
  if (top !== null) {
    if (top === 'all') out.top = Number.MAX_SAFE_INTEGER;
    else if (/^\d{1,4}$/.test(top)) out.top = Number(top);
    else return `top must be a whole number up to 9999 or "all", got ${JSON.stringify(top)}`;
  }
  return out;
}

/** The page at `/` when no dashboard is given (a library caller's server): the endpoints, nothing user-supplied. */
function indexPage(): string {
  const link = (path: string, what: string): string => `<li><a href="${path}"><code>${path}</code></a> ${what}</li>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>perfscope serve</title></head>
<body><h1>perfscope serve</h1>
<p>The HTTP API (see docs/serve.md):</p>
<ul>
${link('/metrics', 'Prometheus exposition: host (node_exporter names) and process groups (process-exporter names)')}
${link('/api/info', 'agent facts: interval, retention, group rules')}
${link('/api/groups', 'the live process-group table')}
${link('/api/history?seconds=300', 'history in the perfscope run format (<code>&amp;group=NAME</code>, <code>&amp;tier=raw|minute</code>)')}
${link('/api/stream', 'Server-Sent Events: one <code>tick</code> event per interval')}
${link('/healthz', 'liveness')}
</ul></body></html>
`;
}
