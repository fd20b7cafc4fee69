/** The text parser reads exactly what the performance log writes (en and ko), and rejects the rest by kind. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPerformanceLog } from '../../../src/logs/performance-log.js';
import { TextParser } from '../../../src/logs/parse/text-parser.js';
import { CALL, ERROR, INFO, MALFORMED, OTHER, ParsedLine, WARN } from '../../../src/logs/parse/parsed-line.js';
import { timed } from '../../../src/timing/timed.js';
import { tempDir } from '../../helpers/cli.js';

function parseLine(parser: TextParser, line: string): { r: number; out: ParsedLine } {
  const buf = Buffer.from(line, 'utf8');
  const out = new ParsedLine();
  return { r: parser.parse(buf, 0, buf.length, out), out };
}

async function writtenLines(lang: 'en' | 'ko'): Promise<string[]> {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, 'perf.log');
    const log = createPerformanceLog({ file, lang });
    const ok = timed(function example_function(n: number) {
      let s = 0;
      for (let i = 0; i < n; i++) s += i;
      return s;
    }, { log, registry: null });
    const bad = timed(
      function checkout() {
        throw new TypeError('503 Server Error\nupstream: <b>"x"</b>');
      },
      { log, registry: null },
    );
    ok(1000);
    assert.throws(() => bad());
    ok(10);
    await log.close();
    return readFileSync(file, 'utf8').split('\n').filter((l) => l !== '');
  } finally {
    cleanup();
  }
}

for (const lang of ['en', 'ko'] as const) {
  test(`lines the performance log writes (lang ${lang}) are read exactly`, async () => {
    const lines = await writtenLines(lang);
    assert.equal(lines.length, 3);
    const parser = new TextParser();
    const results = lines.map((l) => parseLine(parser, l));
    for (const [i, { r, out }] of results.entries()) {
      assert.equal(r, CALL, lines[i]);
      const written = /(\d+\.\d{6})( s|초)/.exec(lines[i]!)![1]!;
      assert.equal(out.seconds, Number(written), 'the written decimal, exactly');
      const stamp = /^(\d{4})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d),(\d{3})/.exec(lines[i]!)!.slice(1).map(Number);
      assert.equal(out.timeMs, new Date(stamp[0]!, stamp[1]! - 1, stamp[2]!, stamp[3]!, stamp[4]!, stamp[5]!, stamp[6]!).getTime(), 'asctime is local time');
    }
    assert.equal(parser.functions.name(results[0]!.out.fn), 'example_function');
    assert.equal(results[0]!.out.failed, false);
    assert.equal(results[0]!.out.message, null);
    const failure = results[1]!.out;
    assert.equal(parser.functions.name(failure.fn), 'checkout');
    assert.equal(failure.failed, true);
    assert.equal(failure.level, ERROR);
    // the writer escapes the newline as a literal \n: one line, and the message keeps it
    assert.equal(failure.message, 'TypeError: 503 Server Error\\nupstream: <b>"x"</b>');
  });
}

test('names with separators, warnings with messages, other lines of the layout', () => {
  const p = new TextParser();
  const ts = '2026-11-24 17:00:00,017';
  let { r, out } = parseLine(p, `${ts} - my - logger - INFO - function a took b took 0.500000 s`);
  assert.equal(r, CALL);
  assert.equal(p.functions.name(out.fn), 'a took b');
  assert.equal(out.seconds, 0.5);
  ({ r, out } = parseLine(p, `${ts} - perf - WARNING - function fetch took 1.250000 s: retrying request 7 after 200 ms`));
  assert.equal(r, CALL);
  assert.equal(out.level, WARN);
  assert.equal(out.failed, false);
  assert.equal(out.seconds, 1.25);
  assert.equal(out.message, 'retrying request 7 after 200 ms');
  ({ r, out } = parseLine(p, `${ts} - perf - CRITICAL - function pay failed after 2.000000 s: Error: card declined`));
  assert.equal(r, CALL);
  assert.equal(out.failed, true);
  assert.equal(out.message, 'Error: card declined');
  ({ r, out } = parseLine(p, `${ts} - app - INFO - server started on port 8080`));
  assert.equal(r, OTHER);
  assert.equal(out.message, null);
  ({ r, out } = parseLine(p, `${ts} - app - ERROR - disk /var is full`));
  assert.equal(r, OTHER);
  assert.equal(out.level, ERROR);
  assert.equal(out.message, 'disk /var is full');
  ({ r, out } = parseLine(p, `${ts} - app - DEBUG - function f took 0.000001 s`));
  assert.equal(r, CALL);
  assert.equal(out.level, INFO);
  assert.equal(out.seconds, 0.000001);
  assert.equal(parseLine(p, '').r, OTHER);
});

test('control characters inside a message stay in the line (the writer may escape them, or not)', () => {
  const p = new TextParser();
  const ts = '2026-11-24 17:00:00,017';
  const odd = 'a\u000bb\u000cc\u0085d\u2028e\u2029f\rg';
  const { r, out } = parseLine(p, `${ts} - perf - ERROR - function f failed after 0.100000 s: Error: ${odd}`);
  assert.equal(r, CALL);
  assert.equal(out.message, `Error: ${odd}`);
  const escaped = parseLine(p, `${ts} - perf - ERROR - function f failed after 0.100000 s: Error: a\\x0bb\\u2028c\\nd`);
  assert.equal(escaped.out.message, 'Error: a\\x0bb\\u2028c\\nd');
});

test('malformed lines are told apart: truncated, bad value, foreign, binary', () => {
  const p = new TextParser();
  const ts = '2026-11-24 17:00:00,017';
  const cases: [string, string][] = [
    [`${ts} - perf - INFO - function get_order took `, 'truncated'],
    [`${ts} - perf - INFO - function get_order took 0.12`, 'truncated'],
    [`${ts} - perf - INFO - function get_order`, 'truncated'],
    [`${ts} - perf - INFO`, 'truncated'],
    [`${ts} - perf - INFO - function get_order took nan s`, 'bad-value'],
    [`${ts} - perf - INFO - function get_order took -0.5 s`, 'bad-value'],
    [`${ts} - perf - ERROR - function get_order failed after null s: Error: x`, 'bad-value'],
    [`${ts} - perf - INFO - 함수 주문 실행 시간: nan초`, 'bad-value'],
    ['Traceback (most recent call last):', 'foreign'],
    ['  File "/app/x.py", line 12, in handler', 'foreign'],
    ['2026/11/24 17:00:01 [error] 12#0: *5 upstream timed out', 'foreign'],
    ['2026-13-45 17:00:00,017 - perf - INFO - function f took 0.1 s', 'foreign'],
    ['\u0000\u0001binary\u0002 junk', 'binary'],
  ];
  for (const [line, kind] of cases) {
    const { r, out } = parseLine(p, line);
    assert.equal(r, MALFORMED, line);
    assert.equal(out.kind, kind, line);
    assert.ok(out.reason.length > 0);
  }
  const invalidUtf8 = Buffer.from([0xc3, 0x28, 0x41, 0x42, 0xff, 0xfe, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20, 0x20]);
  const out = new ParsedLine();
  assert.equal(p.parse(invalidUtf8, 0, invalidUtf8.length, out), MALFORMED);
  assert.equal(out.kind, 'binary');
});
