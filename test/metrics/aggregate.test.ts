/**
 * Aggregation across worker threads and cluster workers: counters are summed, summaries are merged
 * (quantiles of the union of observations), never the sum of each worker's quantiles.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Worker } from 'node:worker_threads';
import { fileURLToPath } from 'node:url';
import { AggregatorRegistry } from '../../src/index.js';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/aggregate/${name}`, import.meta.url));

function value(exposition: string, series: string): number {
  const line = exposition.split('\n').find((l) => l.startsWith(`${series} `));
  assert.ok(line, `${series} in\n${exposition}`);
  return Number(line.split(' ')[1]);
}

function checkMerged(text: string): void {
  assert.equal(value(text, 'jobs_total'), 200, 'counters summed');
  assert.equal(value(text, 'job_seconds_count'), 200);
  assert.equal(value(text, 'job_seconds_sum'), (200 * 201) / 2);
  // The union is 1..200: its median is ~100 (summing the workers' medians would give ~50+150 = 200).
  const p50 = value(text, 'job_seconds{quantile="0.5"}');
  const p90 = value(text, 'job_seconds{quantile="0.9"}');
  assert.ok(Math.abs(p50 - 100.5) <= 2, `merged p50 ${p50}`);
  assert.ok(Math.abs(p90 - 180.5) <= 2, `merged p90 ${p90}`);
}

test('worker_threads: the primary aggregates its workers, summaries merged exactly', async () => {
  const agg = new AggregatorRegistry();
  const workers = [
    new Worker(fixture('thread-worker.js'), { workerData: { from: 1, to: 100 } }),
    new Worker(fixture('thread-worker.js'), { workerData: { from: 101, to: 200 } }),
  ];
  try {
    for (const w of workers) agg.addWorker(w);
    // A worker answers once its module has run serveWorkerMetrics(): each says so, then it is asked once.
    await Promise.all(
      workers.map((w) => new Promise<void>((resolve) => w.on('message', (m: { type?: string }) => m?.type === 'fixture-ready' && resolve()))),
    );
    checkMerged(await agg.workerMetrics({ timeoutMs: 30_000 }));
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
});

test('cluster: clusterMetrics() sums counters and merges summaries across forked workers', async () => {
  const { stdout } = await promisify(execFile)(process.execPath, [fixture('cluster-primary.js')], { timeout: 30_000 });
  checkMerged(stdout);
});
