/**
 * A recorded run as OpenMetrics 1.0 text with timestamps, for backfilling a Prometheus:
 * `promtool tsdb create-blocks-from openmetrics FILE DATA_DIR`, then start Prometheus on DATA_DIR.
 *
 * Series are named by the series catalogue (run-series.ts). Every series carries `run_id` and `host`;
 * per-process series add `pid` and `comm`. Families are
 * contiguous and each series is written in timestamp order (what promtool requires); a null (not
 * measured) writes no sample. `perfscope_run_info` marks the run's start and end with its command.
 */
import type { RunData, SeriesColumns } from '../core/run-data.js';
import { columnFamily, type ColumnFamily, type RunScope } from './run-series.js';

interface SeriesRef {
  labels: string;
  timestamps: readonly number[];
  values: readonly (number | null)[];
  scale: number;
}

interface Family {
  name: string;
  def: ColumnFamily;
  series: SeriesRef[];
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function labelPairs(pairs: readonly (readonly [string, string])[]): string {
  return pairs.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',');
}

function formatNumber(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

/** Epoch seconds with millisecond precision. */
function formatTimestamp(startedAtMs: number, t: number): string {
  return (Math.round(startedAtMs + t * 1000) / 1000).toFixed(3);
}

/** Writes `run` as OpenMetrics text (ending with `# EOF`). */
export function runToOpenMetrics(run: RunData): string {
  const meta = run.meta;
  const runId = meta.id === null ? 'file' : String(meta.id);
  const base: [string, string][] = [
    ['run_id', runId],
    ['host', meta.host],
  ];
  const families = new Map<string, Family>();
  const add = (scope: RunScope, cols: SeriesColumns, extra: [string, string][]): void => {
    for (const column of Object.keys(cols)) {
      if (column === 'timestamp') continue;
      const def = columnFamily(scope, column);
      const name = def.name;
      let f = families.get(name);
      if (f === undefined) families.set(name, (f = { name, def, series: [] }));
      f.series.push({ labels: labelPairs([...base, ...extra, ...def.labels]), timestamps: cols.timestamp, values: cols[column]!, scale: def.scale });
    }
  };
  add('tree', run.samples, []);
  for (const p of run.processes ?? []) add('process', p.samples, [['pid', String(p.pid)], ['comm', p.comm]]);
  if (run.system) add('system', run.system, []);

  const out: string[] = [];
  const end = meta.endedAtMs ?? meta.startedAtMs + 1000 * (run.samples.timestamp.at(-1) ?? 0);
  const command = meta.command === null ? `watch ${meta.pid}` : meta.command.join(' ');
  out.push(
    '# TYPE perfscope_run info',
    '# HELP perfscope_run A recorded run: its command and root PID (at its start and end).',
    `perfscope_run_info{${labelPairs([...base, ['pid', String(meta.pid)], ['command', command.length > 512 ? `${command.slice(0, 509)}...` : command]])}} 1 ${formatTimestamp(meta.startedAtMs, 0)}`,
  );
  if (end > meta.startedAtMs) {
    out.push(`${out[2]!.slice(0, out[2]!.lastIndexOf(' '))} ${formatTimestamp(end, 0)}`);
  }
  for (const f of families.values()) {
    const { def } = f;
    out.push(`# TYPE ${f.name} ${def.type}`);
    if (def.unit !== '') out.push(`# UNIT ${f.name} ${def.unit}`);
    out.push(`# HELP ${f.name} ${escapeHelp(def.help)}`);
    const sample = def.type === 'counter' ? `${f.name}_total` : f.name;
    for (const s of f.series) {
      const prefix = `${sample}{${s.labels}} `;
      let last = -Infinity;
      for (let i = 0; i < s.values.length; i++) {
        const v = s.values[i];
        if (v === null || v === undefined) continue;
        const ts = formatTimestamp(meta.startedAtMs, s.timestamps[i]!);
        // two samples of one series at the same millisecond would be rejected: keep the first
        const tsNum = Number(ts);
        if (tsNum <= last) continue;
        last = tsNum;
        out.push(`${prefix}${formatNumber(s.scale === 1 ? v : v * s.scale)} ${ts}`);
      }
    }
  }
  out.push('# EOF', '');
  return out.join('\n');
}
