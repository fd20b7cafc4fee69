import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/cli.js';
import { authHeader, parseHeaderArg } from '../../src/export/options.js';
import { PerfscopeError } from '../../src/core/errors.js';

const isCode = (code: string, re: RegExp) => (e: unknown) => e instanceof PerfscopeError && e.code === code && re.test(e.message);

test('parseHeaderArg: NAME=VALUE, the value may hold "="; bad names and line breaks are usage errors', () => {
  assert.deepEqual(parseHeaderArg('otlp', 'api-key=abc=def'), ['api-key', 'abc=def']);
  assert.throws(() => parseHeaderArg('otlp', 'novalue'), isCode('EUSAGE', /NAME=VALUE \(the value is not shown here\)/));
  assert.throws(() => parseHeaderArg('otlp', 'bad name=x'), isCode('EUSAGE', /invalid header name/));
  assert.throws(() => parseHeaderArg('otlp', 'x=a\nb'), isCode('EUSAGE', /single-line/));
});

test('authFile: the one credentials-file format becomes the Authorization header; bad files are clear errors naming the exporter', () => {
  const t = tempDir();
  try {
    const f = (name: string, text: string, mode = 0o600): string => {
      const p = join(t.dir, name);
      writeFileSync(p, text);
      chmodSync(p, mode);
      return p;
    };
    const basic = (up: string) => ({ Authorization: `Basic ${Buffer.from(up).toString('base64')}` });
    assert.deepEqual(authHeader('remote_write', undefined, f('a', '\n  basic user:pa:ss  \n')), basic('user:pa:ss'));
    assert.deepEqual(authHeader('remote_write', undefined, f('b', 'Bearer tok.en\n')), { Authorization: 'Bearer tok.en' });
    assert.deepEqual(authHeader('otlp', undefined, f('c', 'glc_abc123\n')), { Authorization: 'Bearer glc_abc123' }, 'a short token is the receiver\'s business');
    assert.deepEqual(authHeader('otlp', undefined, f('c2', 'user:pa ss\n')), basic('user:pa ss'));
    const warnings: string[] = [];
    authHeader('otlp', undefined, f('w', 'user:pw\n', 0o644), (l) => warnings.push(l));
    assert.deepEqual(warnings, [`perfscope otlp: warning: ${join(t.dir, 'w')} is readable by other users (chmod 600 it)`]);
    assert.throws(() => authHeader('remote_write', undefined, join(t.dir, 'nope')), isCode('ENOTFOUND', /^remote_write: cannot read the auth file .*nope: no such file or directory$/));
    assert.throws(() => authHeader('remote_write', undefined, f('d', '\n\n')), isCode('EBADDATA', /^remote_write: .*expected one line/));
    assert.throws(() => authHeader('remote_write', undefined, f('e', 'basic nocolon')), isCode('EBADDATA', /USER:PASSWORD/));
    assert.throws(() => authHeader('remote_write', { bearerToken: 'x' }, f('g', 'tok')), isCode('EUSAGE', /auth or authFile, not both/));
  } finally {
    t.cleanup();
  }
});
