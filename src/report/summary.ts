/**
 * The numbers of a report's summary table, computed on the raw samples (not on what the charts draw):
 * wall, user and system CPU time, CPU % mean/p50/p95/max, peak RSS, I/O totals, samples.
 */
import type { RunData } from '../core/run-data.js';
import { formatBytes, formatPercent, formatSeconds } from '../core/units.js';
import { distribution, firstLast, max } from '../analysis/stats.js';
import type { Labels } from './i18n.js';

export interface RunSummary {
  wallSeconds: number | null;
  userCpuSeconds: number | null;
  systemCpuSeconds: number | null;
  cpuPercent: { mean: number | null; p50: number | null; p95: number | null; max: number | null };
  peakRssBytes: number | null;
  ioReadBytes: number | null;
  ioWriteBytes: number | null;
  samples: number;
  missedDeadlines: number;
  processesSeen: number | null;
}

/**
 * Cumulative columns count from the command's start for `run` (the last value) and from the first
 * sample for a watched PID (last − first), as the CLI summary does.
 */
export function summarizeRun(run: RunData): RunSummary {
  const { meta, samples } = run;
  const watched = meta.command === null;
  const total = (name: string): number | null => {
    const col = samples[name];
    const fl = col ? firstLast(col) : null;
    if (fl === null) return null;
    return watched ? fl.last - fl.first : fl.last;
  };
  const ts = samples.timestamp;
  const cpu = distribution(samples.cpu_percent ?? []);
  return {
    wallSeconds: meta.endedAtMs !== null ? (meta.endedAtMs - meta.startedAtMs) / 1000 : ts.length > 0 ? ts[ts.length - 1]! : null,
    userCpuSeconds: meta.childCpu ? meta.childCpu.userSeconds : total('cpu_user_seconds'),
    systemCpuSeconds: meta.childCpu ? meta.childCpu.systemSeconds : total('cpu_system_seconds'),
    cpuPercent: { mean: cpu.mean, p50: cpu.p50, p95: cpu.p95, max: cpu.max },
    peakRssBytes: max(samples.rss_bytes ?? []),
    ioReadBytes: total('io_read_bytes'),
    ioWriteBytes: total('io_write_bytes'),
    samples: meta.sampleCount || ts.length,
    missedDeadlines: meta.missedDeadlines,
    processesSeen: run.processes ? run.processes.length : max(samples.num_procs ?? []),
  };
}

/** One table row: a label, one cell per run, and for two runs the change (B − A). */
export interface SummaryRow {
  key: string;
  label: string;
  cells: string[];
  delta: string | null;
}

/** The summary table rows for one or two runs, formatted. */
export function summaryRows(runs: RunData[], labels: Labels): SummaryRow[] {
  const s = runs.map(summarizeRun);
  const row = (key: string, label: string, get: (r: RunSummary) => number | null, fmt: (v: number | null) => string): SummaryRow => {
    const values = s.map(get);
    let delta: string | null = null;
    if (values.length === 2) {
      const [a, b] = values;
      if (a != null && b != null) {
        const d = b - a;
        const rel = a !== 0 ? ` (${d >= 0 ? '+' : ''}${((d / Math.abs(a)) * 100).toFixed(1)} %)` : '';
        delta = `${d >= 0 ? '+' : '−'}${fmt(Math.abs(d))}${rel}`;
      } else delta = '-';
    }
    return { key, label, cells: values.map(fmt), delta };
  };
  const pct = (v: number | null): string => formatPercent(v);
  const count = (v: number | null): string => (v === null ? '-' : String(v));
  return [
    row('wall', labels.wallTime, (r) => r.wallSeconds, formatSeconds),
    row('user', labels.userCpu, (r) => r.userCpuSeconds, formatSeconds),
    row('system', labels.systemCpu, (r) => r.systemCpuSeconds, formatSeconds),
    row('cpu-mean', `${labels.cpuStats} ${labels.mean}`, (r) => r.cpuPercent.mean, pct),
    row('cpu-p50', `${labels.cpuStats} p50`, (r) => r.cpuPercent.p50, pct),
    row('cpu-p95', `${labels.cpuStats} p95`, (r) => r.cpuPercent.p95, pct),
    row('cpu-max', `${labels.cpuStats} max`, (r) => r.cpuPercent.max, pct),
    row('peak-rss', labels.peakRss, (r) => r.peakRssBytes, formatBytes),
    row('io-read', labels.ioRead_total, (r) => r.ioReadBytes, formatBytes),
    row('io-write', labels.ioWrite_total, (r) => r.ioWriteBytes, formatBytes),
    row('samples', labels.samples, (r) => r.samples, count),
    row('missed', labels.missedDeadlines, (r) => r.missedDeadlines, count),
    row('procs', labels.processesSeen, (r) => r.processesSeen, count),
  ];
}
