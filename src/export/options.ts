/** Options shared by the exporters, checked once with the bad value in the message. */
import { readFileSync } from 'node:fs';
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

/** Authorization header for `auth`, checked. */
export function authHeader(kind: string, auth: ExportAuth | undefined): Record<string, string> {
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
  if (i <= 0) throw usageError(`${kind}: a header must be NAME=VALUE, got ${JSON.stringify(arg)}`);
  const name = arg.slice(0, i).trim();
  const value = arg.slice(i + 1);
  checkHeaders(kind, { [name]: value }, []);
  return [name, value];
}

/**
 * Credentials from a file (`--remote-write-auth-file FILE`), so secrets stay out of argv and shell
 * history. The first non-empty line is `basic USER:PASSWORD`, `bearer TOKEN`, or a bare token (bearer).
 * A missing or unreadable file is PerfscopeError ENOTFOUND/EACCESS naming it; a malformed one EUSAGE.
 */
export function readAuthFile(kind: string, path: string): ExportAuth {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new PerfscopeError('ENOTFOUND', `${kind}: auth file ${path} does not exist`, { cause: err });
    throw new PerfscopeError('EACCESS', `${kind}: cannot read auth file ${path}: ${code ?? String(err)}`, { cause: err });
  }
  const line = text.split(/\r?\n/).map((l) => l.trim()).find((l) => l !== '');
  if (line === undefined) throw usageError(`${kind}: auth file ${path} is empty`);
  const m = /^(basic|bearer)\s+(.+)$/i.exec(line);
  if (m === null) return { bearerToken: line };
  if (m[1]!.toLowerCase() === 'bearer') return { bearerToken: m[2]! };
  const i = m[2]!.indexOf(':');
  if (i <= 0) throw usageError(`${kind}: auth file ${path}: 'basic' needs USER:PASSWORD`);
  return { username: m[2]!.slice(0, i), password: m[2]!.slice(i + 1) };
}
