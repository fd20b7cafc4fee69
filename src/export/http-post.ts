/**
 * One POST of an export body and what to do about its answer: the verdict remote_write and OTLP share.
 * 2xx: sent. 429 and 5xx: retry (honouring Retry-After). Network errors and timeouts: retry. Any other
 * status (400 for out-of-order samples, 401, 404, 413...): drop, since sending it again cannot help.
 */
import http from 'node:http';
import https from 'node:https';

export type PostVerdict =
  | { readonly verdict: 'sent'; readonly status: number }
  | { readonly verdict: 'retry'; readonly status: number | null; readonly reason: string; readonly retryAfterMs: number | null }
  | { readonly verdict: 'drop'; readonly status: number; readonly reason: string };

export interface PostTarget {
  readonly url: URL;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
  readonly agent: http.Agent;
}

/** How much of an error answer is kept for the log line. */
const MAX_ERROR_BODY_BYTES = 1024;

/** A keep-alive agent for one destination (one socket: requests are sequential). */
export function agentFor(url: URL): http.Agent {
  const options = { keepAlive: true, maxSockets: 1, keepAliveMsecs: 10_000 };
  return url.protocol === 'https:' ? new https.Agent(options) : new http.Agent(options);
}

/**
 * Posts `body` and resolves to a verdict; never rejects. `signal` aborts the request (a retry verdict
 * with reason 'aborted').
 */
export function post(target: PostTarget, body: Uint8Array, signal?: AbortSignal): Promise<PostVerdict> {
  const url = target.url;
  const mod = url.protocol === 'https:' ? https : http;
  return new Promise<PostVerdict>((resolve) => {
    let settled = false;
    const done = (v: PostVerdict): void => {
      if (settled) return;
      settled = true;
      resolve(v);
    };
    const headers: Record<string, string | number> = { ...target.headers, 'Content-Length': body.byteLength };
    if (url.username !== '' && headers.Authorization === undefined && headers.authorization === undefined) {
      headers.Authorization = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
    }
    let req: http.ClientRequest;
    try {
      req = mod.request(
        {
          protocol: url.protocol,
          hostname: url.hostname.replace(/^\[|\]$/g, ''),
          port: url.port,
          path: url.pathname + url.search,
          method: 'POST',
          headers,
          agent: target.agent,
          timeout: target.timeoutMs,
          signal,
        },
        (res) => {
          const status = res.statusCode ?? 0;
          if (status >= 200 && status < 300) {
            res.resume();
            res.on('end', () => done({ verdict: 'sent', status }));
            res.on('error', () => done({ verdict: 'sent', status }));
            return;
          }
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            if (text.length < MAX_ERROR_BODY_BYTES) text += chunk;
          });
          const finish = (): void => {
            const reason = `HTTP ${status}${text.trim() === '' ? '' : `: ${oneLine(text)}`}`;
            if (status === 429 || status >= 500) {
              done({ verdict: 'retry', status, reason, retryAfterMs: parseRetryAfter(res.headers['retry-after']) });
            } else {
              done({ verdict: 'drop', status, reason });
            }
          };
          res.on('end', finish);
          res.on('error', finish);
        },
      );
    } catch (err) {
      done({ verdict: 'retry', status: null, reason: errorText(err), retryAfterMs: null });
      return;
    }
    req.on('timeout', () => req.destroy(new Error(`no answer within ${target.timeoutMs} ms`)));
    req.on('error', (err) => done({ verdict: 'retry', status: null, reason: errorText(err), retryAfterMs: null }));
    req.end(body);
  });
}

function oneLine(s: string): string {
  const t = s.trim().replace(/\s+/g, ' ');
  return t.length > 300 ? `${t.slice(0, 300)}...` : t;
}

function errorText(err: unknown): string {
  if (err instanceof Error) {
    const code = (err as NodeJS.ErrnoException).code;
    if (err.name === 'AbortError') return 'aborted';
    return code !== undefined && !err.message.includes(code) ? `${code} ${err.message}` : err.message;
  }
  return String(err);
}

/** Retry-After as delay-seconds or an HTTP date, in ms; null when absent or unreadable. */
export function parseRetryAfter(value: string | string[] | undefined, nowMs: number = Date.now()): number | null {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v.trim() === '') return null;
  if (/^\s*\d+(\.\d+)?\s*$/.test(v)) return Math.round(Number(v) * 1000);
  const at = Date.parse(v);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - nowMs);
}
