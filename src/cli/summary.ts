/**
 * The end-of-run summary table (`perfscope show`, and `perfscope run` at exit): like `/usr/bin/time -v`
 * with percentiles. Pure: takes RunData, returns text.
 */
import type { RunData } from '../core/run-data.js';
import { formatBytes, formatPercent, formatSeconds } from '../core/units.js';
import { summarizeRun } from '../analysis/run-summary.js';
import { hasControl, terminalSafe } from './terminal-text.js';

/**
 * Renders the summary. Cumulative columns (cpu_user_seconds, cpu_system_seconds, io_read_bytes,
 * io_write_bytes) count from the recording's base: for `run` (meta.command set) the last value, i.e.
 * since the command started; for a watched PID the last minus the first sample, i.e. while watched.
 */
export function renderSummary(run: RunData): string {
  const { meta } = run;
  const watched = meta.command === null;
  const s = summarizeRun(run);
  const cpu = s.cpuPercent;
  const rows: [string, string][] = [];
  rows.push(['Command', watched ? `PID ${meta.pid} (watched)` : shellJoin(meta.command ?? [])]);
  if (!watched || meta.exitCode !== null || meta.signal !== null) {
    const by = meta.stoppedBy === 'duration' ? ' (stopped at --duration)' : meta.stoppedBy === 'signal' ? ' (after a signal to perfscope)' : meta.stoppedBy === 'abort' ? ' (stopped)' : '';
    rows.push(['Exit status', `${terminalSafe(exitStatus(meta.exitCode, meta.signal))}${by}`]);
  }
  rows.push(['Wall time', `${formatSeconds(s.wallSeconds)}${meta.endedAtMs === null ? ' (so far)' : ''}`]);
  rows.push(['User CPU time', formatSeconds(s.userCpuSeconds)]);
  rows.push(['System CPU time', formatSeconds(s.systemCpuSeconds)]);
  rows.push([
    'CPU %',
    cpu.mean === null
      ? '-'
      : `mean ${formatPercent(cpu.mean)}   p50 ${formatPercent(cpu.p50)}   p95 ${formatPercent(cpu.p95)}   max ${formatPercent(cpu.max)}`,
  ]);
  rows.push(['Peak RSS', peakRss(s)]);
  rows.push(['Mean memory %', formatPercent(s.meanMemoryPercent)]);
  rows.push(['I/O read', formatBytes(s.ioReadBytes)]);
  rows.push(['I/O written', formatBytes(s.ioWriteBytes)]);
  rows.push(['Samples', `${s.samples} (every ${formatSeconds(meta.intervalSeconds)})`]);
  rows.push(['Missed deadlines', String(s.missedDeadlines)]);
  rows.push(['Processes seen', run.processes !== undefined ? String(s.processesSeen) : s.processesSeen === null ? '-' : `${s.processesSeen} at most alive at once`]);
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = rows.map(([k, v]) => `  ${k.padEnd(width)}  ${v}`);
  if (watched) lines.push('', '  CPU time and I/O count from the first sample (the PID ran before the watch began).');
  if (s.samples < 3) {
    lines.push('', `  Only ${s.samples} sample${s.samples === 1 ? '' : 's'}: CPU %, memory % and I/O rates are rough; a shorter --interval gives more.`);
  }
  return lines.join('\n');
}


/** The peak RSS and where it comes from: the kernel's (exact) or the largest sample (a spike between samples is missed). */
function peakRss(s: ReturnType<typeof summarizeRun>): string {
  if (s.peakRssSource === 'kernel') {
    const sampled = s.sampledPeakRssBytes === null ? '' : `; samples saw ${formatBytes(s.sampledPeakRssBytes)}`;
    return `${formatBytes(s.peakRssBytes)} (kernel: largest process${sampled})`;
  }
  return s.peakRssSource === 'sampled' ? `${formatBytes(s.peakRssBytes)} (largest sample)` : '-';
}

/** "0", "1", "killed by SIGKILL", or "-" when unknown. */
export function exitStatus(exitCode: number | null, signal: string | null): string {
  if (signal !== null) return `killed by ${signal}`;
  return exitCode === null ? '-' : String(exitCode);
}

/**
 * The command as a shell would need it typed: arguments with spaces or quotes single-quoted, and
 * arguments holding control characters in bash's $'...' form with escapes (`$'\e]0;x\a'`), so a
 * stored command line can neither drive the terminal nor be misread.
 */
export function shellJoin(argv: string[]): string {
  return argv
    .map((a) => {
      if (a !== '' && /^[\w@%+=:,./-]+$/.test(a)) return a;
      if (hasControl(a)) return `$'${terminalSafe(a.replace(/\\/g, '\\\\').replace(/'/g, "\\'"))}'`;
      return `'${a.replace(/'/g, `'\\''`)}'`;
    })
    .join(' ');
}
