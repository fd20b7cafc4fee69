/**
 * History: ticks of known values written through History into a real SeriesStore file, read back as
 * a run (docs/run-format.md) from the raw and the minute tier, across a restart (a gap row), with
 * retention pruning. Times are given explicitly, so no test waits for real minutes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { History } from '../../src/agent/history.js';
import { historyAsRun, type HistoryContext } from '../../src/agent/history-run.js';
import { SeriesSet } from '../../src/agent/series-set.js';
import { cpuModes, serveSeries as S } from '../../src/agent/series.js';
import { SeriesStore } from '../../src/store/series-store.js';
import { decodeChunk } from '../../src/store/chunk-codec.js';
import { sqliteEngine } from '../../src/store/sqlite.js';
import { runDataProblem } from '../../src/store/run-file.js';

const skip = sqliteEngine() === null ? 'no SQLite engine on this Node' : false;
const MIN = 60_000;
const T0 = 1_796_000_000_000 - (1_796_000_000_000 % MIN) + 30_000; // 30 s into a minute

/** A host with two CPUs (each 50 % busy: +0.5 s user, +0.5 s idle per second) and a group "web" at 25 % of a core. */
function fixture() {
  const set = new SeriesSet();
  const cpu: number[][] = [0, 1].map((c) => cpuModes.map((mode) => set.add(S.cpuSeconds, { cpu: String(c), mode }, 'host')));
  const memTotal = set.add(S.memTotal, {}, 'host');
  const memAvail = set.add(S.memAvailable, {}, 'host');
  const load = set.add(S.load1, {}, 'host');
  const disk = set.add(S.diskReadBytes, { device: 'vda' }, 'host');
  const user = set.add(S.groupCpuSeconds, { groupname: 'web', mode: 'user' }, 'group:web');
  const sys = set.add(S.groupCpuSeconds, { groupname: 'web', mode: 'system' }, 'group:web');
  const rss = set.add(S.groupMemory, { groupname: 'web', memtype: 'resident' }, 'group:web');
  const procs = set.add(S.groupNumProcs, { groupname: 'web' }, 'group:web');
  const read = set.add(S.groupReadBytes, { groupname: 'web' }, 'group:web');
  /** Sets every value for second `k` (counters from zero at k = 0). */
  const at = (k: number): void => {
    for (const c of cpu) {
      for (let m = 0; m < cpuModes.length; m++) set.values[c[m]!] = cpuModes[m] === 'user' || cpuModes[m] === 'idle' ? 0.5 * k : 0;
    }
    set.values[memTotal] = 1000;
    set.values[memAvail] = 750;
    set.values[load] = k % 2;
    set.values[disk] = 4096 * k;
    set.values[user] = 0.25 * k;
    set.values[sys] = 0;
    set.values[rss] = 100 + (k % 10);
    set.values[procs] = 2;
    set.values[read] = 512 * k;
  };
  return { set, at };
}

const ctx: HistoryContext = { intervalMs: 1000, rawRetentionMs: 86_400_000, minuteRetentionMs: 30 * 86_400_000, cpuCount: 2, memTotalBytes: 1000, clockTicksPerSecond: 100 };

test('raw tier: every tick back as run columns (system shares, group rates), valid run format', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'perfscope-hist-'));
  const store = SeriesStore.open({ path: join(dir, 'serve.db') });
  const { set, at } = fixture();
  const errors: unknown[] = [];
  const h = new History(store, set, { rawRetentionMs: ctx.rawRetentionMs, minuteRetentionMs: ctx.minuteRetentionMs, onError: (e) => errors.push(e) });
  for (let k = 0; k < 150; k++) {
    at(k);
    h.append(T0 + k * 1000);
  }
  h.flush(T0 + 150_000, true);
  assert.deepEqual(errors, []);
  const run = historyAsRun(store, { seconds: 200, nowMs: T0 + 150_000 }, ctx);
  assert.equal(runDataProblem(JSON.parse(JSON.stringify(run))), null);
  assert.equal(run.meta.serve.tier, 'raw');
  assert.equal(run.meta.sampleCount, 150);
  assert.equal(run.meta.startedAtMs, T0);
  const sys = run.system!;
  assert.equal(sys.timestamp.length, 150);
  assert.equal(sys.timestamp[149], 149);
  assert.equal(sys.cpu_percent![0], null, 'no earlier reading for the first share');
  assert.equal(sys.cpu_percent![10], 50);
  assert.equal(sys.cpu0_percent![10], 50);
  assert.equal(sys.memory_used_bytes![3], 250);
  assert.equal(sys.memory_percent![3], 25);
  assert.equal(sys.load1![3], 1);
  assert.equal(sys.disk_read_bytes![3], 4096 * 3);
  assert.equal(sys.disk_vda_read_bytes![3], 4096 * 3);
  // samples: every group summed; processes: one entry per group
  assert.equal(run.samples.cpu_percent![20], 25);
  assert.equal(run.samples.rss_bytes![7], 107);
  assert.equal(run.samples.io_read_bytes![7], 512 * 7);
  assert.deepEqual(run.processes!.map((p) => [p.comm, p.pid]), [['web', 0]]);
  assert.deepEqual(run.meta.serve.groups, ['web']);
  // One group's history
  const web = historyAsRun(store, { seconds: 200, group: 'web', nowMs: T0 + 150_000 }, ctx);
  assert.equal(web.samples.cpu_percent![20], 25);
  assert.equal(web.processes, undefined);
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

test('minute tier: counters as the minute\'s last value, gauges as its mean; restart leaves a gap row; retention prunes', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'perfscope-hist-'));
  const path = join(dir, 'serve.db');
  let store = SeriesStore.open({ path });
  let f = fixture();
  let h = new History(store, f.set, { rawRetentionMs: ctx.rawRetentionMs, minuteRetentionMs: ctx.minuteRetentionMs, onError: (e) => assert.fail(String(e)) });
  for (let k = 0; k < 210; k++) {
    f.at(k);
    h.append(T0 + k * 1000);
  }
  h.flush(T0 + 210_000, true);
  store.close();
  // Restart 5 minutes later, counters from zero again (a new agent): the history goes on.
  store = SeriesStore.open({ path });
  f = fixture();
  h = new History(store, f.set, { rawRetentionMs: ctx.rawRetentionMs, minuteRetentionMs: ctx.minuteRetentionMs, onError: (e) => assert.fail(String(e)) });
  const T1 = T0 + 510_000;
  for (let k = 0; k < 90; k++) {
    f.at(k);
    h.append(T1 + k * 1000);
  }
  h.flush(T1 + 90_000, true);

  const minute = historyAsRun(store, { seconds: 900, tier: 'minute', nowMs: T1 + 90_000 }, ctx);
  assert.equal(minute.meta.serve.tier, 'minute');
  assert.equal(minute.meta.intervalSeconds, 60);
  const ts = minute.system!.timestamp;
  // Minutes of the first run: 4 (30 s of the first, 3 whole, 30 s of the last); a gap row; then the second run.
  const gap = minute.system!.load1!.indexOf(null);
  assert.ok(gap > 0, `a null row marks the stop: ${JSON.stringify(minute.system!.load1)}`);
  assert.ok(ts[gap + 1]! - ts[gap - 1]! >= 240, 'the gap spans the minutes serve was down');
  // A full minute (second 30..89 of the first run is minute 1): web counter max = 0.25 * 89, mean rss = 104.5
  const full = 1;
  assert.equal(minute.processes![0]!.samples.cpu_user_seconds![full], 0.25 * 89);
  assert.equal(minute.processes![0]!.samples.rss_bytes![full], 104.5);
  assert.equal(minute.samples.cpu_percent![2], 25, 'from consecutive minute maxima');
  assert.equal(minute.system!.load1![full], 0.5, 'a gauge is the minute mean');
  const raw = historyAsRun(store, { seconds: 900, tier: 'raw', nowMs: T1 + 90_000 }, ctx);
  assert.equal(raw.meta.sampleCount, 300);
  assert.ok(raw.meta.missedDeadlines >= 290, `ticks missing while serve was down: ${raw.meta.missedDeadlines}`);
  const nullAt = raw.system!.load1!.indexOf(null);
  assert.equal(nullAt, 210, 'one null row between the runs');
  // Retention: a day later the raw tier is gone; the minute tier (30 days) stays.
  h.prune(T1 + 90_000 + ctx.rawRetentionMs + MIN);
  assert.equal(store.readChunks('raw', 0, Infinity).length, 0);
  assert.ok(store.readChunks('minute', 0, Infinity).length > 0);
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

test('every value back from the store as written: 250 ms ticks (a minute outgrows its first rows), groups born and gone mid-minute, NaNs', { skip }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'perfscope-hist-model-'));
  const store = SeriesStore.open({ path: join(dir, 'serve.db') });
  const set = new SeriesSet();
  const h = new History(store, set, { rawRetentionMs: ctx.rawRetentionMs, minuteRetentionMs: ctx.minuteRetentionMs, onError: (e) => assert.fail(String(e)) });
  /** What was written: series key → tick time → value (the raw tier's truth), and per minute for the minute tier. */
  const truth = new Map<string, Map<number, number>>();
  let seed = 11;
  const rnd = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const slots: number[] = [];
  for (let k = 0; k < 4 * 240 + 37; k++) {
    const t = T0 + k * 250;
    // a new group now and then (mid-minute), and an old one retired
    if (k % 53 === 0) for (const mode of ['user', 'system']) slots.push(set.add(S.groupCpuSeconds, { groupname: `g${k}`, mode }, `group:g${k}`));
    if (k % 97 === 96 && slots.length > 4) set.retire(slots.splice(Math.floor(rnd() * slots.length), 1)[0]!);
    for (const s of slots) {
      const v = rnd() < 0.05 ? NaN : Math.round(rnd() * 1e6) / 8;
      set.values[s] = v;
      const key = set.series[s]!.key;
      if (!truth.has(key)) truth.set(key, new Map());
      truth.get(key)!.set(t, v);
    }
    h.append(t);
  }
  h.flush(T0 + (4 * 240 + 37) * 250, true);
  let checked = 0;
  const chunks = store.readChunks('raw', 0, Infinity);
  for (const c of chunks) {
    const d = decodeChunk(c.data);
    const series = store.seriesByIds(Array.from(d.ids));
    d.columns.forEach((col, j) => {
      const want = truth.get(series.get(d.ids[j]!)!.key)!;
      for (let r = 0; r < d.times.length; r++) {
        const w = want.get(d.times[r]!);
        assert.equal(String(col[r]), String(w ?? NaN), `${series.get(d.ids[j]!)!.key} at ${d.times[r]}`);
        if (w !== undefined && !Number.isNaN(w)) checked++;
      }
    });
  }
  const written = [...truth.values()].reduce((n, m) => n + [...m.values()].filter((v) => !Number.isNaN(v)).length, 0);
  assert.equal(checked, written, 'every value written is in a raw chunk, once');
  // The minute tier: per series and minute, min / mean / max of what the minute held.
  for (const c of store.readChunks('minute', 0, Infinity)) {
    const d = decodeChunk(c.data);
    d.columns.forEach((col, j) => {
      const stat = d.ids[j]! % 4;
      const key = store.seriesByIds([Math.floor(d.ids[j]! / 4)]).get(Math.floor(d.ids[j]! / 4))!.key;
      for (let r = 0; r < d.times.length; r++) {
        const minute = Math.floor(d.times[r]! / MIN) * MIN;
        const vs = [...truth.get(key)!.entries()].filter(([t, v]) => t >= minute && t < minute + MIN && !Number.isNaN(v)).map(([, v]) => v);
        const want = vs.length === 0 ? NaN : stat === 0 ? Math.min(...vs) : stat === 1 ? vs.reduce((a, b) => a + b, 0) / vs.length : Math.max(...vs);
        assert.ok(Math.abs(col[r]! - want) <= 1e-9 * Math.abs(want) || (Number.isNaN(col[r]!) && Number.isNaN(want)), `${key} stat ${stat} minute ${minute}: ${col[r]} vs ${want}`);
      }
    });
  }
  store.close();
  rmSync(dir, { recursive: true, force: true });
});
