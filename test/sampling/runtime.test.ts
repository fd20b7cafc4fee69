import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { RuntimeProbe } from '../../src/sampling/runtime.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('RuntimeProbe reports heap, utilisation and GC counts', async () => {
  const r = new RuntimeProbe();
  await sleep(30);
  // A 60 ms block of this event loop: the probe's timer fires at least ~50 ms late.
  const end = performance.now() + 60;
  while (performance.now() < end);
  // A real collection, so the GC count must move (gc() exposed at run time, no test-runner flag needed).
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  await sleep(30);
  const s = r.sample();
  r.close();
  assert.ok(s.heap_used_bytes > 0 && s.heap_total_bytes >= s.heap_used_bytes);
  assert.ok(s.event_loop_utilization !== null && s.event_loop_utilization >= 0 && s.event_loop_utilization <= 1);
  assert.ok(s.gc_count >= 1, `gc_count ${s.gc_count} after a forced collection`);
  assert.ok(s.gc_pause_seconds > 0);
  assert.ok(s.event_loop_delay_max_seconds !== null && s.event_loop_delay_max_seconds >= 0.04, `max delay ${s.event_loop_delay_max_seconds} after a 60 ms block`);
});
