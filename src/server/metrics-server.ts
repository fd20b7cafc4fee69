/**
 * Serving metrics over HTTP: `startMetricsServer()` (the `start_http_server(port)` of this world) and
 * `metricsHandler()` for node:http, Express and Fastify. The exposition is in the registry's format
 * (OpenMetrics negotiated from `Accept` only for an OpenMetrics registry or with `openMetrics: true`),
 * gzip when the client accepts it; `/healthz`; optional basic or bearer auth; connection limits that
 * keep the scraper served under abuse. Listens on 127.0.0.1 unless told otherwise.
 *
 * Built from the server pieces `perfscope serve` uses too: http-server.ts (listen, limits, close),
 * router.ts (routes, methods, auth, request limits), auth.ts, respond.ts, negotiate.ts,
 * metrics-handler.ts.
 */
import type { Server, ServerResponse } from 'node:http';
import { inspect } from 'node:util';
import { usageError } from '../core/errors.js';
import type { HttpAuth } from './auth.js';
import type { ConnectionLimits, ConnectionStats } from './connection-limits.js';
import { startHttpServer } from './http-server.js';
import { metricsRoute, type MetricsHandlerOptions } from './metrics-handler.js';
import { sendText } from './respond.js';

export { metricsHandler, type MetricsHandlerOptions } from './metrics-handler.js';
export { negotiate } from './negotiate.js';
export type { ConnectionLimits } from './connection-limits.js';

/** Credentials for the metrics path: basic or bearer. */
export type MetricsAuth = HttpAuth;

export interface MetricsServerOptions extends MetricsHandlerOptions {
  /** TCP port; 0 picks a free one. */
  port: number;
  /** Interface to listen on (default 127.0.0.1: metrics are not published to the network unless asked). */
  host?: string;
  /** Path of the exposition (default /metrics). */
  path?: string;
  /** Connection cap and timeouts (defaults: 256 connections, 10 s for headers, 30 s per request, 65 s idle). */
  limits?: ConnectionLimits;
}

export interface MetricsServer {
  /** e.g. http://127.0.0.1:9464/metrics */
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  /** Open connections, and connections closed at the cap to make room. */
  readonly connections: ConnectionStats;
  close(): Promise<void>;
}

/** Starts an HTTP server with the exposition at `path` and `/healthz`; resolves once it listens. */
export async function startMetricsServer(options: MetricsServerOptions): Promise<MetricsServer> {
  if (typeof options !== 'object' || options === null) throw usageError(`startMetricsServer: expects an options object, got ${inspect(options)}`);
  const { path = '/metrics' } = options;
  if (typeof path !== 'string' || !path.startsWith('/')) throw usageError(`startMetricsServer: path must start with "/", got ${JSON.stringify(path)}`);
  const router = {
    auth: options.auth,
    routes: [metricsRoute(path, options, 'startMetricsServer'), { path: '/healthz', public: true, handle: (_req: unknown, res: ServerResponse) => sendText(res, 200, 'ok') }],
  };
  const http = await startHttpServer({ port: options.port, host: options.host, limits: options.limits, router }, 'startMetricsServer');
  return {
    url: `${http.origin}${path}`,
    port: http.port,
    server: http.server,
    connections: http.connections,
    close: () => http.close(),
  };
}
