/** The byte line reader: lines split on \n only, whatever the chunk boundaries; gzip, stdin, several files, limits, errors. */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { PerfscopeError } from '../../../src/core/errors.js';
import { readLines, type LineHandler } from '../../../src/logs/parse/line-reader.js';
import { tempDir } from '../../helpers/cli.js';

const tmp = tempDir('perfscope-line-reader-');
after(() => tmp.cleanup());

function collector(): LineHandler & { lines: string[]; inputs: string[]; long: { head: string; bytes: number }[] } {
  const c = {
    lines: [] as string[],
    inputs: [] as string[],
    long: [] as { head: string; bytes: number }[],
    input(name: string) {
      c.inputs.push(name);
    },
    line(buf: Buffer, start: number, end: number) {
      c.lines.push(buf.toString('utf8', start, end));
    },
    overlong(head: Buffer, bytes: number) {
      c.long.push({ head: head.toString('utf8', 0, 10), bytes });
    },
  };
  return c;
}

const TEXT = ['first', '', 'tab\there', 'vt\u000bff\u000cnel\u0085ls\u2028ps\u2029end', 'cr\rinside', 'crlf', 'Korean 함수 실행', 'x'.repeat(300), 'last without newline'];
const BYTES = Buffer.from(`${TEXT.slice(0, 5).join('\n')}\n${TEXT[5]}\r\n${TEXT.slice(6).join('\n')}`, 'utf8');

test('lines end at \\n only (a trailing \\r dropped), at any chunk size', async () => {
  const file = join(tmp.dir, 'lines.txt');
  writeFileSync(file, BYTES);
  for (const chunkBytes of [1, 2, 3, 7, 64, 4096]) {
    const c = collector();
    await readLines([file], c, { chunkBytes, maxLineBytes: 1024 });
    assert.deepEqual(c.lines, TEXT, `chunk ${chunkBytes}`);
    assert.deepEqual(c.long, []);
  }
});

test('stdin in odd chunks, gzip on stdin, gzip files by content, several inputs in order', async () => {
  const plain = join(tmp.dir, 'a.log');
  const zipped = join(tmp.dir, 'b.bin');
  writeFileSync(plain, BYTES);
  writeFileSync(zipped, gzipSync(BYTES));
  const c = collector();
  const stdinChunks = [BYTES.subarray(0, 5), BYTES.subarray(5, 6), BYTES.subarray(6)];
  const reports = await readLines([plain, '-', zipped], c, { stdin: Readable.from(stdinChunks) });
  assert.deepEqual(c.inputs, [plain, '(stdin)', zipped]);
  assert.deepEqual(c.lines, [...TEXT, ...TEXT, ...TEXT]);
  assert.deepEqual(
    reports.map((r) => [r.gzip, r.bytes, r.error]),
    [
      [false, BYTES.length, null],
      [false, BYTES.length, null],
      [true, BYTES.length, null],
    ],
  );
  const z = collector();
  const gz = gzipSync(BYTES);
  const [r] = await readLines(['-'], z, { stdin: Readable.from([gz.subarray(0, 1), gz.subarray(1, 30), gz.subarray(30)]) });
  assert.equal(r!.gzip, true);
  assert.deepEqual(z.lines, TEXT);
});

test('a line longer than the limit is reported once with its size; the lines around it are intact', async () => {
  const file = join(tmp.dir, 'long.txt');
  writeFileSync(file, `before\n${'y'.repeat(5000)}\nafter\n${'z'.repeat(3000)}`);
  const c = collector();
  await readLines([file], c, { chunkBytes: 256, maxLineBytes: 1024 });
  assert.deepEqual(c.lines, ['before', 'after']);
  assert.deepEqual(c.long, [
    { head: 'yyyyyyyyyy', bytes: 5000 },
    { head: 'zzzzzzzzzz', bytes: 3000 },
  ]);
});

test('corrupt and truncated gzip: the lines before are kept and the fault is reported', async () => {
  const gz = gzipSync(Buffer.from(Array.from({ length: 20000 }, (_, i) => `line ${i} ${'p'.repeat(i % 50)}`).join('\n')));
  const cut = join(tmp.dir, 'cut.gz');
  writeFileSync(cut, gz.subarray(0, gz.length >> 1));
  const c = collector();
  const [r] = await readLines([cut], c);
  assert.ok(c.lines.length > 1000 && c.lines.length < 20000, `${c.lines.length} lines before the cut`);
  assert.match(r!.error!, /gzip data ends early \(truncated file\) after \d+ uncompressed bytes/);
  const corrupt = Buffer.from(gz);
  for (let i = 200; i < 260; i++) corrupt[i] = 0x55;
  const bad = join(tmp.dir, 'corrupt.gz');
  writeFileSync(bad, corrupt);
  const [r2] = await readLines([bad], collector());
  assert.match(r2!.error!, /gzip data is corrupt/);
});

test('files that cannot be read: not found, a directory', async () => {
  await assert.rejects(readLines([join(tmp.dir, 'missing.log')], collector()), (e: unknown) => e instanceof PerfscopeError && e.code === 'ENOTFOUND' && /missing\.log: no such file/.test(e.message));
  const d = join(tmp.dir, 'a-dir');
  mkdirSync(d);
  await assert.rejects(readLines([d], collector()), (e: unknown) => e instanceof PerfscopeError && e.code === 'EUSAGE' && /is a directory/.test(e.message));
});
