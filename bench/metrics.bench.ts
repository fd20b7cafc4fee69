/**
 * perfscope metrics vs prom-client 15.1.3, side by side in one process, interleaved round-robin.
 * Run: node --import tsx bench/metrics.bench.ts [--rounds 15] [--json]
 * Each sample times a loop with process.cpuUsage() (CPU, not wall time: the VM is shared); ratios are
 * taken inside each round; the report gives the median and [min–max] over rounds.
 */
import { createRequire } from 'node:module';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import * as ours from '../src/metrics/index.js';
import type * as PromClient from 'prom-client';

const require = createRequire(import.meta.url);
const prom = require('prom-client') as typeof PromClient;

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

const args = process.argv.slice(2);
const rounds = Number(args[args.indexOf('--rounds') + 1]) || 15;
const asJson = args.includes('--json');

const cpuNs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
};

/** ns per op of `loop(n)`, calibrated so one sample takes ~10 ms. */
function sample(loop: (n: number) => void, n: number): number {
  const t0 = cpuNs();
  loop(n);
  return (cpuNs() - t0) / n;
}

function calibrate(loop: (n: number) => void): number {
  let n = 1000;
  for (;;) {
    const t0 = cpuNs();
    loop(n);
    const dt = cpuNs() - t0;
    if (dt > 10e6 || n > 1e9) return Math.max(1, Math.round((n * 10e6) / Math.max(dt, 1)));
    n *= 4;
  }
}

const values = Array.from({ length: 1024 }, (_, i) => Math.exp(Math.log(0.001) + (Math.log(20) - Math.log(0.001)) * ((i * 0.618) % 1)));

interface Case {
  name: string;
  unit: 'ns/op' | 'ms/scrape';
  ours: (n: number) => void;
  prom: (n: number) => void;
}

function cases(): Case[] {
  const oReg = new ours.Registry();
  const pReg = new prom.Registry();
  const oC = new ours.Counter({ name: 'c_total', help: 'h', labelNames: ['method', 'code'], registers: [oReg] });
  const pC = new prom.Counter({ name: 'c_total', help: 'h', labelNames: ['method', 'code'], registers: [pReg] });
  const oBound = oC.labels('GET', '200');
  const pBound = pC.labels('GET', '200');
  const oH = new ours.Histogram({ name: 'h_seconds', help: 'h', labelNames: ['method', 'code'], registers: [oReg] });
  const pH = new prom.Histogram({ name: 'h_seconds', help: 'h', labelNames: ['method', 'code'], registers: [pReg] });
  const oS = new ours.Summary({ name: 's_seconds', help: 'h', registers: [oReg] });
  const pS = new prom.Summary({ name: 's_seconds', help: 'h', registers: [pReg] });
  const oSw = new ours.Summary({ name: 'sw_seconds', help: 'h', registers: [oReg], maxAgeSeconds: 600, ageBuckets: 5 });
  const pSw = new prom.Summary({ name: 'sw_seconds', help: 'h', registers: [pReg], maxAgeSeconds: 600, ageBuckets: 5 });

  // scrape: one counter with 10,000 series, alone in its registry
  const oScrapeReg = new ours.Registry();
  const pScrapeReg = new prom.Registry();
  const oBig = new ours.Counter({ name: 'big_total', help: 'h', labelNames: ['a', 'b'], registers: [oScrapeReg] });
  const pBig = new prom.Counter({ name: 'big_total', help: 'h', labelNames: ['a', 'b'], registers: [pScrapeReg] });
  for (let i = 0; i < 10_000; i++) {
    oBig.inc({ a: `a${i % 100}`, b: `b${Math.floor(i / 100)}` }, i);
    pBig.inc({ a: `a${i % 100}`, b: `b${Math.floor(i / 100)}` }, i);
  }
  let sink = 0;
  const scrape = (reg: { metrics(): Promise<string> }) => (n: number) => {
    // Buffer.byteLength flattens the string, as writing it to a socket would (a rope is not yet text)
    for (let i = 0; i < n; i++) void reg.metrics().then((s) => (sink += Buffer.byteLength(s)));
  };

  const list: Case[] = [
    {
      name: 'counter.inc({method,code}) fresh literal',
      unit: 'ns/op',
      ours: (n) => {
        for (let i = 0; i < n; i++) oC.inc({ method: 'GET', code: '200' });
      },
      prom: (n) => {
        for (let i = 0; i < n; i++) pC.inc({ method: 'GET', code: '200' });
      },
    },
    {
      name: 'bound handle labels(...).inc()',
      unit: 'ns/op',
      ours: (n) => {
        for (let i = 0; i < n; i++) oBound.inc();
      },
      prom: (n) => {
        for (let i = 0; i < n; i++) pBound.inc();
      },
    },
    {
      name: 'histogram.observe({method,code}, v)',
      unit: 'ns/op',
      ours: (n) => {
        for (let i = 0; i < n; i++) oH.observe({ method: 'GET', code: '200' }, values[i & 1023]!);
      },
      prom: (n) => {
        for (let i = 0; i < n; i++) pH.observe({ method: 'GET', code: '200' }, values[i & 1023]!);
      },
    },
    {
      name: 'summary.observe(v)',
      unit: 'ns/op',
      ours: (n) => {
        for (let i = 0; i < n; i++) oS.observe(values[i & 1023]!);
      },
      prom: (n) => {
        for (let i = 0; i < n; i++) pS.observe(values[i & 1023]!);
      },
    },
    {
      name: 'summary.observe(v) window 600 s / 5',
      unit: 'ns/op',
      ours: (n) => {
        for (let i = 0; i < n; i++) oSw.observe(values[i & 1023]!);
      },
      prom: (n) => {
        for (let i = 0; i < n; i++) pSw.observe(values[i & 1023]!);
      },
    },
    {
      name: 'scrape, 1 counter x 10,000 series',
      unit: 'ms/scrape',
      ours: scrape(oScrapeReg),
      prom: scrape(pScrapeReg),
    },
  ];
  (globalThis as { benchSink?: () => number }).benchSink = () => sink;
  return list;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

async function timeCases(): Promise<{ name: string; unit: string; ours: number[]; prom: number[]; ratio: number[] }[]> {
  const out = [];
  for (const c of cases()) {
    // the scrape is async (promise per call): time whole rounds of awaited scrapes instead
    if (c.unit === 'ms/scrape') {
      const oursT: number[] = [];
      const promT: number[] = [];
      const ratio: number[] = [];
      const reg = c as unknown as { ours: (n: number) => void; prom: (n: number) => void };
      const run = async (f: (n: number) => void, n: number): Promise<number> => {
        const t0 = cpuNs();
        f(n);
        await new Promise((r) => setImmediate(r));
        return (cpuNs() - t0) / n / 1e6;
      };
      for (let w = 0; w < 3; w++) {
        await run(reg.ours, 5);
        await run(reg.prom, 5);
      }
      for (let r = 0; r < rounds; r++) {
        const a = await run(reg.ours, 5);
        const b = await run(reg.prom, 5);
        oursT.push(a);
        promT.push(b);
        ratio.push(b / a);
      }
      out.push({ name: c.name, unit: c.unit, ours: oursT, prom: promT, ratio });
      continue;
    }
    const nO = calibrate(c.ours);
    const nP = calibrate(c.prom);
    const oursT: number[] = [];
    const promT: number[] = [];
    const ratio: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const a = sample(c.ours, nO);
      const b = sample(c.prom, nP);
      oursT.push(a);
      promT.push(b);
      ratio.push(b / a);
    }
    out.push({ name: c.name, unit: c.unit, ours: oursT, prom: promT, ratio });
  }
  return out;
}

/** Retained heap per labelled counter series (10,000 series, 2 labels, label strings pre-created). */
function memoryPerSeries(lib: 'ours' | 'prom'): number {
  const as = Array.from({ length: 100 }, (_, i) => `a${i}`);
  const bs = Array.from({ length: 100 }, (_, i) => `b${i}`);
  gc();
  gc();
  const before = process.memoryUsage().heapUsed;
  const reg = lib === 'ours' ? new ours.Registry() : new prom.Registry();
  const c =
    lib === 'ours'
      ? new ours.Counter({ name: 'm_total', help: 'h', labelNames: ['a', 'b'], registers: [reg as ours.Registry] })
      : new prom.Counter({ name: 'm_total', help: 'h', labelNames: ['a', 'b'], registers: [reg as PromClient.Registry] });
  for (let i = 0; i < 10_000; i++) c.inc({ a: as[i % 100]!, b: bs[Math.floor(i / 100)]! });
  gc();
  gc();
  const after = process.memoryUsage().heapUsed;
  (globalThis as { keep?: unknown }).keep = c;
  const perSeries = (after - before) / 10_000;
  (globalThis as { keep?: unknown }).keep = undefined;
  return perSeries;
}

const fmt = (x: number): string => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));
const spread = (xs: number[]): string => `${fmt(median(xs))} [${fmt(Math.min(...xs))}–${fmt(Math.max(...xs))}]`;

const results = await timeCases();
const mem = { ours: [] as number[], prom: [] as number[] };
for (let r = 0; r < 5; r++) {
  mem.ours.push(memoryPerSeries('ours'));
  mem.prom.push(memoryPerSeries('prom'));
}

if (asJson) {
  console.log(JSON.stringify({ node: process.version, rounds, results, memory: mem }, null, 2));
} else {
  console.log(`metrics bench — node ${process.version}, ${rounds} interleaved rounds, CPU time, median [min–max]`);
  console.log('| case | perfscope | prom-client 15.1.3 | prom / perfscope |');
  console.log('|---|---|---|---|');
  for (const r of results) console.log(`| ${r.name} (${r.unit}) | ${spread(r.ours)} | ${spread(r.prom)} | ${spread(r.ratio)}x |`);
  console.log(
    `| retained heap per labelled counter series (B, 10k series, 5 reps) | ${spread(mem.ours)} | ${spread(mem.prom)} | ${spread(mem.prom.map((p, i) => p / mem.ours[i]!))}x |`,
  );
}
