/**
 * A small HTTP application server for long-running agents: exact-path routes, GET/HEAD only, request
 * limits (header bytes, URL length), a connection cap, header/request/idle timeouts, auth on every
 * path (basic or bearer, compared in constant time), static files without path traversal, and JSON /
 * gzip helpers. Listens on 127.0.0.1 unless told otherwise. No framework: the routes are few and the
 * limits are the point.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';
import { open, realpath } from 'node:fs/promises';
import { extname, join, sep } from 'node:path';
import { gzip } from 'node:zlib';
import { promisify } from 'node:util';
import type { MetricsAuth } from './metrics-server.js';

const gzipAsync = promisify(gzip);

export interface AppLimits {
  /** Most simultaneous connections; more are refused by the kernel's accept path (default 256). */
  maxConnections: number;
  /** Largest request header block, bytes (default 16 KiB; more: 431). */
  maxHeaderBytes: number;
  /** Longest request target, characters (default 2048; more: 414). */
  maxUrlLength: number;
  /** Time to receive a request's headers (default 10 s). */
  headersTimeoutMs: number;
  /** Time to receive a whole request (default 30 s; responses, e.g. a stream, are not limited by it). */
  requestTimeoutMs: number;
  /** Idle keep-alive connections are closed after this (default 65 s: longer than Prometheus' reuse). */
  keepAliveTimeoutMs: number;
}

export const defaultAppLimits: AppLimits = {
  maxConnections: 256,
  maxHeaderBytes: 16 * 1024,
  maxUrlLength: 2048,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 65_000,
};

/** What a route handler gets: the request, the response, the parsed query. */
export interface RouteContext {
  req: IncomingMessage;
  res: ServerResponse;
  path: string;
  query: URLSearchParams;
  head: boolean;
}

export type RouteHandler = (ctx: RouteContext) => void | Promise<void>;

/** A directory served below a URL prefix (which starts and ends with '/'). */
export interface StaticMount {
  prefix: string;
  dir: string;
}

export interface AppServerOptions {
  port: number;
  host?: string;
  /** When set, every path (pages, API, stream, /metrics) requires these credentials. */
  auth?: MetricsAuth;
  limits?: Partial<AppLimits>;
  /** Exact paths → handlers. */
  routes: Record<string, RouteHandler>;
  /**
   * Files under `dir` are served at `prefix` + their relative path (e.g. /assets/app.js). Several
   * mounts may share a prefix's start: the longest matching prefix serves the path.
   */
  staticFiles?: StaticMount | StaticMount[];
  /** A request that failed inside a handler (answered 500); the agent counts and logs it. */
  onError?(err: unknown, path: string): void;
  /** Every answered request (path as routed, or 'other'), for request metrics. */
  onResponse?(route: string, status: number): void;
}

export interface AppServer {
  readonly url: string;
  readonly port: number;
  readonly server: Server;
  /** Stops listening, ends open connections (streams included). */
  close(): Promise<void>;
}

/** Constant time over the SHA-256 of both sides, so neither the content nor the length leaks. */
function sameSecret(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b) && given.length === expected.length;
}

/** Whether the Authorization header carries `auth` (scheme names are case-insensitive, RFC 9110). */
export function authorizedBy(auth: MetricsAuth | undefined, header: string | undefined): boolean {
  if (auth === undefined) return true;
  if (!header) return false;
  const space = header.indexOf(' ');
  if (space < 0) return false;
  const scheme = header.slice(0, space).toLowerCase();
  const value = header.slice(space + 1).trim();
  if (auth.type === 'bearer') return scheme === 'bearer' && sameSecret(value, auth.token);
  if (scheme !== 'basic') return false;
  const decoded = Buffer.from(value, 'base64').toString('utf8');
  return sameSecret(decoded, `${auth.username}:${auth.password}`);
}

export function acceptsGzip(req: IncomingMessage): boolean {
  const header = req.headers['accept-encoding'];
  if (typeof header !== 'string') return false;
  return header.split(',').some((part) => {
    const [enc = '', ...params] = part.trim().split(';').map((s) => s.trim());
    if (enc.toLowerCase() !== 'gzip') return false;
    const q = params.find((p) => p.startsWith('q='));
    return q === undefined || Number(q.slice(2)) > 0;
  });
}

const securityHeaders = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/** Sends a body (gzipped when the client accepts it and it is worth it), with security headers and no caching. */
export async function send(ctx: RouteContext, status: number, contentType: string, body: string | Buffer, extra: Record<string, string> = {}): Promise<void> {
  const { req, res } = ctx;
  let payload = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const headers: Record<string, string> = { 'content-type': contentType, 'cache-control': 'no-store', ...securityHeaders, ...extra };
  if (payload.length > 1024 && acceptsGzip(req) && headers['content-encoding'] === undefined) {
    payload = await gzipAsync(payload, { level: 1 });
    headers['content-encoding'] = 'gzip';
    headers.vary = 'Accept-Encoding';
  }
  headers['content-length'] = String(payload.length);
  res.writeHead(status, headers);
  res.end(ctx.head ? undefined : payload);
}

export function sendJson(ctx: RouteContext, status: number, value: unknown): Promise<void> {
  return send(ctx, status, 'application/json; charset=utf-8', JSON.stringify(value));
}

/** A JSON error body `{ "error": message }`. */
export function sendError(ctx: RouteContext, status: number, message: string, extra: Record<string, string> = {}): Promise<void> {
  return send(ctx, status, 'application/json; charset=utf-8', JSON.stringify({ error: message }), extra);
}

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
};

/**
 * The file under `dir` for a URL path below the static prefix, or null. Refuses anything that could
 * leave `dir`: encoded or literal `..`, backslashes, NUL, dot-files, and symlinks resolving outside.
 */
async function staticFile(dir: string, rel: string): Promise<string | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(rel);
  } catch {
    return null;
  }
  if (decoded === '' || decoded.includes('\0') || decoded.includes('\\')) return null;
  const parts = decoded.split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..' || p.startsWith('.'))) return null;
  let root: string;
  let full: string;
  try {
    root = await realpath(dir);
    full = await realpath(join(root, ...parts));
  } catch {
    return null;
  }
  return full.startsWith(root + sep) ? full : null;
}

/** Starts the server; resolves once it listens. Listening errors (EADDRINUSE, EACCES) reject. */
export async function startAppServer(options: AppServerOptions): Promise<AppServer> {
  const limits: AppLimits = { ...defaultAppLimits, ...options.limits };
  const host = options.host ?? '127.0.0.1';
  const { routes, auth } = options;
  const mounts = options.staticFiles === undefined ? [] : [options.staticFiles].flat().sort((a, b) => b.prefix.length - a.prefix.length);
  const mountOf = (path: string): StaticMount | undefined => mounts.find((m) => path.startsWith(m.prefix));
  const server = createServer({ maxHeaderSize: limits.maxHeaderBytes }, (req, res) => {
    void handle(req, res);
  });
  server.maxConnections = limits.maxConnections;
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;

  const answered = (route: string, status: number): void => options.onResponse?.(route, status);
  const plain = (res: ServerResponse, status: number, text: string, extra: Record<string, string> = {}): void => {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...securityHeaders, ...extra });
    res.end(`${text}\n`);
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const target = req.url ?? '/';
    if (target.length > limits.maxUrlLength) {
      plain(res, 414, 'URI too long');
      answered('other', 414);
      return;
    }
    const q = target.indexOf('?');
    const path = q < 0 ? target : target.slice(0, q);
    const mount = mountOf(path);
    const route = Object.prototype.hasOwnProperty.call(routes, path) ? path : mount ? 'static' : 'other';
    // Auth comes before anything else, so an unauthenticated client learns nothing (not even a 404).
    if (!authorizedBy(auth, req.headers.authorization)) {
      const challenge = auth?.type === 'bearer' ? 'Bearer realm="perfscope"' : 'Basic realm="perfscope", charset="UTF-8"';
      plain(res, 401, 'unauthorized', { 'www-authenticate': challenge });
      answered(route, 401);
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      plain(res, 405, 'method not allowed', { allow: 'GET, HEAD' });
      answered(route, 405);
      return;
    }
    const ctx: RouteContext = { req, res, path, query: new URLSearchParams(q < 0 ? '' : target.slice(q + 1)), head: req.method === 'HEAD' };
    try {
      const handler = routes[path];
      if (handler !== undefined && Object.prototype.hasOwnProperty.call(routes, path)) {
        await handler(ctx);
      } else if (mount) {
        await serveStatic(ctx, mount.dir, path.slice(mount.prefix.length));
      } else {
        plain(res, 404, 'not found');
      }
      answered(route, res.statusCode);
    } catch (err) {
      options.onError?.(err, path);
      plain(res, 500, 'internal error');
      answered(route, 500);
    }
  }

  async function serveStatic(ctx: RouteContext, dir: string, rel: string): Promise<void> {
    const file = await staticFile(dir, rel);
    if (file === null) {
      plain(ctx.res, 404, 'not found');
      return;
    }
    const handle = await open(file, 'r');
    try {
      const st = await handle.stat();
      if (!st.isFile() || st.size > 32 * 1024 * 1024) {
        plain(ctx.res, 404, 'not found');
        return;
      }
      const body = await handle.readFile();
      const type = contentTypes[extname(file).toLowerCase()] ?? 'application/octet-stream';
      await send(ctx, 200, type, body, { 'cache-control': 'no-cache' });
    } finally {
      await handle.close();
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  // A client error (bad request line, header overflow) gets its status; the socket is then closed.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (!socket.writable) return;
    const status = err.code === 'HPE_HEADER_OVERFLOW' ? 431 : err.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    socket.end(`HTTP/1.1 ${status} ${status === 431 ? 'Request Header Fields Too Large' : status === 408 ? 'Request Timeout' : 'Bad Request'}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  return {
    url: `http://${urlHost(host)}:${port}/`,
    port,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The host part of a URL for a listening address: IPv6 in brackets, the wildcard as loopback. */
export function urlHost(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}
