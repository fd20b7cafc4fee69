/**
 * serve's series as an exporter source: the same names, types, labels and values as /metrics (checked
 * against the exposition's own text), each tick's time on every point, counters' start times (boot for
 * the host's kernel totals, first sight for the rest), the registry after the catalogue, one
 * collection per tick.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderSeries } from '../../src/agent/exposition.js';
import { SeriesSet } from '../../src/agent/series-set.js';
import { serveSeries as S } from '../../src/agent/series.js';
import { SeriesSetSource, serveSource } from '../../src/agent/series-source.js';
import { flattenFamily, type Collection, type ValueFamily } from '../../src/export/series.js';
import { Counter, Registry } from '../../src/metrics/index.js';
import { parseExposition } from '../helpers/serve.js';

const BOOT_MS = 1_796_000_000_000;

function fixture() {
  const set = new SeriesSet();
  const cpu = set.add(S.cpuSeconds, { cpu: '0', mode: 'user' }, 'host');
  const load = set.add(S.load1, {}, 'host');
  const mem = set.add(S.memTotal, {}, 'host');
  const procs = set.add(S.groupNumProcs, { groupname: 'web "a"\\b' }, 'group:web');
  const gcpu = set.add(S.groupCpuSeconds, { groupname: 'web "a"\\b', mode: 'system' }, 'group:web');
  set.values[cpu] = 1234.5;
  set.values[load] = NaN; // not read this tick
  set.values[mem] = 8e9;
  set.values[procs] = 3;
  set.values[gcpu] = 0.25;
  return { set, cpu, load, mem, procs, gcpu };
}

/** Flat (name, labels, value) of a collection, as remote_write carries it. */
function flat(c: Collection): { name: string; labels: Record<string, string>; value: number; t: number }[] {
  const out: { name: string; labels: Record<string, string>; value: number; t: number }[] = [];
  for (const f of c.families) {
    flattenFamily(f, c.timestampMs, (name, labels, extraName, extraValue, value, t) => {
      const l: Record<string, string> = {};
      for (const k in labels) l[k] = String(labels[k]);
      if (extraName !== null) l[extraName] = extraValue!;
      out.push({ name, labels: l, value, t });
    });
  }
  return out;
}

test('the catalogue series: exactly what /metrics shows (names, labels, values), NaN left out, typed and with units', () => {
  const { set } = fixture();
  const src = new SeriesSetSource(set);
  src.noteTick(1_796_000_100_000.25, BOOT_MS);
  const c = src.collect();
  const fromMetrics = parseExposition(renderSeries(set, 'text'));
  const exported = flat(c);
  assert.deepEqual(
    exported.map(({ name, labels, value }) => ({ name, labels, value })),
    fromMetrics.map(({ name, labels, value }) => ({ name, labels, value })),
  );
  assert.ok(exported.every((s) => s.t === 1_796_000_100_000), "every point at the tick's time, in whole ms (as /api/groups shows it)");
  const byName = new Map(c.families.map((f) => [f.name, f]));
  assert.equal(byName.get('node_cpu_seconds_total')?.type, 'counter');
  assert.equal(byName.get('node_cpu_seconds_total')?.unit, 's');
  assert.equal(byName.get('node_memory_MemTotal_bytes')?.type, 'gauge');
  assert.equal(byName.get('node_memory_MemTotal_bytes')?.unit, 'By');
  assert.equal(byName.get('namedprocess_namegroup_num_procs')?.unit, undefined, 'a count has no unit');
  assert.equal(byName.has('node_load1'), false, 'no value this tick: not sent');
});

test('start times: host counters at the first tick count since boot; groups, and anything appearing or coming back later, since that tick', () => {
  const { set, cpu, gcpu } = fixture();
  const src = new SeriesSetSource(set);
  const t0 = BOOT_MS + 3_600_000;
  src.noteTick(t0, BOOT_MS);
  const startOf = (c: Collection, name: string, where: Record<string, string>): number | undefined => {
    const f = c.families.find((x) => x.name === name) as ValueFamily | undefined;
    return f?.points.find((p) => Object.entries(where).every(([k, v]) => p.labels[k] === v))?.startTimeMs;
  };
  let c = src.collect();
  assert.equal(startOf(c, 'node_cpu_seconds_total', { cpu: '0' }), BOOT_MS);
  assert.equal(startOf(c, 'namedprocess_namegroup_cpu_seconds_total', { mode: 'system' }), t0, "a group's counters count from serve's first sight");
  // a new interface's counters and a new group appear at the next tick
  const net = set.add(S.netReceiveBytes, { device: 'veth1' }, 'host');
  set.values[net] = 10;
  const other = set.add(S.groupCpuSeconds, { groupname: 'db', mode: 'user' }, 'group:db');
  set.values[other] = 0;
  src.noteTick(t0 + 1000, BOOT_MS);
  c = src.collect();
  assert.equal(startOf(c, 'node_network_receive_bytes_total', { device: 'veth1' }), t0 + 1000);
  assert.equal(startOf(c, 'namedprocess_namegroup_cpu_seconds_total', { groupname: 'db' }), t0 + 1000);
  assert.equal(startOf(c, 'node_cpu_seconds_total', { cpu: '0' }), BOOT_MS, 'unchanged');
  // a group retired and seen again starts over (its counters restart from zero)
  set.retire(gcpu);
  src.noteTick(t0 + 2000, BOOT_MS);
  assert.equal(startOf(src.collect(), 'namedprocess_namegroup_cpu_seconds_total', { groupname: 'web "a"\\b' }), undefined);
  set.add(S.groupCpuSeconds, { groupname: 'web "a"\\b', mode: 'system' }, 'group:web');
  set.values[gcpu] = 0.01;
  src.noteTick(t0 + 3000, BOOT_MS);
  assert.equal(startOf(src.collect(), 'namedprocess_namegroup_cpu_seconds_total', { groupname: 'web "a"\\b' }), t0 + 3000);
  assert.equal(set.values[cpu], 1234.5);
});

test('serveSource: the catalogue, then the registry, all at the tick time; one collection per tick for every exporter', async () => {
  const { set } = fixture();
  const registry = new Registry();
  const ticks = new Counter({ name: 'perfscope_serve_ticks_total', help: 'ticks', registers: [registry] });
  let lastTick: { index: number; wallMs: number } | null = null;
  const src = serveSource({ set, registry, get lastTick() { return lastTick; } });
  const tick = (index: number, wallMs: number): void => {
    lastTick = { index, wallMs };
    ticks.inc();
    src.noteTick(wallMs, BOOT_MS);
  };
  tick(0, BOOT_MS + 10_000);
  const a = src.collect();
  assert.equal(src.collect(), a, 'a second exporter at the same tick shares the collection');
  const c = await a;
  const names = c.families.map((f) => f.name);
  assert.ok(names.indexOf('perfscope_serve_ticks_total') > names.indexOf('namedprocess_namegroup_cpu_seconds_total'), 'registry after the catalogue, as on /metrics');
  const samples = flat(c);
  assert.deepEqual(samples.find((s) => s.name === 'perfscope_serve_ticks_total'), { name: 'perfscope_serve_ticks_total', labels: {}, value: 1, t: BOOT_MS + 10_000 });
  assert.ok(samples.every((s) => s.t === BOOT_MS + 10_000));
  tick(1, BOOT_MS + 11_000);
  const d = await src.collect();
  assert.notEqual(d, c);
  assert.equal(flat(d).find((s) => s.name === 'perfscope_serve_ticks_total')?.value, 2);
  assert.ok(flat(d).every((s) => s.t === BOOT_MS + 11_000));
});
