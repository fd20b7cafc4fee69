/**
 * `perfscope serve`'s resident memory over a long run, where serve.bench.ts's one-minute windows cannot
 * see it: the recent window fills for 15 minutes, the minute tier for an hour, V8's heap and the C heap
 * settle. serve from this checkout (and with `--base DIR` another checkout's, built, for a before/after)
 * and Debian's node_exporter run at the same time, each scraped once a second as Prometheus does
 * (gzip, OpenMetrics-first Accept); each serve also has one dashboard stream open (the SSE stream a
 * dashboard reads; the page itself is serve.bench.ts's job) and answers one 1-hour history query at
 * `--history-at` minutes. Every 30 s: RSS, anonymous and file-backed memory from smaps_rollup.
 * Memory, not CPU, so running side by side is fair: the agents share the machine, not their heaps.
 *
 * `--variant 'NAME:TOKENS'` (repeatable) adds this checkout's serve once more, started differently:
 * each token is a node flag (`--max-semi-space-size=1`) or an environment variable (`MALLOC_ARENA_MAX=2`),
 * so a runtime setting is measured side by side with the default before it is adopted.
 *
 * Run: npm run build && node --import tsx bench/serve-memory.bench.ts [--minutes 20] [--history-at 5]
 *        [--base DIR] [--variant 'NAME:TOKENS']... [--name NAME]
 * Writes the report to stdout and bench/results/NAME.md (+ .json with every sample);
 * NAME defaults to serve-memory-<date>.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot, sleep } from './lib/child.js';
import { flag, flags, numberFlag } from './lib/args.js';
import { machineFacts, versionOf } from './lib/machine.js';
import { num, table } from './lib/markdown.js';

const minutes = numberFlag('--minutes', 20, 1);
const historyAt = numberFlag('--history-at', 5, 0);
const baseDir = flag('--base');
if (baseDir !== undefined && !existsSync(join(baseDir, 'dist/cli/main.js'))) {
  process.stderr.write(`--base must be a built perfscope checkout (no ${join(baseDir, 'dist/cli/main.js')})\n`);
  process.exit(2);
}
interface Variant {
  label: string;
  nodeArgs: string[];
  env: Record<string, string>;
}
const variants: Variant[] = flags('--variant').map((spec) => {
  const m = /^([\w.+-]+):(.*)$/.exec(spec);
  const tokens = m?.[2]!.trim().split(/\s+/).filter(Boolean) ?? [];
  const bad = tokens.find((t) => !/^--[\w-]+(=\S+)?$/.test(t) && !/^[A-Z_][A-Z0-9_]*=\S*$/.test(t));
  if (m === null || tokens.length === 0 || bad !== undefined) {
    process.stderr.write(`--variant must be NAME:TOKENS, each token a node flag or VAR=value (got ${JSON.stringify(spec)})\n`);
    process.exit(2);
  }
  const env: Record<string, string> = {};
  for (const t of tokens.filter((t) => !t.startsWith('--'))) env[t.slice(0, t.indexOf('='))] = t.slice(t.indexOf('=') + 1);
  return { label: m[1]!, nodeArgs: tokens.filter((t) => t.startsWith('--')), env };
});
const NODE_EXPORTER = '/usr/bin/prometheus-node-exporter';
const log = (msg: string): void => void process.stderr.write(`${msg}\n`);

interface Sample {
  t: number;
  rssMiB: number;
  anonMiB: number;
  fileMiB: number;
}
interface Agent {
  label: string;
  child: ChildProcess;
  url: string;
  serve: boolean;
  samples: Sample[];
  scrapes: number;
  failures: number;
}

function rollup(pid: number): Omit<Sample, 't'> | null {
  try {
    const text = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const kb = (k: string): number => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? NaN);
    const rss = kb('Rss');
    const anon = kb('Anonymous');
    return { rssMiB: rss / 1024, anonMiB: anon / 1024, fileMiB: (rss - anon) / 1024 };
  } catch {
    return null;
  }
}

/** Starts a serve and waits for the URL it prints first. */
function startServe(label: string, bin: string, dir: string, variant?: Variant): Promise<Agent> {
  const args = [...(variant?.nodeArgs ?? []), bin, 'serve', '--port', '0', '--store', join(dir, `${label.replace(/\W+/g, '-')}.db`)];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...variant?.env } });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const line = out.split('\n')[0]!;
      if (out.includes('\n')) resolve({ label, child, url: line.trim(), serve: true, samples: [], scrapes: 0, failures: 0 });
    });
    child.on('exit', (code) => reject(new Error(`${label} exited with ${code}: ${err.trim()}`)));
  });
}

async function startNodeExporter(): Promise<Agent | null> {
  if (!existsSync(NODE_EXPORTER)) return null;
  const port = 19100 + Math.floor(Math.random() * 800);
  const child = spawn(NODE_EXPORTER, [`--web.listen-address=127.0.0.1:${port}`], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}/`;
  for (let i = 0; i < 50; i++) {
    await sleep(100);
    if ((await fetch(`${url}metrics`).then((r) => r.ok).catch(() => false)) === true) return { label: 'node_exporter', child, url, serve: false, samples: [], scrapes: 0, failures: 0 };
  }
  child.kill();
  return null;
}

/** One scrape a second on absolute deadlines, with the headers Prometheus sends. */
function scrapeEverySecond(a: Agent, until: number): Promise<void> {
  const headers = { 'Accept-Encoding': 'gzip', Accept: 'application/openmetrics-text;version=1.0.0;q=0.5,text/plain;version=0.0.4;q=0.4,*/*;q=0.1' };
  return (async () => {
    for (let next = Date.now(); next < until; next += 1000) {
      await sleep(Math.max(0, next - Date.now()));
      try {
        const r = await fetch(`${a.url}metrics`, { headers });
        await r.arrayBuffer();
        if (r.ok) a.scrapes++;
        else a.failures++;
      } catch {
        a.failures++;
      }
    }
  })();
}

/** The dashboard's stream, read and dropped. */
function openStream(a: Agent): () => void {
  const req = request(`${a.url}api/stream`, (res) => res.resume());
  req.on('error', () => a.failures++);
  req.end();
  return () => req.destroy();
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'perfscope-serve-memory-'));
  const facts = machineFacts();
  const agents: Agent[] = [await startServe('serve', join(repoRoot, 'bin/perfscope.js'), dir)];
  if (baseDir !== undefined) agents.push(await startServe('serve (base)', join(baseDir, 'bin/perfscope.js'), dir));
  for (const v of variants) agents.push(await startServe(`serve ${v.label}`, join(repoRoot, 'bin/perfscope.js'), dir, v));
  const ne = await startNodeExporter();
  if (ne !== null) agents.push(ne);
  const t0 = Date.now();
  const until = t0 + minutes * 60_000;
  log(`serve-memory: ${agents.map((a) => a.label).join(', ')} for ${minutes} min; a history query at ${historyAt} min`);
  const closers = agents.filter((a) => a.serve).map(openStream);
  const scrapes = agents.map((a) => scrapeEverySecond(a, until));
  const history = (async () => {
    await sleep(historyAt * 60_000);
    await Promise.all(agents.filter((a) => a.serve).map((a) => fetch(`${a.url}api/history?seconds=3600`).then((r) => r.arrayBuffer()).catch(() => a.failures++)));
  })();
  for (let next = t0 + 30_000; next <= until; next += 30_000) {
    await sleep(Math.max(0, next - Date.now()));
    const t = Math.round((Date.now() - t0) / 1000);
    for (const a of agents) {
      const r = rollup(a.child.pid!);
      if (r !== null) a.samples.push({ t, ...r });
    }
    log(`  ${t} s: ${agents.map((a) => `${a.label} ${num(a.samples.at(-1)?.rssMiB ?? NaN)} MiB`).join(', ')}`);
  }
  await Promise.all(scrapes);
  await history;
  for (const c of closers) c();
  for (const a of agents) a.child.kill('SIGTERM');
  await sleep(2000);
  rmSync(dir, { recursive: true, force: true });

  const marks = [1, 2, 5, 10, 15, 20, 30, 60].filter((m) => m <= minutes);
  const at = (a: Agent, m: number): Sample | undefined => a.samples.filter((s) => s.t <= m * 60 + 5).at(-1);
  const cell = (s: Sample | undefined): string => (s === undefined ? '-' : `${num(s.rssMiB)} (${num(s.anonMiB)} + ${num(s.fileMiB)})`);
  const tail = (a: Agent): Sample[] => a.samples.filter((s) => s.t >= (minutes - 5) * 60);
  const md = [
    `## serve's memory over ${minutes} minutes`,
    '',
    `${facts.date}, Node ${facts.node}, ${facts.nproc} vCPU (${facts.cpuModel}), ${facts.processes} processes; node_exporter ${versionOf(NODE_EXPORTER, ['--version']) ?? 'absent'}.`,
    `Each agent scraped once a second (gzip); each serve with one dashboard stream open and a 1-hour history query at ${historyAt} min.`,
    ...variants.map((v) => `Variant \`serve ${v.label}\`: this checkout's serve with ${[...v.nodeArgs, ...Object.entries(v.env).map(([k, x]) => `${k}=${x}`)].map((t) => `\`${t}\``).join(' ')}.`),
    'RSS in MiB (anonymous + file-backed), from smaps_rollup:',
    '',
    table(
      ['agent', ...marks.map((m) => `${m} min`), `max, last 5 min`, 'scrapes (failed)'],
      agents.map((a) => [a.label, ...marks.map((m) => cell(at(a, m))), num(Math.max(...tail(a).map((s) => s.rssMiB))), `${a.scrapes} (${a.failures})`]),
    ),
  ].join('\n');
  process.stdout.write(`${md}\n`);
  const name = flag('--name') ?? `serve-memory-${facts.date.slice(0, 10)}`;
  if (!/^[\w.-]+$/.test(name)) throw new Error(`--name must be a file name, got ${JSON.stringify(name)}`);
  const out = join(repoRoot, 'bench/results');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, `${name}.md`), `${md}\n`);
  writeFileSync(join(out, `${name}.json`), `${JSON.stringify({ facts, config: { minutes, historyAt, base: baseDir ?? null, variants }, agents: agents.map(({ label, samples, scrapes, failures }) => ({ label, samples, scrapes, failures })) }, null, 1)}\n`);
  log(`wrote bench/results/${name}.md and .json`);
}

main().catch((err: unknown) => {
  process.stderr.write(`serve-memory: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
