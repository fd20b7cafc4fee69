/**
 * analyzeLogs split over threads (split.ts) gives exactly the one-thread result: every format, 2 and 3
 * threads, several files, time ranges, keys and route templates, cuts inside a UTF-8 character and a
 * CRLF, a last line without a newline, huge lines; the memory budget and a failing worker.
 * Each case checks that the input really was split (planSplit's parts, analyzeSplit not giving up), so
 * a wrong merge cannot hide behind the one-thread fallback.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeLogs } from '../../../src/analysis/logs/analyze.js';
import { resolveOptions, type AnalyzeLogsOptions } from '../../../src/analysis/logs/options.js';
import { FAULT_ENV } from '../../../src/analysis/logs/range-worker.js';
import type { LogAnalysis } from '../../../src/analysis/logs/result.js';
import { analyzeSplit, cutTargets, planSplit } from '../../../src/analysis/logs/split.js';
import { PerfscopeError } from '../../../src/core/errors.js';
import { FORMATS, generateLog, type Format } from '../../fixtures/logs/generate.js';
import { tempDir } from '../../helpers/cli.js';

const tmp = tempDir('perfscope-logs-split-');
after(() => tmp.cleanup());

let fileNo = 0;
function file(bytes: Buffer | string): string {
  const path = join(tmp.dir, `log-${fileNo++}.log`);
  writeFileSync(path, bytes);
  return path;
}

const logs = new Map<Format, string>();
function log(format: Format): string {
  let path = logs.get(format);
  if (path === undefined) {
    path = file(generateLog(format, { seed: 11, lines: 6000, malformedShare: 0.02 }).bytes);
    logs.set(format, path);
  }
  return path;
}

/**
 * The one-thread result, and the split one with `threads` (asserting the input is split into that many
 * parts and the split is not given up), through analyzeSplit and through analyzeLogs.
 */
async function compare(options: Omit<AnalyzeLogsOptions, 'threads'>, threads: number, parts = threads): Promise<{ one: LogAnalysis; split: LogAnalysis }> {
  const one = await analyzeLogs({ ...options, threads: 1 });
  const o = resolveOptions({ ...options, threads, splitMinBytes: 0 });
  const plan = planSplit(o);
  assert.ok(plan !== null, 'the input is split');
  assert.equal(plan.parts.length, parts, 'parts');
  const split = await analyzeSplit(o, plan);
  assert.ok(split !== null, 'the split was not given up');
  assert.deepStrictEqual(split, one);
  assert.deepStrictEqual(await analyzeLogs({ ...options, threads, splitMinBytes: 0 }), one);
  return { one, split };
}

for (const format of FORMATS) {
  test(`${format}: 2 and 3 threads give the one-thread result (groups, malformed lines, slowest, changes, patterns, timeline)`, async () => {
    for (const threads of [2, 3]) {
      const { one } = await compare({ files: [log(format)], top: 0, slowest: 25 }, threads);
      // the fixture has all of these, so the equality covers them
      assert.ok(one.malformed.count > 50 && one.malformed.lines.length > 50, 'malformed lines');
      assert.ok(one.slowest.length === 25 && one.changes.length > 0, 'slowest, changes');
      // nginx lines carry no messages
      assert.ok(format === 'nginx' || one.patterns.length > 5, 'patterns');
      assert.ok(one.timeline !== null && one.timeline.series.length > 0, 'timeline');
    }
  });
}

test('options that act during the pass: --since/--until, --key route on ECS, route templates, window, top', async () => {
  const nginx = await analyzeLogs({ files: [log('nginx')], threads: 1 });
  const start = Date.parse(nginx.timeRange!.start);
  const end = Date.parse(nginx.timeRange!.end);
  const since = start + (end - start) / 4;
  const until = start + (3 * (end - start)) / 4;
  const { one } = await compare({ files: [log('nginx')], since, until, routes: ['/api/products/:sku', '/static/*'], windowMs: 60_000, top: 5, slowest: 3 }, 2);
  assert.ok(one.outsideTimeRange > 0);
  assert.ok(one.groups.some((g) => g.key === 'GET /api/products/:sku'));
  await compare({ files: [log('ecs')], key: 'route', top: 0 }, 3);
  await compare({ files: [log('pino')], key: 'function', top: 0 }, 2);
  await compare({ files: [log('text')], format: 'text', since, top: 0 }, 2);
});

test('several files: parts cross file boundaries, line numbers are per file, an empty last file stays an input', async () => {
  const a = generateLog('text', { seed: 3, lines: 2500, malformedShare: 0.03 }).bytes;
  const b = generateLog('text', { seed: 4, lines: 1500, malformedShare: 0.03, startMs: Date.UTC(2026, 10, 24, 19, 0, 0) }).bytes;
  const files = [file(a), file(b), file(generateLog('text', { seed: 5, lines: 800, malformedShare: 0.03 }).bytes), file('')];
  const { one } = await compare({ files, top: 0, slowest: 40 }, 3);
  assert.equal(one.inputs.length, 4);
  assert.ok(one.malformed.lines.some((l) => typeof l === 'string' && l.startsWith(`${files[1]}:`)), 'file:line numbers');
  await compare({ files, top: 0 }, 2);
});

/**
 * `bytes` after a first line (a foreign line: malformed in both runs) long enough that the 2-thread cut
 * falls on a byte `at` accepts (the byte before it is given too).
 */
function cutWhere(bytes: Buffer, at: (byte: number, before: number) => boolean): Buffer {
  for (let pad = 2; pad < 100_000; pad++) {
    const all = Buffer.concat([Buffer.from(`${'x'.repeat(pad - 1)}\n`), bytes]);
    const cut = cutTargets(all.length, 2)[0]!;
    if (at(all[cut]!, all[cut - 1]!)) return all;
  }
  throw new Error('no padding puts the cut there');
}

test('a cut inside a multi-byte UTF-8 character or between CR and LF moves to the next line start', async () => {
  // text lines with 2- and 3-byte characters in the function names, CRLF line ends
  const text = generateLog('text', { seed: 8, lines: 3000, malformedShare: 0.01 })
    .bytes.toString('utf8')
    .replace(/function (\w+)/g, 'function $1_ключ€')
    .replace(/\n/g, '\r\n');
  const bytes = Buffer.from(text, 'utf8');
  // inside the 3 bytes of '€' (e2 82 ac): at its last byte
  const inChar = cutWhere(bytes, (byte, before) => byte === 0xac && before === 0x82);
  const { one } = await compare({ files: [file(inChar)], top: 0 }, 2);
  assert.ok(one.groups.some((g) => g.key.endsWith('_ключ€')));
  const inCrlf = cutWhere(bytes, (byte, before) => byte === 10 && before === 13);
  await compare({ files: [file(inCrlf)], top: 0 }, 2);
});

test('a last line without a newline; a single huge line; a huge line where the cut falls', async () => {
  const text = generateLog('ecs', { seed: 9, lines: 3000, malformedShare: 0.02 }).bytes;
  await compare({ files: [file(text.subarray(0, text.length - 1))], top: 0 }, 3);
  // one line of 3 MB: nothing to split at (one thread reads it)
  const huge = file(`${'y'.repeat(3_000_000)}`);
  assert.equal(planSplit(resolveOptions({ files: [huge], threads: 2, splitMinBytes: 0 })), null);
  // 2,000 calls, then an 18 MB line (over the 16 MiB line limit: malformed), then 2,000 calls: the cut
  // falls in the huge line and moves past it
  const before = generateLog('text', { seed: 10, lines: 2000 }).bytes;
  const afterIt = generateLog('text', { seed: 12, lines: 2000 }).bytes;
  const withHuge = file(Buffer.concat([before, Buffer.alloc(18_000_000, 'z'), Buffer.from('\n'), afterIt]));
  const { one } = await compare({ files: [withHuge], top: 0 }, 2);
  assert.equal(one.malformed.kinds.overlong, 1);
  assert.deepEqual(one.malformed.examples.find((e) => e.kind === 'overlong')?.line, 2001);
});

test('past the memory budget: one thread reads it (sketch mode says so), also when the first MiB under-estimates the calls', async () => {
  const path = log('nginx');
  // the estimate from the first MiB is over the budget: not split
  const small = { files: [path], top: 0, memoryBudgetBytes: 64 * 1024 };
  assert.equal(planSplit(resolveOptions({ ...small, threads: 2, splitMinBytes: 0 })), null);
  const one = await analyzeLogs({ ...small, threads: 1 });
  assert.equal(one.quantiles.method, 'sketch');
  assert.deepStrictEqual(await analyzeLogs({ ...small, threads: 2, splitMinBytes: 0 }), one);
  // long foreign lines first (few lines in the first MiB), then 6,000 short calls: split, the budget is
  // reached during the pass, the split is given up and one thread reads it again
  const junk = Buffer.from(`${'j'.repeat(1999)}\n`.repeat(700));
  const text = generateLog('text', { seed: 13, lines: 6000 }).bytes;
  const skewed = { files: [file(Buffer.concat([junk, text]))], format: 'text' as const, top: 0, memoryBudgetBytes: 3000 * 32 };
  const o = resolveOptions({ ...skewed, threads: 2, splitMinBytes: 0 });
  const plan = planSplit(o);
  assert.ok(plan !== null, 'the estimate lets it split');
  assert.equal(await analyzeSplit(o, plan), null, 'given up past the budget');
  const oneSkewed = await analyzeLogs({ ...skewed, threads: 1 });
  assert.equal(oneSkewed.quantiles.method, 'sketch');
  assert.deepStrictEqual(await analyzeLogs({ ...skewed, threads: 2, splitMinBytes: 0 }), oneSkewed);
});

test('small inputs, stdin and gzip stay on one thread; bad threads and splitMinBytes are usage errors', () => {
  assert.equal(planSplit(resolveOptions({ files: [log('text')], threads: 2 })), null, 'under 128 MiB');
  assert.equal(planSplit(resolveOptions({ files: ['-'], threads: 2, splitMinBytes: 0 })), null);
  for (const threads of [0, -1, 1.5, 65, Number.NaN, '2' as unknown as number]) {
    assert.throws(() => resolveOptions({ files: [log('text')], threads }), (err: unknown) => err instanceof PerfscopeError && err.code === 'EUSAGE' && /threads must be a whole number from 1 to 64/.test(err.message));
  }
  assert.throws(() => resolveOptions({ files: [log('text')], splitMinBytes: -1 }), /splitMinBytes must be a number of bytes/);
});

test('a worker that fails rejects with one PerfscopeError naming its part: no partial result', async () => {
  process.env[FAULT_ENV] = 'throw';
  try {
    await assert.rejects(
      analyzeLogs({ files: [log('nginx')], threads: 2, splitMinBytes: 0 }),
      (err: unknown) => err instanceof PerfscopeError && err.code === 'EIO' && /^logs analyze: the thread reading bytes \d+-\d+ of .* failed: .*PERFSCOPE_TEST_RANGE_WORKER_FAULT/.test(err.message),
    );
  } finally {
    delete process.env[FAULT_ENV];
  }
});
