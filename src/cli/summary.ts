/**
 * The end-of-run summary table (`perfscope show`, and `perfscope run` at exit): like `/usr/bin/time -v`
 * with percentiles. Pure: takes RunData, returns text.
 */
import type { RunData } from '../core/run-data.js';
import { formatBytes, formatPercent, formatSeconds } from '../core/units.js';
import { distribution, firstLast, max, mean } from '../analysis/stats.js';

/**
 * Renders the summary. Cumulative columns (cpu_user_seconds, cpu_system_seconds, io_read_bytes,
 * io_write_bytes) count from the recording's base: for `run` (meta.command set) the last value, i.e.
 * since the command started; for a watched PID the last minus the first sample, i.e. while watched.
 */
export function renderSummary(run: RunData): string {
  const { meta, samples } = run;
  const watched = meta.command === null;
  const total = (name: string): number | null => {
    const col = samples[name];
    const fl = col ? firstLast(col) : null;
    if (fl === null) return null;
    return watched ? fl.last - fl.first : fl.last;
  };
  const ts = samples.timestamp;
  const wallSeconds =
    meta.endedAtMs !== null ? (meta.endedAtMs - meta.startedAtMs) / 1000 : ts.length > 0 ? ts[ts.length - 1]! : null;
  const cpu = distribution(samples.cpu_percent ?? []);
  const rows: [string, string][] = [];
  rows.push(['Command', watched ? `PID ${meta.pid} (watched)` : shellJoin(meta.command ?? [])]);
  if (!watched || meta.exitCode !== null || meta.signal !== null) rows.push(['Exit status', exitStatus(meta.exitCode, meta.signal)]);
  rows.push(['Wall time', `${formatSeconds(wallSeconds)}${meta.endedAtMs === null ? ' (so far)' : ''}`]);
  // For `run`, perfscope's own cutime/cstime at the command's exit give the exact CPU time of the
  // whole waited-for tree (as /usr/bin/time does); samples miss the last partial interval.
  const exact = meta.childCpu;
  rows.push(['User CPU time', formatSeconds(exact ? exact.userSeconds : total('cpu_user_seconds'))]);
  rows.push(['System CPU time', formatSeconds(exact ? exact.systemSeconds : total('cpu_system_seconds'))]);
  rows.push([
    'CPU %',
    cpu.count === 0
      ? '-'
      : `mean ${formatPercent(cpu.mean)}   p50 ${formatPercent(cpu.p50)}   p95 ${formatPercent(cpu.p95)}   max ${formatPercent(cpu.max)}`,
  ]);
  rows.push(['Peak RSS', formatBytes(max(samples.rss_bytes ?? []))]);
  rows.push(['Mean memory %', formatPercent(mean(samples.memory_percent ?? []))]);
  rows.push(['I/O read', formatBytes(total('io_read_bytes'))]);
  rows.push(['I/O written', formatBytes(total('io_write_bytes'))]);
  rows.push(['Samples', `${meta.sampleCount || ts.length} (every ${formatSeconds(meta.intervalSeconds)})`]);
  rows.push(['Missed deadlines', String(meta.missedDeadlines)]);
  rows.push(['Processes seen', processesSeen(run)]);
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`);
  if (watched) lines.push('', '  CPU time and I/O count from the first sample (the PID ran before the watch began).');
  return lines.join('\n');
}

function processesSeen(run: RunData): string {
  if (run.processes !== undefined) return String(run.processes.length);
  const peak = max(run.samples.num_procs ?? []);
  return peak === null ? '-' : `${peak} at most alive at once`;
}

/** "0", "1", "killed by SIGKILL", or "-" when unknown. */
export function exitStatus(exitCode: number | null, signal: string | null): string {
  if (signal !== null) return `killed by ${signal}`;
  return exitCode === null ? '-' : String(exitCode);
}

/** The command as a shell would need it typed: arguments with spaces or quotes single-quoted. */
export function shellJoin(argv: string[]): string {
  return argv.map((a) => (a !== '' && /^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}
