/**
 * `npm run bench`: every bench/*.bench.ts in turn, each in its own process (a bench must not inherit
 * another's JIT state or heap), with the given flags passed to each (`npm run bench -- --rounds 5`).
 * Stops at the first bench that fails and exits with its status. The figures go to each bench's
 * stdout and bench/results/; BENCHMARKS.md quotes them with the command of each.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const dir = fileURLToPath(new URL('.', import.meta.url));
// Leading names pick benches (`npm run bench -- metrics timing`); from the first flag on, every
// argument is passed to each bench, values included (`-- --rounds 5`).
const args = process.argv.slice(2);
const firstFlag = args.findIndex((a) => a.startsWith('-'));
const only = firstFlag < 0 ? args : args.slice(0, firstFlag);
const passThrough = firstFlag < 0 ? [] : args.slice(firstFlag);
const benches = readdirSync(dir)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((name) => f.startsWith(name)))
  .sort();
if (benches.length === 0) {
  process.stderr.write(`bench: no bench matches ${only.join(', ')} (have: ${readdirSync(dir).filter((f) => f.endsWith('.bench.ts')).join(', ')})\n`);
  process.exit(2);
}
for (const [i, file] of benches.entries()) {
  process.stderr.write(`\nbench ${i + 1}/${benches.length}: ${file} ${passThrough.join(' ')}\n`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', `${dir}${file}`, ...passThrough], { stdio: 'inherit' });
  if (r.status !== 0) {
    process.stderr.write(`bench: ${file} failed (${r.signal ?? `exit ${r.status}`})\n`);
    process.exit(r.status ?? 1);
  }
}
