/**
 * Several asset directories below one prefix (serve's dashboard: its own files at /assets/, the chart
 * kit at /assets/charts/, uPlot at /assets/uplot/): the longest prefix serves a path, each mount keeps
 * its own traversal checks, and the page at `/` carries the strict CSP.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startHttpServer, type HttpServer } from '../../src/server/http-server.js';
import { pageCsp } from '../../src/server/serve-api.js';
import { staticRoute } from '../../src/server/static-files.js';

let server: HttpServer;
let dir: string;
let base: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'perfscope-mounts-'));
  for (const d of ['serve', 'serve/charts', 'charts', 'uplot']) mkdirSync(join(dir, d), { recursive: true });
  writeFileSync(join(dir, 'serve', 'app.js'), 'serve');
  writeFileSync(join(dir, 'serve', 'charts', 'kit.js'), 'shadowed');
  writeFileSync(join(dir, 'charts', 'kit.js'), 'kit');
  writeFileSync(join(dir, 'uplot', 'uPlot.min.css'), '.u{}');
  writeFileSync(join(dir, 'secret.txt'), 'no');
  server = await startHttpServer({
    port: 0,
    router: {
      routes: [
        staticRoute({ prefix: '/assets/', dir: join(dir, 'serve') }),
        staticRoute({ prefix: '/assets/charts/', dir: join(dir, 'charts') }),
        staticRoute({ prefix: '/assets/uplot/', dir: join(dir, 'uplot') }),
      ],
    },
  });
  base = `http://127.0.0.1:${server.port}`;
});

after(async () => {
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

test('the longest prefix serves a path; each mount has its own root', async () => {
  assert.equal(await (await fetch(`${base}/assets/app.js`)).text(), 'serve');
  assert.equal(await (await fetch(`${base}/assets/charts/kit.js`)).text(), 'kit', 'the charts mount wins over assets/serve/charts');
  const css = await fetch(`${base}/assets/uplot/uPlot.min.css`);
  assert.equal(css.headers.get('content-type'), 'text/css; charset=utf-8');
  assert.equal(await css.text(), '.u{}');
  for (const path of ['/assets/uplot/../secret.txt', '/assets/uplot/%2e%2e/secret.txt', '/assets/charts/', '/assets/uplot/app.js', '/assets/nope.js']) {
    assert.equal((await fetch(base + path)).status, 404, path);
  }
});

test("the page's CSP allows serve's own files only: no inline script or style, no framing", () => {
  assert.match(pageCsp, /^default-src 'self';/);
  assert.doesNotMatch(pageCsp, /unsafe-inline|unsafe-eval|\*/);
  assert.match(pageCsp, /frame-ancestors 'none'/);
});
