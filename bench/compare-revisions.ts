/**
 * Two checkouts of perfscope, the same bench, alternating processes: is a change any slower on the hot
 * paths? Runs `bench/<name>.bench.ts --json` in the base checkout and in this one, `--pairs` times each,
 * alternating which goes first, and reports per case the ratio this/base of perfscope's own figure
 * (median [min–max] over pairs) and the same ratio normalised by prom-client measured in the same
 * process (robust to the shared machine's load: a busier round slows both). Below 1 is faster.
 *
 * Run: node --import tsx bench/compare-revisions.ts --base /tmp/base-checkout [--pairs 5] [--rounds 15] metrics timing
 * The base checkout needs its node_modules (e.g. `git worktree add /tmp/base REV && cp -a node_modules /tmp/base/`).
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { numberFlag } from './lib/args.js';
import { num, ratioText, table } from './lib/markdown.js';
import { spread } from './lib/stats.js';

const here = fileURLToPath(new URL('..', import.meta.url));
const argv = process.argv.slice(2);
const baseAt = argv.indexOf('--base');
const base = baseAt >= 0 ? argv[baseAt + 1] : undefined;
if (base === undefined || !existsSync(`${base}/bench`)) {
  process.stderr.write('compare-revisions: --base DIR (a checkout with bench/ and node_modules) is required\n');
  process.exit(2);
}
const pairs = numberFlag('--pairs', 5, 1);
const rounds = numberFlag('--rounds', 15, 1);
const flagValues = new Set([baseAt + 1, argv.indexOf('--pairs') + 1, argv.indexOf('--rounds') + 1]);
const benches = argv.filter((a, i) => !a.startsWith('--') && !flagValues.has(i));
if (benches.length === 0) benches.push('metrics', 'timing');

function runBench(dir: string, name: string): unknown {
  const r = spawnSync(process.execPath, ['--import', 'tsx', `bench/${name}.bench.ts`, '--json', '--rounds', String(rounds)], {
    cwd: dir,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.status !== 0) throw new Error(`${name} bench in ${dir} failed: ${r.stderr}`);
  return JSON.parse(r.stdout.slice(r.stdout.indexOf('{')));
}

/** Per case of one run: perfscope's figure and the peer's (same process). */
type Figures = Map<string, { ours: number; peer: number }>;

const medianOf = (xs: number[]): number => spread(xs).median;

function metricsFigures(json: unknown): Figures {
  const out: Figures = new Map();
  const j = json as { results: { name: string; unit: string; ours: number[]; prom: number[] }[]; memory: { ours: number[]; prom: number[] } };
  for (const r of j.results) out.set(`${r.name} (${r.unit})`, { ours: medianOf(r.ours), peer: medianOf(r.prom) });
  out.set('retained heap per labelled counter series (B)', { ours: medianOf(j.memory.ours), peer: medianOf(j.memory.prom) });
  return out;
}

function timingFigures(json: unknown): Figures {
  const out: Figures = new Map();
  const j = json as { rows: { name: string; over: { median: number } }[] };
  const peer = j.rows.find((r) => r.name === 'prom-client startTimer()')!.over.median;
  for (const r of j.rows) {
    if (!r.name.startsWith('timed()')) continue;
    out.set(`${r.name}: overhead ns/call`, { ours: r.over.median, peer });
  }
  return out;
}

for (const name of benches) {
  const figures = name === 'metrics' ? metricsFigures : name === 'timing' ? timingFigures : undefined;
  if (figures === undefined) throw new Error(`compare-revisions knows the metrics and timing benches, not ${name}`);
  const mine: Figures[] = [];
  const theirs: Figures[] = [];
  for (let i = 0; i < pairs; i++) {
    process.stderr.write(`${name}: pair ${i + 1}/${pairs}\n`);
    if (i % 2 === 0) {
      theirs.push(figures(runBench(base, name)));
      mine.push(figures(runBench(here, name)));
    } else {
      mine.push(figures(runBench(here, name)));
      theirs.push(figures(runBench(base, name)));
    }
  }
  const rows = [...mine[0]!.keys()].map((k) => {
    const abs = mine.map((m, i) => m.get(k)!.ours / theirs[i]!.get(k)!.ours);
    const norm = mine.map((m, i) => m.get(k)!.ours / m.get(k)!.peer / (theirs[i]!.get(k)!.ours / theirs[i]!.get(k)!.peer));
    return [
      k,
      num(medianOf(theirs.map((t) => t.get(k)!.ours))),
      num(medianOf(mine.map((m) => m.get(k)!.ours))),
      ratioText(spread(abs)),
      ratioText(spread(norm)),
    ];
  });
  console.log(`\n### ${name}: this checkout vs ${base}, ${pairs} alternating pairs of processes, ${rounds} rounds each (Node ${process.version})\n`);
  console.log(table(['case', 'base (median)', 'this (median)', 'this / base', 'this / base, each over prom-client in its process'], rows));
}
