/** The ECS parser: the writer's own lines from bytes, every other ECS shape through JSON.parse, the same answer either way. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPerformanceLog } from '../../../src/logs/performance-log.js';
import { EcsParser } from '../../../src/logs/parse/ecs-parser.js';
import { parseJsonLine } from '../../../src/logs/parse/json-line.js';
import { CALL, ERROR, MALFORMED, OTHER, ParsedLine, WARN } from '../../../src/logs/parse/parsed-line.js';
import { timed } from '../../../src/timing/timed.js';
import { generateLog } from '../../fixtures/logs/generate.js';
import { tempDir } from '../../helpers/cli.js';

const parse = (p: EcsParser, line: string): { r: number; out: ParsedLine } => {
  const buf = Buffer.from(line, 'utf8');
  const out = new ParsedLine();
  return { r: p.parse(buf, 0, buf.length, out), out };
};

test('lines the performance log writes (format json) are read exactly', async () => {
  const { dir, cleanup } = tempDir();
  try {
    const file = join(dir, 'perf.json.log');
    const log = createPerformanceLog({ file, format: 'json', serviceName: 'shop' });
    const ok = timed((n: number) => n * 2, { log, registry: null, name: 'double "it"' });
    const bad = timed(
      function checkout() {
        throw new RangeError('limit {exceeded}\nby "2"');
      },
      { log, registry: null },
    );
    ok(2);
    assert.throws(() => bad());
    await log.close();
    const lines = readFileSync(file, 'utf8').trim().split('\n');
    const p = new EcsParser();
    const [a, b] = lines.map((l) => parse(p, l));
    const objs = lines.map((l) => JSON.parse(l) as { '@timestamp': string; event: { duration: number } });
    assert.equal(a!.r, CALL);
    assert.equal(p.functions.name(a!.out.fn), 'double "it"');
    assert.equal(a!.out.seconds, objs[0]!.event.duration / 1e9);
    assert.equal(a!.out.timeMs, Date.parse(objs[0]!['@timestamp']));
    assert.equal(a!.out.failed, false);
    assert.equal(b!.r, CALL);
    assert.equal(p.functions.name(b!.out.fn), 'checkout');
    assert.equal(b!.out.failed, true);
    assert.equal(b!.out.level, ERROR);
    assert.equal(b!.out.seconds, objs[1]!.event.duration / 1e9);
    assert.equal(b!.out.message, 'RangeError: limit {exceeded}\nby "2"');
  } finally {
    cleanup();
  }
});

test('the byte-level fast path and JSON.parse agree on every line of a generated log', () => {
  const { bytes } = generateLog('ecs', { seed: 3, lines: 3000, malformedShare: 0.02 });
  const lines = bytes.toString('utf8').split('\n').slice(0, -1).map((l) => Buffer.from(l, 'utf8'));
  const fast = new EcsParser();
  const slow = { functions: new EcsParser().functions, methods: new EcsParser().methods };
  let fastCalls = 0;
  for (const line of lines) {
    const a = new ParsedLine();
    const b = new ParsedLine();
    const ra = fast.parse(line, 0, line.length, a);
    const rb = parseJsonLine(line, 0, line.length, b, slow, 'ecs');
    assert.equal(ra, rb, line.toString());
    if (ra !== CALL) continue;
    fastCalls++;
    assert.equal(fast.functions.name(a.fn), slow.functions.name(b.fn));
    assert.equal(a.seconds, b.seconds);
    assert.equal(a.timeMs, b.timeMs);
    assert.equal(a.failed, b.failed);
    assert.equal(a.message, b.message);
  }
  assert.ok(fastCalls > 2800);
  // and the writer's lines (successes, failures, warnings) take the byte path, not JSON.parse
  const bytePath = new EcsParser() as unknown as { fast(b: Buffer, s: number, e: number, o: ParsedLine): boolean };
  const { entries } = generateLog('ecs', { seed: 3, lines: 3000, malformedShare: 0.02 });
  lines.forEach((line, i) => {
    if (entries[i]!.kind === 'call') assert.ok(bytePath.fast(line, 0, line.length, new ParsedLine()), `byte path for ${line.toString().slice(0, 160)}`);
  });
});

test('runs remembered from the last line (outcome and logger, pid/host/service) never stand for different bytes', () => {
  const line = '{"@timestamp":"2026-11-24T08:50:59.123Z","log.level":"info","message":"function f took 0.123456 s","ecs.version":"8.10.0","event":{"kind":"event","action":"function.call","duration":123456000,"outcome":"success"},"log":{"logger":"performance_monitor","origin":{"function":"f"}},"process":{"pid":4242},"host":{"hostname":"app-1"}}';
  const variants = [
    line,
    line.replace('"success"', '"failure"'),
    line.replace('"performance_monitor"', '"perf_monitor"'),
    line.replace('"app-1"', '"app-2"'),
    line.replace('"app-1"}}', '"app-1"},"service":{"name":"shop"}}'),
    line.replace('"app-1"}}', '"app-1"},"error":{"type":"RangeError","message":"too \\"big\\""}}').replace('"info"', '"error"'),
    line.replace('"pid":4242', '"pid":4243'),
    line.replace('"function":"f"', '"function":"g"'),
    // a run longer than a RepeatedRun keeps (512 bytes) is walked every time
    line.replace('"app-1"', `"${'h'.repeat(600)}"`),
    line.replace('"app-1"}}', '"app-1"}},'),
    line.replace('"app-1"}}', '"app-1"}'),
  ];
  const p = new EcsParser();
  const slow = { functions: new EcsParser().functions, methods: new EcsParser().methods };
  let calls = 0;
  // every variant after every other, twice in a row: the second one meets its own remembered runs
  for (const a of variants) {
    for (const b of variants) {
      for (const text of [a, b, b]) {
        const buf = Buffer.from(text);
        const viaBytes = new ParsedLine();
        const viaJson = new ParsedLine();
        const r = p.parse(buf, 0, buf.length, viaBytes);
        assert.equal(r, parseJsonLine(buf, 0, buf.length, viaJson, slow, 'ecs'), text);
        if (r !== CALL) continue;
        calls++;
        assert.deepEqual(
          [p.functions.name(viaBytes.fn), viaBytes.seconds, viaBytes.timeMs, viaBytes.failed, viaBytes.level, viaBytes.message],
          [slow.functions.name(viaJson.fn), viaJson.seconds, viaJson.timeMs, viaJson.failed, viaJson.level, viaJson.message],
          text,
        );
      }
    }
  }
  // all but the two malformed variants (the last two) are calls: a, then b twice, for each pair
  const valid = variants.length - 2;
  assert.equal(calls, 3 * valid * variants.length);
});

test('other ECS shapes: dotted keys, reordered keys, escapes, HTTP fields, warnings and plain events', () => {
  const p = new EcsParser();
  let { r, out } = parse(p, '{"@timestamp":"2026-11-24T17:00:00Z","log.level":"info","event.duration":2500000,"log.origin.function":"dotted"}');
  assert.equal(r, CALL);
  assert.equal(p.functions.name(out.fn), 'dotted');
  assert.equal(out.seconds, 0.0025);
  assert.equal(out.timeMs, Date.UTC(2026, 10, 24, 17));
  ({ r, out } = parse(p, '{"log":{"origin":{"function":"a\\"b\\u00e9"},"level":"warn"},"event":{"outcome":"success","duration":1e9},"message":"function a took 1 s: slow disk","@timestamp":"2026-11-24T18:00:00.5+01:00"}'));
  assert.equal(r, CALL);
  assert.equal(p.functions.name(out.fn), 'a"bé');
  assert.equal(out.seconds, 1);
  assert.equal(out.level, WARN);
  assert.equal(out.message, 'slow disk');
  assert.equal(out.timeMs, Date.UTC(2026, 10, 24, 17, 0, 0, 500));
  ({ r, out } = parse(p, '{"@timestamp":"2026-11-24T17:00:00.000Z","http":{"request":{"method":"GET"},"response":{"status_code":503}},"url":{"path":"/api/users/7"},"event":{"duration":3000000}}'));
  assert.equal(r, CALL);
  assert.equal(out.fn, -1);
  assert.equal(p.methods.name(out.method), 'GET');
  assert.equal(Buffer.from(out.urlBuf!.subarray(out.urlStart, out.urlEnd)).toString(), '/api/users/7');
  assert.equal(out.status, 503);
  assert.equal(out.failed, true);
  ({ r, out } = parse(p, '{"@timestamp":"2026-11-24T17:00:00.000Z","log.level":"error","message":"cache node lost","error":{"type":"Error","message":"ECONNRESET"}}'));
  assert.equal(r, OTHER);
  assert.equal(out.message, 'Error: ECONNRESET');
});

test('malformed ECS: cut anywhere, bad durations, not ECS', () => {
  const p = new EcsParser();
  const line = '{"@timestamp":"2026-11-24T08:50:59.123Z","log.level":"info","message":"function f took 0.123456 s","ecs.version":"8.10.0","event":{"kind":"event","action":"function.call","duration":123456000,"outcome":"success"},"log":{"logger":"performance_monitor","origin":{"function":"f"}},"process":{"pid":4242},"host":{"hostname":"app-1"}}';
  assert.equal(parse(p, line).r, CALL);
  // another ECS version and action in the same layout: read field by field, the same as JSON.parse
  const other = line.replace('"ecs.version":"8.10.0"', '"ecs.version":"1.6.0"').replace('"function.call"', '"db.query"');
  const viaBytes = parse(p, other).out;
  const viaJson = new ParsedLine();
  const ob = Buffer.from(other);
  assert.equal(parseJsonLine(ob, 0, ob.length, viaJson, p, 'ecs'), CALL);
  assert.deepEqual([viaBytes.seconds, viaBytes.timeMs, p.functions.name(viaBytes.fn)], [viaJson.seconds, viaJson.timeMs, p.functions.name(viaJson.fn)]);
  for (let cut = 1; cut < line.length; cut++) {
    const { r, out } = parse(p, line.slice(0, cut));
    assert.equal(r, MALFORMED, `cut at ${cut}: ${line.slice(0, cut)}`);
    assert.ok(out.kind === 'truncated' || out.kind === 'foreign', out.kind);
  }
  for (const bad of ['null', '"123"', '-5', 'NaN']) {
    const { r, out } = parse(p, line.replace('"duration":123456000', `"duration":${bad}`));
    assert.equal(r, MALFORMED, bad);
    assert.equal(out.kind, bad === 'NaN' ? 'truncated' : 'bad-value', bad);
  }
  assert.equal(parse(p, '{"level":30,"time":1,"msg":"a pino line"}').out.kind, 'foreign');
  assert.equal(parse(p, '[1,2,3]').out.kind, 'foreign');
  assert.equal(parse(p, 'npm WARN deprecated').out.kind, 'foreign');
});
