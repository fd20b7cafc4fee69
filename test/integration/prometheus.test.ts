import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, Summary } from '../../src/metrics/index.js';
import { startMetricsServer, type MetricsServer } from '../../src/server/metrics-server.js';
import { freePort, missing, PROMETHEUS, PROMTOOL, queryUntil, startEngine, tempDir, type Engine } from './engines.js';

const skip = missing(PROMETHEUS, PROMTOOL);

const registry = new Registry();
collectDefaultMetrics({ register: registry });
const requests = new Counter({ name: 'it_requests_total', help: 'Requests with "quotes" and \\ backslash\nnewline', labelNames: ['route', 'note'], registers: [registry] });
const inflight = new Gauge({ name: 'it_inflight', help: 'in flight', registers: [registry] });
const latency = new Histogram({ name: 'it_latency_seconds', help: 'latency', labelNames: ['route'], registers: [registry] });
const sizes = new Summary({ name: 'it_size_bytes', help: 'sizes', registers: [registry], maxAgeSeconds: 60, ageBuckets: 3 });
requests.inc({ route: '/a', note: 'evil "value" \\ with\nnewline and } { , =' }, 3);
requests.labels('/b', 'plain').inc(2);
inflight.set(-1.5);
for (const v of [0.003, 0.2, 0.7, 4]) latency.observe({ route: '/a' }, v);
for (let i = 1; i <= 100; i++) sizes.observe(i);

let server: MetricsServer;
let prom: Engine;

before(async () => {
  if (skip) return;
  server = await startMetricsServer({ port: 0, registry });
  const port = await freePort();
  const dir = tempDir('perfscope-prom-');
  const config = join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    `global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  - job_name: app\n    static_configs:\n      - targets: ['127.0.0.1:${server.port}']\n`,
  );
  prom = await startEngine(
    PROMETHEUS,
    [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`],
    port,
    [dir],
  );
});

after(async () => {
  await prom?.stop();
  await server?.close();
});

test('promtool check metrics accepts the exposition', { skip }, async () => {
  const r = spawnSync(PROMTOOL, ['check', 'metrics'], { input: await registry.metrics(), encoding: 'utf8' });
  // Exit 3 = lint findings only. The sole findings allowed are the three gauge names prom-client
  // defines (nodejs_active_{handles,requests,resources}_total), kept for dashboard compatibility.
  const findings = `${r.stdout}${r.stderr}`.split('\n').filter((l) => l.trim() !== '');
  const unexpected = findings.filter((l) => !/^nodejs_active_(handles|requests|resources)_total non-counter metrics should not have "_total" suffix$/.test(l));
  assert.deepEqual(unexpected, []);
  assert.ok(r.status === 0 || r.status === 3, `promtool exit ${r.status}`);
  // without the default metrics: a clean pass (promtool parses the text format only; Prometheus itself
  // parses our OpenMetrics in the scrape test below)
  const own = new Registry();
  for (const m of registry.getMetricsAsArray()) if (m.name.startsWith('it_')) own.registerMetric(m);
  const clean = spawnSync(PROMTOOL, ['check', 'metrics'], { input: await own.metrics(), encoding: 'utf8' });
  assert.equal(clean.status, 0, clean.stdout + clean.stderr);
});

test('Prometheus scrapes startMetricsServer (it negotiates OpenMetrics) and reads the values back', { skip }, async () => {
  const up = await queryUntil(prom.url, 'up{job="app"}', (r) => (r[0]?.value[1] === '1' ? r : undefined));
  assert.equal(up.length, 1);
  const evil = await queryUntil(prom.url, 'it_requests_total{route="/a"}', (r) => r[0]);
  assert.equal(evil.value[1], '3');
  assert.equal(evil.metric.note, 'evil "value" \\ with\nnewline and } { , =');
  const b = await queryUntil(prom.url, 'it_requests_total{route="/b"}', (r) => r[0]);
  assert.equal(b.value[1], '2');
  assert.equal((await queryUntil(prom.url, 'it_inflight', (r) => r[0])).value[1], '-1.5');
  const le = await queryUntil(prom.url, 'it_latency_seconds_bucket{route="/a",le="0.25"}', (r) => r[0]);
  assert.equal(le.value[1], '2');
  assert.equal((await queryUntil(prom.url, 'it_latency_seconds_count', (r) => r[0])).value[1], '4');
  const median = await queryUntil(prom.url, 'it_size_bytes{quantile="0.5"}', (r) => r[0]);
  assert.ok(Math.abs(Number(median.value[1]) - 50) <= 1, median.value[1]);
  await queryUntil(prom.url, 'process_resident_memory_bytes{job="app"}', (r) => (Number(r[0]?.value[1]) > 0 ? r : undefined));
  await queryUntil(prom.url, 'nodejs_eventloop_lag_p99_seconds{job="app"}', (r) => r[0]);
  // the target was scraped without errors (no sample rejected)
  const targets = (await (await fetch(`${prom.url}/api/v1/targets`)).json()) as { data: { activeTargets: { health: string; lastError: string }[] } };
  assert.equal(targets.data.activeTargets[0]?.health, 'up', targets.data.activeTargets[0]?.lastError);
});
