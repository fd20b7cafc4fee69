/**
 * The process table's cost in a fresh Node process: `ticks` updates 1 s apart (the serve interval, so
 * caches are as cold as in serve), CPU of each update by process.cpuUsage(), divided by the processes
 * in the table. Prints one JSON line: per-update µs per process (after `warmup` updates), processes,
 * and the share of full / memory-only reads. `mode`: native or js.
 *
 * Usage (compiled by compile.ts): node table-cost.js <native|js> <ticks> <warmup>
 */
import { ProcessTable } from '../../src/sampling/process-table.js';

const [mode = 'native', ticksArg = '20', warmupArg = '3'] = process.argv.slice(2);
const ticks = Number(ticksArg);
const warmup = Number(warmupArg);
const table = new ProcessTable({ native: mode === 'native' });
if (mode === 'native' && !table.native) throw new Error('the native reader is not available (npm run build:native)');
const perProcessUs: number[] = [];
const processes: number[] = [];
let k = 0;
const before = { ...table.stats };
const tick = (): void => {
  const c0 = process.cpuUsage();
  table.update();
  const c = process.cpuUsage(c0);
  if (k >= warmup) {
    perProcessUs.push((c.user + c.system) / table.records.size);
    processes.push(table.records.size);
  }
  if (++k < ticks + warmup) {
    setTimeout(tick, 1000);
    return;
  }
  const s = table.stats;
  const reads = (ticks + warmup) * s.processes;
  process.stdout.write(
    `${JSON.stringify({ mode, perProcessUs, processes, fullShare: (s.fullReads - before.fullReads) / reads, memoryShare: (s.memoryReads - before.memoryReads) / reads, listingsSkipped: table.listingsSkipped })}\n`,
  );
  table.close();
};
tick();
