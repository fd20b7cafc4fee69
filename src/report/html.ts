/**
 * The HTML report: one self-contained file (uPlot, the chart kit shared with serve's dashboard
 * (assets/charts/), styles, page script and data inline; no network)
 * with synced zoom and crosshair across panels, series toggles, markers, the summary table, run
 * metadata and light/dark themes. Data is packed (pack.ts) and, for long runs, M4-reduced on the
 * run's own timeline to a bounded number of columns, so the file stays small and spikes stay visible.
 */
import type { RunData } from '../core/run-data.js';
import { formatBytes } from '../core/units.js';
import { buildChartModel, type ChartModel, type ChartOptions, type ChartRun, type ChartSeries, type AxisUnit } from './chart-model.js';
import { m4Union } from './m4.js';
import { ColumnPacker, type PackedRef } from './pack.js';
import { readFileSync } from 'node:fs';
import { subsetTtf } from './font-subset.js';
import { fontFiles, hasHangul, packageText, uplotFiles } from './package-files.js';
import { markerColors } from './svg.js';
import { summaryRows } from './summary.js';

export interface HtmlOptions extends ChartOptions {
  /**
   * Runs longer than this many samples are M4-reduced to this many time columns (at most four points
   * per column and series, gaps kept); default 20,000, i.e. full resolution for a 1-hour 5 Hz run and
   * a bounded file for any longer one.
   */
  maxColumns?: number;
}

/** Renders one run, or two overlaid, as a complete HTML document. */
export function renderHtml(input: RunData | ChartRun[], options: HtmlOptions = {}): string {
  const model = buildChartModel(input, options);
  const payload = packModel(model, options.maxColumns ?? 20_000);
  const { js, css } = uplotFiles();
  const l = model.labels;
  const runs = model.runs.map((r) => r.data);
  const rows = summaryRows(runs, l);
  const two = runs.length === 2;
  const summaryHead = `<tr><th></th>${model.runs.map((r) => `<th>${esc(r.name)}</th>`).join('')}${two ? '<th>Δ</th>' : ''}</tr>`;
  const summaryBody = rows
    .map((r) => `<tr data-key="${r.key}"><th>${esc(r.label)}</th>${r.cells.map((c) => `<td>${esc(c)}</td>`).join('')}${two ? `<td>${esc(r.delta ?? '')}</td>` : ''}</tr>`)
    .join('\n');
  const metaRows = metaTable(model)
    .map(([k = '', ...v]) => `<tr><th>${esc(k)}</th>${v.map((c) => `<td>${esc(c)}</td>`).join('')}</tr>`)
    .join('\n');
  // '<' escaped so no string in the data can close the script element.
  const json = JSON.stringify(payload).replace(/</g, '\\u003c');
  const page = `<!doctype html>
<html lang="${model.lang}" data-theme="light">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="perfscope">
<title>${esc(model.title)}</title>
<style>${css}</style>
<style>${packageText('assets', 'charts', 'base.css')}</style>
<style>${packageText('assets', 'report', 'page.css')}</style>
<!--font-->
</head>
<body>
<header>
<div><h1>${esc(model.title)}</h1><p class="sub">${esc(model.subtitle)}</p></div>
<div class="tools"><button type="button" id="reset-zoom">${esc(l.resetZoom)}</button><button type="button" id="toggle-theme">${esc(l.theme)}</button></div>
</header>
<section class="cards">
<div class="card"><h2>${esc(l.summary)}</h2><table id="summary">${summaryHead}
${summaryBody}</table></div>
<div class="card"><h2>${esc(l.metadata)}</h2><table id="meta">${metaRows}</table></div>
</section>
<p class="hint">${esc(l.zoomHint)}</p>
<section id="charts"></section>
<script id="perfscope-data" type="application/json">${json}</script>
<script>${js}</script>
<script>${packageText('assets', 'charts', 'kit.js')}</script>
<script>${packageText('assets', 'report', 'page.js')}</script>
</body>
</html>
`;
  return page.replace('<!--font-->', fontFace(page));
}

let bundledFont: Buffer | null = null;

/**
 * An inline @font-face with the bundled Hangul font cut to the page's Hangul characters (a Korean
 * report is ~130 KB bigger), used where the viewer has none of the Korean fonts named in
 * page.css; nothing when the page is all Latin-1.
 */
export function fontFace(page: string): string {
  let chars = '';
  const seen = new Set<number>();
  for (const ch of page) {
    const c = ch.codePointAt(0)!;
    if (c >= 0x100 && !seen.has(c)) {
      seen.add(c);
      chars += ch;
    }
  }
  if (!hasHangul(chars)) return '';
  bundledFont ??= readFileSync(fontFiles.hangul);
  const b64 = subsetTtf(bundledFont, chars).toString('base64');
  return `<style>@font-face{font-family:"perfscope-ko";src:url(data:font/ttf;base64,${b64}) format("truetype");}</style>`;
}

/** What the page script reads (assets/report/page.js). */
interface Payload {
  lang: string;
  xMax: number;
  xLabel: string;
  blob: string;
  runs: { name: string; t: PackedRef; reduced: boolean }[];
  panels: {
    id: string;
    title: string;
    yLabel: string;
    unit: AxisUnit;
    right: { label: string; unit: AxisUnit; factor: number } | null;
    note: string | null;
    series: { id: string; label: string; color: string; dash: number[] | null; width: number; run: number; y: PackedRef }[];
  }[];
  markers: { t: number; kind: string; run: number; detail: string }[];
  markerLabels: Record<string, string>;
  markerColors: Record<string, string>;
}

const quantumFor: Record<AxisUnit, number> = { percent: 0.01, bytes: 1024, bytesPerSecond: 1, milliseconds: 0.001 };
/** At most this many markers are embedded (a fork-heavy build can start thousands of processes). */
const maxMarkers = 5000;

function packModel(model: ChartModel, maxColumns: number): Payload {
  const packer = new ColumnPacker();
  // Every series of a run is put on the run's own timeline (tree timestamps), so each run packs one
  // time column and the page can give uPlot one x array per panel.
  const aligned = new Map<ChartSeries, ArrayLike<number | null>>();
  const runs = model.runs.map((r, ri) => {
    const t = r.data.samples.timestamp;
    const ys: ArrayLike<number | null>[] = [];
    for (const p of model.panels) {
      for (const s of p.series) {
        if (s.run !== ri) continue;
        const y = s.x === t ? s.y : alignTo(t, s.x, s.y);
        aligned.set(s, y);
        ys.push(y);
      }
    }
    const reduced = t.length > maxColumns;
    const keep = reduced ? m4Union(t, ys, 0, model.xMax, maxColumns) : undefined;
    return { name: r.name, t: packer.add(t, 1e-6, keep), keep, reduced };
  });
  const memTotal = model.runs[0]!.data.meta.memTotalBytes;
  const panels = model.panels.map((p) => ({
    id: p.id,
    title: p.title,
    yLabel: p.yLabel,
    unit: p.unit,
    right: p.right,
    note: p.note,
    series: p.series.map((s) => {
      // Memory % lines come from bytes: a 1 KiB step, expressed in % of MemTotal.
      const quantum = p.id === 'memory' && p.unit === 'percent' && memTotal > 0 ? (1024 / memTotal) * 100 : quantumFor[p.unit];
      return {
        id: s.id,
        label: s.label,
        color: s.color,
        dash: s.dash ? s.dash.split(' ').map(Number) : null,
        width: s.widthPx,
        run: s.run,
        y: packer.add(aligned.get(s)!, quantum, runs[s.run]!.keep),
      };
    }),
  }));
  const l = model.labels;
  return {
    lang: model.lang,
    xMax: model.xMax,
    xLabel: model.xLabel,
    blob: packer.finish(),
    runs: runs.map((r) => ({ name: r.name, t: r.t, reduced: r.reduced })),
    panels,
    markers: model.markers.slice(0, maxMarkers).map((m) => ({ t: m.t, kind: m.kind, run: m.run, detail: m.detail.slice(0, 200) })),
    markerLabels: { 'process-start': l.processStart, 'process-exit': l.processExit, 'missed-sample': l.missedSample },
    markerColors,
  };
}

/** A process's column placed on the run's timeline by timestamp; null where the process was not sampled. */
function alignTo(t: ArrayLike<number>, px: ArrayLike<number>, py: ArrayLike<number | null>): Float64Array {
  const out = new Float64Array(t.length).fill(NaN);
  let j = 0;
  for (let i = 0; i < px.length; i++) {
    const x = px[i]!;
    while (j < t.length && t[j]! < x - 1e-6) j++;
    if (j >= t.length) break;
    if (Math.abs(t[j]! - x) <= 1e-6) {
      const v = py[i];
      out[j] = v == null ? NaN : v;
    }
  }
  return out;
}

function metaTable(model: ChartModel): string[][] {
  const l = model.labels;
  const metas = model.runs.map((r) => r.data.meta);
  const row = (k: string, f: (m: RunData['meta']) => string): string[] => [k, ...metas.map(f)];
  const rows = [
    row(l.command, (m) => (m.command ? shellWords(m.command) : l.watchedPid(m.pid))),
    row(l.exitStatus, (m) => exitStatusText(m.exitCode, m.signal)),
    row(l.host, (m) => m.host),
    row(l.started, (m) => m.startedAt),
    row(l.interval, (m) => `${m.intervalSeconds} s${m.precise ? ' (precise)' : ''}`),
    row('PID', (m) => String(m.pid)),
    row('CPUs', (m) => String(m.cpuCount)),
    row('MemTotal', (m) => formatBytes(m.memTotalBytes)),
    row('cgroup', (m) =>
      m.cgroup
        ? `v${m.cgroup.version} ${m.cgroup.path}${m.cgroup.memoryLimitBytes !== null ? `, mem limit ${formatBytes(m.cgroup.memoryLimitBytes)}` : ''}${m.cgroup.cpuQuotaCores !== null ? `, ${m.cgroup.cpuQuotaCores} cores` : ''}`
        : '-',
    ),
    row('perfscope', (m) => m.perfscopeVersion),
    row('Node.js', (m) => m.nodeVersion),
    row('Kernel', (m) => `${m.platform} ${m.kernel}`),
  ];
  if (model.runs.length === 2) rows.unshift(['', ...model.runs.map((r) => r.name)]);
  return rows;
}

/** Escapes text for HTML element content and attribute values. */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** The command as a shell would need it typed. */
function shellWords(argv: string[]): string {
  return argv.map((a) => (a !== '' && /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

function exitStatusText(exitCode: number | null, signal: string | null): string {
  if (signal !== null) return `killed by ${signal}`;
  return exitCode === null ? '-' : String(exitCode);
}
