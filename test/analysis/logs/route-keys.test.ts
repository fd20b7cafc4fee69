/** RouteKeys: pre-keys of (method, path) pairs, their numbering, and the paths' segments. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RouteKeys } from '../../../src/analysis/logs/route-keys.js';
import { PathTable } from '../../../src/analysis/routes.js';

const GET = 0;
const POST = 1;
const PUT = 2;

function keyOf(keys: RouteKeys, method: number, target: string): number {
  const b = Buffer.from(target, 'latin1');
  return keys.key(method, b, 0, b.length);
}

test('pre-keys are numbered by first (method, path); a path with several methods has one per method', () => {
  const keys = new RouteKeys(new PathTable());
  const seen = [
    keyOf(keys, GET, '/api/users/1'),
    keyOf(keys, POST, '/api/users/2'), // same path (an id), second method
    keyOf(keys, GET, '/healthz'),
    keyOf(keys, PUT, '/api/users/3'), // third method of the first path
    keyOf(keys, POST, '/api/users/4'),
    keyOf(keys, GET, '/api/users/5?x=1'),
    keyOf(keys, PUT, '/healthz'),
  ];
  assert.deepEqual(seen, [0, 1, 2, 3, 1, 0, 4]);
  assert.deepEqual([...keys.methodOf.subarray(0, keys.size)], [GET, POST, GET, PUT, PUT]);
  const users = keys.pathOf[0]!;
  assert.deepEqual([...keys.pathOf.subarray(0, keys.size)], [users, users, keys.pathOf[2], users, keys.pathOf[2]]);
  assert.equal(keys.paths.path(users), '/api/users/:id');
  assert.equal(keys.paths.hits(users), 5);
  assert.equal(keys.badRequestKey(), 5);
  assert.equal(keyOf(keys, GET, '/api/users/6'), 0, 'the bad-request key takes no path');
});

test('segments: empty ones stay, a trailing slash goes, many segments, bytes >= 0x80 and escapes stay literal', () => {
  const keys = new RouteKeys(new PathTable());
  const many = `/${Array.from({ length: 150 }, (_, i) => (i % 3 === 0 ? `s${i}` : String(i))).join('/')}`;
  const cases: [string, string][] = [
    ['/a//b/', '/a//b'],
    ['//', '/'],
    ['/', '/'],
    ['/a/b#frag', '/a/b'],
    ['/caf\xc3\xa9/12', '/café/:id'],
    ['/x\\x22y/%20/', '/x\\x22y/%20'],
    [many, many.replace(/\/\d+(?=\/|$)/g, '/:id')],
  ];
  for (const [target, path] of cases) assert.equal(keys.paths.path(keys.pathOf[keyOf(keys, GET, target)]!), path, target);
});

test('absorbing the next part numbers pre-keys as one RouteKeys reading both parts', () => {
  const partA: [number, string][] = [[GET, '/a/1'], [GET, '/b'], [POST, '/b']];
  // a known path with a method new to it, a known pair, a new path with two methods
  const partB: [number, string][] = [[PUT, '/a/2'], [GET, '/b'], [POST, '/c/x'], [GET, '/c/x'], [POST, '/a/3']];
  const whole = new RouteKeys(new PathTable());
  for (const [m, t] of [...partA, ...partB]) keyOf(whole, m, t);
  const a = new RouteKeys(new PathTable());
  for (const [m, t] of partA) keyOf(a, m, t);
  const b = new RouteKeys(new PathTable());
  const inB = partB.map(([m, t]) => keyOf(b, m, t));
  const ids = a.absorb(b.snapshot(), Int32Array.from([GET, POST, PUT]));
  assert.equal(a.size, whole.size);
  for (let k = 0; k < whole.size; k++) {
    assert.equal(a.methodOf[k], whole.methodOf[k], `method of ${k}`);
    assert.equal(a.paths.path(a.pathOf[k]!), whole.paths.path(whole.pathOf[k]!), `path of ${k}`);
  }
  assert.deepEqual(inB.map((k) => ids[k]), partB.map(([m, t]) => keyOf(whole, m, t)));
});
