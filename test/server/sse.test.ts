/**
 * The SSE hub over real sockets: retry and first events, one event per broadcast, a gzip viewer, the
 * viewer limit, and a stuck viewer (a socket that never reads) dropped once its queue passes the
 * limit while a reading viewer gets every event and broadcasting never waits.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { SseHub, frame } from '../../src/server/sse.js';

let server: Server;
let hub: SseHub;
let port: number;
const viewerErrors: string[] = [];

before(async () => {
  hub = new SseHub({ maxViewers: 3, maxBufferedBytes: 64 * 1024, graceMs: 500, onViewerError: (m) => viewerErrors.push(m) });
  server = createServer((req, res) => hub.attach(req, res, frame('hello', '{"v":1}')));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  port = (server.address() as { port: number }).port;
});

after(async () => {
  hub.close();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

/** Reads a stream viewer's text until `until` is in it. */
async function readUntil(body: ReadableStream<Uint8Array>, until: RegExp): Promise<string> {
  const reader = body.getReader();
  const dec = new TextDecoder();
  let text = '';
  while (!until.test(text)) {
    const { value, done } = await reader.read();
    if (done) break;
    text += dec.decode(value, { stream: true });
  }
  reader.releaseLock();
  return text;
}

test('a viewer gets retry, hello, then each broadcast as one event; a gzip viewer gets the same', async () => {
  const r = await fetch(`http://127.0.0.1:${port}/`, { headers: { 'accept-encoding': 'identity' } });
  assert.equal(r.headers.get('content-type'), 'text/event-stream; charset=utf-8');
  const first = await readUntil(r.body!, /event: hello/);
  assert.match(first, /^retry: 2000\n\n/);
  // a compressed viewer: fetch inflates it as a browser does
  const gz = await fetch(`http://127.0.0.1:${port}/`, { headers: { 'accept-encoding': 'gzip' } });
  assert.equal(gz.headers.get('content-encoding'), 'gzip');
  await readUntil(gz.body!, /event: hello/);
  hub.broadcast('tick', '{"n":1}', '1000');
  const next = await readUntil(r.body!, /"n":1/);
  assert.match(next, /event: tick\nid: 1000\ndata: \{"n":1\}\n\n/);
  assert.match(await readUntil(gz.body!, /"n":1/), /event: tick\nid: 1000\ndata: \{"n":1\}/, 'each event is flushed through the deflate stream');
  await gz.body!.cancel();
  await r.body!.cancel();
});

test('a stuck viewer is dropped once its queue stays past the limit; a reading viewer gets everything', async () => {
  await new Promise((res) => setTimeout(res, 100));
  viewerErrors.length = 0;
  const droppedBefore = hub.dropped;
  // The stuck one: sends its request, then never reads.
  const stuck = connect(port, '127.0.0.1');
  stuck.on('error', () => {});
  stuck.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n');
  stuck.pause();
  const reading = await fetch(`http://127.0.0.1:${port}/`, { headers: { 'accept-encoding': 'identity' } });
  await readUntil(reading.body!, /event: hello/);
  const reader = readUntil(reading.body!, /"seq":399\}/);
  const payload = 'x'.repeat(16 * 1024);
  for (let i = 0; i < 400; i++) {
    hub.broadcast('tick', `{"pad":"${payload}","seq":${i}}`);
    await new Promise((res) => setTimeout(res, 5)); // ticks come apart; the reading viewer drains in between
  }
  const text = await reader;
  assert.equal((text.match(/event: tick/g) ?? []).length, 400, 'the reading viewer got every event');
  assert.equal(hub.dropped, droppedBefore + 1, 'the stuck viewer was dropped');
  assert.match(viewerErrors.join('\n'), /viewer dropped: \d+ bytes queued/);
  assert.equal(hub.size, 1);
  stuck.destroy();
  await reading.body!.cancel();
});

test('past maxViewers a new viewer gets 503', async () => {
  await new Promise((res) => setTimeout(res, 100));
  const open = await Promise.all([1, 2, 3].map(() => fetch(`http://127.0.0.1:${port}/`)));
  const extra = await fetch(`http://127.0.0.1:${port}/`);
  assert.equal(extra.status, 503);
  assert.equal(extra.headers.get('retry-after'), '10');
  for (const r of open) await r.body!.cancel();
});
