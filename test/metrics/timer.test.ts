/**
 * One timing primitive, one behaviour: every face that times a function — `histogram.time(fn)`,
 * `histogram.timed()(fn)`, `@histogram.timed()`, a bound handle's `time(fn)`, summaries and gauges,
 * timing's `timed(fn)`, `@timed` and `measure()` — ends a call at the same moment, checked against one
 * table of cases (sync, throw, async, rejection, a lazy thenable, generators and async generators).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Gauge, Histogram, Registry, Summary, type MetricObjectWithValues } from '../../src/metrics/index.js';
import { timed } from '../../src/timing/timed.js';
import { measure } from '../../src/timing/measure.js';

type Fn = (...args: unknown[]) => unknown;

/** A way to time a function, and how to read how many calls ended (and, where recorded, how). */
interface Face {
  name: string;
  /** Returns a function that behaves like `fn` and is timed by this face. */
  wrap(fn: Fn): Fn;
  /** Calls ended so far: all, and the failed ones (undefined where the face records no outcome). */
  ended(): Promise<{ all: number; failed: number | undefined }>;
}

/** Anything with prom-client's get(): histograms and summaries of any label names. */
type Observed = { get(): Promise<MetricObjectWithValues> };

async function histogramCount(h: Observed, labels: Record<string, string> = {}): Promise<number> {
  const v = (await h.get()).values.find(
    (x) => x.metricName?.endsWith('_count') && Object.entries(labels).every(([k, want]) => x.labels[k] === want),
  );
  return v?.value ?? 0;
}

function faces(): Face[] {
  const list: Face[] = [];
  const metricFace = (name: string, make: (r: Registry) => { h: Observed; wrap: (fn: Fn) => Fn }): void => {
    const r = new Registry();
    const { h, wrap } = make(r);
    list.push({ name, wrap, ended: async () => ({ all: await histogramCount(h), failed: undefined }) });
  };
  metricFace('histogram.time(fn)', (r) => {
    const h = new Histogram({ name: 'h', help: 'h', registers: [r] });
    return { h, wrap: (fn) => () => h.time(fn as () => unknown) };
  });
  metricFace('histogram.timed()(fn)', (r) => {
    const h = new Histogram({ name: 'h', help: 'h', registers: [r] });
    return { h, wrap: (fn) => h.timed()(fn) };
  });
  metricFace('@histogram.timed() on a method', (r) => {
    const h = new Histogram({ name: 'h', help: 'h', registers: [r] });
    class Service {
      constructor(private readonly fn: Fn) {}
      @h.timed()
      run(): unknown {
        return this.fn();
      }
      @h.timed()
      *gen(): Generator {
        return yield* this.fn() as Generator;
      }
      @h.timed()
      async *agen(): AsyncGenerator {
        return yield* this.fn() as AsyncGenerator;
      }
    }
    return { h, wrap: (fn) => methodOf(new Service(fn), fn) };
  });
  metricFace('histogram.labels(...).time(fn)', (r) => {
    const h = new Histogram({ name: 'h', help: 'h', labelNames: ['route'], registers: [r] });
    const bound = h.labels('/x');
    return { h, wrap: (fn) => () => bound.time(fn as () => unknown) };
  });
  metricFace('summary.timed()(fn)', (r) => {
    const s = new Summary({ name: 's', help: 's', registers: [r] });
    return { h: s, wrap: (fn) => s.timed()(fn) };
  });
  metricFace('summary.time(fn)', (r) => {
    const s = new Summary({ name: 's', help: 's', registers: [r] });
    return { h: s, wrap: (fn) => () => s.time(fn as () => unknown) };
  });
  {
    // a gauge keeps the last duration: count the sets through a spy on the gauge
    const r = new Registry();
    const g = new Gauge({ name: 'g', help: 'g', registers: [r] });
    let sets = 0;
    const set = g.set.bind(g);
    (g as { set: unknown }).set = (...args: Parameters<typeof set>) => {
      sets++;
      return set(...args);
    };
    list.push({ name: 'gauge.timed()(fn)', wrap: (fn) => g.timed()(fn), ended: async () => ({ all: sets, failed: undefined }) });
  }
  const timingFace = (name: string, make: (registry: Registry) => (fn: Fn) => Fn): void => {
    const registry = new Registry();
    const wrap = make(registry);
    list.push({
      name,
      wrap,
      ended: async () => {
        const h = registry.getSingleMetric('function_duration_seconds') as Observed | undefined;
        if (h === undefined) return { all: 0, failed: 0 };
        const ok = await histogramCount(h, { outcome: 'success' });
        const failed = await histogramCount(h, { outcome: 'error' });
        return { all: ok + failed, failed };
      },
    });
  };
  timingFace('timed(fn)', (registry) => (fn) => timed(fn, { registry, name: 'f' }));
  timingFace('@timed on a method', (registry) => {
    const t = timed({ registry, name: 'f' });
    class Service {
      constructor(private readonly fn: Fn) {}
      @t
      run(): unknown {
        return this.fn();
      }
      @t
      *gen(): Generator {
        return yield* this.fn() as Generator;
      }
      @t
      async *agen(): AsyncGenerator {
        return yield* this.fn() as AsyncGenerator;
      }
    }
    return (fn) => methodOf(new Service(fn), fn);
  });
  timingFace('measure(name, fn)', (registry) => (fn) => () => measure('f', fn as () => unknown, { registry }));
  return list;
}

const GeneratorFunction: unknown = Object.getPrototypeOf(function* () {});
const AsyncGeneratorFunction: unknown = Object.getPrototypeOf(async function* () {});
const isGenerator = (fn: Fn): boolean => Object.getPrototypeOf(fn) === GeneratorFunction;
const isAsyncGenerator = (fn: Fn): boolean => Object.getPrototypeOf(fn) === AsyncGeneratorFunction;

/** The decorated method of the same kind as `fn` (a generator method for a generator function). */
function methodOf(s: { run(): unknown; gen(): unknown; agen(): unknown }, fn: Fn): Fn {
  if (isGenerator(fn)) return () => s.gen();
  if (isAsyncGenerator(fn)) return () => s.agen();
  return () => s.run();
}

/**
 * A case: the function, how to drive its result to the end, and what must be recorded right after the
 * call returned and after the result was driven (`failed` = how many of those failed).
 */
interface Case {
  name: string;
  run(face: Face): Promise<void>;
}

const expectEnded = async (face: Face, all: number, failed: number, when: string): Promise<void> => {
  const e = await face.ended();
  assert.equal(e.all, all, `${face.name}: ${all} call(s) ended ${when}`);
  if (e.failed !== undefined) assert.equal(e.failed, failed, `${face.name}: ${failed} failed ${when}`);
};

const cases: Case[] = [
  {
    name: 'a sync return ends at return; the value is the very same',
    async run(face) {
      const value = { v: 1 };
      const f = face.wrap(() => value);
      assert.equal(f(), value);
      await expectEnded(face, 1, 0, 'after return');
    },
  },
  {
    name: 'a throw ends at the throw, the same error passes through',
    async run(face) {
      const err = new RangeError('boom');
      const f = face.wrap(() => {
        throw err;
      });
      assert.throws(() => f(), (e) => e === err);
      await expectEnded(face, 1, 1, 'after the throw');
    },
  },
  {
    name: 'an async function ends when its promise settles',
    async run(face) {
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      const f = face.wrap(async () => {
        await gate;
        return 42;
      });
      const p = f() as Promise<number>;
      assert.ok(p instanceof Promise);
      await new Promise((r) => setImmediate(r));
      await expectEnded(face, 0, 0, 'while pending');
      release();
      assert.equal(await p, 42);
      await expectEnded(face, 1, 0, 'after it resolved');
    },
  },
  {
    name: 'a rejection is recorded as a failure and passed on unchanged',
    async run(face) {
      const err = new Error('nope');
      const f = face.wrap(async () => {
        await null;
        throw err;
      });
      await assert.rejects(f() as Promise<unknown>, (e) => e === err);
      await expectEnded(face, 1, 1, 'after the rejection');
    },
  },
  {
    name: "a non-Promise thenable is returned untouched (its then() never called) and ends at return",
    async run(face) {
      let thenCalls = 0;
      const lazy = { then: () => void thenCalls++ };
      const f = face.wrap(() => lazy);
      assert.equal(f(), lazy);
      await expectEnded(face, 1, 0, 'after return');
      assert.equal(thenCalls, 0);
    },
  },
  {
    name: 'a generator is timed from the first next() until done, yields and return value kept',
    async run(face) {
      const f = face.wrap(function* () {
        const got = (yield 1) as number;
        yield got * 2;
        return 'end';
      });
      const it = f() as Generator<number, string, number>;
      await expectEnded(face, 0, 0, 'after the call');
      assert.deepEqual(it.next(), { value: 1, done: false });
      assert.deepEqual(it.next(21), { value: 42, done: false });
      await expectEnded(face, 0, 0, 'while iterating');
      assert.deepEqual(it.next(), { value: 'end', done: true });
      await expectEnded(face, 1, 0, 'when done');
    },
  },
  {
    name: 'a generator closed early (for...of with break) ends when closed, as a success',
    async run(face) {
      const f = face.wrap(function* () {
        for (let i = 0; ; i++) yield i;
      });
      for (const v of f() as Generator<number>) if (v === 3) break;
      await expectEnded(face, 1, 0, 'after break');
    },
  },
  {
    name: 'a generator that throws ends at the throw, the same error passes through',
    async run(face) {
      const err = new Error('gen failed');
      const f = face.wrap(function* () {
        yield 1;
        throw err;
      });
      assert.throws(() => [...(f() as Generator<number>)], (e) => e === err);
      await expectEnded(face, 1, 1, 'after the throw');
    },
  },
  {
    name: 'a generator never started records nothing',
    async run(face) {
      const f = face.wrap(function* () {
        yield 1;
      });
      f();
      await expectEnded(face, 0, 0, 'for an unstarted generator');
    },
  },
  {
    name: 'an async generator is timed until done; a throw inside is a failure',
    async run(face) {
      const f = face.wrap(async function* () {
        await null;
        yield 1;
        yield 2;
      });
      const seen: number[] = [];
      for await (const v of f() as AsyncGenerator<number>) seen.push(v);
      assert.deepEqual(seen, [1, 2]);
      await expectEnded(face, 1, 0, 'when done');
      const err = new TypeError('page failed');
      const g = face.wrap(async function* () {
        yield 1;
        throw err;
      });
      await assert.rejects(async () => {
        for await (const _ of g() as AsyncGenerator<number>) void _;
      }, (e) => e === err);
      await expectEnded(face, 2, 1, 'after the async throw');
    },
  },
  {
    name: 'a plain function returning an iterator is a plain call (ends at return)',
    async run(face) {
      const f = face.wrap(() => [1, 2][Symbol.iterator]());
      const it = f() as Iterator<number>;
      await expectEnded(face, 1, 0, 'after return');
      assert.equal(it.next().value, 1);
    },
  },
];

for (const c of cases) {
  test(c.name, async () => {
    for (const face of faces()) await c.run(face);
  });
}
