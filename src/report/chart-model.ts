/**
 * The chart model: what a report draws, decided once from RunData and shared by the SVG/PNG writer and
 * the HTML page. Panels share one time axis in seconds; every series is aligned with its own x column
 * (a run's timestamps), values in the panel's unit, null = not measured.
 */
import type { ProcessSeries, RunData, SeriesColumns } from '../core/run-data.js';
import { labelsFor, type Labels, type Lang } from './i18n.js';
import { processColumns, treeColumns } from '../sampling/catalogue.js';

export type AxisUnit = 'percent' | 'bytes' | 'bytesPerSecond' | 'milliseconds';
export type PanelId = 'cpu' | 'memory' | 'io' | 'loop';
export type MarkerKind = 'process-start' | 'process-exit' | 'missed-sample';

export interface ChartSeries {
  /** Stable key: `cpu`, `cpu:pid:4242`, `b:memory`… (the HTML page's toggles use it). */
  id: string;
  label: string;
  color: string;
  /** SVG stroke-dasharray, e.g. '6 3'; null for solid. */
  dash: string | null;
  widthPx: number;
  /** Which run (0 = the first, 1 = the overlaid one). */
  run: number;
  x: ArrayLike<number>;
  y: ArrayLike<number | null>;
}

export interface ChartPanel {
  id: PanelId;
  title: string;
  yLabel: string;
  unit: AxisUnit;
  series: ChartSeries[];
  /** A right axis labelling the same scale in other units: rightValue = leftValue × factor. */
  right: { label: string; unit: AxisUnit; factor: number } | null;
  /** Legend note for processes not drawn, e.g. "+3 more processes". */
  note: string | null;
}

export interface ChartMarker {
  t: number;
  kind: MarkerKind;
  run: number;
  /** pid or detail, for the HTML hover text. */
  detail: string;
}

export interface ChartRun {
  name: string;
  data: RunData;
}

export interface ChartModel {
  lang: Lang;
  labels: Labels;
  title: string;
  subtitle: string;
  xLabel: string;
  /** The time axis spans [0, xMax] seconds. */
  xMax: number;
  panels: ChartPanel[];
  markers: ChartMarker[];
  runs: ChartRun[];
}

export interface ChartOptions {
  lang?: Lang;
  /** Figure title; default "perfscope: <command>". */
  title?: string;
  /** At most this many per-process lines per panel (the busiest by mean CPU); default 8. */
  maxProcesses?: number;
}

/** matplotlib's tab10, the colours people read charts in. */
export const palette = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
const processPalette = palette.slice(1).filter((c) => c !== '#d62728' && c !== '#2ca02c').concat(['#2ca02c', '#d62728']);

/** Builds the chart model of one run, or of two overlaid runs (the second dashed). */
export function buildChartModel(input: RunData | ChartRun[], options: ChartOptions = {}): ChartModel {
  const runs: ChartRun[] = Array.isArray(input) ? input : [{ name: runName(input), data: input }];
  if (runs.length === 0 || runs.length > 2) throw new RangeError(`a report draws one or two runs, got ${runs.length}`);
  const lang = options.lang ?? 'en';
  const labels = labelsFor(lang);
  const maxProcesses = options.maxProcesses ?? 8;
  const overlay = runs.length === 2;
  const panels: ChartPanel[] = [];
  const markers: ChartMarker[] = [];
  let xMax = 0;
  for (const r of runs) {
    const ts = r.data.samples.timestamp;
    if (ts.length > 0) xMax = Math.max(xMax, ts[ts.length - 1]!);
    const m = r.data.meta;
    if (m.endedAtMs !== null) xMax = Math.max(xMax, (m.endedAtMs - m.startedAtMs) / 1000);
  }
  if (!(xMax > 0)) xMax = 1;

  const cpu = panel('cpu', labels.cpuTitle, labels.cpuAxis, 'percent');
  const memTotal = runs[0]!.data.meta.memTotalBytes;
  // Memory: the lines are % of physical memory with RSS bytes on the right axis; both are one scale
  // (memory_percent = RSS / MemTotal). Overlaid runs may come from different machines: bytes then.
  const memoryInBytes = overlay || !(memTotal > 0);
  const memory = panel('memory', labels.memoryTitle, memoryInBytes ? labels.memoryBytesAxis : labels.memoryAxis, memoryInBytes ? 'bytes' : 'percent');
  if (!memoryInBytes) memory.right = { label: labels.memoryBytesAxis, unit: 'bytes', factor: memTotal / 100 };
  const io = panel('io', labels.ioTitle, labels.ioAxis, 'bytesPerSecond');
  const loop = panel('loop', labels.loopTitle, labels.loopAxis, 'milliseconds');

  runs.forEach((r, run) => {
    const s = treeColumns(r.data.samples);
    const x = s.timestamp;
    const prefix = overlay ? `${r.name}: ` : '';
    const idp = run === 0 ? '' : 'b:';
    const dash = run === 0 ? null : '7 4';
    const base = (id: string, label: string, color: string, y: ArrayLike<number | null>, widthPx = 1.8): ChartSeries => ({
      id: idp + id,
      label: prefix + label,
      color,
      dash,
      widthPx,
      run,
      x,
      y,
    });
    if (hasValues(s.cpu_percent)) cpu.series.push(base('cpu', labels.treeTotal, palette[run === 0 ? 0 : 3]!, s.cpu_percent!));
    const rssSeries = memoryInBytes ? s.rss_bytes : percentOf(s.rss_bytes, memTotal, s.memory_percent);
    if (hasValues(rssSeries)) memory.series.push(base('memory', `${labels.rss} (${labels.treeTotal})`, palette[run === 0 ? 0 : 3]!, rssSeries!));
    const heap = memoryInBytes ? s.heap_used_bytes : percentOf(s.heap_used_bytes, memTotal, undefined);
    if (hasValues(heap)) memory.series.push({ ...base('heap', labels.heapUsed, palette[4]!, heap!, 1.4), dash: run === 0 ? '4 2' : '2 2' });

    const read = rate(x, s.io_read_bytes);
    const write = rate(x, s.io_write_bytes);
    if (read && write && (read.total > 0 || write.total > 0)) {
      io.series.push(base('io-read', labels.ioRead, palette[2]!, read.values));
      io.series.push(base('io-write', labels.ioWrite, palette[3]!, write.values));
    }
    const p99 = scaled(s.event_loop_delay_p99_seconds, 1000);
    const lmax = scaled(s.event_loop_delay_max_seconds, 1000);
    if (p99) loop.series.push(base('loop-p99', labels.loopP99, palette[1]!, p99));
    if (lmax) loop.series.push({ ...base('loop-max', labels.loopMax, palette[3]!, lmax, 1.2) });

    // Per-process lines when the run is a tree of more than one process.
    const procs = (r.data.processes ?? []).filter((p) => p.samples.timestamp.length > 0);
    if (procs.length > 1 && !overlay) {
      const ranked = procs
        .map((p) => ({ p, cpu: meanOf(processColumns(p.samples).cpu_percent) }))
        .sort((a, b) => b.cpu - a.cpu || a.p.firstSeen - b.p.firstSeen);
      const shown = ranked.slice(0, maxProcesses).map((e) => e.p).sort((a, b) => a.firstSeen - b.firstSeen || a.pid - b.pid);
      shown.forEach((p, k) => {
        const color = processPalette[k % processPalette.length]!;
        // pid 0: not a process but a group (perfscope serve's history), named by itself.
        const label = p.pid > 0 ? `${p.comm} ${p.pid}` : p.comm;
        const px = p.samples.timestamp;
        const ps = processColumns(p.samples);
        if (hasValues(ps.cpu_percent)) cpu.series.push(procSeries(p, 'cpu', label, color, px, ps.cpu_percent!));
        const prss = memoryInBytes ? ps.rss_bytes : percentOf(ps.rss_bytes, memTotal, ps.memory_percent);
        if (hasValues(prss)) memory.series.push(procSeries(p, 'memory', label, color, px, prss!));
      });
      if (ranked.length > shown.length) cpu.note = memory.note = labels.moreProcesses(ranked.length - shown.length);
    }

    const rootPid = r.data.meta.pid;
    for (const e of r.data.events) {
      if (e.kind === 'process-start' || e.kind === 'process-exit') {
        if (e.pid === rootPid && e.kind === 'process-start') continue;
        markers.push({ t: e.t, kind: e.kind, run, detail: `${e.pid ?? ''}${e.detail ? ` ${e.detail}` : ''}`.trim() });
      } else if (e.kind === 'missed-deadline') {
        markers.push({ t: e.t, kind: 'missed-sample', run, detail: e.detail ?? '' });
      }
    }
  });

  panels.push(cpu, memory);
  if (io.series.length > 0) panels.push(io);
  if (loop.series.length > 0) panels.push(loop);
  markers.sort((a, b) => a.t - b.t);

  const first = runs[0]!.data;
  const title =
    options.title ??
    (overlay ? runs.map((r) => r.name).join(' vs ') : labels.defaultTitle(first.meta.command ? first.meta.command.join(' ') : watchedName(first, labels)));
  return { lang, labels, title, subtitle: subtitle(runs, labels), xLabel: labels.timeAxis, xMax, panels, markers, runs };
}

/** A watched PID by its command line when the run saw it, e.g. "node app.js (PID 42)". */
function watchedName(run: RunData, labels: Labels): string {
  const root = run.processes?.find((p) => p.pid === run.meta.pid);
  return root?.cmdline ? `${root.cmdline} (PID ${run.meta.pid})` : labels.watchedPid(run.meta.pid);
}

function panel(id: PanelId, title: string, yLabel: string, unit: AxisUnit): ChartPanel {
  return { id, title, yLabel, unit, series: [], right: null, note: null };
}

function procSeries(p: ProcessSeries, what: string, label: string, color: string, x: number[], y: ArrayLike<number | null>): ChartSeries {
  return { id: `${what}:pid:${p.pid}`, label, color, dash: null, widthPx: 1, run: 0, x, y };
}

/** A short name for a run: "run 12" when stored, else its command's program. */
export function runName(data: RunData): string {
  if (data.meta.id !== null) return `run ${data.meta.id}`;
  const cmd = data.meta.command;
  return cmd && cmd.length > 0 ? cmd.slice(0, 2).join(' ') : `PID ${data.meta.pid}`;
}

function subtitle(runs: ChartRun[], labels: Labels): string {
  return runs
    .map((r) => {
      const m = r.data.meta;
      const wall = m.endedAtMs !== null ? (m.endedAtMs - m.startedAtMs) / 1000 : null;
      const parts = [m.host, m.startedAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')];
      if (wall !== null) parts.push(`${labels.wallTime.toLowerCase()} ${wall.toFixed(wall < 10 ? 2 : 1)} s`);
      parts.push(`${m.sampleCount || r.data.samples.timestamp.length} × ${m.intervalSeconds} s`);
      return (runs.length > 1 ? `${r.name}: ` : '') + parts.join(' · ');
    })
    .join('   |   ');
}

export function hasValues(col: ArrayLike<number | null> | undefined): boolean {
  if (!col) return false;
  for (let i = 0; i < col.length; i++) {
    const v = col[i];
    if (v != null && v === v) return true;
  }
  return false;
}

function meanOf(col: ArrayLike<number | null> | undefined): number {
  if (!col) return 0;
  let sum = 0;
  let n = 0;
  for (let i = 0; i < col.length; i++) {
    const v = col[i];
    if (v != null && v === v) {
      sum += v;
      n++;
    }
  }
  return n === 0 ? 0 : sum / n;
}

/** bytes as % of `total`, or the recorded percent column when there are no bytes. */
function percentOf(bytes: SeriesColumns[string] | undefined, total: number, fallback: SeriesColumns[string] | undefined): Float64Array | SeriesColumns[string] | undefined {
  if (!hasValues(bytes)) return fallback;
  const col = bytes!;
  const out = new Float64Array(col.length);
  for (let i = 0; i < col.length; i++) {
    const v = col[i];
    out[i] = v == null ? NaN : (v / total) * 100;
  }
  return out;
}

function scaled(col: SeriesColumns[string] | undefined, factor: number): Float64Array | null {
  if (!hasValues(col)) return null;
  const out = new Float64Array(col!.length);
  for (let i = 0; i < out.length; i++) {
    const v = col![i];
    out[i] = v == null ? NaN : v * factor;
  }
  return out;
}

/** Per-second rate of a cumulative counter; the first sample and resets (a drop) are gaps. */
export function rate(x: ArrayLike<number>, col: SeriesColumns[string] | undefined): { values: Float64Array; total: number } | null {
  if (!hasValues(col)) return null;
  const c = col!;
  const out = new Float64Array(c.length).fill(NaN);
  let total = 0;
  let prev: number | null = null;
  let prevT = 0;
  for (let i = 0; i < c.length; i++) {
    const v = c[i];
    if (v == null) {
      prev = null;
      continue;
    }
    const t = x[i]!;
    if (prev !== null && t > prevT && v >= prev) {
      out[i] = (v - prev) / (t - prevT);
      total += v - prev;
    }
    prev = v;
    prevT = t;
  }
  return { values: out, total };
}
