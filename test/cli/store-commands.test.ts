import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { main } from '../../src/cli/main.js';
import type { CliIo } from '../../src/cli/command.js';
import { RunStore } from '../../src/store/store.js';
import { readRunFile } from '../../src/store/run-file.js';
import { makeMeta, tempDir } from '../store/helpers.js';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

async function cli(args: string[], env: NodeJS.ProcessEnv = {}) {
  const stdout = new Capture();
  const stderr = new Capture();
  const io: CliIo = { stdout, stderr, env };
  const code = await main(args, io);
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** A store with one finished run (id 1) and one run still recording by this process (id 2). */
function makeStore(t: { after(fn: () => void): void }) {
  const dir = tempDir(t);
  const path = join(dir, 'runs.db');
  const store = RunStore.open({ path });
  const meta = makeMeta({ command: ['node', 'my app.js'] });
  const w = store.createRun(meta);
  w.addProcess({ pid: 4242, ppid: 1, comm: 'node', cmdline: 'node my app.js', firstSeen: 0 });
  for (let i = 0; i < 21; i++) {
    w.append('tree', i / 10, {
      cpu_percent: i === 0 ? null : i * 5,
      cpu_user_seconds: i * 0.04,
      cpu_system_seconds: i * 0.01,
      rss_bytes: 1024 * 1024 * (10 + i),
      memory_percent: 2,
      io_read_bytes: 1024 * i,
      io_write_bytes: 2048 * i,
    });
    w.append('system', i / 10, { load1: 1 });
    w.append(4242, i / 10, { rss_bytes: i });
  }
  w.finish({ endedAtMs: meta.startedAtMs + 2000, exitCode: 3, sampleCount: 21, missedDeadlines: 1 });
  const w2 = store.createRun(makeMeta({ command: null, pid: 999 }));
  w2.append('tree', 0, { cpu_percent: null });
  w2.flush(true);
  store.close();
  return { dir, path };
}

function assertOneLineError(r: { code: number; stdout: string; stderr: string }, code: number, pattern: RegExp) {
  assert.equal(r.code, code, r.stderr);
  assert.equal(r.stdout, '');
  assert.match(r.stderr, /^perfscope: [^\n]+\n$/, 'one line');
  assert.match(r.stderr, pattern);
  assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack');
}

test('ls lists runs with their state; the store comes from --store or PERFSCOPE_STORE', async (t) => {
  const { path } = makeStore(t);
  const r = await cli(['ls', '--store', path]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^ID\s+STARTED \(UTC\)\s+DURATION\s+SAMPLES\s+EXIT\s+STATE\s+COMMAND$/);
  assert.match(lines[1]!, /^ 1 {2}2025-01-02 03:04:05 {4}2\.00 s {7}21 {2}3 {5}finished {3}node 'my app\.js'$/);
  assert.match(lines[2]!, /^ 2 .* recording {2}PID 999 \(watched\)$/);
  const viaEnv = await cli(['ls'], { PERFSCOPE_STORE: path });
  assert.equal(viaEnv.stdout, r.stdout);
});

test('ls on an empty store says so', async (t) => {
  const path = join(tempDir(t), 'empty.db');
  RunStore.open({ path }).close();
  const r = await cli(['ls', '--store', path]);
  assert.equal(r.code, 0);
  assert.equal(r.stdout, `no runs in ${path}\n`);
});

test('show prints metadata and the summary table', async (t) => {
  const { path } = makeStore(t);
  const r = await cli(['show', '1', '--store', path]);
  assert.equal(r.code, 0, r.stderr);
  for (const re of [
    /^Run +1 \(finished\)$/m,
    /^ {2}Command +node 'my app\.js'$/m,
    /^ {2}Exit status +3$/m,
    /^ {2}Wall time +2\.00 s$/m,
    /^ {2}User CPU time +800\.0 ms$/m,
    /^ {2}System CPU time +200\.0 ms$/m,
    /^ {2}CPU % +mean 52\.5 % {3}p50 52\.5 % {3}p95 95\.3 % {3}max 100\.0 %$/m,
    /^ {2}Peak RSS +30\.0 MiB \(largest sample\)$/m,
    /^ {2}Mean memory % +2\.0 %$/m,
    /^ {2}I\/O read +20\.0 KiB$/m,
    /^ {2}I\/O written +40\.0 KiB$/m,
    /^ {2}Samples +21 \(every 100\.0 ms\)$/m,
    /^ {2}Missed deadlines +1$/m,
    /^ {2}Processes seen +1$/m,
  ]) {
    assert.match(r.stdout, re);
  }
  const rec = await cli(['show', '2', '--store', path]);
  assert.match(rec.stdout, /^Run +2 \(recording\)$/m);
  assert.match(rec.stdout, /CPU time and I\/O count from the first sample/);
});

test('export writes JSON (stdout or -o FILE) and CSV by scope', async (t) => {
  const { dir, path } = makeStore(t);
  const json = await cli(['export', '1', '--store', path]);
  assert.equal(json.code, 0, json.stderr);
  const out = join(dir, 'run1.json');
  const file = await cli(['export', '1', '-o', out, '--store', path]);
  assert.equal(file.code, 0, file.stderr);
  assert.equal(file.stdout, '');
  assert.equal(readFileSync(out, 'utf8'), json.stdout);
  const run = readRunFile(out);
  assert.equal(run.meta.id, 1);
  assert.equal(run.samples.timestamp.length, 21);
  const csv = await cli(['export', '1', '--format', 'csv', '--store', path]);
  assert.match(csv.stdout, /^timestamp,cpu_percent,cpu_user_seconds,/);
  assert.equal(csv.stdout.trimEnd().split('\n').length, 22);
  assert.equal((await cli(['export', '1', '--format', 'csv', '--scope', 'system', '--store', path])).stdout.split('\n')[1], '0,1');
  assert.equal((await cli(['export', '1', '--format', 'csv', '--scope', '4242', '--store', path])).stdout.split('\n')[2], '0.1,1');
});

test('user errors are one line with the right exit code', async (t) => {
  const { dir, path } = makeStore(t);
  assertOneLineError(await cli(['show', '12', '--store', path]), 5, new RegExp(`no run 12 in ${path}`));
  assertOneLineError(await cli(['show', 'abc', '--store', path]), 2, /show: RUN must be a run id, 'last' or -1, -2, \.\.\., got 'abc'/);
  assertOneLineError(await cli(['show', '--store', path]), 2, /show: missing RUN/);
  assertOneLineError(await cli(['show', '1', '--store', join(dir, 'nope.db')]), 5, /no store at .*nope\.db/);
  const none = await cli(['ls', '--store', join(dir, 'nope.db')]);
  assert.equal(none.code, 0, 'nothing recorded yet is not an error for ls');
  assert.match(none.stdout, /no runs yet/);
  assertOneLineError(await cli(['export', '1', '--format', 'xml', '--store', path]), 2, /--format must be json, csv or openmetrics, got 'xml'/);
  assertOneLineError(await cli(['export', '1', '--scope', 'system', '--store', path]), 2, /--scope applies to --format csv only/);
  assertOneLineError(await cli(['export', '1', '--format', 'csv', '--scope', '77', '--store', path]), 2, /no process 77 in run 1/);
  // Output paths are checked before anything is read or written (issue 11.3): a usage error.
  assertOneLineError(await cli(['export', '1', '-o', join(dir, 'no', 'x.json'), '--store', path]), 2, /export: cannot write .*x\.json: no such directory/);
  assertOneLineError(await cli(['ls', '--bogus']), 2, /ls: unknown option '--bogus'/);
  assert.equal(existsSync(join(dir, 'nope.db')), false, 'reading never creates a store');
});

test('every store command has help with an example', async () => {
  for (const name of ['ls', 'show', 'export', 'rm', 'prune']) {
    const r = await cli([name, '--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, new RegExp(`^Usage: perfscope ${name}`));
    assert.match(r.stdout, /Example/);
  }
});

test('last and -1, -2 name runs everywhere a run is named; ls --json, show --json (issue 11.21)', async (t) => {
  const { dir, path } = makeStore(t);
  // makeStore: run 1 finished, run 2 still recording by this process.
  for (const ref of ['last', '-1']) {
    const show = await cli(['show', ref, '--store', path]);
    assert.equal(show.code, 0, `${ref}: ${show.stderr}`);
    assert.match(show.stdout, /^Run +2 \(recording\)$/m);
  }
  assert.match((await cli(['show', '-2', '--store', path])).stdout, /^Run +1 \(finished\)$/m);
  const exported = await cli(['export', '-2', '--store', path]);
  assert.equal(exported.code, 0, exported.stderr);
  assert.equal(JSON.parse(exported.stdout).meta.id, 1);
  assert.equal(JSON.parse((await cli(['export', 'last', '--store', path])).stdout).meta.id, 2);
  assertOneLineError(await cli(['show', '-3', '--store', path]), 5, /no run -3 in .*: it holds 2 runs/);
  assertOneLineError(await cli(['show', '0', '--store', path]), 2, /RUN must be a run id/);

  const ls = await cli(['ls', '--json', '--store', path]);
  assert.equal(ls.code, 0, ls.stderr);
  const rows = JSON.parse(ls.stdout);
  assert.deepEqual(rows.map((r: { id: number; status: string; command: string[] | null }) => [r.id, r.status, r.command]), [
    [1, 'finished', ['node', 'my app.js']],
    [2, 'recording', null],
  ]);
  assert.equal(JSON.parse((await cli(['ls', '--json', '--store', join(dir, 'none.db')])).stdout).length, 0);
  const shown = JSON.parse((await cli(['show', '1', '--json', '--store', path])).stdout);
  assert.equal(shown.status, 'finished');
  assert.equal(shown.meta.exitCode, 3);
  assert.equal(shown.summary.samples, 21);
  assert.equal(shown.summary.peakRssBytes, 30 * 1024 * 1024);
});

test('rm RUN... removes runs (all or none; a recording run only with --force); prune --older-than AGE (issue 11.21)', async (t) => {
  const { path } = makeStore(t);
  const store = RunStore.open({ path });
  for (const days of [40, 35]) {
    const meta = makeMeta({ startedAtMs: Date.now() - days * 86_400_000, startedAt: new Date(Date.now() - days * 86_400_000).toISOString() });
    const w = store.createRun(meta);
    w.append('tree', 0, { cpu_percent: null });
    w.finish({ endedAtMs: meta.startedAtMs + 1000 });
  }
  const w = store.createRun(makeMeta({ startedAtMs: Date.now() - 3_600_000, startedAt: new Date(Date.now() - 3_600_000).toISOString() }));
  w.finish({});
  store.close();
  // Runs now: 1 (2025, finished), 2 (2025, recording by this process), 3 (40 days), 4 (35 days), 5 (an hour ago).
  assertOneLineError(await cli(['rm', '2', '--store', path]), 2, /run 2 is still being recorded/);
  assertOneLineError(await cli(['rm', '5', '99', '--store', path]), 5, /no run 99/);
  assert.equal(JSON.parse((await cli(['ls', '--json', '--store', path])).stdout).length, 5, 'all or none');
  const dry = await cli(['prune', '--older-than', '30d', '--dry-run', '--store', path]);
  assert.equal(dry.code, 0, dry.stderr);
  assert.equal(dry.stdout, 'would remove 3 runs started more than 30d ago: 1, 3, 4\n', 'the recording run is kept');
  const pruned = await cli(['prune', '--older-than', '30d', '--store', path]);
  assert.equal(pruned.stdout, 'removed 3 runs started more than 30d ago: 1, 3, 4\n');
  assert.deepEqual(JSON.parse((await cli(['ls', '--json', '--store', path])).stdout).map((r: { id: number }) => r.id), [2, 5]);
  const rm = await cli(['rm', 'last', '--store', path]);
  assert.equal(rm.stdout, 'removed run 5\n');
  assert.equal((await cli(['rm', '-1', '--force', '--store', path])).stdout, 'removed run 2\n');
  assertOneLineError(await cli(['prune', '--store', path]), 2, /prune: give --older-than AGE/);
  assertOneLineError(await cli(['prune', '--older-than', 'soon', '--store', path]), 2, /--older-than must be a positive number/);
});

test('ls and show escape control characters of stored command lines and names (issue 11.14)', async (t) => {
  const dir = tempDir(t);
  const path = join(dir, 'runs.db');
  const store = RunStore.open({ path });
  const hostile = ['node', '\u001b]0;pwned\u0007\u001b[2Jclear', 'tab\tok'];
  const w = store.createRun(makeMeta({ command: hostile, host: 'evil\u001b[31mhost' }));
  w.append('tree', 0, { cpu_percent: null });
  w.finish({ endedAtMs: makeMeta().startedAtMs + 1000, exitCode: 0 });
  store.close();
  const ls = await cli(['ls', '--store', path]);
  const show = await cli(['show', '1', '--store', path]);
  for (const out of [ls.stdout, show.stdout]) {
    const controls = [...out].filter((ch) => ch !== '\n' && ch !== '\t' && (ch < ' ' || (ch >= '\u007f' && ch <= '\u009f')));
    assert.deepEqual(controls, [], 'no control character reaches the terminal');
    assert.ok(out.includes("node $'\\e]0;pwned\\x07\\e[2Jclear' 'tab\tok'"), out);
  }
  assert.ok(show.stdout.includes('on evil\\e[31mhost'), show.stdout);
  // JSON keeps the exact strings (escaped the JSON way).
  assert.deepEqual(JSON.parse((await cli(['ls', '--json', '--store', path])).stdout)[0].command, hostile);
});

test('a read-only store can be read: ls, show and export work without write access (issue 11.23)', async (t) => {
  const { dir, path } = makeStore(t);
  // A store cleanly closed (no -wal, no -shm) in a directory its reader cannot write: a read-only
  // mount for root (who may write anywhere else), a read-only directory for anyone else.
  const src = join(dir, 'src');
  const roDir = join(dir, 'ro');
  mkdirSync(src);
  mkdirSync(roDir);
  copyFileSync(path, join(src, 'runs.db'));
  const root = process.getuid?.() === 0;
  if (root) {
    execFileSync('mount', ['--bind', src, roDir]);
    execFileSync('mount', ['-o', 'remount,ro,bind', roDir]);
  } else {
    copyFileSync(path, join(roDir, 'runs.db'));
    chmodSync(join(roDir, 'runs.db'), 0o444);
    chmodSync(roDir, 0o555);
  }
  try {
    const roPath = join(roDir, 'runs.db');
    const ls = await cli(['ls', '--store', roPath]);
    assert.equal(ls.code, 0, ls.stderr);
    assert.match(ls.stdout, /^ 1 .* finished/m);
    const show = await cli(['show', '1', '--store', roPath]);
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, /Exit status +3/);
    assert.equal(JSON.parse((await cli(['export', '1', '--store', roPath])).stdout).samples.timestamp.length, 21);
    assert.deepEqual(readdirSync(roDir), ['runs.db'], 'nothing created beside it');
  } finally {
    if (root) execFileSync('umount', [roDir]);
  }
});
