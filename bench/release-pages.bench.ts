/**
 * What serve's release of clean file pages costs (src/agent/file-pages.ts): in a fresh node, `--calls`
 * releases `--gap-ms` apart, each followed by a piece of ordinary work (JSON, gzip, a hash) as a tick
 * would do. Per call: its wall and CPU time, the MiB and mappings it released, and the minor faults
 * and CPU of the work right after it (re-mapping what the work needs) against the same work with no
 * release before it, run alternately in the same process. No peer does this; the figure to compare
 * with is serve's own CPU (BENCHMARKS.md, serve).
 *
 * Run: npm run build && node --import tsx bench/release-pages.bench.ts [--calls 8] [--gap-ms 500]
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { numberFlag } from './lib/args.js';
import { repoRoot } from './lib/child.js';
import { machineFacts } from './lib/machine.js';
import { num, spreadText, table } from './lib/markdown.js';
import { spread } from './lib/stats.js';

const calls = numberFlag('--calls', 8, 2);
const gapMs = numberFlag('--gap-ms', 500, 0);

const child = `
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { releaseFilePages } from ${JSON.stringify(join(repoRoot, 'dist/agent/file-pages.js'))};
const minflt = () => Number(readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ')[7]);
const cpuMs = (c) => (c.user + c.system) / 1000;
const work = () => createHash('sha256').update(gzipSync(JSON.stringify(Array.from({ length: 2000 }, (_, i) => ({ i, t: Date.now() }))))).digest('hex');
const measureWork = () => { const f = minflt(); const c = process.cpuUsage(); work(); return { faults: minflt() - f, cpuMs: cpuMs(process.cpuUsage(c)) }; };
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
work();
const rows = [];
for (let k = 0; k < ${calls}; k++) {
  await sleep(${gapMs});
  const plain = measureWork();
  await sleep(${gapMs});
  const c0 = process.cpuUsage(); const t0 = performance.now();
  const r = releaseFilePages();
  const wallMs = performance.now() - t0; const releaseCpuMs = cpuMs(process.cpuUsage(c0));
  if (r === null || r.error !== null) throw new Error(r === null ? 'no native addon' : r.error);
  rows.push({ wallMs, cpuMs: releaseCpuMs, mib: r.bytes / 2 ** 20, mappings: r.mappings, after: measureWork(), plain });
}
process.stdout.write(JSON.stringify(rows));
`;

const p = spawnSync(process.execPath, ['--input-type=module', '-e', child], { encoding: 'utf8' });
if (p.status !== 0) {
  process.stderr.write(`release-pages: ${p.stderr.trim()}\n`);
  process.exit(1);
}
type Row = { wallMs: number; cpuMs: number; mib: number; mappings: number; after: { faults: number; cpuMs: number }; plain: { faults: number; cpuMs: number } };
const rows = JSON.parse(p.stdout) as Row[];
const facts = machineFacts();
const first = rows[0]!;
const rest = rows.slice(1);
const f = (x: number): string => num(x);
const md = [
  `## Releasing clean file pages: the cost of one call`,
  '',
  `${facts.date}, Node ${facts.node}, ${facts.nproc} vCPU (${facts.cpuModel}); ${calls} calls ${gapMs * 2} ms apart in one fresh process.`,
  'The first call releases the start-up pages; the later ones what was mapped again since. Median [min–max] of the later calls:',
  '',
  table(
    ['', 'first call', 'later calls'],
    [
      ['release: wall ms', f(first.wallMs), spreadText(spread(rest.map((r) => r.wallMs)))],
      ['release: CPU ms', f(first.cpuMs), spreadText(spread(rest.map((r) => r.cpuMs)))],
      ['released MiB', f(first.mib), spreadText(spread(rest.map((r) => r.mib)))],
      ['mappings released', String(first.mappings), spreadText(spread(rest.map((r) => r.mappings)))],
      ['work after it: minor faults', String(first.after.faults), spreadText(spread(rest.map((r) => r.after.faults)))],
      ['the same work, no release before: minor faults', String(first.plain.faults), spreadText(spread(rest.map((r) => r.plain.faults)))],
      ['work after it: CPU ms', f(first.after.cpuMs), spreadText(spread(rest.map((r) => r.after.cpuMs)))],
      ['the same work, no release before: CPU ms', f(first.plain.cpuMs), spreadText(spread(rest.map((r) => r.plain.cpuMs)))],
    ],
  ),
].join('\n');
process.stdout.write(`${md}\n`);
