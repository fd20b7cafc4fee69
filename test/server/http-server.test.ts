/**
 * The shared server pieces (http-server.ts, router.ts, auth.ts, connection-limits.ts, static-files.ts)
 * as `perfscope serve` uses them, over real sockets: methods, URL length, header size, the connection
 * cap, auth on every path (unknown ones and static files included, scheme case-insensitive), static
 * files that cannot be left through `..`, encodings or symlinks, a failing handler, and a stream that
 * outlives the request timeouts.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resolveAuth } from '../../src/server/auth.js';
import { startHttpServer, type HttpServer } from '../../src/server/http-server.js';
import { sendJson } from '../../src/server/respond.js';
import type { Route } from '../../src/server/router.js';
import { SseHub, frame } from '../../src/server/sse.js';
import { staticRoute } from '../../src/server/static-files.js';

let server: HttpServer;
let dir: string;
let base: string;
const failures: string[] = [];
const answers: [string, number][] = [];

/** A raw HTTP exchange (fetch normalises paths, so traversal attempts need the bytes as written). */
function raw(request: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(server.port, '127.0.0.1');
    let out = '';
    s.on('data', (d) => (out += d.toString('latin1')));
    s.on('end', () => resolve(out));
    s.on('error', reject);
    s.write(request);
  });
}

const statusOf = (response: string): number => Number(/^HTTP\/1\.1 (\d{3})/.exec(response)?.[1]);

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perfscope-app-'));
  mkdirSync(join(dir, 'public'));
  writeFileSync(join(dir, 'public', 'app.js'), 'console.log(1)');
  writeFileSync(join(dir, 'secret.txt'), 'do not serve');
  writeFileSync(join(dir, 'public', '.hidden'), 'hidden');
  symlinkSync(join(dir, 'secret.txt'), join(dir, 'public', 'link.txt'));
  const routes: Route[] = [
    { path: '/api/x', handle: (req, res) => sendJson(req, res, 200, { ok: true, big: 'y'.repeat(5000) }) },
    {
      path: '/api/fail',
      handle: async () => {
        throw new Error('disk on fire at /var/secret');
      },
    },
    staticRoute({ prefix: '/assets/', dir: join(dir, 'public') }),
  ];
  server = await startHttpServer({
    port: 0,
    limits: { maxConnections: 4, maxUrlLength: 256, maxHeaderBytes: 2048 },
    router: {
      routes,
      auth: { type: 'basic', username: 'ops', password: 'pa:ss wörd' },
      realm: 'perfscope',
      onError: (err, path) => failures.push(`${path}: ${(err as Error).message}`),
      onResponse: (route, status) => answers.push([route?.path ?? 'other', status]),
    },
  });
  base = server.origin;
});

after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

const good = `Basic ${Buffer.from('ops:pa:ss wörd').toString('base64')}`;

test('auth on every path: routes, unknown paths and static files all answer 401 without credentials', async () => {
  for (const path of ['/api/x', '/nope', '/assets/app.js', '/assets/../secret.txt', '/']) {
    const r = await fetch(base + path);
    assert.equal(r.status, 401, path);
    assert.match(r.headers.get('www-authenticate') ?? '', /^Basic realm="perfscope"/);
    assert.equal(await r.text(), 'unauthorized\n', 'nothing about the path leaks');
  }
  assert.equal((await fetch(`${base}/api/x`, { method: 'POST' })).status, 401, 'not even which methods a path takes');
  const wrong = await fetch(`${base}/api/x`, { headers: { authorization: `Basic ${Buffer.from('ops:nope').toString('base64')}` } });
  assert.equal(wrong.status, 401);
  const ok = await fetch(`${base}/api/x`, { headers: { authorization: good } });
  assert.equal(ok.status, 200);
  assert.equal(ok.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(ok.headers.get('cache-control'), 'no-store');
  // The scheme name is case-insensitive (RFC 9110); a bearer header does not pass basic auth.
  assert.equal((await fetch(`${base}/api/x`, { headers: { authorization: good.replace('Basic', 'bAsIc') } })).status, 200);
  assert.equal((await fetch(`${base}/api/x`, { headers: { authorization: 'Bearer pa:ss wörd' } })).status, 401);
  assert.equal((await fetch(`${base}/nope`, { headers: { authorization: good } })).status, 404, 'with credentials, an unknown path is a 404');
});

test('resolveAuth: bearer tokens with a realm, malformed headers', () => {
  const auth = resolveAuth({ type: 'bearer', token: 'a-long-enough-token-123' }, 'test', 'perfscope')!;
  assert.equal(auth.challenge, 'Bearer realm="perfscope"');
  assert.equal(auth.check('Bearer a-long-enough-token-123'), true);
  assert.equal(auth.check('bearer a-long-enough-token-123'), true);
  assert.equal(auth.check('Bearer a-long-enough-token-12'), false);
  assert.equal(auth.check('Bearera-long-enough-token-123'), false);
  assert.equal(auth.check(undefined), false);
  assert.equal(resolveAuth(undefined, 'test'), undefined);
});

test('methods, URL length and header size are limited', async () => {
  const post = await fetch(`${base}/api/x`, { method: 'POST', headers: { authorization: good }, body: 'x' });
  assert.equal(post.status, 405);
  assert.equal(post.headers.get('allow'), 'GET, HEAD');
  const head = await fetch(`${base}/api/x`, { method: 'HEAD', headers: { authorization: good } });
  assert.equal(head.status, 200);
  const long = await fetch(`${base}/api/x?${'a'.repeat(300)}`, { headers: { authorization: good } });
  assert.equal(long.status, 414);
  const big = await raw(`GET /api/x HTTP/1.1\r\nHost: x\r\nAuthorization: ${good}\r\nX-Big: ${'b'.repeat(4000)}\r\n\r\n`);
  assert.equal(statusOf(big), 431);
  // gzip when asked, for bodies worth it
  const gz = await raw(`GET /api/x HTTP/1.1\r\nHost: x\r\nAuthorization: ${good}\r\nAccept-Encoding: gzip\r\nConnection: close\r\n\r\n`);
  assert.match(gz, /content-encoding: gzip/i);
});

test('a failing handler: 500 "internal error" to the client, the error to onError; every answer to onResponse', async () => {
  answers.length = 0;
  const r = await fetch(`${base}/api/fail`, { headers: { authorization: good } });
  assert.equal(r.status, 500);
  assert.equal(await r.text(), 'internal error\n', 'nothing of the fault reaches the client');
  assert.deepEqual(failures, ['/api/fail: disk on fire at /var/secret']);
  assert.equal((await fetch(`${base}/api/x`, { headers: { authorization: good } })).status, 200, 'the server goes on');
  await (await fetch(`${base}/nope`)).text();
  await (await fetch(`${base}/assets/app.js`, { headers: { authorization: good } })).text();
  // a handler's answer is counted once it returns, which may be just after the client has the body
  for (let i = 0; i < 500 && answers.length < 4; i++) await new Promise((r) => setTimeout(r, 10));
  assert.deepEqual(answers, [
    ['/api/fail', 500],
    ['/api/x', 200],
    ['other', 401],
    ['/assets/', 200],
  ]);
});

test('static files: served from the directory only (no .., %2e%2e, backslashes, dot-files or symlinks out)', async () => {
  const js = await fetch(`${base}/assets/app.js`, { headers: { authorization: good } });
  assert.equal(js.status, 200);
  assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
  assert.equal(js.headers.get('cache-control'), 'no-cache');
  for (const path of ['/assets/../secret.txt', '/assets/%2e%2e/secret.txt', '/assets/..%2fsecret.txt', '/assets/..%5csecret.txt', '/assets/.hidden', '/assets/link.txt', '/assets/', '/assets/%00app.js', '/assets/app.js%2f']) {
    const r = await raw(`GET ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: ${good}\r\nConnection: close\r\n\r\n`);
    assert.equal(statusOf(r), 404, `${path}: ${r.split('\r\n')[0]}`);
    assert.doesNotMatch(r, /do not serve|hidden/);
  }
});

test('connection cap: at maxConnections the oldest idle connection makes room, and the newcomer is served (was: refused)', async () => {
  const held = await Promise.all(
    Array.from({ length: 4 }, () => new Promise<ReturnType<typeof connect>>((resolve) => {
      const s = connect(server.port, '127.0.0.1', () => resolve(s));
      s.on('error', () => {});
    })),
  );
  const evictedBefore = server.connections.evicted;
  const r = await raw(`GET /api/x HTTP/1.1\r\nHost: x\r\nAuthorization: ${good}\r\nConnection: close\r\n\r\n`);
  assert.equal(statusOf(r), 200, 'served although four idle connections held every slot');
  assert.ok(server.connections.evicted > evictedBefore, 'an idle connection was closed to make room');
  assert.ok(server.connections.open <= 4);
  for (const s of held) s.destroy();
});

test('a stream is not cut by the request timeouts, nor taken for a stalled request at the connection cap', async () => {
  const hub = new SseHub({ heartbeatMs: 60_000 });
  const s = await startHttpServer({
    port: 0,
    limits: { maxConnections: 1, headersTimeoutMs: 300, requestTimeoutMs: 300 },
    router: { routes: [{ path: '/stream', handle: (req, res) => void hub.attach(req, res, frame('hello', '{}')) }] },
  });
  try {
    const viewer = await fetch(`${s.origin}/stream`);
    const reader = viewer.body!.getReader();
    const dec = new TextDecoder();
    let text = '';
    while (!text.includes('event: hello')) text += dec.decode((await reader.read()).value, { stream: true });
    // Quiet for longer than the request timeouts and their once-a-second check (no heartbeat)...
    await new Promise((r) => setTimeout(r, 1500));
    // ...then a newcomer at the cap: the stream is busy, not a stalled request, so the newcomer waits for none.
    const newcomer = await new Promise<string>((resolve) => {
      const c = connect(s.port, '127.0.0.1');
      let got = '';
      c.on('data', (d) => {
        got += d.toString();
        c.destroy(); // answered: enough to know
      });
      c.on('close', () => resolve(got));
      c.on('error', () => {});
      c.write('GET /stream HTTP/1.1\r\nHost: x\r\n\r\n');
    });
    assert.equal(newcomer, '', 'the newcomer was closed unanswered');
    hub.broadcast('tick', '{"n":1}', '1');
    while (!text.includes('"n":1')) {
      const { value, done } = await reader.read();
      assert.ok(!done, 'the stream was closed');
      text += dec.decode(value, { stream: true });
    }
    assert.equal(hub.size, 1);
    await reader.cancel();
  } finally {
    hub.close();
    await s.close();
  }
});
