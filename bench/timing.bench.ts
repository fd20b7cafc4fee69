/**
 * What timing a call costs, side by side in one process, interleaved in shuffled rounds:
 *   plain call | timed() metrics only | timed() + text log | timed() + JSON log |
 *   prom-client histogram.startTimer() around the call | an OpenTelemetry span (BasicTracerProvider,
 *   SimpleSpanProcessor, no-op exporter) | and, for the choice of clock, a bare pair of
 *   performance.now() and of process.hrtime.bigint().
 * The timed function adds two numbers, so "overhead" is the method minus the plain call of the same
 * round. Each sample is CPU time (process.cpuUsage(): the thread pool's writes are charged to the log
 * cases) of a loop of ~10 ms; log samples end with `await log.flush()`, so a sample pays for its own
 * writes. Log files go to a temp dir and are removed.
 *
 * Run: node --import tsx bench/timing.bench.ts [--rounds 15] [--seed N] [--json]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, SimpleSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import type * as PromClient from 'prom-client';
import { createPerformanceLog } from '../src/logs/performance-log.js';
import { Registry } from '../src/metrics/index.js';
import { timed } from '../src/timing/timed.js';
import { numberFlag } from './lib/args.js';
import { machineFacts, packageVersion } from './lib/machine.js';
import { num, spreadText, table } from './lib/markdown.js';
import { interleave, prng } from './lib/rounds.js';
import { spread } from './lib/stats.js';

const require = createRequire(import.meta.url);
const prom = require('prom-client') as typeof PromClient;

const argv = process.argv.slice(2);
const rounds = numberFlag('--rounds', 15, 1);
const seed = numberFlag('--seed', Math.floor(Math.random() * 2 ** 31), 0);
const asJson = argv.includes('--json');

const cpuNs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) * 1000;
};

function add(a: number, b: number): number {
  return a + b;
}

const dir = mkdtempSync(join(tmpdir(), 'perfscope-timing-bench-'));
const registry = new Registry();
const textLog = createPerformanceLog({ file: join(dir, 'text.log') });
const jsonLog = createPerformanceLog({ file: join(dir, 'json.log'), format: 'json' });
const timedMetrics = timed(add, { registry, name: 'add' });
const timedText = timed(add, { registry, name: 'add_text', log: textLog });
const timedJson = timed(add, { registry, name: 'add_json', log: jsonLog });

const promRegistry = new prom.Registry();
const promHist = new prom.Histogram({
  name: 'function_duration_seconds',
  help: 'h',
  labelNames: ['function', 'outcome'],
  buckets: [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
  registers: [promRegistry],
});

const noopExporter: SpanExporter = {
  export(_spans: ReadableSpan[], done) {
    done({ code: 0 });
  },
  shutdown: () => Promise.resolve(),
};
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(noopExporter)] });
const tracer = provider.getTracer('bench');
void trace; // the API package is what applications import; the SDK's tracer is used directly here

let sink = 0;
interface Method {
  name: string;
  loop: (n: number) => void;
  flush?: () => Promise<void>;
}
const methods: Method[] = [
  {
    name: 'plain call',
    loop: (n) => {
      for (let i = 0; i < n; i++) sink += add(i, 1);
    },
  },
  {
    name: 'timed(): metrics only',
    loop: (n) => {
      for (let i = 0; i < n; i++) sink += timedMetrics(i, 1);
    },
  },
  {
    name: 'timed(): metrics + text log',
    loop: (n) => {
      for (let i = 0; i < n; i++) sink += timedText(i, 1);
    },
    flush: () => textLog.flush(),
  },
  {
    name: 'timed(): metrics + JSON log',
    loop: (n) => {
      for (let i = 0; i < n; i++) sink += timedJson(i, 1);
    },
    flush: () => jsonLog.flush(),
  },
  {
    name: 'prom-client startTimer()',
    loop: (n) => {
      for (let i = 0; i < n; i++) {
        const end = promHist.startTimer({ function: 'add' });
        sink += add(i, 1);
        end({ outcome: 'success' });
      }
    },
  },
  {
    name: 'OpenTelemetry span',
    loop: (n) => {
      for (let i = 0; i < n; i++) {
        const span = tracer.startSpan('add');
        sink += add(i, 1);
        span.end();
      }
    },
  },
  {
    name: 'clock pair: performance.now()',
    loop: (n) => {
      for (let i = 0; i < n; i++) {
        const t = performance.now();
        sink += add(i, 1);
        sink += performance.now() - t;
      }
    },
  },
  {
    name: 'clock pair: process.hrtime.bigint()',
    loop: (n) => {
      for (let i = 0; i < n; i++) {
        const t = process.hrtime.bigint();
        sink += add(i, 1);
        sink += Number(process.hrtime.bigint() - t);
      }
    },
  },
];

async function sample(m: Method, n: number): Promise<number> {
  const t0 = cpuNs();
  m.loop(n);
  if (m.flush) await m.flush();
  return (cpuNs() - t0) / n;
}

async function calibrate(m: Method): Promise<number> {
  let n = 1000;
  for (;;) {
    const t0 = cpuNs();
    m.loop(n);
    if (m.flush) await m.flush();
    const dt = cpuNs() - t0;
    if (dt > 10e6 || n > 1e8) return Math.max(1000, Math.round((n * 10e6) / Math.max(dt, 1)));
    n *= 4;
  }
}

const sizes = new Map<string, number>();
for (const m of methods) sizes.set(m.name, await calibrate(m)); // also the warm-up
const byMethod = new Map<string, number[]>(methods.map((m) => [m.name, []]));
const byRound = new Map<number, Map<string, number>>();
for (const { round, item } of interleave(methods, rounds, prng(seed))) {
  const ns = await sample(item, sizes.get(item.name)!);
  byMethod.get(item.name)!.push(ns);
  let r = byRound.get(round);
  if (r === undefined) byRound.set(round, (r = new Map()));
  r.set(item.name, ns);
}

/** Per-round differences to the plain call of the same round. */
function overheads(name: string): number[] {
  const out: number[] = [];
  for (const r of byRound.values()) out.push(r.get(name)! - r.get('plain call')!);
  return out;
}
function ratios(name: string, ref: string): number[] {
  const out: number[] = [];
  for (const r of byRound.values()) out.push(r.get(name)! / r.get(ref)!);
  return out;
}

const rows = methods.map((m) => {
  const total = spread(byMethod.get(m.name)!);
  const over = spread(overheads(m.name));
  const vsTimed = spread(ratios(m.name, 'timed(): metrics only'));
  return { name: m.name, total, over, vsTimed };
});

await textLog.close();
await jsonLog.close();
await provider.shutdown();
rmSync(dir, { recursive: true, force: true });

const facts = machineFacts();
if (asJson) {
  console.log(JSON.stringify({ facts, seed, rounds, rows, sink }, null, 2));
} else {
  console.log(
    `Timing overhead, ns per call (CPU), median [min–max] over ${rounds} interleaved rounds, seed ${seed}\n` +
      `${facts.cpuModel}, ${facts.nproc} CPUs, Node ${facts.node}, ${facts.date.slice(0, 10)}; ` +
      `prom-client ${packageVersion('prom-client') ?? '?'}, @opentelemetry/sdk-trace-base ${packageVersion('@opentelemetry/sdk-trace-base') ?? '?'}, ` +
      `pino ${packageVersion('pino') ?? '?'}\n`,
  );
  console.log(
    table(
      ['method', 'ns/call', 'overhead over plain', 'x timed() metrics only'],
      rows.map((r) => [
        r.name,
        spreadText(r.total),
        r.name === 'plain call' ? '—' : spreadText(r.over),
        `${num(r.vsTimed.median)}×`,
      ]),
    ),
  );
}
void sink;
