import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { existsSync, readFileSync } from 'node:fs';
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
    /^ {2}Peak RSS +30\.0 MiB$/m,
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
  assertOneLineError(await cli(['export', '1', '--format', 'xml', '--store', path]), 2, /--format must be json or csv, got 'xml'/);
  assertOneLineError(await cli(['export', '1', '--scope', 'system', '--store', path]), 2, /--scope applies to --format csv only/);
  assertOneLineError(await cli(['export', '1', '--format', 'csv', '--scope', '77', '--store', path]), 2, /no process 77 in run 1/);
  // Output paths are checked before anything is read or written (issue 11.3): a usage error.
  assertOneLineError(await cli(['export', '1', '-o', join(dir, 'no', 'x.json'), '--store', path]), 2, /export: cannot write .*x\.json: no such directory/);
  assertOneLineError(await cli(['ls', '--bogus']), 2, /ls: unknown option '--bogus'/);
  assert.equal(existsSync(join(dir, 'nope.db')), false, 'reading never creates a store');
});

test('every store command has help with an example', async () => {
  for (const name of ['ls', 'show', 'export']) {
    const r = await cli([name, '--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, new RegExp(`^Usage: perfscope ${name}`));
    assert.match(r.stdout, /Example/);
  }
});
