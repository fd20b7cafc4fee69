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

for (const [what, value] of [
  ['values that move every tick', (t: number, i: number) => t + i / 10],
  // pages of one number, broken by a second one now and then: constant pages, made slab pages and back
  ['values that mostly stand still', (t: number, i: number, r: number) => (r < 0.02 ? -i : Math.floor(t / 90) + i)],
] as const) {
test(`paged rings: the same answers as one full ring per series, through births, NaNs, retirements and revivals (${what})`, () => {
  // A naive model (one Float64Array of the window per series, as the window once was) run beside it.
  const cap = 150; // not a multiple of the 64-tick page: a short last page
  const set = new SeriesSet();
  const ids = ['a', 'b', 'c', 'd'].map((g) => set.add(S.groupCpuSeconds, { groupname: g, mode: 'user' }, `group:${g}`));
  const w = new RecentWindow(set, cap);
  const model = new Map<number, Float64Array>();
  let seed = 7;
  const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (let t = 0; t < 700; t++) {
    for (const i of ids) {
      const r = rnd();
      if (r < 0.01) set.retire(i);
      else if (r < 0.03) set.add(S.groupCpuSeconds, set.series[i]!.labels, set.series[i]!.block); // revives
      if (set.series[i]!.live) set.values[i] = rnd() < 0.05 ? NaN : value(t, i, rnd());
      const m = model.get(i) ?? new Float64Array(cap).fill(NaN);
      model.set(i, m);
      m[t % cap] = set.series[i]!.live ? set.values[i]! : NaN;
    }
    w.append(t * 1000);
    if (t % 37 === 0 || t > 690) {
      for (const i of ids) {
        const got = w.select({ name: 'namedprocess_namegroup_cpu_seconds_total', labels: { groupname: set.series[i]!.labels.groupname! } });
        const n = Math.min(t + 1, cap);
        const want = Array.from({ length: n }, (_, k) => model.get(i)![(t - n + 1 + k) % cap]!);
        if (got.length === 0) {
          assert.ok(want.every((v) => Number.isNaN(v)), `series ${i} at tick ${t}: dropped while it has values in the window`);
          continue;
        }
        assert.deepEqual([...got[0]!.values].map(String), want.map(String), `series ${i} at tick ${t}`);
      }
    }
  }
});
}

test('paged rings: a series that lived a few ticks holds one page, and none once the window has passed it', () => {
  const set = new SeriesSet();
  const web = set.add(S.groupCpuSeconds, { groupname: 'web', mode: 'user' }, 'group:web');
  const w = new RecentWindow(set, 900);
  set.values[web] = 1;
  w.append(0);
  assert.equal(w.pages, 1, 'a new series: one page of 64 ticks, not its whole window');
  const brief = set.add(S.groupCpuSeconds, { groupname: 'make', mode: 'user' }, 'group:make');
  for (let t = 1; t <= 3; t++) {
    set.values[web] = t;
    set.values[brief] = t;
    w.append(t * 1000);
  }
  assert.equal(w.pages, 2, 'web and the brief one: one page each');
  set.retire(brief);
  for (let t = 4; t < 900 + 4; t++) {
    set.values[web] = t;
    w.append(t * 1000);
  }
  assert.equal(w.pages, Math.ceil(900 / 64), 'web fills its window; the brief series holds nothing once its ticks left');
  assert.equal(w.select({ name: 'namedprocess_namegroup_cpu_seconds_total', labels: { groupname: 'make' } }).length, 0);
});

test('paged rings: pages share 32 KiB slabs, and a slab whose pages all left is freed', () => {
  const set = new SeriesSet();
  const w = new RecentWindow(set, 128);
  const empty = w.bytes; // the time column
  const slab = 64 * 64 * 8;
  const ids = Array.from({ length: 100 }, (_, g) => set.add(S.groupCpuSeconds, { groupname: `g${g}`, mode: 'user' }, `group:g${g}`));
  for (const i of ids) set.values[i] = i;
  w.append(0);
  assert.equal(w.pages, 100);
  assert.equal(w.slabPages, 0, 'one value a page: constant pages, no slab yet');
  for (const i of ids) set.values[i] = -i - 1;
  w.append(1);
  assert.equal(w.slabPages, 100, 'a second number: slab pages');
  const table = 2 * (4 + 1 + 8 + 8); // per series and page: its id, count, constant number and slot mask
  assert.equal(w.bytes - empty, 2 * (slab + 64) + 100 * table, '100 pages: two slabs, and a page table per series');
  for (const i of ids.slice(0, 90)) set.retire(i); // the 10 left sit in the second slab
  for (let t = 2; t <= 129; t++) {
    for (const i of ids.slice(90)) set.values[i] = t;
    w.append(t * 1000);
  }
  assert.equal(w.pages, 20, 'the ten live series: two pages each (the window wrapped)');
  assert.equal(w.slabPages, 20);
  assert.equal(w.bytes - empty, slab + 64 + 10 * table, 'the first slab, whose pages all left, is freed; the retired rings are dropped');
  for (const i of ids.slice(90)) set.retire(i);
  for (let t = 129; t <= 129 + 128; t++) w.append(t * 1000);
  assert.equal(w.pages, 0);
  assert.equal(w.bytes, empty, 'every slab freed once no series holds a value (and the retired rings dropped)');
  for (const i of ids.slice(0, 3)) set.add(S.groupCpuSeconds, set.series[i]!.labels, set.series[i]!.block);
  for (const i of ids.slice(0, 3)) set.values[i] = 1;
  w.append(300_000);
  assert.equal(w.pages, 3, 'revived series take pages again');
  assert.equal(w.bytes, empty + 3 * table, 'constant pages: no slab');
  assert.deepEqual(w.latest({ name: 'namedprocess_namegroup_cpu_seconds_total', labels: { groupname: 'g1' } }).map((p) => p.value), [1]);
});
