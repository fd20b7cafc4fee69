/**
 * The exposition over HTTP: one registry scraped per request, in the format the registry speaks,
 * gzip when the client accepts it, a bounded number of scrapes at once. Used as a route of the metrics
 * server (and of `perfscope serve`), and on its own as a handler for node:http, Express and Fastify.
 *
 * Format: the registry's own content type, as prom-client and client_golang (unless EnableOpenMetrics)
 * answer — so a counter named `request_count` reaches Prometheus as `request_count`. OpenMetrics 1.0 is
 * negotiated from `Accept` only when the registry is an OpenMetrics registry or `openMetrics: true` is
 * given (Prometheus asks for OpenMetrics first, and in OpenMetrics every counter's samples end in
 * `_total`, so negotiating by default renamed such counters).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { inspect } from 'node:util';
import { usageError } from '../core/errors.js';
import { OPENMETRICS_CONTENT_TYPE, PROMETHEUS_CONTENT_TYPE } from '../metrics/exposition.js';
import { globalRegistry, type Registry } from '../metrics/registry.js';
import { resolveAuth, type HttpAuth } from './auth.js';
import { negotiate } from './negotiate.js';
import { send, sendText } from './respond.js';
import type { Route } from './router.js';

export interface MetricsHandlerOptions {
  /** Registry to expose (default: the default registry). */
  registry?: Registry;
  /** Require these credentials on the metrics path (not on /healthz). */
  auth?: HttpAuth;
  /** Compress with gzip when the client sends `Accept-Encoding: gzip` (default true). */
  compress?: boolean;
  /**
   * `true`: negotiate OpenMetrics 1.0 from `Accept`; `false`: always text 0.0.4; default: negotiate only
   * when the registry is an OpenMetrics registry, else answer in its text format.
   */
  openMetrics?: boolean;
  /** Scrapes rendered at once; more get 503 with Retry-After (default 8). */
  maxConcurrentScrapes?: number;
}

type NodeHandler = (req: IncomingMessage, res: ServerResponse) => Promise<void>;

/** The exposition handler itself, without auth (the router or metricsHandler applies it). */
export function exposition(options: MetricsHandlerOptions, where: string): NodeHandler {
  if (options.openMetrics !== undefined && typeof options.openMetrics !== 'boolean') {
    throw usageError(`${where}: openMetrics must be true or false, got ${inspect(options.openMetrics)}`);
  }
  const maxScrapes = options.maxConcurrentScrapes ?? 8;
  if (!Number.isInteger(maxScrapes) || maxScrapes < 1) {
    throw usageError(`${where}: maxConcurrentScrapes must be a positive integer, got ${inspect(maxScrapes)}`);
  }
  const compress = options.compress ?? true;
  let scraping = 0;
  return async (req, res) => {
    const registry = options.registry ?? globalRegistry;
    if (scraping >= maxScrapes) {
      sendText(res, 503, 'too many scrapes at once; retry', { 'retry-after': '1' });
      return;
    }
    const negotiated = options.openMetrics ?? registry.isOpenMetrics;
    const format = negotiated ? negotiate(req.headers.accept) : 'text';
    scraping++;
    let body: string;
    try {
      // a failing metric is left out and reported by the registry (registry.scrape()), never a 500
      body = (await registry.scrape({ openMetrics: format === 'openmetrics' })).text;
    } finally {
      scraping--;
    }
    const contentType = format === 'openmetrics' ? OPENMETRICS_CONTENT_TYPE : PROMETHEUS_CONTENT_TYPE;
    // gzip at zlib's default level, on the libuv thread pool, off the event loop
    await send(req, res, 200, contentType, body, { headers: { vary: negotiated ? 'Accept, Accept-Encoding' : 'Accept-Encoding' }, gzipFrom: compress ? 0 : Infinity, gzipLevel: 6 });
  };
}

/** The metrics route at `path` for a router (auth is the router's). */
export function metricsRoute(path: string, options: MetricsHandlerOptions, where: string): Route {
  const serve = exposition(options, where);
  return { path, handle: (req, res) => serve(req, res) };
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
 * (`fastify.get('/metrics', metricsHandler())`). Answers GET and HEAD (405 otherwise) and applies `auth`.
 */
export function metricsHandler(
  options: MetricsHandlerOptions = {},
): (req: IncomingMessage | FastifyLikeRequest, res: ServerResponse | FastifyLikeReply, next?: (err?: unknown) => void) => Promise<void> {
  const auth = resolveAuth(options.auth, 'metricsHandler');
  const serveExposition = exposition(options, 'metricsHandler');
  const serve: NodeHandler = async (req, res) => {
    // the router's order: auth, then method
    if (auth !== undefined && !auth.check(req.headers.authorization)) {
      sendText(res, 401, 'unauthorized', { 'www-authenticate': auth.challenge });
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendText(res, 405, 'method not allowed', { allow: 'GET, HEAD' });
      return;
    }
    await serveExposition(req, res);
  };
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
