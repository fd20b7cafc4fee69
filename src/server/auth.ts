/**
 * HTTP authentication for perfscope's servers: basic or bearer credentials, checked on every request
 * that needs them. The scheme name is case-insensitive (RFC 7235 §2.1: `basic`, `BASIC` and `Basic` are
 * one scheme) and may be followed by one or more spaces. Secrets are compared in constant time without
 * leaking their length: both sides are hashed (HMAC-SHA-256 under a key drawn at start-up) and the two
 * 32-byte digests compared with `timingSafeEqual`, so neither the content nor the length of a wrong
 * guess changes how long the comparison takes.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { inspect } from 'node:util';
import type { Credentials } from '../core/credentials-file.js';
import { usageError } from '../core/errors.js';

/** What a server requires: the credentials of core/credentials-file.ts (basic or bearer). */
export type HttpAuth = Credentials;

/** A settled auth requirement: `check()` per request, `challenge` for the 401's WWW-Authenticate. */
export interface AuthCheck {
  check(authorization: string | undefined): boolean;
  readonly challenge: string;
}

/** The key of this process's credential digests: random, so digests say nothing outside it. */
const digestKey = randomBytes(32);
const digest = (data: string | Buffer): Buffer => createHmac('sha256', digestKey).update(data).digest();

/** `Scheme credentials` split; the scheme lower-cased; undefined for anything else. */
export function parseAuthorization(header: string | undefined): { scheme: string; credentials: string } | undefined {
  if (typeof header !== 'string') return undefined;
  const m = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+) +(\S+) *$/.exec(header);
  return m === null ? undefined : { scheme: m[1]!.toLowerCase(), credentials: m[2]! };
}

/**
 * Validates `auth` (throws a usage error naming `where`) and returns its check, or undefined when
 * `auth` is undefined (no auth). `realm` names the protection space in the challenge.
 */
export function resolveAuth(auth: HttpAuth | undefined, where: string, realm = 'metrics'): AuthCheck | undefined {
  if (auth === undefined) return undefined;
  if (typeof auth !== 'object' || auth === null) throw usageError(`${where}: auth must be { type: 'basic', username, password } or { type: 'bearer', token }, got ${inspect(auth)}`);
  if (auth.type === 'basic') {
    if (typeof auth.username !== 'string' || auth.username === '' || auth.username.includes(':') || typeof auth.password !== 'string') {
      throw usageError(`${where}: auth: basic needs a username (without ":") and a password`);
    }
    const expected = digest(`${auth.username}:${auth.password}`);
    return {
      challenge: `Basic realm=${JSON.stringify(realm)}, charset="UTF-8"`,
      check(header) {
        const a = parseAuthorization(header);
        if (a === undefined || a.scheme !== 'basic') return false;
        return timingSafeEqual(digest(Buffer.from(a.credentials, 'base64')), expected);
      },
    };
  }
  if (auth.type === 'bearer') {
    if (typeof auth.token !== 'string' || auth.token === '') throw usageError(`${where}: auth: bearer needs a non-empty token`);
    const expected = digest(auth.token);
    return {
      challenge: `Bearer realm=${JSON.stringify(realm)}`,
      check(header) {
        const a = parseAuthorization(header);
        if (a === undefined || a.scheme !== 'bearer') return false;
        return timingSafeEqual(digest(a.credentials), expected);
      },
    };
  }
  throw usageError(`${where}: auth.type must be "basic" or "bearer", got ${inspect((auth as { type?: unknown }).type)}`);
}
