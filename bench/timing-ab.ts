/**
 * The timing wrappers of two checkouts in ONE process, interleaved: `timed(fn)`, `histogram.timed()(fn)`
 * and `histogram.time(fn)` (metrics only, no log) of this checkout against a base checkout's. In one
 * process the shared machine's load hits both sides alike, so the ratio this/base per round is steadier
 * than across processes (bench/compare-revisions.ts). Below 1 is faster.
 *
 * Run: node --import tsx bench/timing-ab.ts --base /tmp/base-checkout [--rounds 80]
 */
import { existsSync } from 'node:fs';
import { flag, numberFlag } from './lib/args.js';
import { num, ratioText, table } from './lib/markdown.js';
import { spread } from './lib/stats.js';
import * as mine from '../src/index.js';

const base = flag('--base');
if (base === undefined || !existsSync(`${base}/src/index.ts`)) {
  process.stderr.write('timing-ab: --base DIR (a checkout with src/) is required\n');
  process.exit(2);
}
const rounds = numberFlag('--rounds', 80, 1);
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
function loops(lib: Lib): Record<string, (n: number) => void> {
  const fn = lib.timed(add, { registry: new lib.Registry(), name: 'add' });
  const h = new lib.Histogram({ name: 'h_seconds', help: 'h', registers: [new lib.Registry()] });
  const wrapped = h.timed()(add);
  return {
    'timed(fn)': (n) => {
      for (let i = 0; i < n; i++) sink += fn(i, 1);
    },
    'histogram.timed()(fn)': (n) => {
      for (let i = 0; i < n; i++) sink += wrapped(i, 1);
    },
    'histogram.time(fn)': (n) => {
      for (let i = 0; i < n; i++) sink += h.time(() => add(i, 1));
    },
  };
}
const a = loops(mine);
const b = loops(theirs);
const N = 200_000;
for (const k of Object.keys(a)) {
  a[k]!(N);
  b[k]!(N);
}
const times: Record<string, { mine: number[]; base: number[] }> = {};
for (let r = 0; r < rounds; r++) {
  for (const k of Object.keys(a)) {
    const t = (times[k] ??= { mine: [], base: [] });
    const order = r % 2 === 0 ? ([a, t.mine, b, t.base] as const) : ([b, t.base, a, t.mine] as const);
    for (const [loops, out] of [
      [order[0], order[1]],
      [order[2], order[3]],
    ] as const) {
      const t0 = cpuNs();
      loops[k]!(N);
      out.push((cpuNs() - t0) / N);
    }
  }
}
console.log(`timing wrappers, this checkout vs ${base}, one process, ${rounds} interleaved rounds (Node ${process.version}), CPU ns per call\n`);
console.log(
  table(
    ['face', 'base ns/call', 'this ns/call', 'this / base'],
    Object.entries(times).map(([k, t]) => [k, num(spread(t.base).median), num(spread(t.mine).median), ratioText(spread(t.mine.map((x, i) => x / t.base[i]!)))]),
  ),
);
void sink;
