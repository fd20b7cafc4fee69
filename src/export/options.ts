/** Options shared by the exporters, checked once with the bad value in the message. */
import { readCredentialsFile } from '../core/credentials-file.js';
import { PerfscopeError, usageError } from '../core/errors.js';

/** Credentials for the receiver: HTTP basic or a bearer token (or put them in `headers`). */
export type ExportAuth = { readonly username: string; readonly password: string } | { readonly bearerToken: string };

export function positive(kind: string, name: string, v: number | undefined, dflt: number, min: number, integer = false): number {
  if (v === undefined) return dflt;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || (integer && !Number.isInteger(v))) {
    throw usageError(`${kind}: ${name} must be ${integer ? 'an integer' : 'a number'} >= ${min}, got ${String(v)}`);
  }
  return v;
}

/** Parses and checks a target URL (http/https), the bad value in the message. */
export function parseExportUrl(kind: string, raw: unknown): URL {
  if (typeof raw !== 'string' || raw === '') throw usageError(`${kind}: url is required (e.g. http://127.0.0.1:9090/api/v1/write)`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw usageError(`${kind}: invalid url ${JSON.stringify(raw)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw usageError(`${kind}: url must be http or https, got ${JSON.stringify(raw)}`);
  return url;
}

/**
 * Authorization header for `auth`, or for the credentials in `authFile` (the one credentials-file format,
 * core/credentials-file.ts: `basic USER:PASSWORD`, `bearer TOKEN`, `USER:PASSWORD` or a bare TOKEN),
 * checked. A file others may read is a `warn` line; a missing, unreadable or malformed one throws
 * PerfscopeError (ENOTFOUND, EACCESS, EBADDATA) naming `kind` and the file, never its content.
 */
export function authHeader(kind: string, auth: ExportAuth | undefined, authFile?: string, warn: (line: string) => void = () => {}): Record<string, string> {
  if (authFile !== undefined) {
    if (auth !== undefined) throw usageError(`${kind}: give auth or authFile, not both`);
    if (typeof authFile !== 'string' || authFile === '') throw usageError(`${kind}: authFile must be a file path`);
    let file;
    try {
      file = readCredentialsFile(authFile);
    } catch (err) {
      throw err instanceof PerfscopeError ? new PerfscopeError(err.code, `${kind}: ${err.message}`, { cause: err }) : err;
    }
    if (file.warning !== null) warn(`perfscope ${kind}: warning: ${file.warning}`);
    const c = file.credentials;
    auth = c.type === 'bearer' ? { bearerToken: c.token } : { username: c.username, password: c.password };
  }
  if (auth === undefined) return {};
  if ('bearerToken' in auth) {
    if (typeof auth.bearerToken !== 'string' || auth.bearerToken === '' || /[\r\n]/.test(auth.bearerToken)) {
      throw usageError(`${kind}: auth.bearerToken must be a non-empty single-line string`);
    }
    return { Authorization: `Bearer ${auth.bearerToken}` };
  }
  if (typeof auth.username !== 'string' || typeof auth.password !== 'string' || auth.username.includes(':')) {
    throw usageError(`${kind}: auth needs string username (without ':') and password, or bearerToken`);
  }
  return { Authorization: `Basic ${Buffer.from(`${auth.username}:${auth.password}`).toString('base64')}` };
}

/** Extra headers, checked (no line breaks; no overriding of the protocol's own). */
export function checkHeaders(kind: string, headers: Record<string, string> | undefined, reserved: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(k)) throw usageError(`${kind}: invalid header name ${JSON.stringify(k)}`);
    if (typeof v !== 'string' || /[\r\n]/.test(v)) throw usageError(`${kind}: header ${k} must be a single-line string`);
    if (reserved.includes(k.toLowerCase())) throw usageError(`${kind}: header ${k} is set by the protocol and cannot be overridden`);
    out[k] = v;
  }
  return out;
}


/**
 * A `K=V` header argument (`--otlp-header api-key=SECRET`), checked: the name is an HTTP token, the value
 * a single line. For the CLI of `perfscope serve`.
 */
export function parseHeaderArg(kind: string, arg: string): [string, string] {
  const i = arg.indexOf('=');
  // the argument is not echoed: a header value is often a key
  if (i <= 0) throw usageError(`${kind}: a header must be NAME=VALUE (the value is not shown here)`);
  const name = arg.slice(0, i).trim();
  const value = arg.slice(i + 1);
  checkHeaders(kind, { [name]: value }, []);
  return [name, value];
}
