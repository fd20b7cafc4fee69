/**
 * Answers of perfscope's servers (the metrics server, `perfscope serve`): one place that sets the
 * headers every answer carries (no caching, no sniffing, no framing, no referrer) and compresses a
 * body when the client accepts gzip (negotiate.ts) and it is worth it, on the libuv thread pool.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { acceptsGzip } from './negotiate.js';

const gzipAsync = promisify(gzip);

/** Headers on every answer: nothing cached, nothing sniffed, not framed, no referrer leaked. */
export const securityHeaders: Readonly<Record<string, string>> = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/** A short plain-text answer: `status`, one line. */
export function sendText(res: ServerResponse, status: number, line: string, headers: Record<string, string> = {}): void {
  const body = `${line}\n`;
  res.writeHead(status, { ...securityHeaders, 'content-type': 'text/plain; charset=utf-8', 'content-length': String(Buffer.byteLength(body)), ...headers });
  res.end(body);
}

export interface SendOptions {
  /** More headers (they win over the defaults). */
  headers?: Record<string, string>;
  /** Bodies of at least this many bytes are gzipped when the client accepts it (default 1024; Infinity: never). */
  gzipFrom?: number;
  /** zlib level (default 1: fast, as the body is made per request). */
  gzipLevel?: number;
}

/** Sends a body with the security headers; gzipped per `o`; no body for HEAD. */
export async function send(req: IncomingMessage, res: ServerResponse, status: number, contentType: string, body: string | Buffer, o: SendOptions = {}): Promise<void> {
  let payload = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const headers: Record<string, string> = { ...securityHeaders, 'content-type': contentType, ...o.headers };
  if (payload.length >= (o.gzipFrom ?? 1024) && headers['content-encoding'] === undefined && acceptsGzip(req.headers['accept-encoding'])) {
    payload = await gzipAsync(payload, { level: o.gzipLevel ?? 1 });
    headers['content-encoding'] = 'gzip';
    headers.vary ??= 'Accept-Encoding';
  }
  headers['content-length'] = String(payload.length);
  res.writeHead(status, headers);
  res.end(req.method === 'HEAD' ? undefined : payload);
}

export function sendJson(req: IncomingMessage, res: ServerResponse, status: number, value: unknown): Promise<void> {
  return send(req, res, status, 'application/json; charset=utf-8', JSON.stringify(value));
}

/** A JSON error body `{ "error": message }`. */
export function sendError(req: IncomingMessage, res: ServerResponse, status: number, message: string): Promise<void> {
  return sendJson(req, res, status, { error: message });
}
