/**
 * A small router for perfscope's servers (the metrics server, and `perfscope serve`'s dashboard, API and
 * stream): exact paths and path prefixes, per-route methods, auth on every route unless it is public,
 * request limits, and one-line errors. Node's http module only; no framework.
 *
 * Order of checks for each request: URL length (414), path (404), method (405 with `Allow`), auth (401
 * with `WWW-Authenticate`), then the handler. A handler that throws or rejects gets a 500 with a
 * one-line message (or, if it already started answering, a closed connection); it never crashes the
 * process.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { inspect } from 'node:util';
import { usageError } from '../core/errors.js';
import { resolveAuth, type AuthCheck, type HttpAuth } from './auth.js';

/** What a handler receives besides the request and response. */
export interface RouteContext {
  /** The request path (no query string), as sent. */
  readonly path: string;
  /** The query string's parameters. */
  readonly query: URLSearchParams;
}

export type RouteHandler = (req: IncomingMessage, res: ServerResponse, ctx: RouteContext) => void | Promise<void>;

export interface Route {
  /** An exact path (`/metrics`), or with `prefix: true` every path starting with it (`/assets/`). */
  path: string;
  prefix?: boolean;
  /** Methods served (default GET and HEAD); others get 405. */
  methods?: readonly string[];
  /** Served without auth even when the router has auth (e.g. `/healthz`). */
  public?: boolean;
  handle: RouteHandler;
}

export interface RouterOptions {
  routes: readonly Route[];
  /** Credentials every non-public route requires. */
  auth?: HttpAuth;
  /** Realm named in a basic-auth challenge (default `metrics`). */
  realm?: string;
  /** Longest request target (path and query) accepted, in bytes (default 2048); longer ones get 414. */
  maxUrlBytes?: number;
}

const TEXT = 'text/plain; charset=utf-8';

/** A short plain-text answer that closes nothing: `status`, one line. */
export function sendText(res: ServerResponse, status: number, line: string, headers: Record<string, string> = {}): void {
  const body = `${line}\n`;
  res.writeHead(status, { 'content-type': TEXT, 'content-length': String(Buffer.byteLength(body)), 'cache-control': 'no-store', ...headers });
  res.end(body);
}

/** A request handler for `createServer()` or `startHttpServer()` dispatching to `routes`. */
export function createRouter(options: RouterOptions): (req: IncomingMessage, res: ServerResponse) => void {
  if (typeof options !== 'object' || options === null || !Array.isArray(options.routes)) {
    throw usageError(`createRouter() expects { routes: [...] }, got ${inspect(options)}`);
  }
  const auth: AuthCheck | undefined = resolveAuth(options.auth, 'server', options.realm);
  const maxUrlBytes = options.maxUrlBytes ?? 2048;
  const exact = new Map<string, Route>();
  const prefixes: Route[] = [];
  for (const r of options.routes) {
    if (typeof r.path !== 'string' || !r.path.startsWith('/')) throw usageError(`route path must start with "/", got ${inspect(r.path)}`);
    if (typeof r.handle !== 'function') throw usageError(`route ${r.path}: handle must be a function`);
    if (r.prefix === true) prefixes.push(r);
    else if (exact.has(r.path)) throw usageError(`route ${r.path} is given twice`);
    else exact.set(r.path, r);
  }
  prefixes.sort((a, b) => b.path.length - a.path.length); // the longest prefix wins
  const methodsOf = new Map<Route, readonly string[]>(options.routes.map((r) => [r, r.methods ?? ['GET', 'HEAD']]));

  return (req, res) => {
    const target = req.url ?? '/';
    if (target.length > maxUrlBytes) {
      sendText(res, 414, 'request target too long', { connection: 'close' });
      return;
    }
    const q = target.indexOf('?');
    const path = q === -1 ? target : target.slice(0, q);
    const route = exact.get(path) ?? prefixes.find((r) => path.startsWith(r.path));
    if (route === undefined) {
      sendText(res, 404, 'not found');
      return;
    }
    const methods = methodsOf.get(route)!;
    if (!methods.includes(req.method ?? '')) {
      sendText(res, 405, 'method not allowed', { allow: methods.join(', ') });
      return;
    }
    if (auth !== undefined && route.public !== true && !auth.check(req.headers.authorization)) {
      sendText(res, 401, 'unauthorized', { 'www-authenticate': auth.challenge });
      return;
    }
    const ctx: RouteContext = { path, query: new URLSearchParams(q === -1 ? '' : target.slice(q + 1)) };
    let done: void | Promise<void>;
    try {
      done = route.handle(req, res, ctx);
    } catch (err) {
      failed(res, err);
      return;
    }
    if (done instanceof Promise) done.catch((err: unknown) => failed(res, err));
  };
}

/** A handler's fault: a one-line 500, or a closed connection once the answer has begun. */
function failed(res: ServerResponse, err: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const message = err instanceof Error ? err.message : String(err);
  sendText(res, 500, `error: ${message.replace(/[\r\n]+/g, ' ').slice(0, 500)}`);
}
