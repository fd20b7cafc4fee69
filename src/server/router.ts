/**
 * The router of perfscope's servers (the metrics server, and `perfscope serve`'s dashboard, API,
 * stream and static files): exact paths and path prefixes (the longest prefix wins), per-route
 * methods, auth on every path unless its route is public, the request-target limit, and one-line
 * errors. Node's http module only; no framework: the routes are few and the limits are the point.
 *
 * Order of checks for each request: URL length (414), auth (401 with `WWW-Authenticate`: an unknown
 * path too, so a client without credentials learns nothing, not even whether a path exists), path
 * (404), method (405 with `Allow`), then the handler. A handler that throws or rejects gets a 500
 * saying only "internal error" (or, if it already started answering, a closed connection); the error
 * goes to `onError`, and it never crashes the process.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { inspect } from 'node:util';
import { usageError } from '../core/errors.js';
import { resolveAuth, type AuthCheck, type HttpAuth } from './auth.js';
import { sendText } from './respond.js';

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
  /** Served without auth even when the router has auth (e.g. the metrics server's `/healthz`). */
  public?: boolean;
  handle: RouteHandler;
}

export interface RouterOptions {
  routes: readonly Route[];
  /** Credentials every non-public route (and every unknown path) requires. */
  auth?: HttpAuth;
  /** Realm named in the challenge (default `metrics`). */
  realm?: string;
  /** Longest request target (path and query) accepted, in characters (default 2048); longer ones get 414. */
  maxUrlLength?: number;
  /** A handler that threw or rejected (answered 500). Default: a process warning. */
  onError?(err: unknown, path: string): void;
  /** Every answer the router made or a handler returned from: its route (undefined: none matched) and status. */
  onResponse?(route: Route | undefined, status: number): void;
}

/** A request handler for `createServer()` or `startHttpServer()` dispatching to `routes`. */
export function createRouter(options: RouterOptions): (req: IncomingMessage, res: ServerResponse) => void {
  if (typeof options !== 'object' || options === null || !Array.isArray(options.routes)) {
    throw usageError(`createRouter() expects { routes: [...] }, got ${inspect(options)}`);
  }
  const auth: AuthCheck | undefined = resolveAuth(options.auth, 'server', options.realm);
  const maxUrlLength = options.maxUrlLength ?? 2048;
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
  const onError = options.onError ?? ((err: unknown, path: string) => process.emitWarning(`a handler of ${path} failed: ${errorLine(err)}`, { code: 'PERFSCOPE_SERVER' }));
  const answered = options.onResponse ?? (() => {});

  const failed = (res: ServerResponse, route: Route, path: string, err: unknown): void => {
    try {
      onError(err, path);
    } catch {
      // a failing hook must not take the server down
    }
    if (res.headersSent) res.destroy();
    else sendText(res, 500, 'internal error');
    answered(route, 500);
  };

  return (req, res) => {
    const target = req.url ?? '/';
    if (target.length > maxUrlLength) {
      sendText(res, 414, 'request target too long', { connection: 'close' });
      answered(undefined, 414);
      return;
    }
    const q = target.indexOf('?');
    const path = q === -1 ? target : target.slice(0, q);
    const route = exact.get(path) ?? prefixes.find((r) => path.startsWith(r.path));
    if (auth !== undefined && route?.public !== true && !auth.check(req.headers.authorization)) {
      sendText(res, 401, 'unauthorized', { 'www-authenticate': auth.challenge });
      answered(route, 401);
      return;
    }
    if (route === undefined) {
      sendText(res, 404, 'not found');
      answered(undefined, 404);
      return;
    }
    const methods = methodsOf.get(route)!;
    if (!methods.includes(req.method ?? '')) {
      sendText(res, 405, 'method not allowed', { allow: methods.join(', ') });
      answered(route, 405);
      return;
    }
    const ctx: RouteContext = { path, query: new URLSearchParams(q === -1 ? '' : target.slice(q + 1)) };
    let done: void | Promise<void>;
    try {
      done = route.handle(req, res, ctx);
    } catch (err) {
      failed(res, route, path, err);
      return;
    }
    if (done instanceof Promise) {
      done.then(
        () => answered(route, res.statusCode),
        (err: unknown) => failed(res, route, path, err),
      );
    } else {
      answered(route, res.statusCode);
    }
  };
}

function errorLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/[\r\n]+/g, ' ').slice(0, 500);
}
