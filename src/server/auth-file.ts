/**
 * Credentials from a file, so they never appear in argv, the environment or logs: one line holding
 * `user:password` (HTTP basic auth) or a token without a colon (bearer auth).
 */
import { readFileSync, statSync } from 'node:fs';
import { PerfscopeError, fromErrno } from '../core/errors.js';
import type { MetricsAuth } from './metrics-server.js';

export interface AuthFile {
  auth: MetricsAuth;
  /** Set when other users may read the file (a warning worth printing). */
  warning: string | null;
}

/** Reads and checks an auth file; PerfscopeError (ENOTFOUND, EACCESS, EBADDATA) saying what is wrong, never its content. */
export function readAuthFile(path: string): AuthFile {
  let text: string;
  let mode = 0;
  try {
    text = readFileSync(path, 'utf8');
    mode = statSync(path).mode;
  } catch (err) {
    throw fromErrno(err, `cannot read the auth file ${path}`);
  }
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length !== 1) {
    throw new PerfscopeError('EBADDATA', `${path}: expected one line (user:password, or a bearer token), found ${lines.length}`);
  }
  const line = lines[0]!.trim();
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(line)) throw new PerfscopeError('EBADDATA', `${path}: the credentials hold control characters`);
  let auth: MetricsAuth;
  const colon = line.indexOf(':');
  if (colon >= 0) {
    const username = line.slice(0, colon);
    const password = line.slice(colon + 1);
    if (username === '' || password === '') throw new PerfscopeError('EBADDATA', `${path}: user:password needs both a user and a password`);
    auth = { type: 'basic', username, password };
  } else {
    if (line.length < 16) throw new PerfscopeError('EBADDATA', `${path}: a bearer token must be at least 16 characters`);
    if (/\s/.test(line)) throw new PerfscopeError('EBADDATA', `${path}: a bearer token must not hold spaces`);
    auth = { type: 'bearer', token: line };
  }
  const warning = (mode & 0o077) !== 0 ? `${path} is readable by other users (chmod 600 it)` : null;
  return { auth, warning };
}
