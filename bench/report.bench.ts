/**
 * Report rendering: time and peak RSS to draw 3,600 and 1,000,000 samples as SVG, PNG and HTML; the
 * HTML size of a one-hour 10 Hz run and its paint time in headless Chromium; peers: a naive SVG of
 * every point (no M4) and LTTB at M4's point budget (how many single-sample spikes each keeps).
 *
 * Run: node --import tsx bench/report.bench.ts [--quick]
 * Each (format, size) runs in its own process so its peak RSS (getrusage maxrss) is its own; the
 * synthetic run is built first and its RSS reported separately ("data" column).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildChartModel } from '../src/report/chart-model.js';
import { renderHtml } from '../src/report/html.js';
import { m4 } from '../src/report/m4.js';
import { svgToPng } from '../src/report/png.js';
import { renderSvg } from '../src/report/svg.js';
import { syntheticRun } from '../test/helpers/synthetic-run.js';

const self = fileURLToPath(import.meta.url);
const quick = process.argv.includes('--quick');

type Case = 'svg' | 'png' | 'html' | 'naive-svg';

/** Child mode: render `n` samples as `kind` `reps` times; print timings and peak RSS as JSON. */
function child(kind: Case, n: number, reps: number): void {
  const run = syntheticRun({ samples: n, intervalSeconds: n > 100_000 ? 0.01 : 1, children: false });
  const dataRssMb = process.resourceUsage().maxRSS / 1024;
  const times: number[] = [];
  let size = 0;
  for (let i = 0; i < reps; i++) {
    const t0 = performance.now();
    if (kind === 'svg') size = renderSvg(buildChartModel(run)).length;
    else if (kind === 'png') size = svgToPng(renderSvg(buildChartModel(run))).length;
    else if (kind === 'html') size = renderHtml(run).length;
    else size = naiveSvg(run.samples.timestamp, run.samples.cpu_percent!, run.samples.rss_bytes!).length;
    times.push(performance.now() - t0);
  }
  console.log(JSON.stringify({ times, size, dataRssMb, peakRssMb: process.resourceUsage().maxRSS / 1024 }));
}

/** The peer without reduction: every point of two series as one path each, like a hand-written chart. */
function naiveSvg(t: number[], cpu: (number | null)[], rss: (number | null)[]): string {
  const tMax = t[t.length - 1]!;
  const path = (y: (number | null)[], top: number, max: number): string => {
    let d = '';
    for (let i = 0; i < t.length; i++) {
      const v = y[i];
      if (v == null) continue;
      d += `${d ? 'L' : 'M'}${((t[i]! / tMax) * 1000 + 80).toFixed(1)} ${(top + 220 - (v / max) * 220).toFixed(1)}`;
    }
    return `<path d="${d}" fill="none" stroke="#1f77b4" stroke-width="1"/>`;
  };
  let cmax = 0;
  let rmax = 0;
  for (const v of cpu) if (v != null && v > cmax) cmax = v;
  for (const v of rss) if (v != null && v > rmax) rmax = v;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="1200" height="600">${path(cpu, 60, cmax)}${path(rss, 330, rmax)}</svg>`;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

function runChild(kind: Case, n: number, reps: number): { times: number[]; size: number; dataRssMb: number; peakRssMb: number } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', self, '--child', kind, String(n), String(reps)], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (r.status !== 0) throw new Error(`${kind} ${n}: ${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop()!);
}

/** LTTB (Steinarsson 2013) to `threshold` points (their indexes), for the fidelity comparison. */
function lttb(x: Float64Array, y: Float64Array, threshold: number): Uint32Array {
  const n = x.length;
  const out = new Uint32Array(threshold);
  const every = (n - 2) / (threshold - 2);
  let a = 0;
  out[0] = 0;
  for (let i = 0; i < threshold - 2; i++) {
    const s = Math.floor((i + 1) * every) + 1;
    const e = Math.min(Math.floor((i + 2) * every) + 1, n);
    let ax = 0;
    let ay = 0;
    for (let j = s; j < e; j++) {
      ax += x[j]!;
      ay += y[j]!;
    }
    ax /= e - s;
    ay /= e - s;
    const rs = Math.floor(i * every) + 1;
    const re = Math.floor((i + 1) * every) + 1;
    let best = -1;
    let bestI = rs;
    for (let j = rs; j < re; j++) {
      const area = Math.abs((x[a]! - ax) * (y[j]! - y[a]!) - (x[a]! - x[j]!) * (ay - y[a]!));
      if (area > best) {
        best = area;
        bestI = j;
      }
    }
    out[i + 1] = bestI;
    a = bestI;
  }
  out[threshold - 1] = n - 1;
  return out;
}

async function paintInChromium(html: string, loads: number): Promise<{ paintMs: number[]; decodeMs: number[] } | null> {
  const { browserUnavailable, launchChromium } = await import('../test/helpers/browser.js');
  if (browserUnavailable()) return null;
  const dir = mkdtempSync(join(tmpdir(), 'perfscope-bench-'));
  const file = join(dir, 'r.html');
  writeFileSync(file, html);
  const { context, close } = await launchChromium();
  const paintMs: number[] = [];
  const decodeMs: number[] = [];
  try {
    for (let i = 0; i < loads; i++) {
      const page = await context.newPage();
      await page.setViewportSize({ width: 1280, height: 1000 });
      await page.goto(`file://${file}`);
      await page.waitForFunction('window.__perfscope && window.__perfscope.ready', null, { timeout: 120_000 });
      const s = (await page.evaluate('({ p: window.__perfscope.paintMs, d: window.__perfscope.decodeMs })')) as { p: number; d: number };
      paintMs.push(s.p);
      decodeMs.push(s.d);
      await page.close();
    }
  } finally {
    await close();
    rmSync(dir, { recursive: true, force: true });
  }
  return { paintMs, decodeMs };
}

async function main(): Promise<void> {
  const f0 = (v: number): string => v.toFixed(0);
  console.log(`## Report rendering (${new Date().toISOString().slice(0, 10)}, node ${process.version})\n`);
  console.log('| case | samples | median ms (min–max, n) | output | peak RSS MB (data alone) |');
  console.log('|---|---|---|---|---|');
  const sizes = quick ? [3600] : [3600, 1_000_000];
  for (const n of sizes) {
    for (const kind of ['svg', 'png', 'html', 'naive-svg'] as Case[]) {
      const reps = n > 100_000 ? (quick ? 1 : 3) : 7;
      const r = runChild(kind, n, reps);
      const spread = `${f0(Math.min(...r.times))}–${f0(Math.max(...r.times))}`;
      console.log(`| ${kind} | ${n.toLocaleString('en')} | ${f0(median(r.times))} (${spread}, ${reps}) | ${(r.size / 1024).toFixed(0)} KiB | ${f0(r.peakRssMb)} (${f0(r.dataRssMb)}) |`);
    }
  }

  // Fidelity: 1M samples of noise with 200 single-sample spikes; which reduction keeps them?
  const n = 1_000_000;
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  let seed = 7;
  const rnd = (): number => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  for (let i = 0; i < n; i++) {
    x[i] = i;
    y[i] = 20 + rnd() * 10;
  }
  const spikes = new Set<number>();
  while (spikes.size < 200) spikes.add(Math.floor(rnd() * n));
  for (const i of spikes) y[i] = 100 + rnd() * 50;
  const t0 = performance.now();
  const r4 = m4(x, y, 0, n - 1, 1000);
  const m4Ms = performance.now() - t0;
  const t1 = performance.now();
  const rl = lttb(x, y, r4.x.length);
  const lttbMs = performance.now() - t1;
  // Per pixel column, the drawn extent is [min, max] of the points kept there: compare with the truth.
  const cols = 1000;
  const colOf = (xi: number): number => Math.min(cols - 1, Math.floor((xi / (n - 1)) * cols));
  const truth = { min: new Float64Array(cols).fill(Infinity), max: new Float64Array(cols).fill(-Infinity) };
  for (let i = 0; i < n; i++) {
    const c = colOf(x[i]!);
    if (y[i]! < truth.min[c]!) truth.min[c] = y[i]!;
    if (y[i]! > truth.max[c]!) truth.max[c] = y[i]!;
  }
  const spikeCols = new Set([...spikes].map((i) => colOf(x[i]!)));
  const score = (xs: ArrayLike<number>, ys: ArrayLike<number>): { spikeCols: number; extent: number } => {
    const min = new Float64Array(cols).fill(Infinity);
    const max = new Float64Array(cols).fill(-Infinity);
    for (let k = 0; k < xs.length; k++) {
      const c = colOf(xs[k]!);
      if (ys[k]! < min[c]!) min[c] = ys[k]!;
      if (ys[k]! > max[c]!) max[c] = ys[k]!;
    }
    let sc = 0;
    for (const c of spikeCols) if (max[c] === truth.max[c]) sc++;
    let ext = 0;
    for (let c = 0; c < cols; c++) if (max[c] === truth.max[c] && min[c] === truth.min[c]) ext++;
    return { spikeCols: sc, extent: ext };
  };
  const s4 = score(r4.x, r4.y);
  const sl = score(Array.from(rl, (i) => x[i]!), Array.from(rl, (i) => y[i]!));
  console.log(`\nFidelity: 1,000,000 points of noise with 200 one-sample spikes (${spikeCols.size} pixel columns hold one), reduced for a 1,000 px plot:\n`);
  console.log(`| method | points | spike columns drawn to their true peak | columns drawn with the true min and max | ms |\n|---|---|---|---|---|`);
  console.log(`| M4 | ${r4.x.length} | ${s4.spikeCols} / ${spikeCols.size} | ${s4.extent} / ${cols} | ${f0(m4Ms)} |`);
  console.log(`| LTTB, same point budget | ${rl.length} | ${sl.spikeCols} / ${spikeCols.size} | ${sl.extent} / ${cols} | ${f0(lttbMs)} |`);

  // HTML size and paint: one hour at 10 Hz (36,000 samples, a 3-process tree), and 1M samples.
  const hour = renderHtml(syntheticRun({ samples: 36_000, intervalSeconds: 0.1, children: true }));
  const cases: [string, string][] = [['1 h at 10 Hz (36,000 samples, 3 processes)', hour]];
  if (!quick) cases.push(['1,000,000 samples (M4 to 20,000 columns)', renderHtml(syntheticRun({ samples: n, intervalSeconds: 0.01 }))]);
  console.log(`\n| HTML report | size | decode ms (Chromium) | first paint ms (median, min–max) |\n|---|---|---|---|`);
  for (const [name, html] of cases) {
    const p = await paintInChromium(html, 3);
    const paint = p ? `${f0(median(p.paintMs))} (${f0(Math.min(...p.paintMs))}–${f0(Math.max(...p.paintMs))})` : 'no chromium';
    const decode = p ? f0(median(p.decodeMs)) : '-';
    console.log(`| ${name} | ${(html.length / 1024 / 1024).toFixed(2)} MB | ${decode} | ${paint} |`);
  }
}

if (process.argv[2] === '--child') child(process.argv[3] as Case, Number(process.argv[4]), Number(process.argv[5]));
else await main();
