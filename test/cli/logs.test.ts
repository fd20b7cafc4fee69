/** `perfscope logs analyze` as a user runs it: tables, --json, --html, stdin, and every exit code. */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { LogAnalysis } from '../../src/analysis/logs/result.js';
import { ExitCode } from '../../src/core/errors.js';
import { generateLog } from '../fixtures/logs/generate.js';
import { bin, cli, repoRoot, tempDir, type CliResult } from '../helpers/cli.js';

const tmp = tempDir('perfscope-logs-cli-');
after(() => tmp.cleanup());
const { bytes: textLog } = generateLog('text', { seed: 4, lines: 3000, malformedShare: 0.01 });
const textFile = join(tmp.dir, 'app_performance.log');
writeFileSync(textFile, textLog);

/** Runs the CLI with `input` on stdin. */
function withStdin(args: string[], input: Buffer): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { cwd: repoRoot, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
    child.stdin.end(input);
  });
}

test('help: every flag, the formats, the exit codes and examples; the logs command lists analyze', async () => {
  const r = await cli(['logs', 'analyze', '--help']);
  assert.equal(r.code, 0);
  for (const flag of ['--format', '--key', '--route', '--json', '--html', '--top', '--slowest', '--since', '--until', '--window', '--memory', '--threads', '--quiet', '--help']) {
    assert.ok(r.stdout.includes(flag), `${flag} documented`);
  }
  for (const word of ['text', 'ecs', 'pino', 'nginx', 'Exit codes', 'Examples', "'-' reads stdin"]) assert.ok(r.stdout.includes(word), word);
  const top = await cli(['logs', '--help']);
  assert.equal(top.code, 0);
  assert.match(top.stdout, /analyze FILE\.\.\./);
  assert.match((await cli(['--help'])).stdout, /logs\s+analyse performance logs/);
});

test('a text log: the table, slowest calls, the change, patterns, malformed lines; exit 0', async () => {
  const r = await cli(['logs', 'analyze', textFile]);
  assert.equal(r.code, ExitCode.ok, r.stderr);
  assert.match(r.stdout, /Top 20 of 30 keys by total time:/);
  assert.match(r.stdout, /function\s+calls\s+errors\s+err %\s+warn\s+mean\s+p50\s+p90\s+p95\s+p99\s+max\s+share/);
  assert.match(r.stdout, /^ {2}report_export\s+\d+/m);
  assert.match(r.stdout, /Slowest calls:/);
  assert.match(r.stdout, /Changes over time:\n.*\n.*get_order\s+median/);
  assert.match(r.stdout, /ConnectionError: connection to <\*> timed out after <\*> ms/);
  assert.match(r.stdout, /Malformed lines: \d+ \(/);
  assert.match(r.stdout, /line \d+ \((truncated|binary|foreign|bad-value)\)/);
  assert.equal(r.stderr, '', 'no progress output when stderr is not a terminal');
});

test('--json: one object with every field; --top 0 lists all keys; --slowest', async () => {
  const r = await cli(['logs', 'analyze', '--json', '--top', '0', '--slowest', '3', textFile]);
  assert.equal(r.code, 0, r.stderr);
  const a = JSON.parse(r.stdout) as LogAnalysis;
  for (const k of ['format', 'lines', 'records', 'malformed', 'groups', 'slowest', 'changes', 'patterns', 'timeline', 'distribution', 'quantiles']) assert.ok(k in a, k);
  assert.equal(a.format, 'text');
  assert.equal(a.lines, 3000);
  assert.equal(a.groups.length, 30);
  assert.equal(a.slowest.length, 3);
  assert.deepEqual(Object.keys(a.groups[0]!), ['key', 'count', 'errors', 'warnings', 'errorRate', 'mean', 'p50', 'p90', 'p95', 'p99', 'max', 'sum', 'share']);
  assert.deepEqual(Object.keys(a.malformed.examples[0]!), ['file', 'line', 'kind', 'reason', 'text']);
});

test('stdin (plain and gzip), --format, --html written whole', async () => {
  const plain = await withStdin(['logs', 'analyze', '--json', '-'], textLog);
  assert.equal(plain.code, 0, plain.stderr);
  const fromFile = JSON.parse((await cli(['logs', 'analyze', '--json', textFile])).stdout) as LogAnalysis;
  const fromStdin = JSON.parse(plain.stdout) as LogAnalysis;
  assert.deepEqual(fromStdin.groups, fromFile.groups);
  const html = join(tmp.dir, 'out', 'report.html');
  mkdirSync(join(tmp.dir, 'out'));
  const gz = await withStdin(['logs', 'analyze', '--format', 'text', '--html', html, '-'], gzipSync(textLog));
  assert.equal(gz.code, 0, gz.stderr);
  assert.match(gz.stderr, /wrote .*report\.html/);
  const page = readFileSync(html, 'utf8');
  assert.ok(page.startsWith('<!doctype html>') && page.includes('get_order'));
  assert.deepEqual(readdirSync(join(tmp.dir, 'out')), ['report.html'], 'no temp file left');
});

test('exit 1: nothing usable (only malformed lines), or no supported format', async () => {
  const junk = join(tmp.dir, 'junk.log');
  writeFileSync(junk, '2026-11-24 17:00:00,017 - perf - INFO - function f took nan s\n2026-11-24 17:00:01,017 - perf - INFO - function f took \n');
  let r = await cli(['logs', 'analyze', '--format', 'text', junk]);
  assert.equal(r.code, ExitCode.failure);
  assert.match(r.stderr, /nothing usable: 2 lines, 2 malformed, no timed calls/);
  assert.match(r.stdout, /Malformed lines: 2 \(truncated 1, bad-value 1\)/);
  const prose = join(tmp.dir, 'prose.txt');
  writeFileSync(prose, 'just some text\nand more\n');
  r = await cli(['logs', 'analyze', prose]);
  assert.equal(r.code, ExitCode.failure);
  assert.match(r.stderr, /no supported format reads the first lines of .*prose\.txt \(supported: text, ecs, pino, nginx; name one with --format\)/);
  const empty = join(tmp.dir, 'empty.log');
  writeFileSync(empty, '');
  assert.equal((await cli(['logs', 'analyze', empty])).code, ExitCode.failure);
});

test('exit 2 on bad usage, with one line naming the problem; 5 for a missing file', async () => {
  const cases: [string[], RegExp][] = [
    [['logs'], /missing subcommand/],
    [['logs', 'frobnicate'], /unknown subcommand 'frobnicate'/],
    [['logs', 'analyze'], /missing FILE/],
    [['logs', 'analyze', '--format', 'xml', textFile], /unknown format 'xml' \(supported: auto, text, ecs, pino, nginx\)/],
    [['logs', 'analyze', '--key', 'host', textFile], /--key must be function or route/],
    [['logs', 'analyze', '--format', 'nginx', '--key', 'function', textFile], /--key function does not apply to nginx/],
    [['logs', 'analyze', '--top', 'many', textFile], /--top must be a whole number/],
    [['logs', 'analyze', '--since', 'yesterday', textFile], /since must be a time like/],
    [['logs', 'analyze', '--since', '2026-11-25', '--until', '2026-11-24', textFile], /since must be before until/],
    [['logs', 'analyze', '--memory', 'lots', textFile], /--memory must be a size/],
    [['logs', 'analyze', '--window', '0', textFile], /--window must be/],
    [['logs', 'analyze', '--route', 'api/x', textFile], /route template must start with '\/'/],
    [['logs', 'analyze', '--bogus', textFile], /unknown option '--bogus'/],
    ...['0', '-1', 'two', '1.5', '', '65'].map((n): [string[], RegExp] => [['logs', 'analyze', `--threads=${n}`, textFile], /--threads must be a whole number from 1 to 64, got/]),
    [['logs', 'analyze', tmp.dir], /is a directory/],
  ];
  for (const [args, message] of cases) {
    const r = await cli(args);
    assert.equal(r.code, ExitCode.usage, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split('\n').length, 1, 'one line, no stack');
  }
  const missing = await cli(['logs', 'analyze', join(tmp.dir, 'nope.log')]);
  assert.equal(missing.code, ExitCode.notFound);
  assert.match(missing.stderr, /nope\.log: no such file/);
});

test('escape sequences in log keys never reach the terminal raw', async () => {
  const file = join(tmp.dir, 'evil.log');
  const name = 'evil\u001b[2J\u001b]0;pwned\u0007\u009b31m';
  writeFileSync(file, Array.from({ length: 5 }, (_, i) => `2026-11-24 17:00:0${i},000 - perf - ERROR - function ${name} failed after 0.${i + 1}00000 s: Error: \u001b[31mred\u001b[0m\n`).join(''));
  const table = await cli(['logs', 'analyze', file]);
  assert.equal(table.code, 0, table.stderr);
  const json = await cli(['logs', 'analyze', '--json', file]);
  for (const out of [table.stdout, json.stdout]) {
    // eslint-disable-next-line no-control-regex
    assert.doesNotMatch(out, /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/, 'no raw control character');
  }
  assert.ok(table.stdout.includes('evil\\x1b[2J\\x1b]0;pwned\\x07\\x9b31m'));
  assert.equal((JSON.parse(json.stdout) as LogAnalysis).groups[0]!.key, name, 'JSON keeps the key, escaped');
});

/** Splits any file (the fixtures are far below the 16 MiB default). */
const SPLIT_ANY = { PERFSCOPE_LOGS_SPLIT_MIN_BYTES: '0' };

test('--threads 2 and 3: the --json output and the --html report equal --threads 1, for every format', async () => {
  for (const format of ['text', 'ecs', 'pino', 'nginx'] as const) {
    const file = join(tmp.dir, `threads.${format}.log`);
    writeFileSync(file, generateLog(format, { seed: 21, lines: 4000, malformedShare: 0.02 }).bytes);
    const one = await cli(['logs', 'analyze', '--json', '--top', '0', '--slowest', '30', '--threads', '1', '--html', join(tmp.dir, `${format}-1.html`), file]);
    assert.equal(one.code, 0, one.stderr);
    for (const threads of ['2', '3']) {
      const many = await cli(['logs', 'analyze', '--json', '--top', '0', '--slowest', '30', '--threads', threads, '--html', join(tmp.dir, `${format}-${threads}.html`), file], { env: SPLIT_ANY });
      assert.equal(many.code, 0, many.stderr);
      assert.deepStrictEqual(JSON.parse(many.stdout) as LogAnalysis, JSON.parse(one.stdout) as LogAnalysis, `${format} --threads ${threads}`);
      assert.ok(readFileSync(join(tmp.dir, `${format}-${threads}.html`)).equals(readFileSync(join(tmp.dir, `${format}-1.html`))), `${format} --threads ${threads}: the same report`);
    }
  }
});

test('a failing worker thread: one error line, exit 74, nothing on stdout', async () => {
  const r = await cli(['logs', 'analyze', '--json', '--threads', '2', textFile], { env: { ...SPLIT_ANY, PERFSCOPE_TEST_RANGE_WORKER_FAULT: 'throw' } });
  assert.equal(r.code, ExitCode.io, r.stderr);
  assert.equal(r.stdout, '');
  assert.equal(r.stderr.trim().split('\n').length, 1, `one line, no stack: ${r.stderr}`);
  assert.match(r.stderr, /^perfscope: logs analyze: the thread reading bytes \d+-\d+ of .*app_performance\.log failed: .*\(--threads 1 reads on one thread\)$/m);
});
