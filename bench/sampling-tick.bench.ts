/**
 * The Sampler's tick against a baseline checkout (a regression check for the sampling hot path, e.g.
 * after a refactor): CPU time per tick of this checkout's Sampler and of the one at `--baseline DIR`
 * (a checkout of another commit with its node_modules), on the real /proc against the same targets.
 * Both run side by side in one fresh process per measurement, ticks alternating in pairs of random
 * order (bench/lib/tick-worker.ts), so the load of a shared machine hits both alike; the ratio is taken
 * within each process, and modes and styles are interleaved in shuffled rounds. Modes: one PID; one
 * PID + system; a PID with three children and per-process rows. Styles: `paced` (a pair every 100 ms
 * of real time, as at 10 Hz: cold caches) and `burst` (back to back: warm, our JavaScript alone).
 *
 * Run: node --import tsx bench/sampling-tick.bench.ts --baseline DIR [--rounds 5] [--paced-ticks 100]
 *        [--burst-ticks 3000] [--styles paced,burst] [--seed N]
 * e.g. git worktree add /tmp/base 28bda21 && cp -a node_modules /tmp/base/ && node --import tsx bench/sampling-tick.bench.ts --baseline /tmp/base
 * Writes the report to stdout and bench/results/sampling-tick-<date>.{md,json}.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { flag, numberFlag } from './lib/args.js';
import { repoRoot, runJson } from './lib/child.js';
import { cpuPressureAvg10, machineFacts } from './lib/machine.js';
import { num, ratioText, spreadText, table } from './lib/markdown.js';
import { interleave, prng } from './lib/rounds.js';
import { spread } from './lib/stats.js';

const baseline = flag('--baseline');
if (baseline === undefined || !existsSync(`${baseline}/src/sampling/sampler.ts`) || !existsSync(`${baseline}/node_modules`)) {
  process.stderr.write('--baseline DIR: a checkout of the commit to compare with, with its node_modules (see the header of this file)\n');
  process.exit(2);
}
const rounds = numberFlag('--rounds', 5, 1);
const pacedTicks = numberFlag('--paced-ticks', 100, 10);
const burstTicks = numberFlag('--burst-ticks', 3000, 100);
const styles = (flag('--styles') ?? 'paced,burst').split(',');
const seed = numberFlag('--seed', Math.floor(Math.random() * 2 ** 31), 0);
const random = prng(seed);
const modes = ['single', 'system', 'tree'] as const;
const sides = [
  { id: 'base', root: baseline.replace(/\/$/, '') },
  { id: 'this', root: repoRoot.replace(/\/$/, '') },
];
const log = (msg: string): void => void process.stderr.write(`${msg}\n`);

interface TickSide {
  root: string;
  cpuUsPerTick: number;
  procs: number;
}
interface TickResult {
  sides: TickSide[];
}

/** An idle Node process with three `sleep` children (the tree target); its PID. */
function startTarget(): Promise<{ pid: number; kill(): void }> {
  const code =
    "const { spawn } = require('child_process'); const kids = [0, 1, 2].map(() => spawn('sleep', ['3600'], { stdio: 'ignore' }));" +
    "process.on('SIGTERM', () => { for (const k of kids) k.kill(); process.exit(0); }); setInterval(() => {}, 1000); console.log('ready');";
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout.once('data', () => resolve({ pid: child.pid!, kill: () => child.kill('SIGTERM') }));
    child.once('error', reject);
  });
}

async function main(): Promise<void> {
  const target = await startTarget();
  const pressureStart = cpuPressureAvg10();
  const items = styles.flatMap((style) => modes.map((mode) => ({ style, mode })));
  const byKey = new Map<string, { base: number; ours: number }[]>();
  const stop = (): void => {
    target.kill();
    process.exit(130);
  };
  process.once('SIGINT', stop).once('SIGTERM', stop);
  try {
    for (const { round, item } of interleave(items, rounds, random)) {
      const ticks = item.style === 'paced' ? pacedTicks : burstTicks;
      const warmup = item.style === 'paced' ? 10 : 500;
      const worker = fileURLToPath(new URL('lib/tick-worker.ts', import.meta.url));
      const args = [item.mode, String(target.pid), item.style, String(ticks), String(warmup), String(Math.floor(random() * 2 ** 31))];
      const r = await runJson<TickResult>([process.execPath, ['--import', 'tsx', worker, ...args, ...sides.map((x) => x.root)]]);
      const [base, ours] = r.sides as [TickSide, TickSide];
      const key = `${item.style} ${item.mode}`;
      if (!byKey.has(key)) byKey.set(key, []);
      byKey.get(key)!.push({ base: base.cpuUsPerTick, ours: ours.cpuUsPerTick });
      log(`round ${round + 1}/${rounds} ${key}: base ${num(base.cpuUsPerTick)}, this ${num(ours.cpuUsPerTick)} µs/tick (${ours.procs} procs)`);
    }
  } finally {
    target.kill();
  }
  const rows: string[][] = [];
  const raw: Record<string, number[]> = {};
  for (const style of styles) {
    for (const mode of modes) {
      const runs = byKey.get(`${style} ${mode}`) ?? [];
      raw[`${style} ${mode} base`] = runs.map((r) => r.base);
      raw[`${style} ${mode} this`] = runs.map((r) => r.ours);
      rows.push([
        style,
        mode,
        spreadText(spread(raw[`${style} ${mode} base`]!)),
        spreadText(spread(raw[`${style} ${mode} this`]!)),
        `**${ratioText(spread(runs.map((r) => r.ours / r.base)))}**`,
      ]);
    }
  }
  const f = machineFacts();
  const facts = `${f.cpuModel}, ${f.nproc} CPUs (nproc), kernel ${f.kernel}, Node ${f.node}, ${f.processes} processes`;
  const date = new Date().toISOString();
  const md = [
    `### Sampler tick, this checkout vs ${baseline} (${date.slice(0, 16).replace('T', ' ')} UTC)`,
    '',
    `\`node --import tsx bench/sampling-tick.bench.ts --baseline ${baseline} --rounds ${rounds} --paced-ticks ${pacedTicks} --burst-ticks ${burstTicks}\` (seed ${seed}) — ${facts}; CPU pressure (PSI some avg10) ${num(pressureStart ?? NaN)} % at start, ${num(cpuPressureAvg10() ?? NaN)} % at the end.`,
    '',
    `CPU µs per tick, median [min–max] over ${rounds} rounds (one process each, both sides ticking in turn); ratio = this / base in the same process.`,
    '',
    table(['style', 'mode', 'base µs/tick', 'this µs/tick', 'this / base'], rows),
    '',
  ].join('\n');
  process.stdout.write(md);
  const dir = fileURLToPath(new URL('results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  const stem = `${dir}sampling-tick-${date.slice(0, 10)}`;
  writeFileSync(`${stem}.md`, md);
  writeFileSync(`${stem}.json`, `${JSON.stringify({ date, seed, baseline, rounds, pacedTicks, burstTicks, raw }, null, 1)}\n`);
  log(`written ${stem}.{md,json}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
