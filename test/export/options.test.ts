import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/cli.js';
import { parseHeaderArg, readAuthFile } from '../../src/export/options.js';
import { PerfscopeError } from '../../src/core/errors.js';

const isCode = (code: string, re: RegExp) => (e: unknown) => e instanceof PerfscopeError && e.code === code && re.test(e.message);

test('parseHeaderArg: NAME=VALUE, the value may hold "="; bad names and line breaks are usage errors', () => {
  assert.deepEqual(parseHeaderArg('otlp', 'api-key=abc=def'), ['api-key', 'abc=def']);
  assert.throws(() => parseHeaderArg('otlp', 'novalue'), isCode('EUSAGE', /NAME=VALUE, got "novalue"/));
  assert.throws(() => parseHeaderArg('otlp', 'bad name=x'), isCode('EUSAGE', /invalid header name/));
  assert.throws(() => parseHeaderArg('otlp', 'x=a\nb'), isCode('EUSAGE', /single-line/));
});

test('readAuthFile: basic, bearer or a bare token; missing, unreadable and empty files are clear errors', () => {
  const t = tempDir();
  try {
    const f = (name: string, text: string): string => {
      const p = join(t.dir, name);
      writeFileSync(p, text);
      return p;
    };
    assert.deepEqual(readAuthFile('remote_write', f('a', '\n  basic user:pa:ss  \n')), { username: 'user', password: 'pa:ss' });
    assert.deepEqual(readAuthFile('remote_write', f('b', 'Bearer tok.en\n')), { bearerToken: 'tok.en' });
    assert.deepEqual(readAuthFile('remote_write', f('c', 'glc_abc123\n')), { bearerToken: 'glc_abc123' });
    assert.throws(() => readAuthFile('remote_write', join(t.dir, 'nope')), isCode('ENOTFOUND', /auth file .*nope does not exist/));
    assert.throws(() => readAuthFile('remote_write', f('d', '\n\n')), isCode('EUSAGE', /is empty/));
    assert.throws(() => readAuthFile('remote_write', f('e', 'basic nocolon')), isCode('EUSAGE', /USER:PASSWORD/));
    if (process.getuid?.() !== 0) {
      const p = f('g', 'x');
      chmodSync(p, 0);
      assert.throws(() => readAuthFile('remote_write', p), isCode('EACCESS', /cannot read auth file/));
    }
  } finally {
    t.cleanup();
  }
});
