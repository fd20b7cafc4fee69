import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/cli.js';
import { freePort } from '../integration/engines.js';
import { Counter, Gauge, Histogram, Registry, Summary } from '../../src/metrics/index.js';
import { startRemoteWrite, type RemoteWriteOptions } from '../../src/export/remote-write.js';
import { PerfscopeError } from '../../src/core/errors.js';
import { decodeWriteRequest, startReceiver, until, type ScriptedReceiver } from './helpers.js';

const dirs: { cleanup(): void }[] = [];
after(() => dirs.forEach((d) => d.cleanup()));
function queuePath(): string {
  const t = tempDir('perfscope-rwq-');
  dirs.push(t);
  return join(t.dir, 'queue.db');
}

function fastOptions(url: string, registry: Registry, extra: Partial<RemoteWriteOptions> = {}): RemoteWriteOptions {
  return { url, registry, intervalSeconds: 0, queuePath: queuePath(), minBackoffMs: 10, maxBackoffMs: 40, log: false, ...extra };
}

async function valueOf(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const m = (await registry.getMetricsAsJSON()).find((x) => x.name === name);
  const v = m?.values.find((x) => Object.entries(labels).every(([k, val]) => String(x.labels[k]) === val));
  return v?.value ?? NaN;
}

test('a collection reaches the receiver as remote write 1.0: headers, snappy protobuf, sorted labels, every flat series', async () => {
  const rx = await startReceiver();
  const reg = new Registry();
  reg.setDefaultLabels({ service: 'api' });
  new Counter({ name: 'request_count', help: 'h', labelNames: ['route'], registers: [reg] }).inc({ route: '/a' }, 3);
  new Gauge({ name: 'temperature', help: 'h', registers: [reg] }).set(-1.5);
  const h = new Histogram({ name: 'lat_seconds', help: 'h', buckets: [0.1, 1], labelNames: ['Zone'], registers: [reg] });
  h.observe({ Zone: 'eu' }, 0.05);
  h.observe({ Zone: 'eu' }, 0.5);
  new Summary({ name: 'size_bytes', help: 'h', percentiles: [0.5], registers: [reg] }).observe(7);
  const before = Date.now();
  const rw = startRemoteWrite(fastOptions(rx.url, reg, { externalLabels: { job: 'app', service: 'ignored-when-set' } }));
  try {
    await rw.collect();
    await until('a request, answered', () => rx.requests.length === 1 && rw.status().sentSamples > 0);
    const req = rx.requests[0]!;
    assert.equal(req.headers['content-type'], 'application/x-protobuf');
    assert.equal(req.headers['content-encoding'], 'snappy');
    assert.equal(req.headers['x-prometheus-remote-write-version'], '0.1.0');
    const series = decodeWriteRequest(req.body);
    const byKey = new Map(series.map((s) => [JSON.stringify(s.labels), s]));
    const get = (labels: Record<string, string>): number => {
      const s = byKey.get(JSON.stringify(Object.fromEntries(Object.entries(labels).sort())));
      assert.ok(s, `missing ${JSON.stringify(labels)} in ${[...byKey.keys()].join('\n')}`);
      assert.equal(s.samples.length, 1);
      assert.ok(s.samples[0]!.timestamp >= before && s.samples[0]!.timestamp <= Date.now());
      return s.samples[0]!.value;
    };
    const base = { job: 'app', service: 'api' };
    assert.equal(get({ __name__: 'request_count', route: '/a', ...base }), 3, 'counter keeps its prom-client name');
    assert.equal(get({ __name__: 'temperature', ...base }), -1.5);
    assert.equal(get({ __name__: 'lat_seconds_bucket', Zone: 'eu', le: '0.1', ...base }), 1);
    assert.equal(get({ __name__: 'lat_seconds_bucket', Zone: 'eu', le: '1', ...base }), 2);
    assert.equal(get({ __name__: 'lat_seconds_bucket', Zone: 'eu', le: '+Inf', ...base }), 2);
    assert.equal(get({ __name__: 'lat_seconds_sum', Zone: 'eu', ...base }), 0.55);
    assert.equal(get({ __name__: 'lat_seconds_count', Zone: 'eu', ...base }), 2);
    assert.equal(get({ __name__: 'size_bytes', quantile: '0.5', ...base }), 7);
    assert.equal(get({ __name__: 'size_bytes_count', ...base }), 1);
    for (const s of series) {
      assert.deepEqual(s.labelOrder, [...s.labelOrder].sort(), 'labels sorted by name (uppercase before __name__)');
    }
    // the self-metrics are in the registry given (so they are sent too, from the next collection)
    assert.equal(await valueOf(reg, 'perfscope_remote_write_samples_total'), series.length);
    assert.equal(await valueOf(reg, 'perfscope_remote_write_pending_samples'), 0);
    assert.ok((await valueOf(reg, 'perfscope_remote_write_highest_sent_timestamp_seconds')) * 1000 >= before);
  } finally {
    await rw.stop({ finalCollect: false });
    await rx.close();
  }
});

test('5xx and 429 are retried with backoff (Retry-After honoured) and the same samples arrive once accepted', async () => {
  const rx = await startReceiver();
  rx.script.push({ status: 503, body: 'busy' }, { status: 429, headers: { 'Retry-After': '1' } }, { status: 500 });
  const reg = new Registry();
  new Gauge({ name: 'g', help: 'h', registers: [reg] }).set(42);
  const rw = startRemoteWrite(fastOptions(rx.url, reg));
  try {
    await rw.collect();
    // the receiver records the request before the sender has read the answer: wait for the sender
    await until('acceptance', () => rx.requests.some((r) => r.status === 204) && rw.status().sentSamples > 0, 10_000);
    const [a, b, c, d] = rx.requests;
    assert.deepEqual([a, b, c, d].map((r) => r!.status), [503, 429, 500, 204]);
    assert.ok(a!.body.equals(d!.body), 'a retry resends the same body');
    const gap = rx.requests.length;
    assert.equal(gap, 4);
    const n = decodeWriteRequest(d!.body).length;
    assert.equal(await valueOf(reg, 'perfscope_remote_write_failed_total'), 3 * n);
    assert.equal(await valueOf(reg, 'perfscope_remote_write_samples_total'), n);
    assert.equal(rw.status().lastError?.includes('HTTP 500'), true);
  } finally {
    await rw.stop({ finalCollect: false });
    await rx.close();
  }
});

test('Retry-After delays the retry by at least what the receiver asked', async () => {
  const rx = await startReceiver();
  const times: number[] = [];
  rx.script.push({ status: 429, headers: { 'Retry-After': '1' } });
  const reg = new Registry();
  new Gauge({ name: 'g', help: 'h', registers: [reg] }).set(1);
  const rw = startRemoteWrite(fastOptions(rx.url, reg));
  try {
    await rw.collect();
    await until('two requests', () => {
      while (times.length < rx.requests.length) times.push(Date.now());
      return rx.requests.length >= 2;
    });
    assert.ok(times[1]! - times[0]! >= 950, `retried after ${times[1]! - times[0]!} ms`);
  } finally {
    await rw.stop({ finalCollect: false });
    await rx.close();
  }
});

test('a 4xx other than 429 drops the batch (counted, logged) and the next one is sent', async () => {
  const rx = await startReceiver();
  rx.script.push({ status: 400, body: 'out of order sample' });
  const lines: string[] = [];
  const reg = new Registry();
  const g = new Gauge({ name: 'g', help: 'h', registers: [reg] });
  g.set(1);
  const rw = startRemoteWrite(fastOptions(rx.url, reg, { log: (l) => lines.push(l) }));
  try {
    await rw.collect();
    await until('the rejection', () => rx.requests.length === 1);
    await until('drop counted', () => rw.status().droppedSamples > 0);
    const dropped = rw.status().droppedSamples;
    g.set(2);
    await rw.collect();
    await until('second request, answered', () => rx.requests.length === 2 && rw.status().sentSamples > 0);
    assert.equal(rx.requests[1]!.status, 204);
    assert.equal(await valueOf(reg, 'perfscope_remote_write_dropped_total', { reason: 'rejected' }), dropped);
    assert.ok(lines.some((l) => /rejected .* samples \(dropped\): HTTP 400: out of order sample/.test(l)), lines.join('\n'));
  } finally {
    await rw.stop({ finalCollect: false });
    await rx.close();
  }
});

test('an unreachable receiver: nothing thrown, a rate-limited line, samples kept; the backlog drains oldest first when it comes up', async () => {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/api/v1/write`;
  const lines: string[] = [];
  const reg = new Registry();
  const g = new Gauge({ name: 'seq', help: 'h', registers: [reg] });
  const rw = startRemoteWrite(fastOptions(url, reg, { log: (l) => lines.push(l), maxSamplesPerSend: 10, maxBackoffMs: 50 }));
  let rx: ScriptedReceiver | undefined;
  try {
    for (let i = 1; i <= 5; i++) {
      g.set(i);
      await rw.collect();
      await new Promise((r) => setTimeout(r, 5));
    }
    await until('retries', () => rw.status().failedSamples > 0);
    await new Promise((r) => setTimeout(r, 300));
    const retryLines = lines.filter((l) => /send failed .*ECONNREFUSED/.test(l));
    assert.equal(retryLines.length, 1, `one line per minute for the same fault:\n${lines.join('\n')}`);
    assert.ok(rw.status().pendingSamples >= 5);
    // the receiver appears on that port
    rx = await startReceiver('/api/v1/write', port);
    await until('drained', () => rw.status().pendingSamples === 0, 10_000);
    const values = rx.requests.flatMap((r) => decodeWriteRequest(r.body)).filter((s) => s.labels.__name__ === 'seq').map((s) => s.samples[0]!);
    assert.deepEqual(values.map((s) => s.value), [1, 2, 3, 4, 5], 'oldest first, each once');
    assert.deepEqual(values.map((s) => s.timestamp), [...values.map((s) => s.timestamp)].sort((a, b) => a - b));
    assert.ok(lines.some((l) => /sending again/.test(l)), 'recovery is logged');
    assert.equal(await valueOf(reg, 'perfscope_remote_write_enqueued_total'), await valueOf(reg, 'perfscope_remote_write_samples_total'));
  } finally {
    await rw.stop({ finalCollect: false });
    await rx?.close();
  }
});

test('overflow is counted, never silent: enqueued = sent + dropped + pending', async () => {
  const port = await freePort();
  const reg = new Registry();
  const g = new Gauge({ name: 'g', help: 'h', labelNames: ['i'], registers: [reg] });
  for (let i = 0; i < 10; i++) g.set({ i: String(i) }, i);
  const lines: string[] = [];
  const rw = startRemoteWrite(
    fastOptions(`http://127.0.0.1:${port}/w`, reg, { maxPendingSamples: 50, maxSamplesPerSend: 20, log: (l) => lines.push(l) }),
  );
  try {
    for (let k = 0; k < 6; k++) await rw.collect();
    const s = rw.status();
    const enqueued = await valueOf(reg, 'perfscope_remote_write_enqueued_total');
    const full = await valueOf(reg, 'perfscope_remote_write_dropped_total', { reason: 'queue_full' });
    assert.ok(full > 0, 'something overflowed');
    assert.ok(s.pendingSamples <= 50 + 20);
    assert.equal(enqueued, s.sentSamples + s.droppedSamples + s.pendingSamples);
    assert.equal(await valueOf(reg, 'perfscope_remote_write_pending_samples'), s.pendingSamples);
    assert.ok(lines.some((l) => /dropped \d+ queued samples \(over 50 pending\)/.test(l)), lines.join('\n'));
  } finally {
    await rw.stop({ finalCollect: false, timeoutMs: 100 });
  }
});

test('stop() gives up after its timeout, says what stays queued, and the next start sends it', async () => {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/api/v1/write`;
  const path = queuePath();
  const reg = new Registry();
  new Gauge({ name: 'kept', help: 'h', registers: [reg] }).set(5);
  const lines: string[] = [];
  const rw = startRemoteWrite(fastOptions(url, reg, { queuePath: path, log: (l) => lines.push(l) }));
  const t0 = Date.now();
  const res = await rw.stop({ timeoutMs: 300 });
  assert.ok(Date.now() - t0 < 3000, 'bounded by the timeout');
  assert.ok(res.pendingSamples > 0);
  assert.equal(res.queuePath, path);
  assert.equal(rw.status().state, 'stopped');
  assert.ok(lines.some((l) => l.includes(`stopped with ${res.pendingSamples} samples queued in ${path}`)), lines.join('\n'));

  const rx = await startReceiver();
  const reg2 = new Registry();
  const rw2 = startRemoteWrite(fastOptions(rx.url, reg2, { queuePath: path, log: (l) => lines.push(l) }));
  try {
    await until('resent', () => rw2.status().pendingSamples === 0 && rx.requests.length > 0);
    const names = rx.requests.flatMap((r) => decodeWriteRequest(r.body)).map((s) => s.labels.__name__);
    assert.ok(names.includes('kept'));
    assert.ok(lines.some((l) => /resuming with \d+ queued samples/.test(l)));
  } finally {
    await rw2.stop({ finalCollect: false });
    await rx.close();
  }
});

test('bad options are one clear EUSAGE error at start; a queue held by another sender is EIO', async () => {
  const reg = new Registry();
  const bad: [Partial<RemoteWriteOptions>, RegExp][] = [
    [{ url: 'ftp://x/y' }, /url must be http or https/],
    [{ url: 'not a url' }, /invalid url/],
    [{ url: 'http://x/', intervalSeconds: -1 }, /intervalSeconds must be a number >= 0, got -1/],
    [{ url: 'http://x/', maxSamplesPerSend: 1.5 }, /maxSamplesPerSend must be an integer/],
    [{ url: 'http://x/', externalLabels: { 'bad-name': 'v' } }, /invalid external label name "bad-name"/],
    [{ url: 'http://x/', headers: { 'Content-Encoding': 'gzip' } }, /set by the protocol/],
    [{ url: 'http://x/', auth: { bearerToken: 'a\nb' } }, /bearerToken/],
  ];
  for (const [o, re] of bad) {
    assert.throws(
      () => startRemoteWrite({ registry: reg, log: false, queuePath: queuePath(), ...o } as RemoteWriteOptions),
      (e: unknown) => e instanceof PerfscopeError && e.code === 'EUSAGE' && re.test(e.message),
      JSON.stringify(o),
    );
  }
  const path = queuePath();
  const rw = startRemoteWrite({ url: 'http://127.0.0.1:9/w', registry: reg, log: false, queuePath: path, intervalSeconds: 0 });
  assert.throws(
    () => startRemoteWrite({ url: 'http://127.0.0.1:9/w', registry: new Registry(), log: false, queuePath: path }),
    (e: unknown) => e instanceof PerfscopeError && e.code === 'EIO' && /in use by another process/.test(e.message),
  );
  await rw.stop({ timeoutMs: 50, finalCollect: false });
});

test('auth becomes an Authorization header; extra headers are sent', async () => {
  const rx = await startReceiver();
  const reg = new Registry();
  new Gauge({ name: 'g', help: 'h', registers: [reg] }).set(1);
  const rw = startRemoteWrite(fastOptions(rx.url, reg, { auth: { username: 'u', password: 'p w' }, headers: { 'X-Scope-OrgID': 'tenant-1' } }));
  try {
    await rw.collect();
    await until('request', () => rx.requests.length > 0);
    assert.equal(rx.requests[0]!.headers.authorization, `Basic ${Buffer.from('u:p w').toString('base64')}`);
    assert.equal(rx.requests[0]!.headers['x-scope-orgid'], 'tenant-1');
  } finally {
    await rw.stop({ finalCollect: false });
    await rx.close();
  }
});

test('authFile: credentials from a file (the one credentials-file format) become the Authorization header', async () => {
  const rx = await startReceiver();
  const reg = new Registry();
  new Gauge({ name: 'g', help: 'h', registers: [reg] }).set(1);
  const t = tempDir();
  dirs.push(t);
  const file = join(t.dir, 'auth');
  writeFileSync(file, 'bearer glc_tok:en\n', { mode: 0o600 });
  const rw = startRemoteWrite(fastOptions(rx.url, reg, { authFile: file }));
  try {
    await rw.collect();
    await until('request', () => rx.requests.length > 0);
    assert.equal(rx.requests[0]!.headers.authorization, 'Bearer glc_tok:en');
  } finally {
    await rw.stop({ finalCollect: false });
    await rx.close();
  }
  assert.throws(() => startRemoteWrite(fastOptions(rx.url, reg, { authFile: join(t.dir, 'nope') })), (e: unknown) => e instanceof PerfscopeError && e.code === 'ENOTFOUND');
});

test('stop() is bounded even when the source never answers', async () => {
  const rw = startRemoteWrite({
    url: 'http://127.0.0.1:9/api/v1/write',
    registry: new Registry(),
    source: { collect: () => new Promise(() => {}) },
    intervalSeconds: 0,
    queuePath: queuePath(),
    log: false,
  });
  const t0 = Date.now();
  const res = await rw.stop({ timeoutMs: 200 });
  assert.ok(Date.now() - t0 < 2000, `${Date.now() - t0} ms`);
  assert.equal(res.pendingSamples, 0);
});
