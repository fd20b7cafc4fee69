import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Counter, Gauge, Pushgateway, Registry } from '../../src/metrics/index.js';
import { freePort, missing, PROMETHEUS, PUSHGATEWAY, queryUntil, startEngine, tempDir, type Engine } from './engines.js';

const skip = missing(PROMETHEUS, PUSHGATEWAY);
let gateway: Engine;
let prom: Engine;

before(async () => {
  if (skip) return;
  const gwPort = await freePort();
  gateway = await startEngine(PUSHGATEWAY, [`--web.listen-address=127.0.0.1:${gwPort}`], gwPort);
  const port = await freePort();
  const dir = tempDir('perfscope-prom-pg-');
  const config = join(dir, 'prometheus.yml');
  writeFileSync(
    config,
    `global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n  - job_name: pushgateway\n    honor_labels: true\n    static_configs:\n      - targets: ['127.0.0.1:${gwPort}']\n`,
  );
  prom = await startEngine(PROMETHEUS, [`--config.file=${config}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`], port, [dir]);
});

after(async () => {
  await prom?.stop();
  await gateway?.stop();
});

test('push, pushAdd and delete with grouping keys reach the Pushgateway and Prometheus', { skip }, async () => {
  const registry = new Registry();
  const done = new Counter({ name: 'batch_items_total', help: 'items', registers: [registry] });
  const last = new Gauge({ name: 'batch_last_success_seconds', help: 'last', registers: [registry] });
  done.inc(42);
  last.set(1700000000);
  const gw = new Pushgateway(gateway.url, { timeout: 5000 }, registry);
  const res = await gw.push({ jobName: 'nightly', groupings: { instance: 'host/1', shard: '' } });
  assert.ok(res.resp.statusCode! < 300);

  const onGateway = await (await fetch(`${gateway.url}/metrics`)).text();
  assert.match(onGateway, /batch_items_total\{instance="host\/1",job="nightly",shard=""\} 42/);

  const r = await queryUntil(prom.url, 'batch_items_total{job="nightly"}', (x) => x[0]);
  assert.equal(r.value[1], '42');
  assert.equal(r.metric.instance, 'host/1');

  done.inc(8);
  await gw.pushAdd({ jobName: 'nightly', groupings: { instance: 'host/1', shard: '' } });
  await queryUntil(prom.url, 'batch_items_total{job="nightly"}', (x) => (x[0]?.value[1] === '50' ? x : undefined));

  // gzip body
  const gz = new Pushgateway(gateway.url, { headers: { 'Content-Encoding': 'gzip' } }, registry);
  await gz.push({ jobName: 'gzipped' });
  assert.match(await (await fetch(`${gateway.url}/metrics`)).text(), /batch_items_total\{instance="",job="gzipped"\} 50/);

  await gw.delete({ jobName: 'nightly', groupings: { instance: 'host/1', shard: '' } });
  assert.doesNotMatch(await (await fetch(`${gateway.url}/metrics`)).text(), /job="nightly"/);
  assert.throws(() => gw.push({}), /Missing jobName/);
});
