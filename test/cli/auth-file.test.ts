/**
 * The one auth-file format at the command line, for both commands that read it: `perfscope serve
 * --auth-file` (the credentials it requires) and `perfscope prometheus-config --auth-file` (the
 * matching scrape credentials). Every accepted form works, every malformed one is exit 6 with one line
 * that does not show the file's content, a missing file exit 5, an unreadable one exit 4, and a file
 * others may read a warning.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bin, cli, tempDir } from '../helpers/cli.js';
import { startServe } from '../helpers/serve.js';

const t = tempDir('perfscope-authfile-');
test.after(() => t.cleanup());
let n = 0;
function authFile(text: string, mode = 0o600): string {
  const p = join(t.dir, `auth-${n++}`);
  writeFileSync(p, text);
  chmodSync(p, mode);
  return p;
}

const basic = (up: string): string => `Basic ${Buffer.from(up).toString('base64')}`;
const TOKEN = 'tok-0123456789abcdefghij';

/** [file content, the Authorization header that gets in, one that does not] */
const accepted: [string, string, string][] = [
  ['basic ops:pa:ss wörd\n', basic('ops:pa:ss wörd'), basic('ops:pa:ss')],
  ['ops:pa:ss wörd\n', basic('ops:pa:ss wörd'), `Bearer ${TOKEN}`],
  [`bearer ${TOKEN}\n`, `Bearer ${TOKEN}`, `Bearer bearer ${TOKEN}`],
  [`\n${TOKEN}\n\n`, `Bearer ${TOKEN}`, `Bearer ${TOKEN}x`],
];

const malformed: [string, RegExp][] = [
  ['\n\n', /expected one line/],
  ['ops:one-secret\nops:two-secret\n', /expected one line .*found 2/],
  ['basic nocolon-secret\n', /basic auth needs USER:PASSWORD/],
  ['nopass-secret:\n', /basic auth needs USER:PASSWORD/],
  ['bearer\n', /'bearer' needs a TOKEN/],
  ['two words-secret\n', /a bearer token must not hold spaces/],
  ['short-secret\n', /a bearer token must be at least 16 characters/],
];

test('serve --auth-file: every accepted form requires exactly those credentials', async () => {
  for (const [text, good, wrong] of accepted) {
    const s = await startServe(['--auth-file', authFile(text), '--no-store']);
    try {
      assert.equal((await fetch(`${s.url}healthz`)).status, 401, text);
      assert.equal((await fetch(`${s.url}healthz`, { headers: { authorization: wrong } })).status, 401, `${text}: ${wrong}`);
      const r = await fetch(`${s.url}api/info`, { headers: { authorization: good } });
      assert.equal(r.status, 200, `${text}: ${good}`);
      assert.doesNotMatch(s.stderr(), /warning/);
    } finally {
      await s.stop();
    }
  }
});

test('prometheus-config --auth-file: every accepted form configures the matching credentials, no secret printed', async () => {
  const target = ['prometheus-config', '--target', '127.0.0.1:9464'];
  for (const [text] of accepted) {
    const path = authFile(text);
    const r = await cli([...target, '--auth-file', path]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, '');
    assert.ok(!r.stdout.includes('pa:ss') && !r.stdout.includes(TOKEN), `no secret printed: ${r.stdout}`);
    if (text.includes('ops:')) {
      assert.match(r.stdout, /basic_auth:\n {6}username: "ops"\n.*\n {6}password_file: ".*\.password"/);
    } else if (text.startsWith('bearer')) {
      assert.match(r.stdout, new RegExp(`credentials_file: "${path}\\.token"`), 'Prometheus needs the token alone: a file of its own');
    } else {
      assert.match(r.stdout, new RegExp(`credentials_file: "${path}"`), 'a bare token file is read by Prometheus as is');
    }
  }
  const bare = await cli([...target, '--auth-file', authFile(`${TOKEN}\n`), '--password-file', join(t.dir, 'pw')]);
  assert.equal(bare.code, 2);
  assert.match(bare.stderr, /--password-file is not used with a bare TOKEN auth file/);
  const own = await cli([...target, '--auth-file', authFile(`bearer ${TOKEN}\n`), '--password-file', join(t.dir, 'tok')]);
  assert.match(own.stdout, new RegExp(`credentials_file: "${join(t.dir, 'tok')}"`));
});

test('both commands: a malformed file is exit 6, a missing one exit 5, one line each, never the content', async () => {
  const commands = [
    ['serve', '--port', '0', '--no-store'],
    ['prometheus-config', '--target', '127.0.0.1:9464'],
  ];
  for (const command of commands) {
    for (const [text, message] of malformed) {
      const path = authFile(text);
      const r = await cli([...command, '--auth-file', path]);
      assert.equal(r.code, 6, `${command[0]} ${JSON.stringify(text)}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.equal(r.stderr, `perfscope: ${path}: ${r.stderr.slice(`perfscope: ${path}: `.length)}`, 'names the file');
      assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
      assert.ok(!r.stderr.includes('secret') && !r.stderr.includes('ops:'), `the content stays in the file: ${r.stderr}`);
    }
    const missing = await cli([...command, '--auth-file', join(t.dir, 'nope')]);
    assert.equal(missing.code, 5, missing.stderr);
    assert.match(missing.stderr, /^perfscope: cannot read the auth file .*nope: no such file or directory\n$/);
  }
});

/**
 * As root every file is readable, so the unreadable case runs the CLI as nobody; that needs a node
 * binary and a checkout nobody may reach (the Node 22/24 re-runs use a node under /root/.cache).
 */
function nobodyCannotRun(): string | false {
  if (process.getuid?.() !== 0) return false;
  const probe = spawnSync(process.execPath, ['-e', `require('node:fs').accessSync(${JSON.stringify(bin)})`], { uid: 65534, gid: 65534, cwd: '/' });
  return probe.status === 0 ? false : `as root the check runs as nobody, who cannot run ${process.execPath} on ${bin}`;
}

test('both commands: an unreadable file is exit 4', { skip: nobodyCannotRun() }, async () => {
  const unreadable = authFile(`${TOKEN}\n`, 0o600);
  const commands = [
    ['serve', '--port', '0', '--no-store', '--auth-file', unreadable],
    ['prometheus-config', '--target', '127.0.0.1:9464', '--auth-file', unreadable],
  ];
  for (const args of commands) {
    let r: { status: number | null; stderr: string };
    if (process.getuid?.() === 0) {
      // root reads any file: the command runs as nobody, for whom the 0600 root-owned file is closed
      chmodSync(t.dir, 0o755);
      r = spawnSync(process.execPath, [bin, ...args], { uid: 65534, gid: 65534, cwd: '/', encoding: 'utf8', env: { ...process.env, HOME: '/nonexistent' } });
    } else {
      chmodSync(unreadable, 0);
      const c = await cli(args);
      r = { status: c.code, stderr: c.stderr };
    }
    assert.equal(r.status, 4, `${args[0]}: ${r.stderr}`);
    assert.match(r.stderr, /^perfscope: cannot read the auth file .*: permission denied\n$/);
  }
});

test('both commands: a file others may read starts with a warning', async () => {
  const open = authFile(`bearer ${TOKEN}\n`, 0o644);
  const p = await cli(['prometheus-config', '--target', '127.0.0.1:9464', '--auth-file', open]);
  assert.equal(p.code, 0);
  assert.equal(p.stderr, `perfscope prometheus-config: warning: ${open} is readable by other users (chmod 600 it)\n`);
  const s = await startServe(['--auth-file', open, '--no-store']);
  await s.stop();
  assert.match(s.stderr(), new RegExp(`perfscope serve: warning: ${open} is readable by other users \\(chmod 600 it\\)`));
});
