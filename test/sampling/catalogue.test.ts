/**
 * The series catalogue: it declares every column the Sampler produces and nothing it does not, maps
 * label-folded columns both ways, keeps the first format version's unit strings, and translates to
 * Prometheus names that promtool's linter accepts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { FakeClock } from '../../src/core/clock.js';
import {
  allSeries,
  columnName,
  labelSafe,
  parseColumn,
  processSeries,
  runUnits,
  runtimeSeries,
  systemSeries,
  treeColumns,
  treeSeries,
  type ColumnOf,
  type SeriesDecl,
  type SystemRow,
  type TreeRow,
} from '../../src/sampling/catalogue.js';
import { RuntimeProbe } from '../../src/sampling/runtime.js';
import { Sampler, type Sample } from '../../src/sampling/sampler.js';
import { sampleSeries } from '../../src/sampling/sample-series.js';
import { validateLabelName, validateMetricName } from '../../src/metrics/validation.js';
import { join } from 'node:path';
import { FakeProcfs } from '../../src/testing/fake-procfs.js';

/** Samples of a tree with a child, per-process rows and the system (CPUs, a disk, an interface), on a fake procfs. */
function fixtureSamples(): Sample[] {
  const p = new FakeProcfs({ netInterfaces: [{ name: 'eth0', rxBytes: 133375822, txBytes: 558477 }] });
  const clock = new FakeClock();
  try {
    // smaps_rollup for the root only: the tree's unique memory stays unmeasured
    const smaps = { rssBytes: 58300 * 1024, pssBytes: 40000 * 1024, privateBytes: 16000 * 1024 };
    p.setProcess({ pid: 4242, ppid: 4200, userTicks: 1000, systemTicks: 500, rssBytes: 58300 * 1024, threads: [4242, 4243], smaps });
    const sampler = new Sampler({ pid: 4242, procRoot: p.root, cgroupRoot: join(p.root, 'nocgroup'), clock, intervalMs: 100, perProcess: true, system: true });
    const samples: Sample[] = [];
    sampler.on('sample', (s: Sample) => samples.push(s));
    sampler.start();
    p.setProcess({ pid: 5000, ppid: 4242 });
    p.updateProcess(4242, { children: [5000] });
    clock.advance(100);
    p.updateProcess(4242, { userTicks: 1010, systemTicks: 505 });
    clock.advance(100);
    sampler.stop();
    return samples;
  } finally {
    p.cleanup();
  }
}

test('every column a Sampler produces is declared, and every declared column is produced', () => {
  const samples = fixtureSamples();
  const last = samples.at(-1)!;
  assert.equal(last.processes!.size, 2);
  const seen = { tree: new Set<SeriesDecl>(), process: new Set<SeriesDecl>(), system: new Set<SeriesDecl>() };
  const check = (row: 'tree' | 'process' | 'system', values: object): void => {
    for (const column of Object.keys(values)) {
      const r = parseColumn(row, column);
      assert.ok(r !== null, `${row} column ${column} is declared`);
      seen[row].add(r.decl);
    }
  };
  check('tree', last.tree);
  const probe = new RuntimeProbe();
  check('tree', probe.sample());
  probe.close();
  check('system', last.system!);
  for (const row of last.processes!.values()) check('process', row);
  const declared = (group: Record<string, SeriesDecl>) => Object.values(group).map((d) => d.column).sort();
  assert.deepEqual([...seen.tree].map((d) => d.column).sort(), [...declared(treeSeries), ...declared(runtimeSeries)].sort());
  assert.deepEqual([...seen.process].map((d) => d.column).sort(), declared(processSeries));
  assert.deepEqual([...seen.system].map((d) => d.column).sort(), declared(systemSeries), 'the fixture has CPUs, disks and an interface');
});

test('folded labels: columnName and parseColumn are inverse, values outside [A-Za-z0-9_] become _', () => {
  const cases: [SeriesDecl, Record<string, string>, string][] = [
    [systemSeries['cpu{cpu}_percent'], { cpu: '12' }, 'cpu12_percent'],
    [systemSeries['disk_{device}_read_bytes'], { device: 'nvme0n1' }, 'disk_nvme0n1_read_bytes'],
    [systemSeries['disk_{device}_write_bytes'], { device: 'x_read' }, 'disk_x_read_write_bytes'],
    [systemSeries['net_{iface}_rx_bytes'], { iface: 'eth0' }, 'net_eth0_rx_bytes'],
    [systemSeries['net_{iface}_tx_bytes'], { iface: 'wlp2s0' }, 'net_wlp2s0_tx_bytes'],
  ];
  for (const [decl, labels, column] of cases) {
    assert.equal(columnName(decl, labels), column);
    assert.deepEqual(parseColumn('system', column), { decl, labels });
  }
  assert.equal(columnName(systemSeries['disk_{device}_read_bytes'], { device: 'dm-0' }), 'disk_dm_0_read_bytes');
  assert.deepEqual(parseColumn('system', 'disk_dm_0_read_bytes')?.labels, { device: labelSafe('dm-0') });
  // Fixed columns are never taken for folded ones, and the reverse.
  assert.equal(parseColumn('system', 'disk_read_bytes')?.decl, systemSeries.disk_read_bytes);
  assert.equal(parseColumn('system', 'cpu_user_percent')?.decl, systemSeries.cpu_user_percent);
  assert.equal(parseColumn('system', 'cpux_percent'), null);
  assert.equal(parseColumn('tree', 'timestamp'), null);
  assert.equal(parseColumn('tree', 'disk_sda_read_bytes'), null, 'rows do not share declarations');
  assert.equal(parseColumn('tree', 'heap_used_bytes')?.decl, runtimeSeries.heap_used_bytes, 'runtime columns live in the tree row');
  assert.throws(() => columnName(systemSeries['cpu{cpu}_percent']), /needs a value for label 'cpu'/);
});

test('RunMeta.units: the first format version\'s ten entries byte for byte, and every declared column', () => {
  const first: Record<string, string> = {
    timestamp: 'seconds since the run started',
    cpu_percent: '% of one core (100 = one full core; psutil convention)',
    cpu_percent_machine: '% of all cores (or of the cgroup CPU quota)',
    memory_percent: '% of physical memory (RSS / MemTotal, psutil convention)',
    memory_limit_percent: '% of the cgroup memory limit (null when none applies)',
    io_read_bytes: 'bytes read from storage since the run started (cumulative, tree incl. exited children)',
    io_write_bytes: 'bytes written to storage since the run started (cumulative)',
    io_read_chars: 'bytes passed to read-like syscalls, cache and pipes included (cumulative)',
    io_write_chars: 'bytes passed to write-like syscalls (cumulative)',
    num_procs: 'live processes in the tree',
  };
  const units = runUnits();
  for (const [k, v] of Object.entries(first)) assert.equal(units[k], v, k);
  assert.equal(units.rss_bytes, 'bytes: Σ VmRSS of the live processes');
  assert.equal(units['system.cpu_percent'], '%: busy share of all CPUs over the interval (idle and iowait are not busy)');
  assert.equal(units['system.disk_{device}_read_bytes'], 'bytes: bytes read from one whole disk since boot');
  assert.match(units['processes.cpu_user_seconds']!, /^seconds: .*since it started/);
  assert.equal(Object.keys(units).length, 1 + allSeries.length);
});

test('Prometheus: valid names, counters end in _total, names carry their base unit, one shape per metric', () => {
  const byMetric = new Map<string, SeriesDecl[]>();
  for (const d of allSeries) {
    assert.ok(validateMetricName(d.metric), d.metric);
    assert.ok(validateLabelName([...d.labels, ...Object.keys(d.metricLabels)]), d.metric);
    assert.equal(d.metric.endsWith('_total'), d.kind === 'counter', `${d.metric}: _total exactly on counters`);
    const stem = d.metric.replace(/_total$/, '');
    if (d.baseUnit !== '') assert.ok(stem.endsWith(`_${d.baseUnit}`), `${d.metric} ends in its base unit ${d.baseUnit}`);
    assert.equal(d.baseScale, d.unit === 'percent' ? 0.01 : 1);
    const list = byMetric.get(d.metric) ?? [];
    list.push(d);
    byMetric.set(d.metric, list);
  }
  for (const [metric, decls] of byMetric) {
    const shape = (d: SeriesDecl) => [d.kind, d.baseUnit, d.scope, [...d.labels, ...Object.keys(d.metricLabels)].sort().join(',')].join(' ');
    assert.equal(new Set(decls.map(shape)).size, 1, `${metric}: one kind, unit and label set`);
    const ids = decls.map((d) => JSON.stringify(d.metricLabels));
    assert.equal(new Set(ids).size, decls.length, `${metric}: its declarations are told apart by constant labels`);
  }
});

test('sampleSeries: canonical names, labels from the row and the pattern, base units, nulls left out', () => {
  const sample = fixtureSamples().at(-1)!;
  const values = sampleSeries(sample, { instance: 'test' });
  const find = (name: string, labels: Record<string, string>) =>
    values.filter((v) => v.name === name && Object.entries(labels).every(([k, x]) => v.labels[k] === x));
  const user = find('perfscope_process_cpu_seconds_total', { pid: '4242', mode: 'user' });
  assert.equal(user.length, 1);
  assert.equal(user[0]!.value, 10.1, "the process's own user time, in seconds");
  assert.deepEqual(user[0]!.labels, { instance: 'test', pid: '4242', mode: 'user' });
  assert.equal(find('perfscope_process_cpu_seconds_total', { pid: '5000' }).length, 2);
  const vda = find('perfscope_system_disk_read_bytes_total', { device: 'vda' });
  assert.equal(vda.length, 1);
  assert.equal(vda[0]!.value, sample.system!.disk_vda_read_bytes);
  assert.equal(find('perfscope_system_network_receive_bytes_total', { iface: 'eth0' })[0]!.value, 133375822);
  const cpu = find('perfscope_tree_cpu_usage_ratio', {});
  assert.equal(cpu.length, 1);
  assert.ok(Math.abs(cpu[0]!.value - sample.tree.cpu_percent! / 100) < 1e-12, 'percent becomes a ratio');
  assert.equal(find('perfscope_tree_unique_memory_bytes', {}).length, 0, 'not measured (no smaps): no value');
  assert.ok(values.every((v) => Number.isFinite(v.value)));
  assert.equal(find('perfscope_system_cpu_core_usage_ratio', {}).length, 2, 'one value per CPU');
});

test('promtool lints an exposition of every series of a sample without a complaint', (t) => {
  if (!existsSync('/usr/bin/promtool')) {
    if (process.env.CI === 'true') assert.fail('promtool is not installed (apt-get install prometheus)');
    return t.skip('promtool is not installed (apt-get install prometheus)');
  }
  const values = sampleSeries(fixtureSamples().at(-1)!);
  const families = new Map<string, string[]>();
  for (const v of values) {
    const labels = Object.entries(v.labels).map(([k, x]) => `${k}="${x}"`).join(',');
    const lines = families.get(v.name) ?? [`# HELP ${v.name} ${v.decl.help}`, `# TYPE ${v.name} ${v.decl.kind}`];
    lines.push(`${v.name}${labels ? `{${labels}}` : ''} ${v.value}`);
    families.set(v.name, lines);
  }
  const text = `${[...families.values()].flat().join('\n')}\n`;
  const r = spawnSync('/usr/bin/promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  assert.equal(r.status, 0, `promtool: ${r.stdout}${r.stderr}`);
  assert.ok(families.size >= 40, `${families.size} families checked`);
});

test('rows and recorded columns are typed by the catalogue: an undeclared name does not compile', () => {
  // Compiled by `npm run typecheck` (tsc over test/): each @ts-expect-error must be an error.
  const tree = {} as TreeRow;
  const system = {} as SystemRow;
  // @ts-expect-error a typo in a tree column
  void tree.cpu_percnt;
  // @ts-expect-error a per-process-only column is not a tree column
  void treeColumns({ timestamp: [] }).pid;
  // @ts-expect-error a folded CPU column takes a number
  void system.cpuX_percent;
  void system.cpu3_percent;
  void system.disk_sda_read_bytes;
  const column: ColumnOf<'net_{iface}_rx_bytes'> = 'net_eth0_rx_bytes';
  assert.equal(column, 'net_eth0_rx_bytes');
});
