/**
 * The one credentials-file format (serve's and prometheus-config's --auth-file, the exporters'
 * authFile): every accepted form, every malformed one (EBADDATA, the content never in the message),
 * a missing file (ENOTFOUND) and the permission warning. An unreadable file is tested through the
 * CLIs (test/cli/auth-file.test.ts), which can run as another user when the tests run as root.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/cli.js';
import { readCredentialsFile, type Credentials } from '../../src/core/credentials-file.js';
import { PerfscopeError } from '../../src/core/errors.js';

function withFiles(body: (file: (text: string, mode?: number) => string, dir: string) => void): void {
  const t = tempDir();
  let n = 0;
  try {
    body((text, mode = 0o600) => {
      const p = join(t.dir, `auth-${n++}`);
      writeFileSync(p, text);
      chmodSync(p, mode);
      return p;
    }, t.dir);
  } finally {
    t.cleanup();
  }
}

test('accepted: basic USER:PASSWORD, bearer TOKEN, USER:PASSWORD, a bare TOKEN (blank lines and spaces around ignored)', () => {
  withFiles((file) => {
    const cases: [string, Credentials, boolean][] = [
      ['basic ops:pa:ss wörd\n', { type: 'basic', username: 'ops', password: 'pa:ss wörd' }, false],
      ['\n  BASIC   ops:s3cret  \n\n', { type: 'basic', username: 'ops', password: 's3cret' }, false],
      ['bearer tok.en:with-colon\n', { type: 'bearer', token: 'tok.en:with-colon' }, false],
      ['Bearer glc_abc123', { type: 'bearer', token: 'glc_abc123' }, false],
      ['ops:pa:ss wörd\r\n', { type: 'basic', username: 'ops', password: 'pa:ss wörd' }, false],
      ['basic:secret\n', { type: 'basic', username: 'basic', password: 'secret' }, false],
      ['glc_abc123\n', { type: 'bearer', token: 'glc_abc123' }, true],
    ];
    for (const [text, credentials, bare] of cases) {
      assert.deepEqual(readCredentialsFile(file(text)), { credentials, bare, warning: null }, JSON.stringify(text));
    }
    const long = 'tok-0123456789abcdef';
    assert.deepEqual(readCredentialsFile(file(`${long}\n`), { minTokenLength: 16 }).credentials, { type: 'bearer', token: long });
  });
});

test('malformed: one clear EBADDATA naming the rule and the file, never the content', () => {
  withFiles((file) => {
    const cases: [string, RegExp, number?][] = [
      ['', /expected one line .*found 0/],
      ['\n \n', /expected one line .*found 0/],
      ['ops:one\nops:two\n', /expected one line .*found 2/],
      ['ops:pa\u0007ss\n', /control characters/],
      ['basic\n', /'basic' needs USER:PASSWORD/],
      ['bearer   \n', /'bearer' needs a TOKEN/],
      ['basic nocolon-secret\n', /basic auth needs USER:PASSWORD, both non-empty/],
      ['basic :nouser-secret\n', /basic auth needs USER:PASSWORD, both non-empty/],
      ['nopassword-user:\n', /basic auth needs USER:PASSWORD, both non-empty/],
      ['two words:secret\n', /a user name must not hold spaces/],
      ['bearer two words-secret\n', /a bearer token must not hold spaces/],
      ['token with-spaces-secret\n', /a bearer token must not hold spaces/],
      ['short-secret\n', /a bearer token must be at least 16 characters/, 16],
    ];
    for (const [text, message, min] of cases) {
      const path = file(text);
      assert.throws(
        () => readCredentialsFile(path, { minTokenLength: min }),
        (e: unknown) => {
          assert.ok(e instanceof PerfscopeError, String(e));
          assert.equal(e.code, 'EBADDATA', JSON.stringify(text));
          assert.equal(e.exitCode, 6);
          assert.match(e.message, message);
          assert.ok(e.message.startsWith(`${path}: `), e.message);
          for (const secret of ['secret', 'pa\u0007ss', 'ops:']) assert.ok(!e.message.includes(secret), `${e.message} shows the content`);
          return true;
        },
        JSON.stringify(text),
      );
    }
  });
});

test('a missing file is ENOTFOUND (exit 5), a directory EIO; a file others may read is a warning', () => {
  withFiles((file, dir) => {
    assert.throws(
      () => readCredentialsFile(join(dir, 'nope')),
      (e: unknown) => e instanceof PerfscopeError && e.code === 'ENOTFOUND' && e.exitCode === 5 && /^cannot read the auth file .*nope: no such file or directory$/.test(e.message),
    );
    assert.throws(() => readCredentialsFile(dir), (e: unknown) => e instanceof PerfscopeError && e.code === 'EIO' && /is a directory/.test(e.message));
    for (const mode of [0o640, 0o604, 0o644]) {
      const path = file('ops:s3cret\n', mode);
      assert.equal(readCredentialsFile(path).warning, `${path} is readable by other users (chmod 600 it)`, mode.toString(8));
    }
    assert.equal(readCredentialsFile(file('ops:s3cret\n', 0o400)).warning, null);
  });
});
