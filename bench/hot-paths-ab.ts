/**
 * The hot paths of two checkouts in ONE process, interleaved: labelled `counter.inc`, a bound handle's
 * `inc`, labelled `histogram.observe`, `summary.observe` (plain and windowed), a scrape of 10,000
 * series, and the timing wrappers `timed(fn)`, `histogram.timed()(fn)`, `histogram.time(fn)` (metrics
 * only), of this checkout against a base checkout's. In one process the shared machine's load hits
 * both sides alike, so the ratio this/base per round is steadier than across processes
 * (bench/compare-revisions.ts). Below 1 is faster.
 *
 * Run: node --import tsx bench/hot-paths-ab.ts --base /tmp/base-checkout [--rounds 40]
 */
import { existsSync } from 'node:fs';
import { flag, numberFlag } from './lib/args.js';
import { num, ratioText, table } from './lib/markdown.js';
import { spread } from './lib/stats.js';
import * as mine from '../src/index.js';

const base = flag('--base');
if (base === undefined || !existsSync(`${base}/src/index.ts`)) {
  process.stderr.write('hot-paths-ab: --base DIR (a checkout with src/) is required\n');
  process.exit(2);
}
const rounds = numberFlag('--rounds', 40, 1);
const theirs = (await import(`${base}/src/index.ts`)) as typeof mine;

const cpuNs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
};
function add(a: number, b: number): number {
  return a + b;
}
let sink = 0;

type Lib = typeof mine;
const values = Array.from({ length: 1024 }, (_, i) => Math.exp(Math.log(0.001) + (Math.log(20) - Math.log(0.001)) * ((i * 0.618) % 1)));

/** Each case: ns per op of `loop(n)` (the scrape: ms per scrape, `n` scrapes awaited). */
function loops(lib: Lib, big: InstanceType<Lib['Registry']>): Record<string, (n: number) => void | Promise<void>> {
  const r = new lib.Registry();
  const c = new lib.Counter({ name: 'c_total', help: 'h', labelNames: ['method', 'code'], registers: [r] });
  const bound = c.labels('GET', '200');
  const hl = new lib.Histogram({ name: 'hl_seconds', help: 'h', labelNames: ['method', 'code'], registers: [r] });
  const s = new lib.Summary({ name: 's_seconds', help: 'h', registers: [r] });
  const sw = new lib.Summary({ name: 'sw_seconds', help: 'h', registers: [r], maxAgeSeconds: 600, ageBuckets: 5 });
  const fn = lib.timed(add, { registry: new lib.Registry(), name: 'add' });
  const h = new lib.Histogram({ name: 'h_seconds', help: 'h', registers: [new lib.Registry()] });
  const wrapped = h.timed()(add);
  return {
    'counter.inc({method,code}) ns': (n) => {
      for (let i = 0; i < n; i++) c.inc({ method: 'GET', code: '200' });
    },
    'bound labels(...).inc() ns': (n) => {
      for (let i = 0; i < n; i++) bound.inc();
    },
    'histogram.observe({method,code}, v) ns': (n) => {
      for (let i = 0; i < n; i++) hl.observe({ method: 'GET', code: '200' }, values[i & 1023]!);
    },
    'summary.observe(v) ns': (n) => {
      for (let i = 0; i < n; i++) s.observe(values[i & 1023]!);
    },
    'summary.observe(v) window 600 s / 5 ns': (n) => {
      for (let i = 0; i < n; i++) sw.observe(values[i & 1023]!);
    },
    'scrape 10,000 counter series ms': async (n) => {
      for (let i = 0; i < n; i++) sink += Buffer.byteLength(await big.metrics());
    },
    'timed(fn) ns': (n) => {
      for (let i = 0; i < n; i++) sink += fn(i, 1);
    },
    'histogram.timed()(fn) ns': (n) => {
      for (let i = 0; i < n; i++) sink += wrapped(i, 1);
    },
    'histogram.time(fn) ns': (n) => {
      for (let i = 0; i < n; i++) sink += h.time(() => add(i, 1));
    },
  };
}
// the two scraped registries are filled series by series in turn, so neither side's objects are
// systematically older in the heap (which side was built first moved the scrape ratio by ±30 % here)
const bigMine = new mine.Registry();
const bigBase = new theirs.Registry();
const counters = [
  new mine.Counter({ name: 'big_total', help: 'h', labelNames: ['a', 'b'], registers: [bigMine] }),
  new theirs.Counter({ name: 'big_total', help: 'h', labelNames: ['a', 'b'], registers: [bigBase] }),
];
for (let i = 0; i < 10_000; i++) for (const c of counters) c.inc({ a: `a${i % 100}`, b: `b${Math.floor(i / 100)}` }, i);
const a = loops(mine, bigMine);
const b = loops(theirs, bigBase);
const sizeOf = (k: string): number => (k.startsWith('scrape') ? 4 : 200_000);
const perOp = (k: string, ns: number, n: number): number => (k.startsWith('scrape') ? ns / n / 1e6 : ns / n);
for (const k of Object.keys(a)) {
  await a[k]!(sizeOf(k));
  await b[k]!(sizeOf(k));
}
const times: Record<string, { mine: number[]; base: number[] }> = {};
for (let r = 0; r < rounds; r++) {
  for (const k of Object.keys(a)) {
    const t = (times[k] ??= { mine: [], base: [] });
    const sides = r % 2 === 0 ? ([[a, t.mine], [b, t.base]] as const) : ([[b, t.base], [a, t.mine]] as const);
    for (const [side, out] of sides) {
      const n = sizeOf(k);
      const t0 = cpuNs();
      await side[k]!(n);
      out.push(perOp(k, cpuNs() - t0, n));
    }
  }
}
console.log(`hot paths, this checkout vs ${base}, one process, ${rounds} interleaved rounds (Node ${process.version}), CPU time per op\n`);
console.log(
  table(
    ['case', 'base', 'this', 'this / base'],
    Object.entries(times).map(([k, t]) => [k, num(spread(t.base).median), num(spread(t.mine).median), ratioText(spread(t.mine.map((x, i) => x / t.base[i]!)))]),
  ),
);
void sink;
