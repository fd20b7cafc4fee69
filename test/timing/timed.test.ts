import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { repoRoot } from '../helpers/cli.js';
import { Histogram, Registry, register } from '../../src/metrics/index.js';
import { timed } from '../../src/timing/timed.js';
import { measure } from '../../src/timing/measure.js';
import { PerfscopeError } from '../../src/core/errors.js';
import { FUNCTION_DURATION_BUCKETS, functionHistogram } from '../../src/timing/function-histogram.js';
import { collect, sampleValue } from '../../src/testing/index.js';

/** `function|outcome` -> observation count, as a scrape collects it. */
async function counts(registry: Registry): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const family = (await collect(registry)).find((f) => f.name === 'function_duration_seconds');
  for (const s of family?.samples ?? []) {
    if (s.name === 'function_duration_seconds_count') out.set(`${s.labels.function}|${s.labels.outcome}`, s.value);
  }
  return out;
}

test('a wrapper keeps name, length, this and the return value, and is observed with labels', async () => {
  const registry = new Registry();
  function exampleFunction(this: { base: number }, a: number, b: number): number {
    return this.base + a + b;
  }
  const wrapped = timed(exampleFunction, { registry });
  assert.equal(wrapped.name, 'exampleFunction');
  assert.equal(wrapped.length, 2);
  const obj = { base: 100, f: wrapped };
  assert.equal(obj.f(1, 2), 103);
  const ret = { some: 'object' };
  const same = timed(() => ret, { registry, name: 'identity' });
  assert.equal(same(), ret, 'the very same object');
  assert.deepEqual(await counts(registry), new Map([['exampleFunction|success', 1], ['identity|success', 1]]));
  // one observation: the buckets step from 0 to 1 at the first bound at or above the observed duration
  const family = (await collect(registry)).find((f) => f.name === 'function_duration_seconds')!;
  assert.equal(family.type, 'histogram');
  const mine = family.samples.filter((s) => s.labels.function === 'exampleFunction' && s.labels.outcome === 'success');
  const buckets = mine.filter((s) => s.name === 'function_duration_seconds_bucket');
  assert.deepEqual(buckets.map((b) => b.labels.le), [...FUNCTION_DURATION_BUCKETS.map(String), '+Inf']);
  const sum = mine.find((s) => s.name === 'function_duration_seconds_sum')!.value;
  assert.ok(sum > 0 && sum < 10, `a duration in seconds: ${sum}`);
  for (const b of buckets) assert.equal(b.value, b.labels.le === '+Inf' || sum <= Number(b.labels.le) ? 1 : 0, `bucket le=${b.labels.le} for ${sum} s`);
});

test('the default registry is used when none is given (timings on /metrics with no extra code)', async () => {
  const f = timed(function defaultRegistryProbe() {
    return 1;
  });
  f();
  f();
  assert.equal((await counts(register)).get('defaultRegistryProbe|success'), 2);
});

test('a thrown error is the very same object, recorded as outcome error', async () => {
  const registry = new Registry();
  const boom = new RangeError('boom');
  const f = timed(
    () => {
      throw boom;
    },
    { registry, name: 'thrower' },
  );
  assert.throws(f, (e) => e === boom);
  // anything can be thrown
  const g = timed(
    () => {
      throw undefined;
    },
    { registry, name: 'throwsUndefined' },
  );
  assert.throws(g, (e) => e === undefined);
  assert.deepEqual(await counts(registry), new Map([['thrower|error', 1], ['throwsUndefined|error', 1]]));
});

test('async functions are timed until settled; a rejection is passed through unchanged', async () => {
  const registry = new Registry();
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const slow = timed(
    async function slow(x: number): Promise<number> {
      await gate;
      return x * 2;
    },
    { registry },
  );
  const p = slow(21);
  assert.ok(p instanceof Promise);
  assert.equal((await counts(registry)).size, 0, 'nothing recorded before it settles');
  release();
  assert.equal(await p, 42);
  const err = new Error('nope');
  const failing = timed(
    async function failing(): Promise<never> {
      await null;
      throw err;
    },
    { registry },
  );
  await assert.rejects(failing(), (e) => e === err);
  assert.deepEqual(await counts(registry), new Map([['slow|success', 1], ['failing|error', 1]]));
});

test('an unhandled rejection stays unhandled (the wrapper does not swallow it)', async () => {
  // in a child: node:test turns any unhandledRejection into a test failure
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'test/fixtures/timing/unhandled-rejection.ts'], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  assert.equal(r.stdout.trim(), 'same error unhandled', r.stderr);
  assert.equal(r.status, 3);
});

test('non-Promise thenables are returned untouched (their then() is not called)', async () => {
  const registry = new Registry();
  let thenCalls = 0;
  const lazy = { then: () => void thenCalls++ };
  const f = timed(() => lazy, { registry, name: 'builder' });
  assert.equal(f(), lazy);
  assert.equal(thenCalls, 0);
  assert.equal((await counts(registry)).get('builder|success'), 1);
});

test('generators are timed from the first next() until done, with yields and return value kept', async () => {
  const registry = new Registry();
  function* count(n: number): Generator<number, string, number | undefined> {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += (yield i) ?? 0;
    return `sum ${sum}`;
  }
  const g = timed(count, { registry });
  assert.equal(g.name, 'count');
  assert.equal(g.length, 1);
  const it = g(3);
  assert.deepEqual(it.next(), { value: 0, done: false });
  assert.equal((await counts(registry)).size, 0, 'not recorded while iterating');
  assert.deepEqual(it.next(10), { value: 1, done: false });
  assert.deepEqual(it.next(20), { value: 2, done: false });
  assert.deepEqual(it.next(30), { value: 'sum 60', done: true });
  assert.deepEqual([...g(4)], [0, 1, 2, 3]);
  // a for...of that breaks closes the generator: recorded as a success
  for (const v of g(100)) if (v === 2) break;
  // an error inside is the same object, recorded as error
  const err = new Error('gen failed');
  const bad = timed(
    function* bad() {
      yield 1;
      throw err;
    },
    { registry },
  );
  assert.throws(() => [...bad()], (e) => e === err);
  // created but never started: nothing to record
  g(5);
  assert.deepEqual(await counts(registry), new Map([['count|success', 3], ['bad|error', 1]]));
});

test('async generators are timed from the first next() until done or thrown', async () => {
  const registry = new Registry();
  async function* pages(n: number): AsyncGenerator<number> {
    for (let i = 0; i < n; i++) {
      await new Promise((r) => setImmediate(r));
      yield i;
    }
  }
  const g = timed(pages, { registry });
  assert.equal(g.name, 'pages');
  const seen: number[] = [];
  for await (const p of g(3)) seen.push(p);
  assert.deepEqual(seen, [0, 1, 2]);
  const err = new TypeError('page 2 failed');
  const failing = timed(
    async function* failing() {
      yield 1;
      throw err;
    },
    { registry },
  );
  await assert.rejects(async () => {
    for await (const _ of failing()) void _;
  }, (e) => e === err);
  for await (const p of g(10)) if (p === 1) break;
  assert.deepEqual(await counts(registry), new Map([['pages|success', 2], ['failing|error', 1]]));
});

test('standard (TC39) decorators: @timed, @timed() and @timed(options) on instance and static methods', async () => {
  const registry = new Registry();
  const t = timed({ registry });
  class UserService {
    constructor(readonly prefix: string) {}
    @t
    find(id: number): string {
      return `${this.prefix}${id}`;
    }
    @t
    async load(id: number): Promise<string> {
      await null;
      return `loaded ${id}`;
    }
    @timed({ registry, name: 'users.count' })
    count(): number {
      return 7;
    }
    @t
    static create(): UserService {
      return new UserService('u');
    }
  }
  class AdminService extends UserService {}
  const admin = new AdminService('admin-');
  assert.equal(admin.find(1), 'admin-1', 'this kept');
  assert.equal(UserService.prototype.find.name, 'find');
  assert.equal(UserService.prototype.find.length, 1);
  assert.equal(await admin.load(2), 'loaded 2');
  assert.equal(admin.count(), 7);
  assert.ok(UserService.create() instanceof UserService);
  assert.deepEqual(
    await counts(registry),
    new Map([
      ['UserService.create', 1],
      ['UserService.find', 1],
      ['UserService.load', 1],
      ['users.count', 1],
    ].map(([k, v]) => [`${k}|success`, v as number])),
    'the declaring class names the method, not the subclass',
  );
});

test('bare @timed (no parentheses) uses the default registry', async () => {
  class Bare {
    @timed
    work(): number {
      return 1;
    }
  }
  new Bare().work();
  assert.equal((await counts(register)).get('Bare.work|success'), 1);
});

test('legacy decorator protocol called by hand: (target, key, descriptor)', async () => {
  const registry = new Registry();
  class Svc {
    value = 5;
    get(x: number): number {
      return this.value + x;
    }
    static make(): string {
      return 'made';
    }
  }
  const desc = Object.getOwnPropertyDescriptor(Svc.prototype, 'get')!;
  const out = timed({ registry })(Svc.prototype, 'get', desc);
  assert.equal(out, desc);
  Object.defineProperty(Svc.prototype, 'get', out);
  const sdesc = Object.getOwnPropertyDescriptor(Svc, 'make')!;
  Object.defineProperty(Svc, 'make', timed(Svc, 'make', sdesc)); // bare @timed on a static method (default registry)
  assert.equal(new Svc().get(1), 6);
  assert.equal(Svc.prototype.get.name, 'get');
  assert.equal(Svc.make(), 'made');
  assert.equal((await counts(registry)).get('Svc.get|success'), 1);
  assert.equal((await counts(register)).get('Svc.make|success'), 1);
  const accessor = { get x() { return 1; } };
  assert.throws(
    () => timed({ registry })(accessor, 'x', Object.getOwnPropertyDescriptor(accessor, 'x')!),
    /@timed decorates methods; Object\.x is an accessor/,
  );
});

test('configuration errors are loud and immediate', () => {
  assert.throws(() => timed({ regsitry: null } as never), /unknown option "regsitry"/);
  assert.throws(() => timed(42 as never), /options must be an object, got 42/);
  assert.throws(() => timed(42 as never), (e) => e instanceof PerfscopeError && e.code === 'EUSAGE', 'one kind of usage error');
  assert.throws(() => measure('', () => 1), (e) => e instanceof PerfscopeError && e.code === 'EUSAGE');
  assert.throws(() => timed({ name: '' }), /name must be a non-empty string/);
  assert.throws(() => timed({ registry: {} as never }), /registry must be a perfscope Registry/);
  const registry = new Registry();
  new Histogram({ name: 'function_duration_seconds', help: 'h', labelNames: ['fn'], registers: [registry] });
  assert.throws(() => timed(() => 1, { registry }), /already holds a metric "function_duration_seconds" \(type histogram, labels fn\)/);
  class C {
    x = 1;
  }
  assert.throws(() => {
    const field = timed({}) as unknown as (v: undefined, c: { kind: string; name: string; addInitializer(): void }) => void;
    field(undefined, { kind: 'field', name: 'x', addInitializer() {} });
  }, /expected a function/);
  void C;
});

test('an own function_duration_seconds histogram (other buckets) is used as is', async () => {
  const registry = new Registry();
  const mine = new Histogram({
    name: 'function_duration_seconds',
    help: 'mine',
    labelNames: ['function', 'outcome'],
    buckets: [0.5, 1],
    registers: [registry],
  });
  timed(() => 1, { registry, name: 'custom' })();
  assert.equal(functionHistogram(registry), mine);
  assert.equal(await sampleValue(registry, 'function_duration_seconds_bucket', { le: '0.5', function: 'custom', outcome: 'success' }), 1);
  assert.equal(FUNCTION_DURATION_BUCKETS[0], 0.00001);
});

test('after registry.clear() the histogram is registered again (wrappers keep counting where seen)', async () => {
  const registry = new Registry();
  const f = timed(() => 1, { registry, name: 'survivor' });
  f();
  registry.clear();
  f();
  assert.equal((await counts(registry)).get('survivor|success'), 1);
  registry.resetMetrics();
  f();
  assert.equal((await counts(registry)).get('survivor|success'), 1);
});

test('registry: null records no metric', async () => {
  const registry = new Registry();
  const before = register.getSingleMetric('function_duration_seconds');
  timed(() => 1, { registry: null, name: 'nowhere' })();
  assert.equal(register.getSingleMetric('function_duration_seconds'), before);
  assert.equal((await counts(register)).get('nowhere|success'), undefined);
  assert.equal((await counts(registry)).size, 0);
});
