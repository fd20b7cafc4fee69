/**
 * Starting a perfscope HTTP server: 127.0.0.1 unless told otherwise, the connection limits of
 * connection-limits.ts, a resolved promise once it listens, and a close() that ends every connection.
 * The metrics server is one route table on it; `perfscope serve` is another.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { inspect } from 'node:util';
import { fromErrno, usageError } from '../core/errors.js';
import { guardConnections, resolveLimits, serverOptions, type ConnectionLimits, type ConnectionStats } from './connection-limits.js';

export interface HttpServerOptions {
  /** TCP port; 0 picks a free one. */
  port: number;
  /** Interface to listen on (default 127.0.0.1: nothing is published to the network unless asked). */
  host?: string;
  limits?: ConnectionLimits;
  /** The request handler (e.g. from createRouter()). */
  handler: (req: IncomingMessage, res: ServerResponse) => void;
}

export interface HttpServer {
  /** e.g. http://127.0.0.1:9464 (no trailing slash) */
  readonly origin: string;
  readonly port: number;
  readonly server: Server;
  /** Open connections and evictions at the cap. */
  readonly connections: ConnectionStats;
  /** Stops listening and closes every connection. */
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
  if (typeof options.handler !== 'function') throw usageError(`${where}: handler must be a function`);
  const limits = resolveLimits(options.limits, where);
  const server = createServer(serverOptions(limits), options.handler);
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
  const hostForUrl = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  return {
    origin: `http://${hostForUrl}:${actualPort}`,
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
