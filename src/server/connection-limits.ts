/**
 * Limits that keep a perfscope server (the metrics server, `perfscope serve`) answering its scraper
 * under abuse: a cap on open connections that evicts the least useful one instead of refusing
 * newcomers, timeouts for slow or idle clients, checked every second, and the request-size limits
 * (header bytes here, the request target in router.ts).
 *
 * Why eviction: with Node's defaults (no cap; 60 s to send headers, checked every 30 s) 1,100 slowloris
 * sockets exhausted a 1024-descriptor process and every scrape was refused (test/server/abuse.test.ts).
 * A plain cap (`server.maxConnections`) would refuse the scraper just the same once attackers hold every
 * slot. Here, when a connection arrives at the cap, the oldest connection that is not in the middle of
 * a request — one still dribbling its headers, or idle between keep-alive requests — is closed to make
 * room. A scraper's connection sends its request at once and is then not evictable until its response
 * is done; attackers can only push out each other and idle connections, which reconnect. A client that
 * asks and then does not read (its response stalls in full socket buffers) stops counting as busy once
 * the response has been pending for `requestTimeoutMs`; and any connection with no traffic at all for
 * `keepAliveTimeoutMs` + 5 s is closed.
 */
import type { Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { inspect } from 'node:util';
import { usageError } from '../core/errors.js';

export interface ConnectionLimits {
  /** Most connections open at once (default 256); at the cap the oldest idle or unfinished one is closed. */
  maxConnections?: number;
  /** Time a client has to send a request's headers, from connecting or the previous response (default 10 s). */
  headersTimeoutMs?: number;
  /** Time a client has to send a whole request (default 30 s). */
  requestTimeoutMs?: number;
  /** How long an idle keep-alive connection is kept (default 65 s: longer than Prometheus reuses one). */
  keepAliveTimeoutMs?: number;
  /** Largest request head accepted, in bytes (default 16 KiB, Node's); larger ones get 431. */
  maxHeaderBytes?: number;
  /** Longest request target (path and query) accepted, in characters (default 2048); longer ones get 414. */
  maxUrlLength?: number;
}

export type ResolvedLimits = Required<ConnectionLimits>;

const DEFAULTS: ResolvedLimits = {
  maxConnections: 256,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 65_000,
  maxHeaderBytes: 16 * 1024,
  maxUrlLength: 2048,
};

/** Validates and completes `limits` (a usage error names `where` and the bad value). */
export function resolveLimits(limits: ConnectionLimits | undefined, where: string): ResolvedLimits {
  if (limits === undefined) return DEFAULTS;
  if (typeof limits !== 'object' || limits === null) throw usageError(`${where}: limits must be an object, got ${inspect(limits)}`);
  const out = { ...DEFAULTS };
  for (const [key, value] of Object.entries(limits) as [keyof ConnectionLimits, unknown][]) {
    if (!(key in DEFAULTS)) throw usageError(`${where}: unknown limit "${key}" (known: ${Object.keys(DEFAULTS).join(', ')})`);
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
      throw usageError(`${where}: limits.${key} must be a positive integer, got ${inspect(value)}`);
    }
    out[key] = value;
  }
  if (out.headersTimeoutMs > out.requestTimeoutMs) {
    throw usageError(`${where}: limits.headersTimeoutMs (${out.headersTimeoutMs}) must not exceed requestTimeoutMs (${out.requestTimeoutMs})`);
  }
  return out;
}

/** The `createServer()` options that apply `limits` (timeouts checked every second, not every 30 s). */
export function serverOptions(limits: ResolvedLimits): {
  headersTimeout: number;
  requestTimeout: number;
  connectionsCheckingInterval: number;
  maxHeaderSize: number;
  keepAliveTimeout: number;
} {
  return {
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    connectionsCheckingInterval: 1000,
    maxHeaderSize: limits.maxHeaderBytes,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
  };
}

/**
 * Sockets whose response is a long-lived stream (Server-Sent Events) that polices its own slow readers
 * (sse.ts drops a viewer that stops reading): never taken for a stalled request at the cap, and not
 * closed for a quiet spell, however long the stream lasts.
 */
const streams = new WeakSet<Socket>();

/** Marks `res` as a stream (see `streams`); call before writing it. */
export function markStream(res: ServerResponse): void {
  const socket = res.socket;
  if (socket === null) return;
  streams.add(socket);
  socket.setTimeout(0);
}

interface ConnectionState {
  /** Requests being served on this connection (a response not yet finished). */
  active: number;
  /** When the oldest request still being served on it arrived (performance.now()). */
  activeSinceMs: number;
}

/** Connections of a guarded server, for tests and self-metrics. */
export interface ConnectionStats {
  readonly open: number;
  /** Connections closed to make room at the cap, since start. */
  readonly evicted: number;
}

/**
 * Applies the connection cap to `server` (the timeouts come from `serverOptions` at creation). Returns
 * live counters.
 */
export function guardConnections(server: Server, limits: ResolvedLimits): ConnectionStats {
  const open = new Map<Socket, ConnectionState>(); // insertion order = age
  let evicted = 0;
  server.keepAliveTimeout = limits.keepAliveTimeoutMs;
  // no traffic either way for this long: gone (a peer that vanished, a reader that never reads)
  server.timeout = limits.keepAliveTimeoutMs + 5000;
  server.on('connection', (socket: Socket) => {
    if (open.size >= limits.maxConnections) {
      let victim: Socket | undefined;
      let stalled: Socket | undefined;
      const stalledBefore = performance.now() - limits.requestTimeoutMs;
      for (const [s, st] of open) {
        if (st.active === 0) {
          victim = s;
          break;
        }
        if (stalled === undefined && st.activeSinceMs < stalledBefore && !streams.has(s)) stalled = s;
      }
      victim ??= stalled;
      if (victim === undefined) {
        socket.destroy(); // every slot serves a request right now: the newcomer waits for none
        evicted++;
        return;
      }
      open.delete(victim);
      victim.destroy();
      evicted++;
    }
    open.set(socket, { active: 0, activeSinceMs: 0 });
    socket.once('close', () => open.delete(socket));
  });
  server.on('request', (req, res) => {
    const st = open.get(req.socket);
    if (st === undefined) return;
    if (st.active++ === 0) st.activeSinceMs = performance.now();
    res.once('close', () => {
      st.active--;
      // move to the young end: a connection that just served a request is the last to go
      if (open.get(req.socket) === st) {
        open.delete(req.socket);
        if (!req.socket.destroyed) open.set(req.socket, st);
      }
    });
  });
  return {
    get open() {
      return open.size;
    },
    get evicted() {
      return evicted;
    },
  };
}
