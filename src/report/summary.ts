/**
 * The numbers of a report's summary table, computed on the raw samples (not on what the charts draw):
 * wall, user and system CPU time, CPU % mean/p50/p95/max, peak RSS, I/O totals, samples.
 */
import type { RunData } from '../core/run-data.js';
import { formatBytes, formatPercent, formatSeconds } from '../core/units.js';
import { summarizeRun, type RunSummary } from '../analysis/run-summary.js';
import type { Labels } from './i18n.js';

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
