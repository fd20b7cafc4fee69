/** The pino parser on what pino really writes: pino-http request lines, and perfscope's own call lines through pino. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import pino from 'pino';
import { createPerformanceLog } from '../../../src/logs/performance-log.js';
import { PinoParser } from '../../../src/logs/parse/pino-parser.js';
import { parseJsonLine } from '../../../src/logs/parse/json-line.js';
import { CALL, ERROR, MALFORMED, OTHER, ParsedLine, WARN } from '../../../src/logs/parse/parsed-line.js';
import { timed } from '../../../src/timing/timed.js';
import { generateLog } from '../../fixtures/logs/generate.js';

const parse = (p: PinoParser, line: string): { r: number; out: ParsedLine } => {
  const buf = Buffer.from(line, 'utf8');
  const out = new ParsedLine();
  return { r: p.parse(buf, 0, buf.length, out), out };
};

function pinoLines(write: (logger: pino.Logger) => void): string[] {
  const lines: string[] = [];
  const dest = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(...chunk.toString('utf8').split('\n').filter((l) => l !== ''));
      cb();
    },
  });
  const logger = pino({ base: { pid: 7, hostname: 'app-1' } }, dest);
  write(logger);
  return lines;
}

test('pino-http request lines, as pino writes them', () => {
  const req = (id: number, method: string, url: string) => ({ id, method, url, query: {}, params: {}, headers: { host: 'shop', 'user-agent': 'curl/8 {"x"}' }, remoteAddress: '::1', remotePort: 5555 });
  const lines = pinoLines((logger) => {
    logger.info({ req: req(1, 'GET', '/api/users/42?x=1'), res: { statusCode: 200, headers: { 'content-type': 'application/json' } }, responseTime: 21 }, 'request completed');
    logger.error({ req: req(2, 'POST', '/api/checkout'), res: { statusCode: 503, headers: {} }, err: new Error('upstream "payments" down'), responseTime: 412 }, 'request errored');
    logger.warn({ req: req(3, 'GET', '/api/feed'), res: { statusCode: 200, headers: {} }, responseTime: 1500 }, 'slow response from cache sessions');
    logger.info('server listening on :3000');
  });
  const p = new PinoParser();
  const [ok, failed, warned, other] = lines.map((l) => parse(p, l));
  assert.equal(ok!.r, CALL);
  assert.equal(p.methods.name(ok!.out.method), 'GET');
  assert.equal(Buffer.from(ok!.out.urlBuf!.subarray(ok!.out.urlStart, ok!.out.urlEnd)).toString(), '/api/users/42?x=1');
  assert.equal(ok!.out.seconds, 0.021);
  assert.equal(ok!.out.status, 200);
  assert.equal(ok!.out.timeMs, (JSON.parse(lines[0]!) as { time: number }).time);
  assert.equal(failed!.r, CALL);
  assert.equal(failed!.out.failed, true);
  assert.equal(failed!.out.level, ERROR);
  assert.equal(failed!.out.seconds, 0.412);
  assert.equal(failed!.out.message, 'Error: upstream "payments" down');
  assert.equal(warned!.r, CALL);
  assert.equal(warned!.out.level, WARN);
  assert.equal(warned!.out.message, 'slow response from cache sessions');
  assert.equal(other!.r, OTHER);
});

test("perfscope's own call lines written through pino carry the function", async () => {
  const lines = pinoLines((logger) => {
    const log = createPerformanceLog({ logger });
    const f = timed((n: number) => n + 1, { log, registry: null, name: 'add_one' });
    f(1);
    const g = timed(
      () => {
        throw new TypeError('nope');
      },
      { log, registry: null, name: 'fails' },
    );
    assert.throws(() => g());
  });
  const p = new PinoParser();
  const [a, b] = lines.map((l) => parse(p, l));
  assert.equal(a!.r, CALL);
  assert.equal(p.functions.name(a!.out.fn), 'add_one');
  assert.equal(a!.out.method, -1);
  assert.equal(a!.out.seconds, (JSON.parse(lines[0]!) as { event: { duration: number } }).event.duration / 1e9);
  assert.equal(b!.out.failed, true);
  assert.equal(b!.out.message, 'TypeError: nope');
});

test('fast path and JSON.parse agree on a generated pino-http log; a line cut anywhere is never a call', () => {
  const { bytes } = generateLog('pino', { seed: 9, lines: 2000, malformedShare: 0.02 });
  const lines = bytes.toString('utf8').split('\n').slice(0, -1).map((l) => Buffer.from(l, 'utf8'));
  const fast = new PinoParser();
  const slow = new PinoParser();
  for (const line of lines) {
    const a = new ParsedLine();
    const b = new ParsedLine();
    const ra = fast.parse(line, 0, line.length, a);
    const rb = parseJsonLine(line, 0, line.length, b, slow, 'pino');
    assert.equal(ra, rb);
    if (ra !== CALL) continue;
    assert.equal(fast.methods.name(a.method), slow.methods.name(b.method));
    assert.equal(Buffer.from(a.urlBuf!.subarray(a.urlStart, a.urlEnd)).toString(), Buffer.from(b.urlBuf!.subarray(b.urlStart, b.urlEnd)).toString());
    assert.deepEqual([a.seconds, a.timeMs, a.status, a.failed, a.level, a.message], [b.seconds, b.timeMs, b.status, b.failed, b.level, b.message]);
  }
  // every generated request line (2xx, 4xx, 5xx with err, warnings) takes the byte path
  const bytePath = new PinoParser() as unknown as { fast(b: Buffer, s: number, e: number, o: ParsedLine): boolean };
  const { entries } = generateLog('pino', { seed: 9, lines: 2000, malformedShare: 0.02 });
  lines.forEach((l, i) => {
    if (entries[i]!.kind === 'call') assert.ok(bytePath.fast(l, 0, l.length, new ParsedLine()), `byte path for ${l.toString().slice(0, 160)}`);
  });
  const line = lines.find((l) => l.includes('"statusCode":200') && !l.includes('"level":40'))!.toString();
  for (let cut = 1; cut < line.length; cut++) assert.equal(parse(fast, line.slice(0, cut)).r, MALFORMED, `cut at ${cut}`);
  for (const bad of ['null', '"fast"', '-3']) {
    const { r, out } = parse(fast, line.replace(/"responseTime":\d+/, `"responseTime":${bad}`));
    assert.equal(r, MALFORMED);
    assert.equal(out.kind, 'bad-value');
  }
  assert.equal(parse(fast, '{"@timestamp":"2026-11-24T17:00:00Z","event":{"duration":5}}').out.kind, 'foreign');
});

test('a line that is no JSON object is malformed the same way whether JSON.parse would throw on it or not', () => {
  const p = new PinoParser();
  const kindAndReason = (line: string): [number, string, string] => {
    const { r, out } = parse(p, line);
    return [r, out.kind, out.reason];
  };
  const notAnObject: [number, string, string] = [MALFORMED, 'foreign', 'not a JSON object'];
  // no `{` first: JSON.parse is not tried (valid JSON of another type, text, blanks, a BOM)
  for (const line of ['[1,2]', '42', '"text"', 'null', 'Traceback (most recent call last):', ' \t ', '  [ {"level":30} ]', '\ufeff{"level":30}']) {
    assert.deepEqual(kindAndReason(line), notAnObject, JSON.stringify(line));
  }
  assert.equal(kindAndReason('\u0000\u0001binary')[1], 'binary');
  // a `{` after JSON whitespace is parsed as before; a broken object is cut off only when `{` starts the line
  assert.equal(kindAndReason(' \t{"level":30,"time":1764003600000,"msg":"hi"}')[0], OTHER);
  assert.deepEqual(kindAndReason('{"level":30,"ti'), [MALFORMED, 'truncated', 'invalid or cut-off JSON']);
  assert.deepEqual(kindAndReason(' {"level":30,"ti'), notAnObject);
});
