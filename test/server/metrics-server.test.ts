import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import { gunzipSync } from 'node:zlib';
import express from 'express';
import Fastify from 'fastify';
import { Counter, Registry } from '../../src/metrics/index.js';
import { PerfscopeError } from '../../src/core/errors.js';
import { metricsHandler, negotiate, startMetricsServer } from '../../src/server/metrics-server.js';

function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

const registry = new Registry();
new Counter({ name: 'served_total', help: 'served', registers: [registry] }).inc(7);

test('negotiation picks OpenMetrics only when preferred', () => {
  assert.equal(negotiate(undefined), 'text');
  assert.equal(negotiate('text/plain'), 'text');
  assert.equal(negotiate('application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1'), 'openmetrics');
  assert.equal(negotiate('application/openmetrics-text;q=0.2,text/plain;q=0.9'), 'text');
  assert.equal(negotiate('application/openmetrics-text;version=2.0.0'), 'text');
});

test('startMetricsServer: 127.0.0.1 by default, text, OpenMetrics, gzip, /healthz, 404', async () => {
  const srv = await startMetricsServer({ port: 0, registry });
  try {
    assert.match(srv.url, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const text = await get(srv.url);
    assert.equal(text.status, 200);
    assert.equal(text.headers['content-type'], 'text/plain; version=0.0.4; charset=utf-8');
    assert.match(text.body.toString(), /^served_total 7$/m);
    const om = await get(srv.url, { accept: 'application/openmetrics-text; version=1.0.0' });
    assert.equal(om.headers['content-type'], 'application/openmetrics-text; version=1.0.0; charset=utf-8');
    assert.ok(om.body.toString().endsWith('# EOF\n'));
    const gz = await get(srv.url, { 'accept-encoding': 'gzip, deflate' });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.match(gunzipSync(gz.body).toString(), /^served_total 7$/m);
    assert.equal((await get(srv.url.replace('/metrics', '/healthz'))).status, 200);
    assert.equal((await get(srv.url.replace('/metrics', '/nope'))).status, 404);
  } finally {
    await srv.close();
  }
});

test('basic and bearer auth protect the metrics path, not /healthz', async () => {
  const basic = await startMetricsServer({ port: 0, registry, auth: { type: 'basic', username: 'prom', password: 's3cret' } });
  const bearer = await startMetricsServer({ port: 0, registry, auth: { type: 'bearer', token: 'tok' } });
  try {
    const denied = await get(basic.url);
    assert.equal(denied.status, 401);
    assert.match(String(denied.headers['www-authenticate']), /^Basic/);
    const ok = await get(basic.url, { authorization: `Basic ${Buffer.from('prom:s3cret').toString('base64')}` });
    assert.equal(ok.status, 200);
    assert.equal((await get(basic.url, { authorization: `Basic ${Buffer.from('prom:wrong').toString('base64')}` })).status, 401);
    assert.equal((await get(basic.url.replace('/metrics', '/healthz'))).status, 200);
    assert.equal((await get(bearer.url, { authorization: 'Bearer tok' })).status, 200);
    assert.equal((await get(bearer.url, { authorization: 'Bearer nope' })).status, 401);
  } finally {
    await basic.close();
    await bearer.close();
  }
  await assert.rejects(startMetricsServer({ port: 0, auth: { type: 'bearer', token: '' } }), /bearer needs a non-empty token/);
  await assert.rejects(startMetricsServer({ port: 70000 }), (e) => e instanceof PerfscopeError && e.code === 'EUSAGE' && /port must be an integer/.test(e.message));
});

test('one handler for node:http, Express and Fastify', async () => {
  const handler = metricsHandler({ registry });
  const plain = createServer((req, res) => void handler(req, res));
  await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
  const app = express();
  app.get('/metrics', handler);
  const ex = app.listen(0, '127.0.0.1');
  await new Promise((r) => ex.once('listening', r));
  const fastify = Fastify();
  fastify.get('/metrics', handler);
  await fastify.listen({ port: 0, host: '127.0.0.1' });
  try {
    for (const port of [
      (plain.address() as { port: number }).port,
      (ex.address() as { port: number }).port,
      (fastify.server.address() as { port: number }).port,
    ]) {
      const r = await get(`http://127.0.0.1:${port}/metrics`, { accept: 'application/openmetrics-text' });
      assert.equal(r.status, 200, `port ${port}`);
      assert.match(r.body.toString(), /^served_total 7$/m);
      assert.ok(r.body.toString().endsWith('# EOF\n'));
    }
  } finally {
    plain.close();
    ex.close();
    await fastify.close();
  }
});
