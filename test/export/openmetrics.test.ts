import { test } from 'node:test';
import assert from 'node:assert/strict';
import { syntheticRun } from '../helpers/synthetic-run.js';
import { runToOpenMetrics } from '../../src/export/openmetrics.js';
import { columnFamily } from '../../src/export/run-series.js';

function parse(text: string): { families: string[]; samples: { name: string; labels: string; value: string; ts: number }[]; meta: string[] } {
  const families: string[] = [];
  const samples: { name: string; labels: string; value: string; ts: number }[] = [];
  const meta: string[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (line.startsWith('#')) {
      meta.push(line);
      const m = /^# TYPE (\S+) /.exec(line);
      if (m) families.push(m[1]!);
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)\{(.*)\} (\S+) (\d+\.\d{3})$/.exec(line);
    assert.ok(m, `sample line: ${line}`);
    samples.push({ name: m[1]!, labels: m[2]!, value: m[3]!, ts: Number(m[4]) });
  }
  return { families, samples, meta };
}

test('a run as OpenMetrics: typed families with units, run_id on every series, timestamps, nulls skipped, # EOF', () => {
  const run = syntheticRun({ samples: 30, children: true, missed: [5] });
  run.meta.id = 12;
  run.system = { timestamp: [0, 1], cpu_percent: [null, 12.5], cpu1_percent: [3, 4], disk_sda_read_bytes: [100, 200], net_eth0_tx_bytes: [5, 6], some_future_column: [1, 2] };
  run.processes![0]!.comm = 'we"ird\\comm';
  run.samples.cpu_user_seconds = run.samples.timestamp.map((t) => t * 0.5);
  run.samples.cpu_system_seconds = run.samples.timestamp.map((t) => t * 0.1);
  const text = runToOpenMetrics(run);
  assert.ok(text.endsWith('# EOF\n'));
  const { families, samples, meta } = parse(text);
  assert.equal(new Set(families).size, families.length, 'each family once');
  // families are contiguous: once a family's samples end, none of its samples come back
  const order: string[] = [];
  for (const s of samples) {
    const fam = families.find((f) => s.name === f || s.name === `${f}_total` || s.name === `${f}_info`)!;
    assert.ok(fam, s.name);
    if (order.at(-1) !== fam) {
      assert.ok(!order.includes(fam), `family ${fam} split`);
      order.push(fam);
    }
  }
  for (const s of samples) assert.match(s.labels, /^run_id="12",host="[^"]*"/);
  const start = run.meta.startedAtMs / 1000;
  const cpu = samples.filter((s) => s.name === 'perfscope_tree_cpu_usage_ratio');
  const nonNull = run.samples.cpu_percent!.filter((v) => v !== null).length;
  assert.equal(cpu.length, nonNull, 'one sample per measured value, none for null');
  assert.equal(cpu[0]!.ts, Math.round((start + run.samples.timestamp[1]!) * 1000) / 1000);
  for (let i = 1; i < cpu.length; i++) assert.ok(cpu[i]!.ts > cpu[i - 1]!.ts, 'in time order');
  // Values in the base unit: a percent column becomes a ratio.
  const firstCpu = run.samples.cpu_percent!.find((v) => v !== null)!;
  assert.equal(Number(cpu[0]!.value), firstCpu * 0.01);
  assert.ok(meta.includes('# TYPE perfscope_tree_io_read_bytes counter'));
  assert.ok(meta.includes('# UNIT perfscope_tree_io_read_bytes bytes'));
  assert.ok(samples.some((s) => s.name === 'perfscope_tree_io_read_bytes_total'), 'counter samples end in _total');
  assert.ok(samples.some((s) => s.name === 'perfscope_process_cpu_usage_ratio' && s.labels.includes('comm="we\\"ird\\\\comm"')), 'label values escaped');
  assert.ok(samples.some((s) => s.name === 'perfscope_system_cpu_core_usage_ratio' && s.labels.endsWith('cpu="1"') && s.value === '0.04'));
  assert.ok(samples.some((s) => s.name === 'perfscope_system_disk_read_bytes_total' && s.labels.endsWith('device="sda"')));
  assert.ok(samples.some((s) => s.name === 'perfscope_system_network_transmit_bytes_total' && s.labels.endsWith('iface="eth0"')));
  // Two columns of one metric (the catalogue's constant labels tell them apart): one family.
  assert.ok(samples.some((s) => s.name === 'perfscope_tree_cpu_seconds_total' && s.labels.endsWith('mode="user"')));
  assert.ok(samples.some((s) => s.name === 'perfscope_tree_cpu_seconds_total' && s.labels.endsWith('mode="system"')));
  assert.ok(samples.some((s) => s.name === 'perfscope_system_some_future_column'), 'an unknown column is still exported');
  assert.ok(samples.some((s) => s.name === 'perfscope_run_info' && s.labels.includes('command="node app.js"')));
});

test('the column table: every unit is the suffix of its family name (an OpenMetrics rule)', () => {
  const cols = ['cpu_percent', 'cpu_user_seconds', 'rss_bytes', 'io_read_chars', 'event_loop_utilization', 'num_fds', 'gc_pause_seconds'];
  for (const scope of ['tree', 'process', 'system'] as const) {
    for (const c of [...cols, 'load1', 'disk_read_bytes', 'net_rx_bytes', 'cpu3_percent', 'disk_nvme0n1_write_bytes']) {
      const f = columnFamily(scope, c);
      if (f.unit !== '') assert.ok(f.name.endsWith(`_${f.unit}`), `${scope} ${c} -> ${f.name} (${f.unit})`);
      assert.match(f.name, /^[a-zA-Z_][a-zA-Z0-9_]*$/);
    }
  }
});
