/**
 * Starting a perfscope HTTP server: 127.0.0.1 unless told otherwise, the connection limits of
 * connection-limits.ts, a resolved promise once it listens (a listening error is one PerfscopeError),
 * and a close() that ends every connection, streams included. The metrics server is one route table
 * on it (metrics-server.ts); `perfscope serve` is another (serve-api.ts). A malformed request, a head
 * over `maxHeaderBytes` or a request past its timeout gets Node's own 400, 431 or 408 and is closed.
 */
import { createServer, type Server } from 'node:http';
import { inspect } from 'node:util';
import { fromErrno, usageError } from '../core/errors.js';
import { createRouter, type RouterOptions } from './router.js';
import { guardConnections, resolveLimits, serverOptions, type ConnectionLimits, type ConnectionStats } from './connection-limits.js';

export interface HttpServerOptions {
  /** TCP port; 0 picks a free one. */
  port: number;
  /** Interface to listen on (default 127.0.0.1: nothing is published to the network unless asked). */
  host?: string;
  limits?: ConnectionLimits;
  /** The routes, auth and hooks (router.ts); its request-target limit is `limits.maxUrlLength`. */
  router: Omit<RouterOptions, 'maxUrlLength'>;
}

export interface HttpServer {
  /** e.g. http://127.0.0.1:9464 (no trailing slash) */
  readonly origin: string;
  readonly port: number;
  readonly server: Server;
  /** Open connections and evictions at the cap. */
  readonly connections: ConnectionStats;
  /** Stops listening and closes every connection (streams included). */
  close(): Promise<void>;
}

/** Checks a port and host (usage errors name `where`). */
export function checkListenOptions(port: unknown, host: unknown, where: string): void {
  if (!Number.isInteger(port) || (port as number) < 0 || (port as number) > 65535) {
    throw usageError(`${where}: port must be an integer 0..65535, got ${inspect(port)}`);
  }
  if (host !== undefined && (typeof host !== 'string' || host === '')) throw usageError(`${where}: host must be a non-empty string, got ${inspect(host)}`);
}

export async function startHttpServer(options: HttpServerOptions, where = 'startHttpServer'): Promise<HttpServer> {
  const { port, host = '127.0.0.1' } = options;
  checkListenOptions(port, host, where);
  const limits = resolveLimits(options.limits, where);
  const server = createServer(serverOptions(limits), createRouter({ ...options.router, maxUrlLength: limits.maxUrlLength }));
  const connections = guardConnections(server, limits);
  await new Promise<void>((resolvePromise, reject) => {
    const refused = (err: Error): void => reject(fromErrno(err, `${where}: cannot listen on ${host}:${port}`));
    server.once('error', refused);
    server.listen(port, host, () => {
      server.off('error', refused);
      // a fault while serving (e.g. accept() failing) is reported, never an uncaught 'error'
      server.on('error', (err) => process.emitWarning(`${where} on ${host}:${port}: ${err.message}`, { code: 'PERFSCOPE_SERVER' }));
      resolvePromise();
    });
  });
  const address = server.address();
  const actualPort = typeof address === 'object' && address !== null ? address.port : port;
  return {
    origin: `http://${urlHost(host)}:${actualPort}`,
    port: actualPort,
    server,
    connections,
    close: () =>
      new Promise<void>((resolvePromise, reject) => {
        server.close((err) => (err ? reject(err) : resolvePromise()));
        server.closeAllConnections();
      }),
  };
}

/** The host part of a URL for a listening address: IPv6 in brackets, a wildcard as loopback. */
export function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
