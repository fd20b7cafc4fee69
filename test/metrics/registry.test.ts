import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Counter, Gauge, Registry, register, openMetricsContentType, collectDefaultMetrics, defaultMetricNames } from '../../src/metrics/index.js';
import { countOpenFds, readMaxFds, readStatusMemory } from '../../src/metrics/default-metrics/procfs.js';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

test('merge, single metric access, reset and clear', async () => {
  const a = new Registry();
  const b = new Registry();
  new Counter({ name: 'a_total', help: 'a', registers: [a] }).inc(2);
  new Gauge({ name: 'b', help: 'b', registers: [b] }).set(3);
  const m = Registry.merge([a, b]);
  assert.match(await m.metrics(), /a_total 2[\s\S]*b 3/);
  assert.throws(() => Registry.merge([a, new Registry(openMetricsContentType)]), /same content type/);
  assert.match(await a.getSingleMetricAsString('a_total'), /a_total 2/);
  a.resetMetrics();
  assert.match(await a.metrics(), /a_total 0/);
  a.clear();
  assert.equal(await a.metrics(), '\n');
  assert.throws(() => new Registry('text/html'), /Content type text\/html is unsupported/);
  assert.ok(register instanceof Registry && Registry.globalRegistry === register);
});

test('getMetricsAsJSON merges default labels; collect callbacks run (async too)', async () => {
  const r = new Registry();
  r.setDefaultLabels({ app: 'svc' });
  let n = 0;
  new Gauge({
    name: 'cb',
    help: 'cb',
    registers: [r],
    async collect() {
      await new Promise((res) => setImmediate(res));
      this.set(++n);
    },
  });
  const json = await r.getMetricsAsJSON();
  assert.deepEqual(json[0]!.values, [{ value: 1, labels: { app: 'svc' } }]);
  assert.match(await r.metrics(), /^cb\{app="svc"\} 2$/m);
});

test('default metrics: prom-client names, plus event-loop utilisation', async () => {
  const r = new Registry();
  collectDefaultMetrics({ register: r, prefix: 'x_' });
  const text = await r.metrics();
  for (const name of ['process_cpu_seconds_total', 'process_resident_memory_bytes', 'process_start_time_seconds', 'nodejs_eventloop_lag_p99_seconds', 'nodejs_heap_size_used_bytes', 'nodejs_gc_duration_seconds', 'nodejs_version_info', 'nodejs_eventloop_utilization_ratio']) {
    assert.match(text, new RegExp(`^# TYPE x_${name} `, 'm'), name);
  }
  assert.ok(defaultMetricNames.includes('process_open_fds'));
  assert.throws(() => collectDefaultMetrics({ register: r, prefix: 'x_' }), /already been registered/);
});

test('procfs reader works on a fixture tree and returns undefined when files are missing', () => {
  const root = mkdtempSync(join(tmpdir(), 'perfscope-proc-'));
  mkdirSync(join(root, '42', 'fd'), { recursive: true });
  writeFileSync(join(root, '42', 'status'), 'Name:\tnode\nVmSize:\t  1000 kB\nVmRSS:\t   200 kB\nVmData:\t   300 kB\n');
  writeFileSync(join(root, '42', 'limits'), 'Limit                     Soft Limit           Hard Limit           Units\nMax open files            1024                 4096                 files\n');
  for (const f of ['0', '1', '2']) writeFileSync(join(root, '42', 'fd', f), '');
  assert.deepEqual(readStatusMemory(root, 42), { rss: 204800, vsize: 1024000, data: 307200 });
  assert.equal(readMaxFds(root, 42), 1024);
  assert.equal(countOpenFds(root, 42), 3);
  assert.equal(readStatusMemory(root, 43), undefined);
  assert.equal(countOpenFds(root, 43), undefined);
});
