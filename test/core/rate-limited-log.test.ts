/**
 * The one rate-limited fault log (serve's agent and the exporters): the first line of a kind at once,
 * then one per interval with the count held back; lines made safe for a terminal; a failing sink never
 * throws at the caller.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RateLimitedLog } from '../../src/core/rate-limited-log.js';
import { Faults } from '../../src/agent/faults.js';

test('RateLimitedLog: the first line of a kind at once, then one per interval with the count held back', () => {
  let now = 0;
  const out: string[] = [];
  const log = new RateLimitedLog((l) => out.push(l), 60_000, () => now);
  log.line('retry', 'down');
  log.line('retry', 'down');
  log.line('other', 'x');
  now = 30_000;
  log.line('retry', 'down');
  now = 61_000;
  log.line('retry', 'still down');
  log.always('retry', 'recovered');
  log.line('retry', 'down again');
  assert.deepEqual(out, ['down', 'x', 'still down (2 similar since the last report)', 'recovered', 'down again']);
});

test('RateLimitedLog: control characters of untrusted text become \\xNN; a throwing sink is ignored', () => {
  const out: string[] = [];
  new RateLimitedLog((l) => out.push(l), 1000, () => 0).line('k', 'receiver said: bad\r\n\u001b[2Jgone');
  assert.deepEqual(out, ['receiver said: bad\\x0d\\x0a\\x1b[2Jgone']);
  const broken = new RateLimitedLog(() => {
    throw new Error('EPIPE');
  }, 1000);
  assert.doesNotThrow(() => broken.line('k', 'x'));
  assert.doesNotThrow(() => broken.always('k', 'x'));
});

test("serve's Faults count every fault and print through the same log: one line per kind per interval", () => {
  let now = 0;
  const out: string[] = [];
  const faults = new Faults((l) => out.push(l), 60_000, () => now);
  faults.report('store', 'cannot write /var/lib/serve.db: no space left on device');
  faults.report('store', 'again');
  faults.report('proc', 'process <img src=x>\n named oddly');
  now = 60_000;
  faults.report('store', 'still failing');
  assert.equal(faults.total('store'), 3);
  assert.equal(faults.total('proc'), 1);
  assert.equal(faults.total('http'), 0);
  assert.deepEqual(out, [
    'perfscope serve: store: cannot write /var/lib/serve.db: no space left on device',
    'perfscope serve: proc: process <img src=x>\\x0a named oddly',
    'perfscope serve: store: still failing (1 similar since the last report)',
  ]);
});
