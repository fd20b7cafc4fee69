/** Format detection from the first lines. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { detectFormat } from '../../../src/logs/parse/formats.js';
import { FORMATS, generateLog } from '../../fixtures/logs/generate.js';

const lines = (text: string): Buffer[] => text.split('\n').filter((l) => l !== '').map((l) => Buffer.from(l, 'utf8'));

test('each format is told from its first lines, malformed lines and all', () => {
  for (const format of FORMATS) {
    const { bytes } = generateLog(format, { seed: 2, lines: 200, malformedShare: 0.05 });
    const d = detectFormat(lines(bytes.toString('utf8')));
    assert.equal(d.format, format);
    assert.ok(d.scores[format].calls >= 180);
    for (const other of FORMATS) if (other !== format) assert.ok(d.scores[other].calls < 5, `${other} reads ${format}`);
  }
});

test('a log of only other lines of a format is that format; prose is none', () => {
  assert.equal(detectFormat(lines('2026-11-24 17:00:00,017 - app - INFO - started\n2026-11-24 17:00:01,000 - app - WARNING - disk 91 % full')).format, 'text');
  assert.equal(detectFormat(lines('{"level":30,"time":1,"msg":"listening"}')).format, 'pino');
  assert.equal(detectFormat(lines('{"@timestamp":"2026-11-24T17:00:00Z","log.level":"info","message":"up"}')).format, 'ecs');
  const none = detectFormat(lines('hello world\nsecond line'));
  assert.equal(none.format, null);
  assert.equal(detectFormat([]).format, null);
});
