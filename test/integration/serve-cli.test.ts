/**
 * `perfscope serve` and `perfscope prometheus-config` at the command line: flags and their errors,
 * auth on every path (and never in argv, logs or pages), the history across a restart, a store that
 * cannot be written (a file-size limit: real EFBIG from the kernel) reported while sampling goes on,
 * and a scrape configuration that promtool accepts and a real Prometheus uses with bearer auth.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bin, cli } from '../helpers/cli.js';
import { parseExposition, startServe, valueOf } from '../helpers/serve.js';
import { PROMETHEUS, PROMTOOL, freePort, missing, queryUntil, startEngine, tempDir } from './engines.js';
import { sqliteEngine } from '../../src/store/sqlite.js';
import { loadNative } from '../../src/sampling/native.js';

const noSqlite = sqliteEngine() === null ? 'no SQLite engine' : false;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('--help documents every flag; bad flags exit 2 with one line; a missing --pid exits 3', async () => {
  const help = await cli(['serve', '--help']);
  assert.equal(help.code, 0);
  for (const flag of ['--port', '--host', '--interval', '--group', '--pid', '--retention', '--minute-retention', '--store', '--no-store', '--auth-file']) {
    assert.ok(help.stdout.includes(flag), `--help mentions ${flag}`);
  }
  const cases: [string[], number, RegExp][] = [
    [['--port', 'x'], 2, /--port must be a number/],
    [['--interval', '0.01'], 2, /--interval must be between/],
    [['--group', 'web'], 2, /--group takes NAME=REGEX/],
    [['--group', 'web=('], 2, /invalid regular expression/],
    [['--retention', 'forever'], 2, /--retention must be a duration/],
    [['--pid', '0'], 2, /--pid must be a positive integer/],
    [['--pid', '999999999'], 3, /no process with PID 999999999/],
    [['--host', '0.0.0.0'], 2, /--auth-file/],
    [['--auth-file', '/nonexistent/auth'], 5, /cannot read the auth file \/nonexistent\/auth/],
    [['--bogus'], 2, /unknown option '--bogus'/],
  ];
  for (const [args, code, message] of cases) {
    const r = await cli(['serve', '--port', '0', '--no-store', ...args]);
    assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  }
});

test('auth: every path needs the credentials; wrong ones get 401; the password is in no argv, log or page', { skip: noSqlite }, async () => {
  const d = tempDir('perfscope-serve-auth-');
  const authFile = join(d, 'auth');
  writeFileSync(authFile, 'ops:s3cret-pass-word\n');
  chmodSync(authFile, 0o600);
  // A non-loopback address is allowed once credentials are required.
  const s = await startServe(['--host', '0.0.0.0', '--auth-file', authFile, '--store', join(d, 'serve.db')]);
  try {
    assert.match(s.url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
    const good = { authorization: `Basic ${Buffer.from('ops:s3cret-pass-word').toString('base64')}` };
    const bad = { authorization: `Basic ${Buffer.from('ops:wrong').toString('base64')}` };
    for (const path of ['', 'metrics', 'healthz', 'api/info', 'api/groups', 'api/history?seconds=10', 'api/stream', 'assets/app.js', 'nope']) {
      assert.equal((await fetch(s.url + path)).status, 401, `/${path} without credentials`);
      assert.equal((await fetch(s.url + path, { headers: bad })).status, 401, `/${path} with wrong ones`);
    }
    for (const path of ['', 'metrics', 'healthz', 'api/info', 'api/groups']) {
      const r = await fetch(s.url + path, { headers: good });
      assert.equal(r.status, 200, `/${path}`);
      const body = await r.text();
      assert.ok(!body.includes('s3cret-pass-word'), `/${path} does not show the password`);
      // the CLI hands the agent V8's gc: the first tick collects (then every minute)
      if (path === 'metrics') {
        assert.ok(Number(/^perfscope_serve_gc_seconds_total (\S+)$/m.exec(body)?.[1]) > 0, 'serve ran a full collection');
        // ...and with it unmapped the start-up pages of Node's executable (src/agent/file-pages.ts)
        if (loadNative() !== null) assert.ok(Number(/^perfscope_serve_released_file_bytes_total (\S+)$/m.exec(body)?.[1]) > 1e6, 'serve released clean file pages');
      }
    }
    const cmdline = readFileSync(`/proc/${s.child.pid}/cmdline`, 'utf8');
    assert.ok(!cmdline.includes('s3cret'), 'not in argv');
    assert.ok(!s.stdout().includes('s3cret') && !s.stderr().includes('s3cret'), 'not in the logs');
    assert.match(s.stderr(), /basic auth on every path/);
  } finally {
    assert.equal(await s.stop('SIGINT'), 0);
  }
  // A world-readable auth file starts, with a warning.
  chmodSync(authFile, 0o644);
  const w = await startServe(['--auth-file', authFile, '--no-store']);
  assert.equal(await w.stop('SIGINT'), 0);
  assert.match(w.stderr(), /readable by other users \(chmod 600 it\)/);
  assert.match(w.stderr(), /SIGINT: stopping\n/, 'with --no-store there is no history to write');
});

test('the history survives a restart: the second serve answers for the first one\'s ticks too', { skip: noSqlite }, async () => {
  const d = tempDir('perfscope-serve-restart-');
  const store = join(d, 'serve.db');
  const first = await startServe(['--store', store, '--interval', '0.5s']);
  await sleep(3000);
  assert.equal(await first.stop('SIGTERM'), 0);
  assert.match(first.stderr(), /SIGTERM: writing the history and stopping/);
  await sleep(1500);
  const second = await startServe(['--store', store, '--interval', '0.5s']);
  try {
    await sleep(1500);
    const run = (await (await fetch(`${second.url}api/history?seconds=60`)).json()) as {
      meta: { sampleCount: number; serve: { tier: string } };
      system: { timestamp: number[]; load1: (number | null)[] };
      events: { kind: string; detail: string }[];
    };
    assert.equal(run.meta.serve.tier, 'raw');
    assert.ok(run.meta.sampleCount >= 8, `ticks of both runs: ${run.meta.sampleCount}`);
    assert.ok(run.system.load1.includes(null), 'a null row marks the time serve was down');
    const notes = run.events.map((e) => e.detail);
    assert.equal(notes.filter((n) => n.startsWith('start')).length, 2, JSON.stringify(notes));
    assert.equal(notes.filter((n) => n.startsWith('stop')).length, 1, JSON.stringify(notes));
    // The same file, busy: a third serve is refused.
    const third = await cli(['serve', '--port', '0', '--store', store]);
    assert.equal(third.code, 2);
    assert.match(third.stderr, new RegExp(`in use by another perfscope serve \\(PID ${second.child.pid}\\)`));
  } finally {
    assert.equal(await second.stop(), 0);
  }
});

test('a history that cannot be written (EFBIG past a file-size limit): one line, a fault metric, sampling goes on', { skip: noSqlite }, async () => {
  const d = tempDir('perfscope-serve-efbig-');
  // `ulimit -f` is in 1 KiB blocks; SIGXFSZ ignored (kept across exec) turns the kill into EFBIG.
  const child = spawn('sh', ['-c', `trap '' XFSZ; ulimit -f 640; exec "$0" "$@"`, process.execPath, bin, 'serve', '--port', '0', '--store', join(d, 'serve.db'), '--interval', '0.2s'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (x: Buffer) => (out += x.toString()));
  child.stderr.on('data', (x: Buffer) => (err += x.toString()));
  const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  try {
    for (let i = 0; i < 100 && !out.includes('\n'); i++) await sleep(100);
    const url = out.split('\n')[0]!;
    assert.match(url, /^http:/, err);
    let faults = 0;
    let ticks = 0;
    for (let i = 0; i < 60 && faults === 0; i++) {
      await sleep(500);
      const m = parseExposition(await (await fetch(`${url}metrics`)).text());
      faults = valueOf(m, 'perfscope_serve_faults_total', { kind: 'store' }) ?? 0;
      ticks = valueOf(m, 'perfscope_serve_ticks_total') ?? 0;
    }
    assert.ok(faults > 0, `a store fault counted (stderr: ${err})`);
    assert.match(err, /perfscope serve: store: .*(file too large|EFBIG|full|disk|I\/O)/i);
    // Sampling goes on: the live table moves (serve's own metrics are re-rendered every 10 s only).
    const tickTime = async (): Promise<number> => ((await (await fetch(`${url}api/groups`)).json()) as { t: number }).t;
    const before = await tickTime();
    await sleep(1500);
    assert.ok((await tickTime()) > before, 'sampling goes on');
    assert.ok(ticks > 0);
    // Rate-limited: at most one store line per minute, however many writes fail.
    assert.ok((err.match(/: store: /g) ?? []).length <= 2, err);
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
});

const noProm = missing(PROMETHEUS, PROMTOOL);

test('prometheus-config: promtool accepts it, and a real Prometheus scrapes serve with it (bearer auth)', { skip: noProm || noSqlite }, async () => {
  const d = tempDir('perfscope-promcfg-');
  const token = join(d, 'token');
  writeFileSync(token, 'tok-0123456789abcdefghij\n', { mode: 0o600 });
  const s = await startServe(['--auth-file', token, '--no-store']);
  const promPort = await freePort();
  try {
    const r = await cli(['prometheus-config', '--target', new URL(s.url).host, '--interval', '1s', '--auth-file', token, '--job', 'perfscope']);
    assert.equal(r.code, 0, r.stderr);
    assert.ok(!r.stdout.includes('tok-0123456789'), 'the token stays in its file');
    assert.match(r.stdout, /credentials_file: ".*token"/);
    const config = join(d, 'prometheus.yml');
    writeFileSync(config, r.stdout);
    const check = spawnSync(PROMTOOL, ['check', 'config', config], { encoding: 'utf8' });
    assert.equal(check.status, 0, check.stdout + check.stderr);
    const prom = await startEngine(PROMETHEUS, [`--config.file=${config}`, `--storage.tsdb.path=${join(d, 'data')}`, `--web.listen-address=127.0.0.1:${promPort}`], promPort);
    try {
      await queryUntil(prom.url, 'up{job="perfscope"}', (x) => (x[0]?.value[1] === '1' ? x : undefined));
      await queryUntil(prom.url, 'node_memory_MemTotal_bytes{job="perfscope"}', (x) => x[0]);
    } finally {
      await prom.stop();
    }
    // basic auth: the user name is printed, the password is read from --password-file
    const basic = join(d, 'basic');
    writeFileSync(basic, 'ops:pw-not-printed\n', { mode: 0o600 });
    const b = await cli(['prometheus-config', '--target', '127.0.0.1:9464', '--auth-file', basic, '--password-file', join(d, 'pw')]);
    assert.equal(b.code, 0);
    assert.match(b.stdout, /username: "ops"/);
    assert.ok(!b.stdout.includes('pw-not-printed'));
    writeFileSync(join(d, 'pw'), 'pw-not-printed\n');
    writeFileSync(config, b.stdout);
    assert.equal(spawnSync(PROMTOOL, ['check', 'config', config], { encoding: 'utf8' }).status, 0);
    assert.equal((await cli(['prometheus-config'])).code, 2);
    assert.equal((await cli(['prometheus-config', '--target', 'nohost'])).code, 2);
  } finally {
    await s.stop();
  }
});
