/** Routes from URLs with no configuration: ids by their bytes, many-valued segments by inference, templates first. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PathTable, RouteInference, RouteTemplate, SEG_HEX, SEG_ID, SEG_IP, SEG_UUID, idMarker } from '../../src/analysis/routes.js';
import { PerfscopeError } from '../../src/core/errors.js';
import { sfc32 } from '../fixtures/logs/generate.js';

const marker = (s: string): number => {
  const b = Buffer.from(s);
  return idMarker(b, 0, b.length);
};

test('ids by their bytes: numbers, UUIDs, lower-case hex, addresses; words and codes stay literal', () => {
  assert.equal(marker('62949'), SEG_ID);
  assert.equal(marker('0'), SEG_ID);
  assert.equal(marker('3f2b8c1e-9a4d-4c7e-a1b2-0c9d8e7f6a5b'), SEG_UUID);
  assert.equal(marker('5f3a9c1b2e7d'), SEG_HEX);
  assert.equal(marker('507f1f77bcf86cd799439011'), SEG_HEX);
  assert.equal(marker('DA39A3EE5E6B4B0D3255BFEF95601890'), SEG_HEX, 'long upper-case hex is a hash');
  assert.equal(marker('10.2.16.17'), SEG_IP);
  assert.equal(marker('fe80::1'), SEG_IP);
  for (const literal of ['users', 'v2', 'deadbeef', 'B0ABCDE123', 'wool-desk-1813', 'search', '999.1.1.1', '1.2.3', 'a1b2c3', '']) {
    assert.equal(marker(literal), -1, literal);
  }
});

/** Routes of `urls` (each a hit), keyed by URL. */
function infer(urls: string[], templates: string[] = []): Map<string, string> {
  const table = new PathTable(templates.map((t) => new RouteTemplate(t)));
  const ids = urls.map((u) => {
    const b = Buffer.from(u);
    return table.intern(b, 0, b.length);
  });
  const inference = RouteInference.infer(table);
  return new Map(urls.map((u, i) => [u, inference.routeOf(ids[i]!)]));
}

test('product codes and slugs become parameters next to frequent words; query strings and trailing slashes go', () => {
  const random = sfc32(3);
  const code = (): string => `B0${Array.from({ length: 8 }, () => 'ABCDEFGHJKLMNPQRSTUVWXYZ0123456789'[Math.floor(random() * 34)]).join('')}`;
  const urls: string[] = [];
  for (let i = 0; i < 300; i++) urls.push(`/api/products/${code()}`);
  for (let i = 0; i < 60; i++) urls.push(`/api/products/search?q=wool&page=${i}`);
  for (let i = 0; i < 40; i++) urls.push(`/api/products/${code()}/reviews`);
  for (let i = 0; i < 200; i++) urls.push(`/api/articles/${['wool', 'desk', 'lamp', 'oak'][i % 4]}-${['chair', 'rug'][i % 2]}-${1000 + i}`);
  for (let i = 0; i < 50; i++) urls.push(`/api/users/${10 + i}/recommendations/`);
  urls.push('/', '/healthz', 'http://proxy.example/api/users/7/recommendations', '*');
  const routes = infer(urls);
  const r = (u: string): string => routes.get(u)!;
  assert.equal(r(urls[0]!), '/api/products/:param');
  assert.equal(r('/api/products/search?q=wool&page=3'), '/api/products/search');
  assert.equal(r(urls[360]!), '/api/products/:param/reviews');
  assert.equal(r(urls[400]!), '/api/articles/:param');
  assert.equal(r('/api/users/12/recommendations/'), '/api/users/:id/recommendations');
  assert.equal(r('http://proxy.example/api/users/7/recommendations'), '/api/users/:id/recommendations');
  assert.equal(r('/'), '/');
  assert.equal(r('/healthz'), '/healthz');
  assert.equal(r('*'), '*');
  assert.equal(new Set(routes.values()).size, 8);
});

test('a few literal endpoints stay literal; ids of one position merge whatever their kind', () => {
  const urls: string[] = [];
  for (const name of ['me', 'settings', 'export', 'import']) for (let i = 0; i < 30; i++) urls.push(`/api/users/${name}`);
  // hex ids where one happens to be all digits
  for (let i = 0; i < 200; i++) urls.push(`/api/blobs/${i === 7 ? '123456789012' : `${(0x5f3a9c1b2e00 + i).toString(16)}`}`);
  const routes = infer(urls);
  assert.deepEqual([...new Set(urls.slice(0, 120).map((u) => routes.get(u)))], ['/api/users/me', '/api/users/settings', '/api/users/export', '/api/users/import']);
  assert.deepEqual(new Set(urls.slice(120).map((u) => routes.get(u))), new Set(['/api/blobs/:hex']));
});

test('explicit templates win over inference and id detection; bad templates are usage errors', () => {
  const urls = ['/api/products/B0ABCDEFGH', '/api/products/search', '/api/2024/report', '/static/js/app.js', '/static/css/x.css', '/api/products/B0ABCDEFGH/reviews'];
  const routes = infer(urls, ['/api/products/:sku', '/api/2024/report', '/static/*']);
  assert.equal(routes.get('/api/products/B0ABCDEFGH'), '/api/products/:sku');
  assert.equal(routes.get('/api/products/search'), '/api/products/:sku', 'a template takes every value of its parameter');
  assert.equal(routes.get('/api/2024/report'), '/api/2024/report');
  assert.equal(routes.get('/static/js/app.js'), '/static/*');
  assert.equal(routes.get('/api/products/B0ABCDEFGH/reviews'), '/api/products/B0ABCDEFGH/reviews');
  for (const bad of ['api/x', '/a?b=1', '/a/*/b', '/a/:', '/a b']) assert.throws(() => new RouteTemplate(bad), PerfscopeError, bad);
});

test('paths seen after inference resolve against the tree (sketch mode)', () => {
  const table = new PathTable();
  const add = (u: string): number => {
    const b = Buffer.from(u);
    return table.intern(b, 0, b.length);
  };
  for (let i = 0; i < 100; i++) add(`/api/products/B0X${String(i).padStart(7, 'Q')}${'ABCDEFGHJK'[i % 10]}`);
  add('/api/products/search');
  const inference = RouteInference.infer(table);
  assert.equal(inference.routeOf(add('/api/products/B0NEWCODE9')), '/api/products/:param');
  assert.equal(inference.routeOf(add('/api/products/search')), '/api/products/search');
  assert.equal(inference.routeOf(add('/api/other/thing')), '/api/other/thing');
  assert.equal(inference.routeOf(add('/api/products/42')), '/api/products/:param');
  const before = table.size;
  table.releaseLookups();
  assert.equal(add('/api/products/search'), add('/api/products/search'), 'lookups rebuilt after a release');
  assert.equal(table.size, before, 'known paths found again, none added twice');
});
