/** Numbers from bytes equal parseFloat of the same text, to the last bit. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LastFinder, parseDecimal, parseUint } from '../../../src/logs/parse/bytes.js';
import { KeyCache } from '../../../src/logs/parse/key-cache.js';
import { sfc32 } from '../../fixtures/logs/generate.js';

const dec = (s: string): number => {
  const buf = Buffer.from(`xx${s}yy`, 'latin1');
  return parseDecimal(buf, 2, 2 + s.length);
};

test('parseDecimal equals parseFloat for durations as logs write them, and beyond 2^53', () => {
  const random = sfc32(1);
  for (let i = 0; i < 100_000; i++) {
    const v = Math.exp(random() * 30 - 20);
    for (const text of [v.toFixed(6), v.toFixed(3), v.toFixed(9), String(v), String(Math.round(v * 1e9))]) {
      if (text.includes('e')) continue;
      assert.equal(dec(text), parseFloat(text), text);
    }
  }
  for (const text of ['0', '0.0', '12.', '00012.5000', '123456789012345678901234567890', '0.1234567890123456789012345', '9007199254740993', '4.35']) {
    assert.equal(dec(text), parseFloat(text), text);
  }
  for (const bad of ['', '.', '-1', '1e3', 'nan', '1.2.3', '+1', ' 1']) assert.ok(Number.isNaN(dec(bad)), bad);
  assert.equal(parseUint(Buffer.from('1764003600017'), 0, 13), 1764003600017);
  assert.ok(Number.isNaN(parseUint(Buffer.from('12a'), 0, 3)));
});

test('KeyCache interns byte ranges once, names them lazily in UTF-8, and grows', () => {
  const c = new KeyCache(4);
  const ids = new Map<string, number>();
  for (let i = 0; i < 5000; i++) {
    const name = i % 7 === 0 ? `함수_${i}` : `fn_${i}`;
    const buf = Buffer.from(`[${name}]`, 'utf8');
    const id = c.intern(buf, 1, buf.length - 1);
    ids.set(name, id);
  }
  assert.equal(c.size, 5000);
  for (const [name, id] of ids) {
    assert.equal(c.name(id), name);
    const buf = Buffer.from(name, 'utf8');
    assert.equal(c.intern(buf, 0, buf.length), id, 'the same id again');
    assert.equal(c.internString(name), id);
  }
  assert.equal(c.intern(Buffer.alloc(0), 0, 0), 5000, 'the empty key is a key');
  c.releaseLookups();
  assert.equal(c.name(ids.get('fn_43')!), 'fn_43', 'names survive the release');
  assert.equal(c.internString('fn_4999'), ids.get('fn_4999'), 'a lookup after the release rebuilds the table');
  assert.equal(c.internString('new one'), 5001);
});

test('LastFinder finds the last occurrence within [from, end), as a naive backward scan does', () => {
  const naive = (buf: Uint8Array, needle: Uint8Array, from: number, end: number): number => {
    for (let i = end - needle.length; i >= from; i--) {
      let k = 0;
      while (k < needle.length && buf[i + k] === needle[k]) k++;
      if (k === needle.length) return i;
    }
    return -1;
  };
  const random = sfc32(7);
  // needles with repeated bytes and self-overlap, pino's own, one byte; haystacks of a small alphabet
  const needles = ['},"res":{"statusCode":', 'abab', 'aaa', 'a', 'ba', 'abcab', '""'].map((t) => new Uint8Array(Buffer.from(t)));
  for (let round = 0; round < 3000; round++) {
    const needle = needles[round % needles.length]!;
    const alphabet = round % 2 === 0 ? 'ab"c' : '},"res:{tCod';
    const len = Math.floor(random() * 80);
    const buf = new Uint8Array(len);
    for (let i = 0; i < len; i++) buf[i] = alphabet.charCodeAt(Math.floor(random() * alphabet.length));
    // plant the needle now and then, possibly across the range's edges
    if (random() < 0.5 && len >= needle.length) buf.set(needle, Math.floor(random() * (len - needle.length + 1)));
    const from = Math.floor(random() * (len + 1));
    const end = from + Math.floor(random() * (len - from + 1));
    const f = new LastFinder(needle);
    assert.equal(f.find(buf, from, end), naive(buf, needle, from, end), `${JSON.stringify(Buffer.from(buf).toString())} [${from}, ${end}) ${Buffer.from(needle).toString()}`);
  }
  assert.throws(() => new LastFinder(new Uint8Array(0)), RangeError);
});
