import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request } from 'node:http';
import { connect } from 'node:net';
import { gunzipSync } from 'node:zlib';
import express from 'express';
import Fastify from 'fastify';
import { Counter, Gauge, Registry, openMetricsContentType } from '../../src/metrics/index.js';
import { PerfscopeError } from '../../src/core/errors.js';
import { metricsHandler, negotiate, startMetricsServer } from '../../src/server/metrics-server.js';
import { parseAuthorization } from '../../src/server/auth.js';

function get(
  url: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers, method }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

const PROMETHEUS_ACCEPT = 'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';
const TEXT_CT = 'text/plain; version=0.0.4; charset=utf-8';
const OM_CT = 'application/openmetrics-text; version=1.0.0; charset=utf-8';

const registry = new Registry();
new Counter({ name: 'served_total', help: 'served', registers: [registry] }).inc(7);
new Counter({ name: 'request_count', help: 'a counter named as prom-client users name them', registers: [registry] }).inc(3);

test('negotiation picks OpenMetrics only when preferred', () => {
  assert.equal(negotiate(undefined), 'text');
  assert.equal(negotiate('text/plain'), 'text');
  assert.equal(negotiate(PROMETHEUS_ACCEPT), 'openmetrics');
  assert.equal(negotiate('application/openmetrics-text;q=0.2,text/plain;q=0.9'), 'text');
  assert.equal(negotiate('application/openmetrics-text;version=2.0.0'), 'text');
});

test("the registry's format by default, as prom-client: request_count stays request_count for Prometheus' Accept", async () => {
  const srv = await startMetricsServer({ port: 0, registry });
  try {
    assert.match(srv.url, /^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    const r = await get(srv.url, { accept: PROMETHEUS_ACCEPT });
    assert.equal(r.status, 200);
    assert.equal(r.headers['content-type'], TEXT_CT);
    assert.match(r.body.toString(), /^request_count 3$/m);
    assert.doesNotMatch(r.body.toString(), /request_count_total/);
    assert.equal(r.headers.vary, 'Accept-Encoding', 'the answer does not depend on Accept');
  } finally {
    await srv.close();
  }
});

test('OpenMetrics is negotiated with openMetrics: true, or for an OpenMetrics registry; openMetrics: false forces text', async () => {
  const omRegistry = new Registry(openMetricsContentType);
  new Counter({ name: 'jobs_total', help: 'j', registers: [omRegistry] }).inc();
  const forced = await startMetricsServer({ port: 0, registry, openMetrics: true });
  const om = await startMetricsServer({ port: 0, registry: omRegistry });
  const text = await startMetricsServer({ port: 0, registry: omRegistry, openMetrics: false });
  try {
    const a = await get(forced.url, { accept: PROMETHEUS_ACCEPT });
    assert.equal(a.headers['content-type'], OM_CT);
    assert.match(a.body.toString(), /^request_count_total 3$/m);
    assert.ok(a.body.toString().endsWith('# EOF\n'));
    assert.equal(a.headers.vary, 'Accept, Accept-Encoding');
    assert.equal((await get(forced.url)).headers['content-type'], TEXT_CT, 'no Accept: text');
    const b = await get(om.url, { accept: PROMETHEUS_ACCEPT });
    assert.equal(b.headers['content-type'], OM_CT);
    assert.equal((await get(om.url, { accept: 'text/plain' })).headers['content-type'], TEXT_CT, 'an OpenMetrics registry still answers text to a text-only client');
    assert.equal((await get(text.url, { accept: PROMETHEUS_ACCEPT })).headers['content-type'], TEXT_CT);
  } finally {
    await Promise.all([forced.close(), om.close(), text.close()]);
  }
});

test('gzip, /healthz, HEAD, 404, 405 with Allow, 414 for an overlong target', async () => {
  const srv = await startMetricsServer({ port: 0, registry });
  try {
    const gz = await get(srv.url, { 'accept-encoding': 'gzip, deflate' });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.match(gunzipSync(gz.body).toString(), /^served_total 7$/m);
    const health = await get(srv.url.replace('/metrics', '/healthz'));
    assert.equal(health.status, 200);
    assert.equal(health.body.toString(), 'ok\n');
    const head = await get(srv.url, {}, 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.body.length, 0);
    assert.ok(Number(head.headers['content-length']) > 0);
    assert.equal((await get(srv.url.replace('/metrics', '/nope'))).status, 404);
    const post = await get(srv.url, {}, 'POST');
    assert.equal(post.status, 405);
    assert.equal(post.headers.allow, 'GET, HEAD');
    assert.equal((await get(`${srv.url}?${'x'.repeat(4000)}`)).status, 414);
  } finally {
    await srv.close();
  }
});

test('a failing metric leaves the scrape a 200 with every other metric', async () => {
  const r = new Registry();
  new Counter({ name: 'fine_total', help: 'f', registers: [r] }).inc();
  new Gauge({
    name: 'broken',
    help: 'b',
    registers: [r],
    collect() {
      throw new Error('sensor gone');
    },
  });
  process.once('warning', () => {});
  const srv = await startMetricsServer({ port: 0, registry: r });
  try {
    const res = await get(srv.url);
    assert.equal(res.status, 200);
    assert.match(res.body.toString(), /^fine_total 1$/m);
    assert.match(res.body.toString(), /^perfscope_scrape_errors_total\{metric="broken"\} 1$/m);
  } finally {
    await srv.close();
  }
});

const basicHeader = (scheme: string, userPass: string) => `${scheme} ${Buffer.from(userPass).toString('base64')}`;

test('basic and bearer auth: the scheme is case-insensitive (RFC 7235), wrong credentials of any length get 401, unknown paths too, /healthz stays open', async () => {
  const basic = await startMetricsServer({ port: 0, registry, auth: { type: 'basic', username: 'prom', password: 's3cret' } });
  const bearer = await startMetricsServer({ port: 0, registry, auth: { type: 'bearer', token: 'tok-123' } });
  try {
    const denied = await get(basic.url);
    assert.equal(denied.status, 401);
    assert.match(String(denied.headers['www-authenticate']), /^Basic realm="metrics"/);
    for (const scheme of ['Basic', 'basic', 'BASIC', 'bAsIc']) {
      assert.equal((await get(basic.url, { authorization: basicHeader(scheme, 'prom:s3cret') })).status, 200, scheme);
    }
    assert.equal((await get(basic.url, { authorization: `basic   ${Buffer.from('prom:s3cret').toString('base64')}` })).status, 200, 'several spaces');
    for (const wrong of ['prom:wrong', 'prom:s3cre', 'prom:s3cret-and-more', 'other:s3cret', '']) {
      assert.equal((await get(basic.url, { authorization: basicHeader('Basic', wrong) })).status, 401, wrong);
    }
    assert.equal((await get(basic.url, { authorization: 'Bearer tok-123' })).status, 401, 'the other scheme');
    assert.equal((await get(basic.url.replace('/metrics', '/healthz'))).status, 200);
    // Without credentials a client learns nothing, not even whether a path exists or which methods it takes (was 404 and 405).
    assert.equal((await get(basic.url.replace('/metrics', '/nope'))).status, 401);
    assert.equal((await get(basic.url, {}, 'POST')).status, 401);
    assert.equal((await get(basic.url.replace('/metrics', '/nope'), { authorization: basicHeader('Basic', 'prom:s3cret') })).status, 404);
    for (const scheme of ['Bearer', 'bearer', 'BEARER']) {
      assert.equal((await get(bearer.url, { authorization: `${scheme} tok-123` })).status, 200, scheme);
    }
    for (const wrong of ['Bearer nope', 'Bearer tok-12', 'Bearer tok-1234', 'Bearer', 'tok-123', `Bearer ${'x'.repeat(5000)}`]) {
      assert.equal((await get(bearer.url, { authorization: wrong })).status, 401, wrong.slice(0, 20));
    }
  } finally {
    await basic.close();
    await bearer.close();
  }
  assert.deepEqual(parseAuthorization('bAsIc  abc=='), { scheme: 'basic', credentials: 'abc==' });
  assert.equal(parseAuthorization('Basic'), undefined);
  await assert.rejects(startMetricsServer({ port: 0, auth: { type: 'bearer', token: '' } }), /bearer needs a non-empty token/);
  await assert.rejects(startMetricsServer({ port: 70000 }), (e) => e instanceof PerfscopeError && e.code === 'EUSAGE' && /port must be an integer/.test(e.message));
  await assert.rejects(startMetricsServer({ port: 0, limits: { maxConnections: 0 } }), /limits.maxConnections must be a positive integer, got 0/);
});

test('a port in use is one clear error', async () => {
  const first = await startMetricsServer({ port: 0, registry });
  try {
    await assert.rejects(startMetricsServer({ port: first.port, registry }), (e) => e instanceof PerfscopeError && /cannot listen on 127\.0\.0\.1:\d+: address already in use/.test(e.message));
  } finally {
    await first.close();
  }
});

test('scrapes at once are bounded: beyond maxConcurrentScrapes a 503 with Retry-After', async () => {
  const r = new Registry();
  let release!: () => void;
  const gate = new Promise<void>((res) => (release = res));
  let entered!: () => void;
  const inCollect = new Promise<void>((res) => (entered = res));
  new Gauge({
    name: 'slow',
    help: 's',
    registers: [r],
    async collect() {
      entered();
      await gate;
      this.set(1);
    },
  });
  const srv = await startMetricsServer({ port: 0, registry: r, maxConcurrentScrapes: 1 });
  try {
    const first = get(srv.url);
    await inCollect; // the first scrape is rendering (held in collect())
    const second = await get(srv.url);
    assert.equal(second.status, 503);
    assert.equal(second.headers['retry-after'], '1');
    release();
    assert.equal((await first).status, 200);
    assert.equal((await get(srv.url)).status, 200, 'free again');
  } finally {
    await srv.close();
  }
});

test('at the connection cap the oldest idle connection makes room; the scraper is served', async () => {
  const srv = await startMetricsServer({ port: 0, registry, limits: { maxConnections: 4 } });
  const idle = Array.from({ length: 6 }, () => connect(srv.port, '127.0.0.1').on('error', () => {}));
  try {
    await Promise.all(idle.map((s) => new Promise((res) => s.once('connect', res))));
    const r = await get(srv.url);
    assert.equal(r.status, 200);
    assert.ok(srv.connections.evicted >= 3, `evicted ${srv.connections.evicted}`);
    assert.ok(srv.connections.open <= 4);
  } finally {
    for (const s of idle) s.destroy();
    await srv.close();
  }
});

test('one handler for node:http, Express and Fastify', async () => {
  const handler = metricsHandler({ registry, openMetrics: true });
  const plain = createServer((req, res) => void handler(req, res));
  await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
  const app = express();
  app.get('/metrics', handler);
  const ex = app.listen(0, '127.0.0.1');
  await new Promise((r) => ex.once('listening', r));
  const fastify = Fastify();
  fastify.get('/metrics', handler);
  await fastify.listen({ port: 0, host: '127.0.0.1' });
  const plainText = createServer((req, res) => void metricsHandler({ registry })(req, res));
  await new Promise<void>((r) => plainText.listen(0, '127.0.0.1', r));
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
    const t = await get(`http://127.0.0.1:${(plainText.address() as { port: number }).port}/metrics`, { accept: PROMETHEUS_ACCEPT });
    assert.equal(t.headers['content-type'], TEXT_CT, 'the handler follows the registry by default too');
  } finally {
    plain.close();
    plainText.close();
    ex.close();
    await fastify.close();
  }
});

test('clients that ask and never read (a slow-read attack) stop holding slots after requestTimeoutMs', async () => {
  // a ~10 MB exposition: more than the socket buffers hold, so a client that does not read stalls it
  const r = new Registry();
  const g = new Gauge({ name: 'big', help: 'b', labelNames: ['k'], registers: [r], cardinalityLimit: Infinity });
  const pad = 'x'.repeat(60);
  for (let i = 0; i < 120_000; i++) g.set({ k: `${pad}${i}` }, i);
  const srv = await startMetricsServer({ port: 0, registry: r, limits: { maxConnections: 3, headersTimeoutMs: 5000, requestTimeoutMs: 5000 } });
  let requests = 0;
  let allIn!: () => void;
  const allAsked = new Promise<void>((res) => (allIn = res));
  srv.server.on('request', () => void (++requests === 3 && allIn()));
  const readers = Array.from({ length: 3 }, () => {
    const s = connect(srv.port, '127.0.0.1');
    s.on('error', () => {});
    s.pause(); // never reads
    s.write('GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n');
    return s;
  });
  try {
    await allAsked; // the three requests are in, their responses stall in full socket buffers
    await new Promise((res) => setTimeout(res, 5500)); // past requestTimeoutMs
    assert.equal(srv.connections.open, 3, 'the cap is full of readers that do not read');
    const res = await new Promise<{ status: number; bytes: number }>((resolve, reject) => {
      const req = request(srv.url, { agent: false, timeout: 20_000 }, (response) => {
        let bytes = 0;
        response.on('data', (c: Buffer) => (bytes += c.length));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, bytes }));
      });
      req.on('timeout', () => req.destroy(new Error('no answer in 20 s')));
      req.on('error', reject);
      req.end();
    });
    assert.equal(res.status, 200);
    assert.ok(res.bytes > 8e6, `${res.bytes} bytes`);
    assert.ok(srv.connections.evicted >= 1, 'a stalled reader made room');
  } finally {
    for (const s of readers) s.destroy();
    await srv.close();
  }
});
