/**
 * The recorder's store path: rows through StoreSink (the fault-tolerant sink `perfscope run` uses since
 * the record layer) against the same rows straight into RunWriter (what the recorder did before), in
 * interleaved rounds: 10 Hz for 10 min (6 000 ticks, 25 tree columns), a commit every simulated second.
 * Run: node --import tsx bench/record-sink.bench.ts [--rounds 7]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RunStore } from '../src/store/store.js';
import { StoreSink } from '../src/record/store-sink.js';
import type { RunSink } from '../src/record/recorder.js';
import { makeMeta } from '../test/store/helpers.js';
import { median, min, max } from './lib/stats.js';
import { prng, shuffle } from './lib/rounds.js';

const roundsArg = process.argv.indexOf('--rounds');
const rounds = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 7;
const ticks = 6000;
const cols = Array.from({ length: 25 }, (_, i) => `c${i}`);
const rows = Array.from({ length: 100 }, (_, k) => Object.fromEntries(cols.map((c, i) => [c, k * 1.37 + i])));

/** ns per tick of append + flush(false) through `make`'s sink. */
function measure(make: (store: RunStore, clock: { now: number }) => RunSink): number {
  const dir = mkdtempSync(join(tmpdir(), 'perfscope-bench-'));
  const clock = { now: 0 };
  const store = RunStore.open({ path: join(dir, 'runs.db'), nowMs: () => clock.now });
  try {
    const sink = make(store, clock);
    const start = process.hrtime.bigint();
    for (let k = 0; k < ticks; k++) {
      clock.now = k * 100;
      sink.append('tree', k / 10, rows[k % 100]!);
      sink.flush(false);
    }
    const ns = Number(process.hrtime.bigint() - start) / ticks;
    sink.finish({});
    return ns;
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const methods = {
  writer: (store: RunStore) => store.createRun(makeMeta()),
  sink: (store: RunStore, clock: { now: number }) => new StoreSink(store, () => makeMeta(), () => {}, { nowMs: () => clock.now }),
};
const results: Record<string, number[]> = { writer: [], sink: [] };
const random = prng(42);
measure(methods.writer); // warm-up
measure(methods.sink);
for (let r = 0; r < rounds; r++) {
  for (const name of shuffle(Object.keys(methods), random) as (keyof typeof methods)[]) results[name]!.push(measure(methods[name]));
}
const ratios = results.sink!.map((v, i) => v / results.writer![i]!);
const fmt = (v: number): string => `${(v / 1000).toFixed(2)} µs`;
console.log(`record sink bench: ${ticks} ticks, 25 columns, ${rounds} interleaved rounds, node ${process.version}`);
for (const name of ['writer', 'sink']) {
  const v = results[name]!;
  console.log(`  ${name.padEnd(6)} median ${fmt(median(v))} per tick (append + flush), range ${fmt(min(v))} – ${fmt(max(v))}`);
}
console.log(`  sink / writer: median ${median(ratios).toFixed(3)}, range ${min(ratios).toFixed(3)} – ${max(ratios).toFixed(3)}`);
