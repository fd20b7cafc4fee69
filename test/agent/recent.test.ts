/** The recent window: rings that wrap, selection by name and labels, ranges, steps, rates, retired series. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RecentWindow, rateOf } from '../../src/agent/recent.js';
import { SeriesSet } from '../../src/agent/series-set.js';
import { serveSeries as S } from '../../src/agent/series.js';

function setup(capacity: number) {
  const set = new SeriesSet();
  const a = set.add(S.groupCpuSeconds, { groupname: 'web', mode: 'user' }, 'group:web');
  const b = set.add(S.groupCpuSeconds, { groupname: 'db', mode: 'user' }, 'group:db');
  const l = set.add(S.load1, {}, 'host');
  return { set, a, b, l, w: new RecentWindow(set, capacity) };
}

test('select by name and labels (string or pattern), over a range, wrapping the ring', () => {
  const { set, a, b, l, w } = setup(5);
  for (let i = 0; i < 8; i++) {
    set.values[a] = i;
    set.values[b] = 10 * i;
    set.values[l] = 0.5;
    w.append(1000 * i);
  }
  assert.equal(w.size, 5);
  assert.deepEqual(w.span(), { fromMs: 3000, toMs: 7000 });
  const web = w.select({ name: 'namedprocess_namegroup_cpu_seconds_total', labels: { groupname: 'web' } });
  assert.equal(web.length, 1);
  assert.deepEqual([...web[0]!.timestampsMs], [3000, 4000, 5000, 6000, 7000]);
  assert.deepEqual([...web[0]!.values], [3, 4, 5, 6, 7]);
  assert.equal(web[0]!.key, 'namedprocess_namegroup_cpu_seconds_total{groupname="web",mode="user"}');
  const both = w.select({ name: 'namedprocess_namegroup_cpu_seconds_total', labels: { groupname: /^(web|db)$/ } }, { fromMs: 5000, toMs: 6000 });
  assert.deepEqual(both.map((r) => [...r.values]), [[5, 6], [50, 60]]);
  assert.equal(w.select({ name: 'node_load1', labels: { device: 'x' } }).length, 0, 'a label the series lacks does not match');
  assert.deepEqual(w.latest({ name: 'node_load1' }).map((p) => [p.tMs, p.value]), [[7000, 0.5]]);
  // rate of a counter (web: +1 per second)
  assert.equal(rateOf(web[0]!), 1);
});

test('step: the newest sample at or before each step, none when older than a step', () => {
  const { set, a, w } = setup(20);
  for (const t of [0, 1000, 2000, 6500, 8000]) {
    set.values[a] = t / 1000;
    w.append(t);
  }
  const r = w.select({ name: 'namedprocess_namegroup_cpu_seconds_total', labels: { groupname: 'web' } }, { fromMs: 0, toMs: 8000, stepMs: 2000 })[0]!;
  assert.deepEqual([...r.timestampsMs], [0, 2000, 4000, 6000, 8000]);
  // at 4000 the sample of 2000 is one step old (kept); at 6000 it is two steps old (none)
  assert.deepEqual([...r.values].map((v) => (Number.isNaN(v) ? null : v)), [0, 2, 2, null, 8]);
});

test('a counter reset is counted from zero; a retired series leaves the window once its data is old', () => {
  const { set, a, b, w } = setup(3);
  for (const [i, v] of [5, 6, 1, 2].entries()) {
    set.values[a] = v;
    w.append(i * 1000);
  }
  const r = w.select({ name: 'namedprocess_namegroup_cpu_seconds_total', labels: { groupname: 'web' } })[0]!;
  // The window holds 6, 1, 2: the drop to 1 is a reset (1 counted from zero), then +1: 2 over 2 s.
  assert.equal(rateOf(r), 1);
  set.retire(b);
  for (let i = 4; i < 10; i++) w.append(i * 1000);
  assert.equal(w.select({ name: 'namedprocess_namegroup_cpu_seconds_total', labels: { groupname: 'db' } }).length, 0);
});
