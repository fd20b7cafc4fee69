import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, Summary } from '../../src/metrics/index.js';
import { startMetricsServer, type MetricsServer } from '../../src/server/metrics-server.js';
import { freePort, missing, PROMETHEUS, PROMTOOL, queryUntil, startEngine, tempDir, type Engine } from './engines.js';
import { repoRoot } from '../helpers/cli.js';

const skip = missing(PROMETHEUS, PROMTOOL);
// examples/express-metrics imports the built package (perfscope/prom-client); `npm test` builds first
const built = existsSync(join(repoRoot, 'dist/metrics/prom-client.js'));

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
let omServer: MetricsServer;
let example: ChildProcess | undefined;
let prom: Engine;

before(async () => {
  if (skip) return;
  server = await startMetricsServer({ port: 0, registry });
  omServer = await startMetricsServer({ port: 0, registry, openMetrics: true });
  const examplePort = await freePort();
  if (built) {
    example = spawn(process.execPath, ['examples/express-metrics/index.js', '--serve', String(examplePort)], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise((resolve) => example!.stdout!.once('data', resolve)); // "listening on ..."
  }
  const port = await freePort();
  const dir = tempDir('perfscope-prom-');
  const config = join(dir, 'prometheus.yml');
  const job = (name: string, port: number) => `  - job_name: ${name}\n    static_configs:\n      - targets: ['127.0.0.1:${port}']\n`;
  writeFileSync(
    config,
    `global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n` +
      job('app', server.port) +
      job('app-om', omServer.port) +
      (built ? job('express', examplePort) : ''),
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
  await omServer?.close();
  example?.kill();
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

for (const job of ['app', 'app-om']) {
  test(`Prometheus scrapes startMetricsServer (${job === 'app' ? 'text 0.0.4, the default' : 'OpenMetrics, openMetrics: true'}) and reads the values back`, { skip }, async () => {
    const up = await queryUntil(prom.url, `up{job="${job}"}`, (r) => (r[0]?.value[1] === '1' ? r : undefined));
    assert.equal(up.length, 1);
    const evil = await queryUntil(prom.url, `it_requests_total{job="${job}",route="/a"}`, (r) => r[0]);
    assert.equal(evil.value[1], '3');
    assert.equal(evil.metric.note, 'evil "value" \\ with\nnewline and } { , =');
    const b = await queryUntil(prom.url, `it_requests_total{job="${job}",route="/b"}`, (r) => r[0]);
    assert.equal(b.value[1], '2');
    assert.equal((await queryUntil(prom.url, `it_inflight{job="${job}"}`, (r) => r[0])).value[1], '-1.5');
    const le = await queryUntil(prom.url, `it_latency_seconds_bucket{job="${job}",route="/a",le="0.25"}`, (r) => r[0]);
    assert.equal(le.value[1], '2');
    assert.equal((await queryUntil(prom.url, `it_latency_seconds_count{job="${job}"}`, (r) => r[0])).value[1], '4');
    const median = await queryUntil(prom.url, `it_size_bytes{job="${job}",quantile="0.5"}`, (r) => r[0]);
    assert.ok(Math.abs(Number(median.value[1]) - 50) <= 1, median.value[1]);
    await queryUntil(prom.url, `process_resident_memory_bytes{job="${job}"}`, (r) => (Number(r[0]?.value[1]) > 0 ? r : undefined));
    await queryUntil(prom.url, `nodejs_eventloop_lag_p99_seconds{job="${job}"}`, (r) => r[0]);
    // the target was scraped without errors (no sample rejected)
    const targets = (await (await fetch(`${prom.url}/api/v1/targets`)).json()) as {
      data: { activeTargets: { health: string; lastError: string; labels: Record<string, string> }[] };
    };
    const target = targets.data.activeTargets.find((t) => t.labels.job === job);
    assert.equal(target?.health, 'up', target?.lastError);
  });
}

test("Prometheus stores the Express example's counter as request_count, the name prom-client users have", { skip: skip || (built ? false : 'run npm run build first (the example imports the built package)') }, async () => {
  const series = await queryUntil(prom.url, 'request_count{job="express"}', (r) => (r.length >= 2 ? r : undefined));
  const byRoute = new Map(series.map((s) => [s.metric.route, Number(s.value[1])]));
  assert.equal(byRoute.get('/'), 2);
  assert.equal(byRoute.get('/work'), 1);
  // no renamed copy: every series of the job whose name starts with request_ is one the app declared
  const names = await queryUntil(prom.url, 'count by (__name__) ({job="express",__name__=~"request_.*"})', (r) => (r.length >= 4 ? r : undefined));
  assert.deepEqual(
    names.map((r) => r.metric.__name__).sort(),
    ['request_count', 'request_duration_seconds_bucket', 'request_duration_seconds_count', 'request_duration_seconds_sum'],
  );
});
