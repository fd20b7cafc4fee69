import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import snappyjs from 'snappyjs';
import { snappyCompress, snappyUncompress, maxCompressedLength } from '../../src/export/snappy.js';

function inputs(): [string, Buffer][] {
  let text = '';
  for (let i = 0; i < 20_000; i++) text += `http_requests_total{route="/r${i % 97}",code="${200 + (i % 5)}"} ${i}\n`;
  const runs = Buffer.alloc(300_000);
  for (let i = 0; i < runs.length; i++) runs[i] = (i >> 10) & 0xff;
  return [
    ['empty', Buffer.alloc(0)],
    ['one byte', Buffer.from('x')],
    ['short repeat', Buffer.from('hello hello hello hello hello hello hello')],
    ['random 100 KB (incompressible)', randomBytes(100_000)],
    ['zeros 200 KB (long copies)', Buffer.alloc(200_000)],
    ['exposition text 1 MB', Buffer.from(text)],
    ['byte runs crossing 64 KiB blocks', runs],
    ['14..16 byte edge', Buffer.from('abcdabcdabcdabc')],
  ];
}

test('snappyCompress output is valid snappy: snappyjs (an independent implementation) restores every input', () => {
  for (const [name, input] of inputs()) {
    const c = snappyCompress(input);
    assert.ok(c.length <= maxCompressedLength(input.length), name);
    assert.ok(Buffer.from(snappyjs.uncompress(c)).equals(input), name);
  }
});

test('snappyCompress compresses about as well as snappyjs', () => {
  for (const [name, input] of inputs()) {
    const ours = snappyCompress(input).length;
    const theirs = snappyjs.compress(input).length;
    assert.ok(ours <= theirs * 1.05 + 8, `${name}: ${ours} bytes vs snappyjs ${theirs}`);
  }
  // and it really compresses what repeats
  const text = inputs()[5]![1];
  assert.ok(snappyCompress(text).length < text.length / 3);
});

test('snappyUncompress reads snappyjs output and rejects corrupt input', () => {
  for (const [name, input] of inputs()) {
    assert.ok(snappyUncompress(snappyjs.compress(input)).equals(input), name);
  }
  assert.throws(() => snappyUncompress(Buffer.from([0x0a, 0xff])), /snappy/);
  assert.throws(() => snappyUncompress(Buffer.from([0x05, 0x01, 0x09])), /snappy/); // copy before any output
});
