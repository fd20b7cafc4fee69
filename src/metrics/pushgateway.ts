/**
 * Pushgateway client: `push` (PUT, replaces the group), `pushAdd` (POST, replaces same-named metrics),
 * `delete` (DELETE the group), with grouping keys. prom-client's API; grouping values that are empty or
 * contain `/` are sent base64url-encoded (`name@base64/...`) as the Pushgateway requires.
 */
// bare specifiers (not node:) so test suites that jest.mock('http') keep working, as with prom-client
import http from 'http';
import https from 'https';
import { gzipSync } from 'zlib';
import { PerfscopeError, usageError, usageTypeError } from '../core/errors.js';
import { globalRegistry, type Registry } from './registry.js';

export interface PushgatewayOptions extends http.RequestOptions {
  /** Require `jobName` (default true; turn off for Gravel Gateway style servers). */
  requireJobName?: boolean;
}

export interface PushParameters {
  jobName?: string;
  groupings?: Record<string, string | number>;
}

export interface PushResult {
  resp: http.IncomingMessage;
  body: string;
}

function segment(name: string, value: string): string {
  if (value === '' || value.includes('/')) {
    return `/${encodeURIComponent(name)}@base64/${Buffer.from(value).toString('base64url') || '='}`;
  }
  return `/${encodeURIComponent(name)}/${encodeURIComponent(value)}`;
}

export class Pushgateway {
  readonly registry: Registry;
  readonly gatewayUrl: string;
  readonly requireJobName: boolean;
  readonly requestOptions: http.RequestOptions;

  constructor(gatewayUrl: string, options: PushgatewayOptions = {}, registry?: Registry) {
    let parsed: URL;
    try {
      parsed = new URL(gatewayUrl);
    } catch {
      throw usageTypeError(`Pushgateway: invalid gateway URL ${JSON.stringify(gatewayUrl)}`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw usageTypeError(`Pushgateway: URL must be http(s), got ${JSON.stringify(gatewayUrl)}`);
    }
    this.gatewayUrl = gatewayUrl;
    this.registry = registry ?? globalRegistry;
    const { requireJobName = true, ...requestOptions } = options ?? {};
    this.requireJobName = requireJobName;
    this.requestOptions = requestOptions;
  }

  /** POST: replaces metrics with the same names in the group. */
  pushAdd(params: PushParameters = {}): Promise<PushResult> {
    return this.send('POST', params);
  }

  /** PUT: replaces the whole group. */
  push(params: PushParameters = {}): Promise<PushResult> {
    return this.send('PUT', params);
  }

  /** DELETE: removes the group. */
  delete(params: PushParameters = {}): Promise<PushResult> {
    return this.send('DELETE', params);
  }

  private send(method: 'PUT' | 'POST' | 'DELETE', params: PushParameters): Promise<PushResult> {
    if (this.requireJobName && !params.jobName) throw usageError('Missing jobName parameter');
    const base = new URL(this.gatewayUrl);
    const basePath = base.pathname && base.pathname !== '/' ? base.pathname.replace(/\/$/, '') : '';
    let path = `${basePath}/metrics`;
    if (params.jobName) {
      path += segment('job', String(params.jobName));
      for (const [k, v] of Object.entries(params.groupings ?? {})) path += segment(k, String(v));
    }
    const target = new URL(path, base);
    const headers: http.OutgoingHttpHeaders = { ...(this.requestOptions.headers as http.OutgoingHttpHeaders | undefined) };
    if (method === 'DELETE') delete headers['Content-Encoding'];
    const options: http.RequestOptions = {
      ...this.requestOptions,
      protocol: target.protocol,
      hostname: target.hostname.replace(/^\[|\]$/g, ''),
      port: target.port,
      path: target.pathname + target.search,
      auth: target.username ? `${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}` : this.requestOptions.auth,
      method,
      headers,
    };
    const mod = target.protocol === 'https:' ? https : http;
    return new Promise<PushResult>((resolve, reject) => {
      const req = mod.request(options, (resp) => {
        let body = '';
        resp.setEncoding('utf8');
        resp.on('data', (chunk: string) => {
          body += chunk;
        });
        resp.on('end', () => {
          if ((resp.statusCode ?? 0) >= 400) reject(new PerfscopeError('EIO', `push failed with status ${resp.statusCode}, ${body}`));
          else resolve({ resp, body });
        });
      });
      req.on('error', reject);
      req.on('timeout', () => req.destroy(new PerfscopeError('EIO', 'Pushgateway request timed out')));
      if (method === 'DELETE') {
        req.end();
        return;
      }
      this.registry
        .metrics()
        .then((text) => {
          const gzip = headers['Content-Encoding'] === 'gzip' || headers['content-encoding'] === 'gzip';
          req.end(gzip ? gzipSync(text) : text);
        })
        .catch((err: unknown) => {
          req.destroy();
          reject(err as Error);
        });
    });
  }
}
