/**
 * Server-Sent Events for live viewers: one response stream per viewer, a `retry:` so browsers
 * reconnect after a restart, a hello and a backlog on connect, then one event per tick. Writing never
 * waits for a viewer: an event is queued on each socket, and a viewer whose queue stays above
 * `maxBufferedBytes` for `graceMs` (a slow or stuck client), or passes 8 times that at once, is
 * dropped, so sampling and the other viewers never wait and memory stays bounded. The grace lets a
 * burst (the backlog on connect, compressed on the thread pool) drain.
 * With `Accept-Encoding: gzip` a viewer gets its own small deflate stream (a 4 KiB window: ~24 KB of
 * memory per viewer), flushed after every event.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { constants, createGzip, type Gzip } from 'node:zlib';
import { markStream } from './connection-limits.js';
import { acceptsGzip } from './negotiate.js';
import { securityHeaders, sendText } from './respond.js';

export interface SseOptions {
  /** Most viewers at once; more get 503 (default 100). */
  maxViewers?: number;
  /** Bytes queued for one viewer that it may not keep for longer than `graceMs` (default 1 MiB). */
  maxBufferedBytes?: number;
  /** How long a viewer's queue may stay above maxBufferedBytes (default 2000 ms). */
  graceMs?: number;
  /** A comment line this often keeps proxies from closing a quiet stream (default 15 s). */
  heartbeatMs?: number;
  /** The reconnection delay browsers are told (default 2000 ms). */
  retryMs?: number;
  /** A viewer dropped or failed (the agent counts and logs it). */
  onViewerError?(message: string): void;
}

interface Viewer {
  res: ServerResponse;
  gzip: Gzip | null;
  closed: boolean;
  /** Since when its queue has been above the limit (performance.now ms), or null. */
  overSinceMs: number | null;
}

export class SseHub {
  private readonly viewers = new Set<Viewer>();
  private readonly opts: Required<SseOptions>;
  private readonly heartbeat: NodeJS.Timeout;
  /** Viewers dropped for falling behind, since start. */
  dropped = 0;
  /** Viewers connected since start. */
  connected = 0;

  constructor(options: SseOptions = {}) {
    this.opts = {
      maxViewers: options.maxViewers ?? 100,
      maxBufferedBytes: options.maxBufferedBytes ?? 1024 * 1024,
      graceMs: options.graceMs ?? 2000,
      heartbeatMs: options.heartbeatMs ?? 15_000,
      retryMs: options.retryMs ?? 2000,
      onViewerError: options.onViewerError ?? (() => {}),
    };
    this.heartbeat = setInterval(() => this.send(': keep-alive\n\n'), this.opts.heartbeatMs);
    this.heartbeat.unref();
  }

  get size(): number {
    return this.viewers.size;
  }

  /**
   * Takes over `res` as a stream: headers, `retry:`, then `first` (already framed events: hello,
   * backlog). False (and a 503 sent) when the viewer limit is reached.
   */
  attach(req: IncomingMessage, res: ServerResponse, first: string): boolean {
    if (this.viewers.size >= this.opts.maxViewers) {
      sendText(res, 503, 'too many viewers', { 'retry-after': '10' });
      return false;
    }
    const compress = acceptsGzip(req.headers['accept-encoding']);
    markStream(res); // the server's idle and stalled-request rules do not cut a stream: write() polices it
    res.writeHead(200, {
      ...securityHeaders,
      'content-type': 'text/event-stream; charset=utf-8',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
      ...(compress ? { 'content-encoding': 'gzip', vary: 'Accept-Encoding' } : {}),
    });
    res.socket?.setNoDelay(true);
    const viewer: Viewer = { res, gzip: null, closed: false, overSinceMs: null };
    if (compress) {
      viewer.gzip = createGzip({ level: 1, windowBits: 12, memLevel: 4, flush: constants.Z_SYNC_FLUSH });
      viewer.gzip.on('error', (err) => this.drop(viewer, `stream compression failed: ${err.message}`));
      viewer.gzip.pipe(res);
    }
    const gone = (): void => this.remove(viewer);
    res.on('close', gone);
    res.on('error', (err) => {
      this.opts.onViewerError(`viewer connection error: ${err.message}`);
      gone();
    });
    this.viewers.add(viewer);
    this.connected++;
    this.write(viewer, `retry: ${this.opts.retryMs}\n\n${first}`);
    return true;
  }

  /** Sends one event to every viewer; `id` lets a reconnecting browser say what it saw (Last-Event-ID). */
  broadcast(event: string, data: string, id?: string): void {
    if (this.viewers.size === 0) return;
    this.send(frame(event, data, id));
  }

  private send(text: string): void {
    for (const v of this.viewers) this.write(v, text);
  }

  private write(v: Viewer, text: string): void {
    if (v.closed) return;
    const queued = v.res.writableLength + (v.gzip === null ? 0 : v.gzip.writableLength + v.gzip.readableLength);
    const limit = this.opts.maxBufferedBytes;
    if (queued > limit) {
      const now = performance.now();
      v.overSinceMs ??= now;
      if (queued > 8 * limit || now - v.overSinceMs >= this.opts.graceMs) {
        this.dropped++;
        this.drop(v, `viewer dropped: ${queued} bytes queued for ${Math.round(now - v.overSinceMs)} ms (a slow or stuck client)`);
        return;
      }
    } else {
      v.overSinceMs = null;
    }
    if (v.gzip !== null) v.gzip.write(text);
    else v.res.write(text);
  }

  private drop(v: Viewer, why: string): void {
    this.opts.onViewerError(why);
    this.remove(v);
    v.res.destroy();
  }

  private remove(v: Viewer): void {
    if (v.closed) return;
    v.closed = true;
    this.viewers.delete(v);
    v.gzip?.destroy();
  }

  /** Ends every stream (on shutdown). */
  close(): void {
    clearInterval(this.heartbeat);
    for (const v of [...this.viewers]) {
      this.remove(v);
      v.res.end();
    }
  }
}

/** One SSE event; `data` must be one line (JSON is). */
export function frame(event: string, data: string, id?: string): string {
  return `event: ${event}\n${id === undefined ? '' : `id: ${id}\n`}data: ${data}\n\n`;
}
