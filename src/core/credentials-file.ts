/**
 * Credentials from a file, so secrets never appear in argv, the environment or logs: one format for
 * every reader (serve's and prometheus-config's `--auth-file`, the exporters' `authFile` option). It
 * sits in core because the server (serve) and the exporters, two layers apart, both read it.
 *
 * The file holds one non-empty line (surrounding blank lines and spaces are ignored), in one of four
 * forms:
 *
 *   basic USER:PASSWORD    HTTP basic auth (the scheme word in any case)
 *   bearer TOKEN           a bearer token
 *   USER:PASSWORD          basic auth (a line with a colon and no scheme word)
 *   TOKEN                  a bearer token (a line without a colon); write `bearer TOKEN` for a token
 *                          that holds a colon
 *
 * The password may hold colons and spaces; a user name and a token may not hold spaces, and nothing
 * may hold control characters. Errors say what is wrong, never what the file holds.
 */
import { readFileSync, statSync } from 'node:fs';
import { PerfscopeError, fromErrno } from './errors.js';

/** HTTP credentials: basic (user and password) or a bearer token. */
export type Credentials = { type: 'basic'; username: string; password: string } | { type: 'bearer'; token: string };

export interface CredentialsFile {
  credentials: Credentials;
  /**
   * The line is the secret alone (a bare TOKEN), so a program that takes a whole file as the token
   * (Prometheus' `credentials_file`) may read this one.
   */
  bare: boolean;
  /** Set when users other than the owner have access to the file (a warning worth printing). */
  warning: string | null;
}

export interface ReadCredentialsOptions {
  /**
   * The shortest bearer token accepted (default 1). A server guarding itself asks for more (serve: 16),
   * a client sends whatever token its receiver issued.
   */
  minTokenLength?: number;
}

/**
 * Reads and checks a credentials file. Throws PerfscopeError: ENOTFOUND (missing), EACCESS (not
 * permitted), EIO (another read error), EBADDATA (malformed: the message says which rule, not the content).
 */
export function readCredentialsFile(path: string, options: ReadCredentialsOptions = {}): CredentialsFile {
  let text: string;
  let mode: number;
  try {
    text = readFileSync(path, 'utf8');
    mode = statSync(path).mode;
  } catch (err) {
    throw fromErrno(err, `cannot read the auth file ${path}`);
  }
  const bad = (why: string): PerfscopeError => new PerfscopeError('EBADDATA', `${path}: ${why}`);
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  if (lines.length !== 1) {
    throw bad(`expected one line (basic USER:PASSWORD, bearer TOKEN, USER:PASSWORD or a bare TOKEN), found ${lines.length}`);
  }
  const line = lines[0]!.trim();
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(line)) throw bad('the credentials hold control characters');
  const scheme = /^(basic|bearer)(?:\s+(.*))?$/i.exec(line);
  let credentials: Credentials;
  if (scheme !== null) {
    const rest = scheme[2] ?? '';
    if (rest === '') throw bad(`'${scheme[1]!.toLowerCase()}' needs ${scheme[1]!.toLowerCase() === 'basic' ? 'USER:PASSWORD' : 'a TOKEN'} after it`);
    credentials = scheme[1]!.toLowerCase() === 'basic' ? userPassword(rest, bad) : { type: 'bearer', token: token(rest, options, bad) };
  } else {
    credentials = line.includes(':') ? userPassword(line, bad) : { type: 'bearer', token: token(line, options, bad) };
  }
  const warning = (mode & 0o077) !== 0 ? `${path} is readable by other users (chmod 600 it)` : null;
  return { credentials, bare: scheme === null && credentials.type === 'bearer', warning };
}

function userPassword(text: string, bad: (why: string) => PerfscopeError): Credentials {
  const colon = text.indexOf(':');
  const username = colon < 0 ? '' : text.slice(0, colon);
  const password = colon < 0 ? '' : text.slice(colon + 1);
  if (username === '' || password === '') throw bad('basic auth needs USER:PASSWORD, both non-empty');
  if (/\s/.test(username)) throw bad('a user name must not hold spaces');
  return { type: 'basic', username, password };
}

function token(text: string, o: ReadCredentialsOptions, bad: (why: string) => PerfscopeError): string {
  if (/\s/.test(text)) throw bad('a bearer token must not hold spaces');
  const min = o.minTokenLength ?? 1;
  if (text.length < min) throw bad(`a bearer token must be at least ${min} characters`);
  return text;
}
