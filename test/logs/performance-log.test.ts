import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';
import pino from 'pino';
import { PerfscopeError } from '../../src/core/errors.js';
import { createPerformanceLog } from '../../src/logs/performance-log.js';
import { asctime } from '../../src/logs/text-format.js';
import { Registry } from '../../src/metrics/index.js';
import { timed } from '../../src/timing/timed.js';
import { repoRoot, tempDir } from '../helpers/cli.js';

const run = promisify(execFile);
const ASCTIME = String.raw`\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2},\d{3}`;
const lines = (file: string): string[] => readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');

function exampleFunction(n: number): number {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += i;
  return sum;
}

test('text lines: Python layout, asctime, the function named, seconds with 6 decimals, failures at ERROR', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, 'app_performance.log');
    const log = createPerformanceLog({ file });
    assert.equal(log.file, file);
    assert.equal(log.format, 'text');
    const f = timed(exampleFunction, { log, registry: new Registry(), name: 'example_function' });
    assert.equal(f(1000), 499500);
    const bad = timed(
      function checkout() {
        throw new TypeError('503 Server Error\nupstream');
      },
      { log, registry: new Registry() },
    );
    assert.throws(bad);
    await log.close();
    const [ok, failed, ...rest] = lines(file);
    assert.equal(rest.length, 0);
    assert.match(ok!, new RegExp(`^${ASCTIME} - performance_monitor - INFO - function example_function took \\d+\\.\\d{6} s$`));
    assert.match(
      failed!,
      new RegExp(`^${ASCTIME} - performance_monitor - ERROR - function checkout failed after \\d+\\.\\d{6} s: TypeError: 503 Server Error\\\\nupstream$`),
    );
  } finally {
    cleanup();
  }
});

test('Korean wording (lang: ko) and a custom logger name', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, 'ko.log');
    const log = createPerformanceLog({ file, lang: 'ko', name: 'perf' });
    timed(exampleFunction, { log, registry: null, name: 'example_function' })(10);
    assert.throws(
      timed(
        () => {
          throw new Error('실패');
        },
        { log, registry: null, name: 'broken' },
      ),
    );
    await log.close();
    const [ok, failed] = lines(file);
    assert.match(ok!, new RegExp(`^${ASCTIME} - perf - INFO - 함수 example_function 실행 시간: \\d+\\.\\d{6}초$`));
    assert.match(failed!, new RegExp(`^${ASCTIME} - perf - ERROR - 함수 broken 실행 실패 \\(\\d+\\.\\d{6}초 후\\): Error: 실패$`));
  } finally {
    cleanup();
  }
});

test("asctime is Python's: local time, comma before the milliseconds", () => {
  const saved = process.env.TZ;
  try {
    process.env.TZ = 'Asia/Seoul';
    assert.equal(asctime(Date.UTC(2026, 10, 24, 8, 50, 59, 123)), '2026-11-24 17:50:59,123');
    process.env.TZ = 'UTC';
    assert.equal(asctime(Date.UTC(2026, 0, 2, 3, 4, 5, 6)), '2026-01-02 03:04:05,006');
  } finally {
    if (saved === undefined) delete process.env.TZ;
    else process.env.TZ = saved;
  }
});

test('JSON lines: one ECS object per line, event.duration in integer ns, error.* on failures', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, 'perf.ndjson');
    const log = createPerformanceLog({ file, format: 'json', serviceName: 'checkout' });
    const f = timed(exampleFunction, { log, registry: null, name: 'example_function' });
    f(100);
    class UpstreamError extends Error {}
    const err = new UpstreamError('timeout "quoted"');
    const g = timed(
      async function fetchUser() {
        await null;
        throw err;
      },
      { log, registry: null },
    );
    await assert.rejects(g(), (e) => e === err);
    await log.close();
    const [ok, failed, ...rest] = lines(file).map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.equal(rest.length, 0);
    const keys = Object.keys(ok!);
    assert.deepEqual(keys.slice(0, 4), ['@timestamp', 'log.level', 'message', 'ecs.version'], 'ECS logging key order');
    assert.match(ok!['@timestamp'] as string, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    assert.ok(Math.abs(Date.parse(ok!['@timestamp'] as string) - Date.now()) < 60_000);
    assert.equal(ok!['log.level'], 'info');
    assert.equal(ok!['ecs.version'], '8.10.0');
    assert.match(ok!.message as string, /^function example_function took \d+\.\d{6} s$/);
    const event = ok!.event as Record<string, unknown>;
    assert.equal(event.kind, 'event');
    assert.equal(event.action, 'function.call');
    assert.equal(event.outcome, 'success');
    assert.ok(Number.isInteger(event.duration) && (event.duration as number) >= 0, `integer ns: ${String(event.duration)}`);
    // the message's seconds and event.duration are the same measurement
    const seconds = Number(/took (\d+\.\d+) s/.exec(ok!.message as string)![1]);
    assert.ok(Math.abs((event.duration as number) / 1e9 - seconds) <= 0.5e-6 + 1e-12);
    assert.deepEqual(ok!.log, { logger: 'performance_monitor', origin: { function: 'example_function' } });
    assert.deepEqual(ok!.process, { pid: process.pid });
    assert.equal(typeof (ok!.host as { hostname: unknown }).hostname, 'string');
    assert.deepEqual(ok!.service, { name: 'checkout' });
    assert.equal(ok!.error, undefined);

    assert.equal(failed!['log.level'], 'error');
    assert.equal((failed!.event as Record<string, unknown>).outcome, 'failure');
    assert.deepEqual((failed!.log as { origin: unknown }).origin, { function: 'fetchUser' });
    const error = failed!.error as Record<string, string>;
    assert.equal(error.type, 'UpstreamError');
    assert.equal(error.message, 'timeout "quoted"');
    assert.match(error.stack_trace!, /^Error: timeout "quoted"\n\s+at /);
    assert.match(failed!.message as string, /^function fetchUser failed after \d+\.\d{6} s: UpstreamError: timeout "quoted"$/);
  } finally {
    cleanup();
  }
});

test('filters: level, slowerThanMs, sampleRate (failures always written)', async () => {
  const { dir, cleanup } = tempDir();
  const savedRandom = Math.random;
  try {
    const written = async (options: Parameters<typeof createPerformanceLog>[0], calls: (log: ReturnType<typeof createPerformanceLog>) => void): Promise<string[]> => {
      const file = join(dir, `${Math.floor(savedRandom() * 1e9)}.log`);
      const log = createPerformanceLog({ ...options, file });
      calls(log);
      await log.close();
      return lines(file).map((l) => / - (\w+) - function (\w+)/.exec(l)!.slice(1).join(' '));
    };
    const calls = (log: ReturnType<typeof createPerformanceLog>): void => {
      const c = log.forFunction('fast');
      const s = log.forFunction('slow');
      const e = log.forFunction('failed');
      c.success(0.001); // 1 ms
      s.success(0.25); // 250 ms
      e.failure(0.0001, new Error('x'));
    };
    assert.deepEqual(await written({}, calls), ['INFO fast', 'INFO slow', 'ERROR failed']);
    assert.deepEqual(await written({ level: 'error' }, calls), ['ERROR failed']);
    assert.deepEqual(await written({ level: 'warn' }, calls), ['ERROR failed']);
    assert.deepEqual(await written({ level: 'silent' }, calls), []);
    assert.deepEqual(await written({ slowerThanMs: 100 }, calls), ['INFO slow', 'ERROR failed']);
    assert.deepEqual(await written({ slowerThanMs: 250 }, calls), ['INFO slow', 'ERROR failed'], 'at the threshold counts as slow');
    assert.deepEqual(await written({ sampleRate: 0 }, calls), ['ERROR failed']);
    assert.deepEqual(await written({ sampleRate: 1 }, calls), ['INFO fast', 'INFO slow', 'ERROR failed']);
    // sampled: a success is kept when Math.random() < sampleRate
    const draws = [0.05, 0.5];
    Math.random = () => draws.shift() ?? 0.99;
    assert.deepEqual(
      await written({ sampleRate: 0.1 }, (log) => {
        const c = log.forFunction('fast');
        c.success(0.001);
        c.success(0.001);
        c.success(0.001);
      }),
      ['INFO fast'],
    );
    Math.random = () => 0.99;
    assert.deepEqual(await written({ slowerThanMs: 100, sampleRate: 0.5 }, calls), ['INFO slow', 'ERROR failed'], 'slow or sampled');
  } finally {
    Math.random = savedRandom;
    cleanup();
  }
});

/** Lines as Python's str.splitlines() sees them (it also splits at VT, FF, FS/GS/RS, NEL, U+2028, U+2029). */
function pythonLines(file: string): string[] {
  const r = spawnSync('/usr/bin/python3', ['-c', 'import sys, json; print(json.dumps(open(sys.argv[1], encoding="utf-8").read().splitlines()))', file], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout) as string[];
}

const HOSTILE = 'a\u2028b\u2029c\u0085d\u000be\u000cf\u001bg\u001ch\rI\r\nj\nk\u007fl\u0000m\tn';

test('control and line-separator characters in names and errors never split a line (text and JSON)', async () => {
  const { dir, cleanup } = tempDir();
  try {
    for (const format of ['text', 'json'] as const) {
      const file = join(dir, `hostile.${format}`);
      const log = createPerformanceLog({ file, format, name: `perf${HOSTILE}` });
      timed(() => 1, { log, registry: null, name: `fn${HOSTILE}` })();
      assert.throws(timed(() => { throw new Error(`bad${HOSTILE}`); }, { log, registry: null, name: `fails${HOSTILE}` }));
      await log.close();
      const read = pythonLines(file);
      assert.equal(read.length, 2, `two calls, two lines for Python's splitlines():\n${read.join('\n---\n')}`);
      if (format === 'text') {
        const escaped = 'a\\u2028b\\u2029c\\x85d\\x0be\\x0cf\\x1bg\\x1ch\\nI\\nj\\nk\\x7fl\\x00m\tn';
        assert.ok(read[0]!.includes(` - perf${escaped} - INFO - function fn${escaped} took `), read[0]);
        assert.ok(read[1]!.endsWith(`: Error: bad${escaped}`), read[1]);
      } else {
        const [ok, failed] = read.map((l) => JSON.parse(l) as { log: { logger: string; origin: { function: string } }; error?: { message: string } });
        // lossless: JSON escapes decode back to the very names
        assert.equal(ok!.log.logger, `perf${HOSTILE}`);
        assert.equal(ok!.log.origin.function, `fn${HOSTILE}`);
        assert.equal(failed!.error!.message, `bad${HOSTILE}`);
      }
    }
  } finally {
    cleanup();
  }
});

test('a huge error message is cut at maxMessageChars with a marker (a 5 MB message made a 15 MB line)', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const huge = 'x'.repeat(5 * 1024 * 1024);
    for (const format of ['text', 'json'] as const) {
      const file = join(dir, `huge.${format}`);
      const log = createPerformanceLog({ file, format });
      assert.throws(timed(() => { throw new Error(huge); }, { log, registry: null, name: 'upload' }));
      await log.close();
      const text = readFileSync(file, 'utf8');
      assert.equal(text.split('\n').length, 2, 'one line');
      assert.ok(text.length < 64 * 1024, `${format} line of ${text.length} chars`);
      assert.ok(text.includes(`… [cut: ${huge.length + 'Error: '.length} chars]`) || text.includes(`… [cut: ${huge.length} chars]`), 'marked as cut, with the full length');
      if (format === 'json') {
        const line = JSON.parse(text) as { error: { message: string; stack_trace: string } };
        assert.equal(line.error.message, `${'x'.repeat(8192)}… [cut: ${huge.length} chars]`);
        assert.ok(line.error.stack_trace.length < 8300);
      }
    }
    // the cap is an option
    const file = join(dir, 'small-cap.log');
    const log = createPerformanceLog({ file, maxMessageChars: 100 });
    assert.throws(timed(() => { throw new Error(huge); }, { log, registry: null, name: 'upload' }));
    await log.close();
    assert.match(readFileSync(file, 'utf8'), / s: Error: x{93}… \[cut: 5242887 chars\]\n$/);
    assert.throws(() => createPerformanceLog({ file, maxMessageChars: 10 }), /maxMessageChars must be an integer >= 64, got 10/);
  } finally {
    cleanup();
  }
});

test('a path that cannot be opened throws at once, with the path in the message', () => {
  const { dir, cleanup } = tempDir();
  try {
    const missing = join(dir, 'no-such-dir', 'app_performance.log');
    assert.throws(
      () => createPerformanceLog({ file: missing }),
      (e: unknown) =>
        e instanceof PerfscopeError &&
        e.code === 'ENOTFOUND' &&
        e.message === `cannot open the performance log ${missing}: no such file or directory`,
    );
    assert.throws(() => createPerformanceLog({ file: dir }), (e: unknown) => e instanceof PerfscopeError && e.message === `cannot open the performance log ${dir}: is a directory`);
  } finally {
    cleanup();
  }
});

test('bad options are refused when the log is created', () => {
  assert.throws(() => createPerformanceLog({}), /exactly one of `file` \(a path\) and `logger`/);
  assert.throws(() => createPerformanceLog({ file: 'x.log', logger: pino() }), /exactly one of/);
  assert.throws(() => createPerformanceLog({ file: 'x.log', formt: 'json' } as never), /unknown option "formt"/);
  assert.throws(() => createPerformanceLog({ file: 'x.log', format: 'xml' as never }), /format must be "text" or "json", got 'xml'/);
  assert.throws(() => createPerformanceLog({ file: 'x.log', level: 'loud' as never }), /level must be one of .* got 'loud'/);
  assert.throws(() => createPerformanceLog({ file: 'x.log', sampleRate: 2 }), /sampleRate must be a number from 0 to 1, got 2/);
  assert.throws(() => createPerformanceLog({ file: 'x.log', slowerThanMs: -1 }), /slowerThanMs must be a finite number >= 0, got -1/);
  assert.throws(() => createPerformanceLog({ file: 'x.log', lang: 'fr' as never }), /lang must be "en" or "ko"/);
  assert.throws(() => createPerformanceLog({ logger: pino(), format: 'json' }), /`format` applies to file logs/);
});

test('a pino logger can be given instead of a file (native pino lines, ECS-named fields)', async () => {
  const out: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      out.push(chunk.toString());
      cb();
    },
  });
  const logger = pino({ base: undefined }, sink);
  const log = createPerformanceLog({ logger, name: 'perf' });
  assert.equal(log.format, 'pino');
  timed(exampleFunction, { log, registry: null, name: 'example_function' })(10);
  const err = new Error('bad');
  assert.throws(timed(() => { throw err; }, { log, registry: null, name: 'thrower' }), (e) => e === err);
  await log.close();
  const [ok, failed] = out.map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.equal(ok!.level, 30);
  assert.match(ok!.msg as string, /^function example_function took \d+\.\d{6} s$/);
  assert.equal((ok!.event as { outcome: string }).outcome, 'success');
  assert.ok(Number.isInteger((ok!.event as { duration: number }).duration));
  assert.deepEqual(ok!.log, { logger: 'perf', origin: { function: 'example_function' } });
  assert.equal(failed!.level, 50);
  assert.equal((failed!.err as { message: string }).message, 'bad');
  assert.equal((failed!.event as { outcome: string }).outcome, 'failure');
  // the logger's own level applies too
  logger.level = 'error';
  timed(exampleFunction, { log: createPerformanceLog({ logger }), registry: null })(1);
  assert.equal(out.length, 2);
});

test('close() flushes and releases; later lines are dropped, close is idempotent', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, 'c.log');
    const log = createPerformanceLog({ file });
    const f = timed(exampleFunction, { log, registry: null });
    for (let i = 0; i < 100; i++) f(1);
    await log.flush();
    assert.equal(lines(file).length, 100);
    const closing = log.close();
    f(1);
    await closing;
    await log.close();
    f(1);
    assert.equal(lines(file).length, 100);
    assert.equal(log.lines, 100);
  } finally {
    cleanup();
  }
});

// Nothing lost at exit: a child writes 10,000 lines and ends in each way; then the file is counted.
for (const [mode, exitCode] of [
  ['normal', 0],
  ['exit', 0],
  ['throw', 1],
  ['busy-exit', 0],
] as const) {
  for (const format of ['text', 'json'] as const) {
    test(`10,000 ${format} lines all reach the file on ${mode === 'normal' ? 'a normal exit' : mode === 'exit' ? 'process.exit()' : mode === 'throw' ? 'an uncaught exception' : 'process.exit() with the thread pool saturated'}`, async () => {
      const { dir, cleanup } = tempDir();
      try {
        const file = join(dir, 'exit.log');
        const child = run(process.execPath, ['--import', 'tsx', 'test/fixtures/timing/write-lines.ts', file, mode, format], { cwd: repoRoot });
        let code = 0;
        let stderr = '';
        try {
          await child;
        } catch (e) {
          code = (e as { code: number }).code;
          stderr = (e as { stderr: string }).stderr;
        }
        assert.equal(code, exitCode, stderr);
        if (mode === 'throw') assert.match(stderr, /uncaught on purpose/);
        const all = lines(file);
        assert.equal(all.length, 10_000);
        if (format === 'json') for (const l of all) JSON.parse(l);
        else for (const l of all) assert.match(l, / - INFO - function work took \d+\.\d{6} s$/);
      } finally {
        cleanup();
      }
    });
  }
}
