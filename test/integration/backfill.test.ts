/**
 * Backfill end to end: a real recorded run (`perfscope run`), `perfscope export --format openmetrics`,
 * `promtool tsdb create-blocks-from openmetrics`, then a real Prometheus started on those blocks answers
 * PromQL over the run with the recorded values.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, tempDir } from '../helpers/cli.js';
import type { RunData } from '../../src/core/run-data.js';
import { missing, PROMETHEUS, PROMTOOL, startPrometheus, type PromResult } from './engines.js';

const skip = missing(PROMETHEUS, PROMTOOL);

async function queryAt(url: string, query: string, timeSeconds: number): Promise<PromResult[]> {
  const r = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(query)}&time=${timeSeconds}`);
  const body = (await r.json()) as { status: string; data: { result: PromResult[] }; error?: string };
  assert.equal(body.status, 'success', JSON.stringify(body));
  return body.data.result;
}

test('a recorded run, exported as OpenMetrics and backfilled with promtool, answers PromQL in Prometheus', { skip, timeout: 120_000 }, async () => {
  const t = tempDir('perfscope-backfill-');
  try {
    const store = join(t.dir, 'runs.db');
    // a parent that burns CPU and spawns a child doing the same, for about 1.5 s
    const burn = "const e=Date.now()+1500;while(Date.now()<e){}";
    const script = `require('child_process').spawn(process.execPath,['-e',${JSON.stringify(burn)}],{stdio:'inherit'});${burn}`;
    const rec = await cli(['run', '-i', '0.1', '--quiet', '--', process.execPath, '-e', script], { store });
    assert.equal(rec.code, 0, rec.stderr);
    const file = join(t.dir, 'run.om');
    const ex = await cli(['export', '1', '--format', 'openmetrics', '-o', file], { store });
    assert.equal(ex.code, 0, ex.stderr);
    const jsonOut = await cli(['export', '1'], { store });
    const run = JSON.parse(jsonOut.stdout) as RunData;

    const data = join(t.dir, 'prom-data');
    const blocks = spawnSync(PROMTOOL, ['tsdb', 'create-blocks-from', 'openmetrics', file, data], { encoding: 'utf8' });
    assert.equal(blocks.status, 0, `${blocks.stdout}${blocks.stderr}`);
    assert.match(blocks.stdout, /NUM SAMPLES/);

    const prom = await startPrometheus({ dataDir: data, extraArgs: ['--storage.tsdb.retention.time=100y'] });
    try {
      const start = run.meta.startedAtMs / 1000;
      const ts = run.samples.timestamp;
      const end = start + ts[ts.length - 1]!;
      // the last cumulative CPU time of the tree, as recorded
      const cpu = run.samples.cpu_user_seconds!;
      const lastCpu = cpu[cpu.length - 1]!;
      const r1 = await queryAt(prom.url, 'perfscope_tree_cpu_seconds_total{run_id="1",mode="user"}', end);
      assert.equal(r1.length, 1, JSON.stringify(r1));
      assert.equal(Number(r1[0]!.value[1]), lastCpu);
      assert.equal(r1[0]!.metric.host, run.meta.host);
      // every measured RSS sample is there
      const rss = run.samples.rss_bytes!.filter((v) => v !== null).length;
      const r2 = await queryAt(prom.url, 'count_over_time(perfscope_tree_resident_memory_bytes{run_id="1"}[1h])', end);
      assert.equal(Number(r2[0]!.value[1]), rss);
      // the recorded peak, as PromQL computes it
      const peak = Math.max(...run.samples.rss_bytes!.filter((v): v is number => v !== null));
      const r3 = await queryAt(prom.url, 'max_over_time(perfscope_tree_resident_memory_bytes{run_id="1"}[1h])', end);
      assert.equal(Number(r3[0]!.value[1]), peak);
      // per-process series: the parent and its child, with pid labels
      const r4 = await queryAt(prom.url, 'count by (pid) (last_over_time(perfscope_process_resident_memory_bytes{run_id="1"}[1h]))', end);
      assert.equal(r4.length, run.processes!.length, JSON.stringify(r4));
      assert.ok(run.processes!.length >= 2);
      // the system series too
      const r5 = await queryAt(prom.url, 'perfscope_system_memory_available_bytes{run_id="1"}', end);
      assert.equal(r5.length, 1);
      // and the run's identity
      const r6 = await queryAt(prom.url, 'perfscope_run_info{run_id="1"}', start);
      assert.match(r6[0]!.metric.command!, /-e/);
      assert.ok(readFileSync(file, 'utf8').endsWith('# EOF\n'));
    } finally {
      await prom.stop();
    }
  } finally {
    t.cleanup();
  }
});
