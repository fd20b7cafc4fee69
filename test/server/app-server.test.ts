/**
 * The app server's limits and auth over real sockets: methods, URL length, header size, the
 * connection cap, auth on every path (unknown ones and static files included, scheme case-insensitive),
 * and static files that cannot be left through `..`, encodings or symlinks.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { authorizedBy, sendJson, startAppServer, type AppServer } from '../../src/server/app-server.js';

let server: AppServer;
let dir: string;
let base: string;

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
  server = await startAppServer({
    port: 0,
    auth: { type: 'basic', username: 'ops', password: 'pa:ss wörd' },
    limits: { maxConnections: 4, maxUrlLength: 256, maxHeaderBytes: 2048 },
    routes: { '/api/x': (ctx) => sendJson(ctx, 200, { ok: true, big: 'y'.repeat(5000) }) },
    staticFiles: { prefix: '/assets/', dir: join(dir, 'public') },
  });
  base = `http://127.0.0.1:${server.port}`;
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
  const wrong = await fetch(`${base}/api/x`, { headers: { authorization: `Basic ${Buffer.from('ops:nope').toString('base64')}` } });
  assert.equal(wrong.status, 401);
  const ok = await fetch(`${base}/api/x`, { headers: { authorization: good } });
  assert.equal(ok.status, 200);
  assert.equal(ok.headers.get('x-content-type-options'), 'nosniff');
  assert.equal(ok.headers.get('cache-control'), 'no-store');
  // The scheme name is case-insensitive (RFC 9110); a bearer header does not pass basic auth.
  assert.equal((await fetch(`${base}/api/x`, { headers: { authorization: good.replace('Basic', 'bAsIc') } })).status, 200);
  assert.equal((await fetch(`${base}/api/x`, { headers: { authorization: 'Bearer pa:ss wörd' } })).status, 401);
});

test('authorizedBy: bearer tokens, malformed headers', () => {
  const auth = { type: 'bearer', token: 'a-long-enough-token-123' } as const;
  assert.equal(authorizedBy(auth, 'Bearer a-long-enough-token-123'), true);
  assert.equal(authorizedBy(auth, 'bearer a-long-enough-token-123'), true);
  assert.equal(authorizedBy(auth, 'Bearer a-long-enough-token-12'), false);
  assert.equal(authorizedBy(auth, 'Bearera-long-enough-token-123'), false);
  assert.equal(authorizedBy(auth, undefined), false);
  assert.equal(authorizedBy(undefined, undefined), true);
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

test('static files: served from the directory only (no .., %2e%2e, backslashes, dot-files or symlinks out)', async () => {
  const js = await fetch(`${base}/assets/app.js`, { headers: { authorization: good } });
  assert.equal(js.status, 200);
  assert.equal(js.headers.get('content-type'), 'text/javascript; charset=utf-8');
  for (const path of ['/assets/../secret.txt', '/assets/%2e%2e/secret.txt', '/assets/..%2fsecret.txt', '/assets/..%5csecret.txt', '/assets/.hidden', '/assets/link.txt', '/assets/', '/assets/%00app.js', '/assets/app.js%2f']) {
    const r = await raw(`GET ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: ${good}\r\nConnection: close\r\n\r\n`);
    assert.equal(statusOf(r), 404, `${path}: ${r.split('\r\n')[0]}`);
    assert.doesNotMatch(r, /do not serve|hidden/);
  }
});

test('connection cap: connections past maxConnections are refused, the server keeps serving', async () => {
  const held = await Promise.all(
    Array.from({ length: 4 }, () => new Promise<ReturnType<typeof connect>>((resolve) => {
      const s = connect(server.port, '127.0.0.1', () => resolve(s));
      s.on('error', () => {});
    })),
  );
  const extra = await new Promise<string>((resolve) => {
    const s = connect(server.port, '127.0.0.1');
    let got = '';
    s.on('data', (d) => (got += d.toString()));
    s.on('close', () => resolve(got === '' ? 'closed' : got));
    s.on('error', () => resolve('error'));
    s.write(`GET /api/x HTTP/1.1\r\nHost: x\r\nAuthorization: ${good}\r\n\r\n`);
  });
  assert.ok(extra === 'closed' || extra === 'error', `the fifth connection was served: ${extra.slice(0, 40)}`);
  for (const s of held) s.destroy();
  await new Promise((r) => setTimeout(r, 50));
  assert.equal((await fetch(`${base}/api/x`, { headers: { authorization: good } })).status, 200);
});
