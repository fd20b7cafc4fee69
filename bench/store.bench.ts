/**
 * Store write/read cost for a long recording: 10 Hz for 1 h (36 000 ticks) with ~25 tree columns, the
 * writer committing once a simulated second. Optionally (`--tree-mode`) also 15 system columns and 10
 * processes x 12 columns per tick. Run: node --import tsx bench/store.bench.ts [--tree-mode]
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { RunStore } from '../src/store/store.js';
import { makeMeta } from '../test/store/helpers.js';

const treeMode = process.argv.includes('--tree-mode');
const ticks = 36_000;
const dir = mkdtempSync(join(tmpdir(), 'perfscope-bench-'));
const path = join(dir, 'runs.db');
let fakeNow = 0;
const store = RunStore.open({ path, nowMs: () => fakeNow });

const names = (prefix: string, n: number) => Array.from({ length: n }, (_, i) => `${prefix}_${i}`);
const treeCols = names('tree', 25);
const sysCols = names('sys', 15);
const procCols = names('proc', 12);
const row = (cols: string[], k: number): Record<string, number | null> => {
  const r: Record<string, number | null> = {};
  for (const [i, c] of cols.entries()) r[c] = i === 0 && k === 0 ? null : k * 1.37 + i * 1e6 + Math.sin(k);
  return r;
};
// Rows are built up front so the timing is the store's, not the row construction's.
const treeRows = Array.from({ length: 100 }, (_, k) => row(treeCols, k));
const sysRows = Array.from({ length: 100 }, (_, k) => row(sysCols, k));
const procRows = Array.from({ length: 100 }, (_, k) => row(procCols, k));

const w = store.createRun(makeMeta());
if (treeMode) for (let p = 0; p < 10; p++) w.addProcess({ pid: 1000 + p, ppid: 1, comm: `w${p}`, cmdline: null, firstSeen: 0 });
let appendNs = 0n;
let flushNs = 0n;
let maxFlushNs = 0n;
for (let k = 0; k < ticks; k++) {
  const t = k / 10;
  const a = process.hrtime.bigint();
  w.append('tree', t, treeRows[k % 100]!);
  if (treeMode) {
    w.append('system', t, sysRows[k % 100]!);
    for (let p = 0; p < 10; p++) w.append(1000 + p, t, procRows[k % 100]!);
  }
  const b = process.hrtime.bigint();
  fakeNow = k * 100;
  w.flush();
  const c = process.hrtime.bigint();
  appendNs += b - a;
  flushNs += c - b;
  if (c - b > maxFlushNs) maxFlushNs = c - b;
}
w.finish({ endedAtMs: makeMeta().startedAtMs + ticks * 100, exitCode: 0 });
store.close();

const sizeBytes = statSync(path).size + (statSync(`${path}-wal`, { throwIfNoEntry: false })?.size ?? 0);
const reader = RunStore.open({ path, readonly: true });
const r0 = process.hrtime.bigint();
const run = reader.getRun(1);
const readMs = Number(process.hrtime.bigint() - r0) / 1e6;
reader.close();
rmSync(dir, { recursive: true, force: true });

const ms = (ns: bigint) => Number(ns) / 1e6;
console.log(`store bench: ${ticks} ticks (10 Hz x 1 h), ${treeMode ? 'tree + system + 10 processes' : 'tree only, 25 columns'}`);
console.log(`  ${cpus()[0]?.model ?? 'cpu ?'}, node ${process.version}`);
console.log(`  append total     ${ms(appendNs).toFixed(1)} ms  (${(Number(appendNs) / ticks / 1000).toFixed(2)} µs per tick)`);
console.log(`  flush total      ${ms(flushNs).toFixed(1)} ms  (3600 commits, ${(ms(flushNs) / 3600).toFixed(3)} ms mean, ${ms(maxFlushNs).toFixed(2)} ms max)`);
console.log(`  file size        ${(sizeBytes / 1024 / 1024).toFixed(2)} MiB`);
console.log(`  getRun           ${readMs.toFixed(1)} ms  (${run.samples.timestamp.length} tree rows, ${Object.keys(run.samples).length - 1} columns)`);
