/** Timestamps from bytes: asctime (local), ISO (UTC), nginx (with its offset); invalid dates are NaN. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AsctimeReader, IsoReader, NginxTimeReader, parseIsoText } from '../../../src/logs/parse/timestamps.js';

const b = (s: string): Buffer => Buffer.from(s, 'latin1');

test('asctime is local time, cached per minute, and rejects impossible dates', () => {
  const r = new AsctimeReader();
  assert.equal(r.read(b('2026-11-24 17:50:59,123'), 0), new Date(2026, 10, 24, 17, 50, 59, 123).getTime());
  assert.equal(r.read(b('2026-11-24 17:50:01.007'), 0), new Date(2026, 10, 24, 17, 50, 1, 7).getTime());
  assert.equal(r.read(b('2026-11-24 17:51:00,000'), 0), new Date(2026, 10, 24, 17, 51, 0, 0).getTime());
  for (const bad of ['2026-02-30 10:00:00,000', '2026-11-24 24:00:00,000', '2026-11-24 17:61:00,000', '2026-11-24 17:00:61,000', '2026/11/24 17:00:00,000', '2026-11-24 17:00:00;000', '2026-11-24 17:00:0x,000']) {
    assert.ok(Number.isNaN(r.read(b(bad), 0)), bad);
  }
});

test('ISO: the toISOString shape from bytes, any zoned ISO through Date.parse, none without a zone', () => {
  const r = new IsoReader();
  const s = '2026-11-24T08:50:59.123Z';
  assert.equal(r.readExact(b(s), 0, s.length), Date.UTC(2026, 10, 24, 8, 50, 59, 123));
  assert.ok(Number.isNaN(r.readExact(b('2026-11-24T08:50:59Z'), 0, 20)));
  assert.equal(parseIsoText('2026-11-24T09:50:59.5+01:00'), Date.UTC(2026, 10, 24, 8, 50, 59, 500));
  assert.ok(Number.isNaN(parseIsoText('2026-11-24T08:50:59')));
  assert.ok(Number.isNaN(r.readExact(b('2026-02-31T08:50:59.123Z'), 0, 24)));
});

test('nginx $time_local with its offset', () => {
  const r = new NginxTimeReader();
  assert.equal(r.read(b('24/Nov/2026:18:00:05 +0100'), 0), Date.UTC(2026, 10, 24, 17, 0, 5));
  assert.equal(r.read(b('24/Nov/2026:18:00:06 -0530'), 0), Date.UTC(2026, 10, 24, 23, 30, 6));
  assert.equal(r.read(b('24/Nov/2026:18:00:07 +0000'), 0), Date.UTC(2026, 10, 24, 18, 0, 7));
  assert.ok(Number.isNaN(r.read(b('24/Foo/2026:18:00:07 +0000'), 0)));
  assert.ok(Number.isNaN(r.read(b('24/Nov/2026:18:00:07 0000'), 0)));
});

test('nginx: a time equal to the last one read, anywhere in any buffer, and one byte off it', () => {
  const r = new NginxTimeReader();
  const line = (t: string): Buffer => b(`10.0.0.1 - - [${t}] "GET / HTTP/1.1"`);
  const at = 14;
  const times = ['24/Nov/2026:18:00:05 +0100', '24/Nov/2026:18:00:05 +0100', '24/Nov/2026:18:00:05 +0200', '24/Nov/2026:18:00:05 +0200', '24/Nov/2026:18:00:06 +0200', '24/Nov/2026:18:00:05 +0200'];
  const want = [Date.UTC(2026, 10, 24, 17, 0, 5), Date.UTC(2026, 10, 24, 17, 0, 5), Date.UTC(2026, 10, 24, 16, 0, 5), Date.UTC(2026, 10, 24, 16, 0, 5), Date.UTC(2026, 10, 24, 16, 0, 6), Date.UTC(2026, 10, 24, 16, 0, 5)];
  times.forEach((t, i) => assert.equal(r.read(line(t), at), want[i], t));
  // the same bytes at another offset of a larger buffer (a view of it: its own byteOffset)
  const big = Buffer.concat([Buffer.alloc(1000, 32), line(times[5]!)]);
  assert.equal(r.read(big.subarray(7), 1000 - 7 + at), want[5]);
  // an invalid time after a valid one is not the valid one, and is not remembered
  assert.ok(Number.isNaN(r.read(line('24/Nov/2026:18:00:05 +02x0'), at)));
  assert.ok(Number.isNaN(r.read(line('24/Nov/2026:18:00:05 +02x0'), at)));
  assert.equal(r.read(line(times[5]!), at), want[5]);
});
