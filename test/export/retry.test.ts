import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoffDelayMs } from '../../src/export/retry.js';
import { parseRetryAfter } from '../../src/export/http-post.js';

const o = { minBackoffMs: 100, maxBackoffMs: 5000, maxRetryAfterMs: 60_000 };

test('backoff doubles from the minimum, is capped, and jitters within the upper half', () => {
  assert.equal(backoffDelayMs(0, o, null, () => 1), 100);
  assert.equal(backoffDelayMs(0, o, null, () => 0), 50);
  assert.equal(backoffDelayMs(3, o, null, () => 1), 800);
  assert.equal(backoffDelayMs(10, o, null, () => 1), 5000);
  assert.equal(backoffDelayMs(1000, o, null, () => 0), 2500, 'huge attempt counts stay capped, not Infinity');
  const seen = new Set<number>();
  for (let i = 0; i < 50; i++) seen.add(backoffDelayMs(4, o, null));
  assert.ok(seen.size > 10, 'jittered');
  for (const d of seen) assert.ok(d >= 800 && d <= 1600);
});

test('Retry-After wins when longer, is capped, and parses as seconds or an HTTP date', () => {
  assert.equal(backoffDelayMs(0, o, 3000, () => 1), 3000);
  assert.equal(backoffDelayMs(10, o, 10, () => 1), 5000, 'a shorter Retry-After does not shorten the backoff');
  assert.equal(backoffDelayMs(0, o, 3_600_000, () => 1), 60_000);
  assert.equal(parseRetryAfter('2'), 2000);
  assert.equal(parseRetryAfter('1.5'), 1500);
  assert.equal(parseRetryAfter(new Date(10_000).toUTCString(), 4000), 6000);
  assert.equal(parseRetryAfter('soon'), null);
  assert.equal(parseRetryAfter(undefined), null);
});
