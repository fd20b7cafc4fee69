/**
 * analyzeLogs on generated logs of every format: exact statistics against the generator's own records,
 * the planted slowdown found and nothing else, patterns recovered, malformed lines counted with their
 * line numbers, gzip, stdin, several files, time ranges, and the sketch past the memory budget.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { analyzeLogs } from '../../../src/analysis/logs/analyze.js';
import { PerfscopeError } from '../../../src/core/errors.js';
import type { LogAnalysis } from '../../../src/analysis/logs/result.js';
import { ERROR_TEMPLATES, FORMATS, SLOWDOWN_FACTOR, SLOWED_KEY, WARNING_TEMPLATES, generateLog, type Format, type GenCall, type GenEntry } from '../../fixtures/logs/generate.js';
import { tempDir } from '../../helpers/cli.js';
import { keyOf, malformedLines, truthOf } from '../../helpers/log-truth.js';

const tmp = tempDir('perfscope-logs-analyze-');
after(() => tmp.cleanup());

const LINES = 6000;
const generated = new Map<Format, { file: string; bytes: Buffer; entries: GenEntry[] }>();
function log(format: Format): { file: string; bytes: Buffer; entries: GenEntry[] } {
  let g = generated.get(format);
  if (!g) {
    const { bytes, entries } = generateLog(format, { seed: 11, lines: LINES, malformedShare: 0.02 });
    const file = join(tmp.dir, `app.${format}.log`);
    writeFileSync(file, bytes);
    generated.set(format, (g = { file, bytes, entries }));
  }
  return g;
}

const rel = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);

function assertExact(r: LogAnalysis, format: Format, entries: readonly GenEntry[], inRange?: (c: GenCall) => boolean): void {
  const truth = truthOf(format, entries, inRange);
  assert.equal(r.groupCount, truth.size, 'one group per key');
  assert.equal(r.groups.length, truth.size);
  for (const g of r.groups) {
    const t = truth.get(g.key);
    assert.ok(t, `unexpected key ${g.key}`);
    assert.equal(g.count, t.count, `${g.key} count`);
    assert.equal(g.errors, t.errors, `${g.key} errors`);
    assert.equal(g.warnings, t.warnings, `${g.key} warnings`);
    for (const q of ['p50', 'p90', 'p95', 'p99', 'max'] as const) assert.equal(g[q], t[q], `${g.key} ${q} exact`);
    assert.ok(rel(g.mean, t.mean) < 1e-12, `${g.key} mean ${g.mean} vs ${t.mean}`);
    assert.ok(rel(g.sum, t.sum) < 1e-12, `${g.key} sum`);
    assert.ok(rel(g.share, t.share) < 1e-9, `${g.key} share`);
    assert.equal(g.errorRate, t.errors / t.count);
  }
}

for (const format of FORMATS) {
  test(`${format}: detected, exact per-key statistics, malformed lines with line numbers, slowest calls`, async () => {
    const { file, entries } = log(format);
    const r = await analyzeLogs({ files: [file], top: 0, slowest: 5 });
    assert.equal(r.format, format);
    assert.equal(r.key, format === 'text' || format === 'ecs' ? 'function' : 'route');
    assert.equal(r.lines, LINES);
    const calls = entries.filter((e): e is GenCall => e.kind === 'call');
    assert.equal(r.records, calls.length);
    assert.equal(r.other, 0);
    assert.equal(r.quantiles.method, 'exact');
    const bad = malformedLines(entries);
    assert.ok(bad.length > 50, `the fixture has malformed lines (${bad.length})`);
    assert.equal(r.malformed.count, bad.length);
    assert.deepEqual(r.malformed.lines, bad);
    const kinds = r.malformed.kinds;
    assert.equal(kinds.truncated + kinds.binary + kinds.foreign + kinds['bad-value'], bad.length);
    const expectedKinds = entries.filter((e) => e.kind === 'malformed').map((e) => (e.kind === 'malformed' ? e.malformed : ''));
    for (const k of ['truncated', 'binary', 'foreign', 'bad-value'] as const) assert.equal(kinds[k], expectedKinds.filter((x) => x === k).length, `${k} lines`);
    assertExact(r, format, entries);
    // slowest: the five largest written durations, with their lines
    const slow = [...calls].sort((a, b) => b.trueSeconds - a.trueSeconds || a.line - b.line).slice(0, 5);
    assert.deepEqual(
      r.slowest.map((s) => [s.key, s.line]),
      slow.map((c) => [keyOf(format, c), c.line]),
    );
    assert.ok(r.slowest.every((s) => s.file === file && s.timestamp !== null));
  });

  test(`${format}: the planted slowdown is the only change; ${format === 'nginx' ? 'no messages in access logs' : 'the 11 message templates'}`, async () => {
    const { file, entries } = log(format);
    const r = await analyzeLogs({ files: [file] });
    const slowed = entries.find((e): e is GenCall => e.kind === 'call' && e.spec.fn === SLOWED_KEY)!;
    assert.equal(r.changes.length, 1, JSON.stringify(r.changes));
    const c = r.changes[0]!;
    assert.equal(c.key, keyOf(format, slowed));
    assert.equal(c.metric, 'p50');
    assert.ok(c.factor! > SLOWDOWN_FACTOR / 1.25 && c.factor! < SLOWDOWN_FACTOR * 1.25, `factor ${c.factor}`);
    const middle = entries.find((e) => e.line > LINES / 2)!.timeMs;
    const windowMs = r.timeline!.windowSeconds * 1000;
    assert.ok(Math.abs(Date.parse(c.at) - middle) <= 2 * windowMs, `at ${c.at}, slowdown from ${new Date(middle).toISOString()}`);

    if (format === 'nginx') {
      assert.deepEqual(r.patterns, []);
      return;
    }
    const expected = new Map<string, { count: number; level: string; keys: Set<string> }>();
    for (const e of entries) {
      if (e.kind !== 'call') continue;
      const m = e.error ?? e.warning;
      if (!m) continue;
      let x = expected.get(m.template);
      if (!x) expected.set(m.template, (x = { count: 0, level: e.error ? 'ERROR' : 'WARNING', keys: new Set() }));
      x.count++;
      x.keys.add(keyOf(format, e));
    }
    assert.equal(expected.size, Object.keys(ERROR_TEMPLATES).length + WARNING_TEMPLATES.length);
    assert.deepEqual(
      new Map(r.patterns.map((p) => [p.template, { count: p.count, level: p.level }])),
      new Map([...expected].map(([t, x]) => [t, { count: x.count, level: x.level }])),
    );
    for (const p of r.patterns) {
      assert.deepEqual(new Set(p.keys), new Set([...expected.get(p.template)!.keys].sort().slice(0, 20)), `${p.template} keys`);
      assert.ok(p.example.length > 0 && p.firstSeen !== null && p.lastSeen! >= p.firstSeen!);
    }
  });
}

test('steady logs: no change reported, whatever the seed', async () => {
  for (const seed of [1, 2, 3, 4, 5, 6]) {
    const format = FORMATS[seed % 4]!;
    const { bytes } = generateLog(format, { seed, lines: 8000, slowdown: false });
    const file = join(tmp.dir, `steady-${seed}.log`);
    writeFileSync(file, bytes);
    const r = await analyzeLogs({ files: [file] });
    assert.deepEqual(r.changes, [], `seed ${seed} (${format})`);
  }
});

test('gzip files and gzip on stdin give the same analysis as the plain file', async () => {
  const { file, bytes } = log('text');
  const plain = await analyzeLogs({ files: [file], top: 0 });
  const gz = join(tmp.dir, 'app.text.log.gz');
  writeFileSync(gz, gzipSync(bytes));
  const fromGz = await analyzeLogs({ files: [gz], top: 0 });
  assert.equal(fromGz.inputs[0]!.gzip, true);
  assert.equal(fromGz.inputs[0]!.bytes, bytes.length);
  assert.deepEqual(fromGz.groups, plain.groups);
  assert.deepEqual(fromGz.malformed.lines, plain.malformed.lines);
  // gzip recognised by content, not by name
  const noExt = join(tmp.dir, 'compressed-without-extension');
  writeFileSync(noExt, gzipSync(bytes));
  assert.deepEqual((await analyzeLogs({ files: [noExt], top: 0 })).groups, plain.groups);
  const fromStdin = await analyzeLogs({ files: ['-'], top: 0, stdin: Readable.from(chunks(gzipSync(bytes), 777)) });
  assert.equal(fromStdin.inputs[0]!.file, '(stdin)');
  assert.equal(fromStdin.inputs[0]!.gzip, true);
  assert.deepEqual(fromStdin.groups, plain.groups);
});

test('stdin in odd-sized chunks, and several files read as one stream', async () => {
  const { file, bytes, entries } = log('ecs');
  const plain = await analyzeLogs({ files: [file], top: 0 });
  const fromStdin = await analyzeLogs({ files: ['-'], top: 0, stdin: Readable.from(chunks(bytes, 4093)) });
  assert.deepEqual(fromStdin.groups, plain.groups);
  assert.deepEqual(fromStdin.malformed.lines, plain.malformed.lines);
  // split at a line boundary into two files: same groups, malformed lines as file:line
  const cut = bytes.indexOf(10, Math.floor(bytes.length / 2)) + 1;
  const a = join(tmp.dir, 'part-a.log');
  const b = join(tmp.dir, 'part-b.log');
  writeFileSync(a, bytes.subarray(0, cut));
  writeFileSync(b, bytes.subarray(cut));
  const both = await analyzeLogs({ files: [a, b], top: 0 });
  assert.deepEqual(both.groups, plain.groups);
  const firstLines = bytes.subarray(0, cut).toString('utf8').split('\n').length - 1;
  assert.equal(both.inputs[0]!.lines + both.inputs[1]!.lines, LINES);
  assert.equal(both.inputs[0]!.lines, firstLines);
  assert.deepEqual(
    both.malformed.lines,
    malformedLines(entries).map((l) => (l <= firstLines ? `${a}:${l}` : `${b}:${l - firstLines}`)),
  );
});

test('a truncated gzip file: the lines before the cut are analysed and the cut is reported', async () => {
  const { bytes } = log('text');
  const gz = gzipSync(bytes);
  const file = join(tmp.dir, 'cut.log.gz');
  writeFileSync(file, gz.subarray(0, Math.floor(gz.length * 0.6)));
  const r = await analyzeLogs({ files: [file] });
  assert.ok(r.records > 1000 && r.records < LINES, `${r.records} calls before the cut`);
  assert.match(r.inputs[0]!.error ?? '', /gzip data ends early/);
  assert.ok(r.notes.some((n) => n.includes('gzip data ends early')));
});

test('--since/--until keep the calls of the range; the others are counted', async () => {
  const { file, entries } = log('nginx');
  const calls = entries.filter((e): e is GenCall => e.kind === 'call');
  const since = calls[1000]!.timeMs - (calls[1000]!.timeMs % 1000);
  const until = calls[4000]!.timeMs - (calls[4000]!.timeMs % 1000);
  const r = await analyzeLogs({ files: [file], top: 0, since: new Date(since).toISOString(), until });
  // nginx times have whole seconds
  const inRange = (c: GenCall): boolean => {
    const t = c.timeMs - (c.timeMs % 1000);
    return t >= since && t < until;
  };
  assertExact(r, 'nginx', entries, inRange);
  assert.equal(r.outsideTimeRange, calls.filter((c) => !inRange(c)).length);
});

test('Korean messages (lang ko) read exactly like English ones', async () => {
  const { bytes, entries } = generateLog('text', { seed: 5, lines: 3000, lang: 'ko', malformedShare: 0.01 });
  assert.match(bytes.toString('utf8'), /함수 \w+ 실행 시간: \d+\.\d{6}초\n/);
  assert.match(bytes.toString('utf8'), /함수 \w+ 실행 실패 \(\d+\.\d{6}초 후\): \w+Error: /);
  const file = join(tmp.dir, 'ko.log');
  writeFileSync(file, bytes);
  const r = await analyzeLogs({ files: [file], top: 0 });
  assert.equal(r.format, 'text');
  assert.equal(r.malformed.count, malformedLines(entries).length);
  assertExact(r, 'text', entries);
  assert.ok(r.patterns.some((p) => p.template === ERROR_TEMPLATES.ConnectionError));
});

test('past the memory budget: sketches within 1 % of the exact percentiles, counts and sums still exact, the change still found', async () => {
  const { file, entries } = log('pino');
  const r = await analyzeLogs({ files: [file], top: 0, memoryBudgetBytes: 32 * 1500 });
  assert.equal(r.quantiles.method, 'sketch');
  assert.ok(r.quantiles.method === 'sketch' && r.quantiles.relativeError === 0.01 && /memory budget/.test(r.quantiles.reason));
  const truth = truthOf('pino', entries);
  assert.equal(r.groupCount, truth.size);
  for (const g of r.groups) {
    const t = truth.get(g.key)!;
    assert.ok(t, g.key);
    assert.equal(g.count, t.count);
    assert.equal(g.errors, t.errors);
    assert.equal(g.max, t.max);
    assert.ok(rel(g.sum, t.sum) < 1e-12);
    for (const q of ['p50', 'p90', 'p95', 'p99'] as const) assert.ok(rel(g[q], t[q]) <= 0.01 + 1e-12, `${g.key} ${q}: ${g[q]} vs ${t[q]}`);
  }
  assert.deepEqual(
    r.changes.map((c) => [c.key, c.metric]),
    [['GET /api/orders/:uuid', 'p50']],
  );
});

test('no supported format: every line malformed, format null, nothing analysed', async () => {
  const file = join(tmp.dir, 'prose.txt');
  writeFileSync(file, 'It was a dark and stormy night.\nThe rain fell in torrents.\n\nExcept at occasional intervals.\n');
  const r = await analyzeLogs({ files: [file] });
  assert.equal(r.format, null);
  assert.equal(r.records, 0);
  assert.equal(r.lines, 4);
  assert.equal(r.malformed.count, 3);
  assert.equal(r.other, 1);
  assert.deepEqual(r.malformed.lines, [1, 2, 4]);
  assert.match(r.notes.join('\n'), /no supported format \(text, ecs, pino, nginx\)/);
});

test('numpy agrees to the last bit (when python3 with numpy is installed)', async (t) => {
  const python = ['python3', '/usr/bin/python3'].find((p) => spawnSync(p, ['-c', 'import numpy'], { stdio: 'ignore' }).status === 0);
  if (!python) {
    t.skip('no python3 with numpy here; the independent TypeScript reference covers it');
    return;
  }
  const { file, entries } = log('ecs');
  const r = await analyzeLogs({ files: [file], top: 0 });
  const truth = truthOf('ecs', entries);
  const input = JSON.stringify(Object.fromEntries([...truth].map(([k, g]) => [k, g.values])));
  const script = 'import json,sys,numpy\nd=json.load(sys.stdin)\nprint(json.dumps({k:[float(x) for x in numpy.percentile(numpy.array(v,dtype=numpy.float64),[50,90,95,99])] for k,v in d.items()}))';
  const numpy = JSON.parse(execFileSync(python, ['-c', script], { input, encoding: 'utf8' })) as Record<string, number[]>;
  for (const g of r.groups) assert.deepEqual([g.p50, g.p90, g.p95, g.p99], numpy[g.key], g.key);
});

function* chunks(buf: Buffer, size: number): Generator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, Math.min(buf.length, i + size));
}

test('many rare keys: every one counted, windows and distributions only where they are used', async () => {
  const { AsctimeFormatter, textLine } = await import('../../../src/logs/text-format.js');
  const ts = new AsctimeFormatter();
  const t0 = Date.UTC(2026, 10, 24, 17);
  const lines: string[] = [];
  for (let i = 0; i < 30_000; i++) lines.push(textLine(ts.format(t0 + i * 100), 'perf', 'INFO', `function fn_${i % 20_000} took 0.${String(1000 + (i % 997)).padStart(6, '0')} s`));
  const file = join(tmp.dir, 'many-keys.log');
  writeFileSync(file, lines.join(''));
  const r = await analyzeLogs({ files: [file], top: 5 });
  assert.equal(r.groupCount, 20_000);
  assert.equal(r.records, 30_000);
  assert.equal(r.groups.length, 5);
  assert.equal(r.timeline!.series.length, 5, 'series of the keys shown only');
  assert.ok(r.distribution.series.every((s) => s.counts.length === r.distribution.bounds.length));
  const sketched = await analyzeLogs({ files: [file], top: 5, memoryBudgetBytes: 32 * 5000 });
  assert.equal(sketched.quantiles.method, 'sketch');
  assert.equal(sketched.groupCount, 20_000);
  assert.deepEqual(
    sketched.groups.map((g) => [g.key, g.count, g.sum]),
    r.groups.map((g) => [g.key, g.count, g.sum]),
  );
});

test('an overlong line is malformed in its place, whether the format is named or detected', async () => {
  const { bytes } = generateLog('text', { seed: 8, lines: 200, malformedShare: 0 });
  const text = bytes.toString('utf8').split('\n');
  text.splice(100, 0, 'x'.repeat(17 * 1024 * 1024));
  const file = join(tmp.dir, 'overlong.log');
  writeFileSync(file, text.join('\n'));
  for (const format of ['auto', 'text'] as const) {
    const r = await analyzeLogs({ files: [file], format });
    assert.equal(r.format, 'text');
    assert.equal(r.records, 200);
    assert.equal(r.malformed.kinds.overlong, 1);
    assert.deepEqual(r.malformed.lines, [101]);
    assert.match(r.malformed.examples[0]!.reason, /17825792 bytes without a newline/);
    assert.deepEqual(r.notes, []);
  }
});

test('collectGarbage runs once when the route look-up tables were dropped after the pass; never for function keys', async () => {
  for (const format of FORMATS) {
    let calls = 0;
    const r = await analyzeLogs({ files: [log(format).file], top: 0, collectGarbage: () => void calls++ });
    assert.equal(calls, r.key === 'route' ? 1 : 0, `${format} (${r.key} keys): ${calls} collections`);
    assertExact(r, format, log(format).entries);
  }
  // not a function: refused before anything is read
  const bad = { files: [log('nginx').file], collectGarbage: 'gc' } as unknown as Parameters<typeof analyzeLogs>[0];
  await assert.rejects(analyzeLogs(bad), (e: unknown) => e instanceof PerfscopeError && e.code === 'EUSAGE' && /collectGarbage must be a function/.test(e.message));
});
