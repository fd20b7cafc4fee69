/** Run data as files: the `--json` document and CSV of one series. */
import type { RunData, SeriesColumns } from '../core/run-data.js';
import { usageError } from '../core/errors.js';

/**
 * The run as JSON: objects indented by two spaces (so metadata diffs line by line), arrays of plain
 * values on one line (a 36 000-sample column stays one line, not 36 000). Non-finite numbers become null.
 */
export function runToJson(run: RunData): string {
  return `${stringify(run, '')}\n`;
}

function stringify(value: unknown, indent: string): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  const inner = `${indent}  `;
  if (Array.isArray(value)) {
    if (value.length === 0) return '[]';
    if (value.every((v) => v === null || typeof v !== 'object')) return JSON.stringify(value);
    return `[\n${value.map((v) => inner + stringify(v, inner)).join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(value).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return '{}';
  return `{\n${entries.map(([k, v]) => `${inner}${JSON.stringify(k)}: ${stringify(v, inner)}`).join(',\n')}\n${indent}}`;
}

/** Which series `runToCsv` writes: the tree totals, the system, or one process by PID. */
export type CsvScope = 'tree' | 'system' | number;

/**
 * One series as CSV (RFC 4180 quoting, LF line ends): a header of column names (timestamp first), one row per sample, an empty
 * cell for null, numbers in their shortest exact form (String(n) round-trips every double).
 * A scope the run does not have is PerfscopeError('EUSAGE').
 */
export function runToCsv(run: RunData, scope: CsvScope = 'tree'): string {
  const series = seriesOf(run, scope);
  const names = Object.keys(series);
  const cols = names.map((n) => series[n]!);
  const n = series.timestamp.length;
  const lines: string[] = [names.map(csvField).join(',')];
  for (let r = 0; r < n; r++) {
    let line = '';
    for (let c = 0; c < cols.length; c++) {
      const v = cols[c]![r];
      if (c > 0) line += ',';
      if (v != null) line += String(v);
    }
    lines.push(line);
  }
  return `${lines.join('\n')}\n`;
}

function seriesOf(run: RunData, scope: CsvScope): SeriesColumns {
  if (scope === 'tree') return run.samples;
  if (scope === 'system') {
    if (!run.system) throw usageError(`no system series in run ${run.meta.id ?? '(file)'} (it was recorded without one)`);
    return run.system;
  }
  const p = run.processes?.find((x) => x.pid === scope);
  if (!p) {
    const pids = run.processes?.map((x) => x.pid).join(', ');
    throw usageError(`no process ${scope} in run ${run.meta.id ?? '(file)'}${pids ? ` (processes: ${pids})` : ' (no per-process series)'}`);
  }
  return p.samples;
}

function csvField(s: string): string {
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
