/**
 * One measurement of the Sampler's tick, two checkouts side by side in one process: a Sampler of each
 * ROOT (this repo, and a baseline checkout of another commit) on the real /proc, each ticked by its own
 * FakeClock, so only the tick runs (reads, row derivation, the 'sample' event; no timer). Ticks
 * alternate between the two in pairs whose order is drawn at random, so the machine's load hits both
 * alike; CPU time per tick from process.cpuUsage() around each tick. `paced`: one pair every 100 ms
 * of real time, as a 10 Hz monitor ticks (cold caches); `burst`: back to back (warm). One JSON line.
 *
 * Usage (under `node --import tsx`): tick-worker.ts MODE PID STYLE TICKS WARMUP SEED ROOT...
 *   MODE: single (one PID, no system) | system (one PID + system) | tree (PID + descendants, per-process rows)
 */
import { pathToFileURL } from 'node:url';

const [mode = '', pidArg = '', style = '', ticksArg = '', warmupArg = '', seedArg = '', ...roots] = process.argv.slice(2);
const pid = Number(pidArg);
const ticks = Number(ticksArg);
const warmup = Number(warmupArg);

interface SamplerLike {
  start(): unknown;
  stop(): void;
  on(event: 'sample', fn: (s: { tree: { num_procs: number | null } }) => void): unknown;
}
interface ClockLike {
  advance(ms: number): void;
}
interface Side {
  root: string;
  sampler: SamplerLike;
  clock: ClockLike;
  samples: number;
  procs: number;
  cpuUs: number;
}

async function side(root: string): Promise<Side> {
  const { Sampler } = (await import(pathToFileURL(`${root}/src/sampling/sampler.ts`).href)) as { Sampler: new (o: object) => SamplerLike };
  const { FakeClock } = (await import(pathToFileURL(`${root}/src/core/clock.ts`).href)) as { FakeClock: new () => ClockLike };
  const clock = new FakeClock();
  const tree = mode === 'tree';
  const sampler = new Sampler({ pid, clock, intervalMs: 100, children: tree, perProcess: tree, system: mode === 'system', runtime: false });
  const s: Side = { root, sampler, clock, samples: 0, procs: 0, cpuUs: 0 };
  sampler.on('sample', (x) => {
    s.samples++;
    s.procs = x.tree.num_procs ?? 0;
  });
  sampler.start();
  return s;
}

/** mulberry32, as bench/lib/rounds.ts. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function tick(s: Side, measured: boolean): void {
  const c = process.cpuUsage();
  s.clock.advance(100);
  if (!measured) return;
  const d = process.cpuUsage(c);
  s.cpuUs += d.user + d.system;
}

async function main(): Promise<{ mode: string; style: string; ticks: number; sides: { root: string; cpuUsPerTick: number; procs: number }[] }> {
  const sides: Side[] = [];
  for (const root of roots) sides.push(await side(root));
  const random = prng(Number(seedArg));
  const pause = (): Promise<void> => new Promise((r) => setTimeout(r, style === 'paced' ? 100 : 0));
  for (let i = 0; i < warmup + ticks; i++) {
    if (style === 'paced' || i % 100 === 0) await pause();
    const order = random() < 0.5 ? sides : [...sides].reverse();
    for (const s of order) tick(s, i >= warmup);
  }
  for (const s of sides) {
    s.sampler.stop();
    if (s.samples !== 1 + warmup + ticks) throw new Error(`${s.root}: expected ${1 + warmup + ticks} samples, got ${s.samples} (target gone?)`);
  }
  return { mode, style, ticks, sides: sides.map((s) => ({ root: s.root, cpuUsPerTick: s.cpuUs / ticks, procs: s.procs })) };
}

main().then(
  (r) => process.stdout.write(`${JSON.stringify(r)}\n`),
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
