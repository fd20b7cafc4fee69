/**
 * Serving metrics over HTTP: `startMetricsServer()` (the `start_http_server(port)` of this world) and
 * `metricsHandler()` for node:http, Express and Fastify. One registry serves both text 0.0.4 and
 * OpenMetrics 1.0, chosen from `Accept`; gzip when the client accepts it; `/healthz`; optional basic or
 * bearer auth. Listens on 127.0.0.1 unless told otherwise.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { gzip } from 'node:zlib';
import { promisify } from 'node:util';
import { OPENMETRICS_CONTENT_TYPE, PROMETHEUS_CONTENT_TYPE } from '../metrics/exposition.js';
import { globalRegistry, type Registry } from '../metrics/registry.js';
import { usageError } from '../core/errors.js';

const gzipAsync = promisify(gzip);

export type MetricsAuth =
  | { type: 'basic'; username: string; password: string }
  | { type: 'bearer'; token: string };

export interface MetricsHandlerOptions {
  /** Registry to expose (default: the default registry). */
  registry?: Registry;
  /** Require these credentials on the metrics path (not on /healthz). */
  auth?: MetricsAuth;
  /** Compress with gzip when the client sends `Accept-Encoding: gzip` (default true). */
  compress?: boolean;
}

export interface MetricsServerOptions extends MetricsHandlerOptions {
  /** TCP port; 0 picks a free one. */
  port: number;
  /** Interface to listen on (default 127.0.0.1: metrics are not published to the network unless asked). */
  host?: string;
  /** Path of the exposition (default /metrics). */
  path?: string;
}

export interface MetricsServer {
  /** e.g. http://127.0.0.1:9464/metrics */
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  close(): Promise<void>;
}

/** The format for an `Accept` header: OpenMetrics when it is acceptable with a higher q than text. */
export function negotiate(accept: string | undefined): 'openmetrics' | 'text' {
  if (!accept) return 'text';
  let om = -1;
  let text = -1;
  for (const part of accept.split(',')) {
    const [type = '', ...params] = part.trim().split(';').map((s) => s.trim());
    let q = 1;
    let version: string | undefined;
    for (const p of params) {
      const [k, v] = p.split('=').map((s) => s.trim());
      if (k === 'q') q = Number(v);
      else if (k === 'version') version = v;
    }
    if (!(q > 0)) continue;
    const t = type.toLowerCase();
    if (t === 'application/openmetrics-text' && (version === undefined || version.startsWith('1.0'))) om = Math.max(om, q);
    else if (t === 'text/plain' || t === '*/*' || t === 'text/*') text = Math.max(text, t === 'text/plain' ? q : q * 0.999);
  }
  return om > 0 && om >= text ? 'openmetrics' : 'text';
}

function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  return header.split(',').some((part) => {
    const [enc = '', ...params] = part.trim().split(';').map((s) => s.trim());
    if (enc.toLowerCase() !== 'gzip') return false;
    const q = params.find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function authorized(auth: MetricsAuth | undefined, header: string | undefined): boolean {
  if (auth === undefined) return true;
  if (!header) return false;
  if (auth.type === 'bearer') return header.startsWith('Bearer ') && safeEqual(header.slice(7), auth.token);
  if (!header.startsWith('Basic ')) return false;
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
  return safeEqual(decoded, `${auth.username}:${auth.password}`);
}

function validateAuth(auth: MetricsAuth | undefined): void {
  if (auth === undefined) return;
  if (auth.type === 'basic') {
    if (!auth.username || typeof auth.password !== 'string' || auth.username.includes(':')) {
      throw usageError('auth: basic needs a username (without ":") and a password');
    }
  } else if (auth.type === 'bearer') {
    if (!auth.token) throw usageError('auth: bearer needs a non-empty token');
  } else {
    throw usageError(`auth.type must be "basic" or "bearer", got ${JSON.stringify((auth as { type?: unknown }).type)}`);
  }
}

type NodeHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** Serves one exposition: negotiation, auth, gzip, errors as 500 with a one-line message. */
function exposition(options: MetricsHandlerOptions): NodeHandler {
  validateAuth(options.auth);
  const compress = options.compress ?? true;
  return async (req, res) => {
    const registry = options.registry ?? globalRegistry;
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('method not allowed\n');
      return;
    }
    if (!authorized(options.auth, req.headers.authorization)) {
      const challenge = options.auth?.type === 'bearer' ? 'Bearer' : 'Basic realm="metrics", charset="UTF-8"';
      res.writeHead(401, { 'www-authenticate': challenge, 'content-type': 'text/plain; charset=utf-8' }).end('unauthorized\n');
      return;
    }
    const format = negotiate(req.headers.accept);
    let body: string;
    try {
      body = await registry.metrics({ openMetrics: format === 'openmetrics' });
    } catch (err) {
      res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' }).end(`error collecting metrics: ${(err as Error).message}\n`);
      return;
    }
    const headers: Record<string, string> = {
      'content-type': format === 'openmetrics' ? OPENMETRICS_CONTENT_TYPE : PROMETHEUS_CONTENT_TYPE,
      vary: 'Accept, Accept-Encoding',
      'cache-control': 'no-store',
    };
    let payload: Buffer = Buffer.from(body, 'utf8');
    if (compress && acceptsGzip(req.headers['accept-encoding'] as string | undefined)) {
      payload = await gzipAsync(payload); // zlib runs on the libuv thread pool, off the event loop
      headers['content-encoding'] = 'gzip';
    }
    headers['content-length'] = String(payload.length);
    res.writeHead(200, headers);
    res.end(req.method === 'HEAD' ? undefined : payload);
  };
}

interface FastifyLikeRequest {
  raw: IncomingMessage;
}
interface FastifyLikeReply {
  raw: ServerResponse;
  hijack(): void;
}

/**
 * A request handler for the metrics route: works as a node:http listener, as Express middleware
 * (`app.get('/metrics', metricsHandler())`) and as a Fastify route handler
 * (`fastify.get('/metrics', metricsHandler())`).
 */
export function metricsHandler(
  options: MetricsHandlerOptions = {},
): (req: IncomingMessage | FastifyLikeRequest, res: ServerResponse | FastifyLikeReply, next?: (err?: unknown) => void) => Promise<void> {
  const serve = exposition(options);
  return async (req, res, next) => {
    try {
      if ('raw' in req && 'hijack' in res && typeof res.hijack === 'function') {
        res.hijack();
        await serve(req.raw, res.raw);
      } else {
        await serve(req as IncomingMessage, res as ServerResponse);
      }
    } catch (err) {
      if (next) next(err);
      else throw err;
    }
  };
}

/** Starts an HTTP server with the exposition at `path` and `/healthz`; resolves once it listens. */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  const { port, host = '127.0.0.1', path = '/metrics' } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw usageError(`startMetricsServer: port must be an integer 0..65535, got ${String(port)}`);
  }
  if (!path.startsWith('/')) throw usageError(`startMetricsServer: path must start with "/", got ${JSON.stringify(path)}`);
  const serve = exposition(options);
  const server = createServer((req, res) => {
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const pathname = q === -1 ? url : url.slice(0, q);
    if (pathname === path) {
      serve(req, res).catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`error: ${(err as Error).message}\n`);
      });
    } else if (pathname === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' }).end('ok\n');
    } else {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
    }
  });
  server.keepAliveTimeout = 65_000; // longer than Prometheus' idle connection reuse
  await new Promise<void>((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolvePromise();
    });
  });
  const address = server.address();
  const actualPort = typeof address === 'object' && address !== null ? address.port : port;
  const hostForUrl = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  return {
    url: `http://${hostForUrl}:${actualPort}${path}`,
    port: actualPort,
    server,
    close: () =>
      new Promise<void>((resolvePromise, reject) => {
        server.close((err) => (err ? reject(err) : resolvePromise()));
        server.closeAllConnections();
      }),
  };
}
