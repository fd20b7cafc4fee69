/**
 * One sample as Prometheus-style series values: (metric name, labels, value) under perfscope's canonical
 * names from the catalogue, values in the metric's base unit (percent becomes a 0..1 ratio). What
 * `/metrics`, remote_write and OTLP exporters start from; serve maps these names to node_exporter's and
 * process-exporter's on top.
 */
import { parseColumn, type ResolvedColumn, type SeriesDecl } from './catalogue.js';
import type { Sample } from './sample.js';

/** One value of one series. */
export interface SeriesValue {
  /** The canonical metric name (`perfscope_process_cpu_seconds_total`). */
  name: string;
  /** The caller's extra labels, the declaration's constant labels, then the row's (pid, cpu, device, iface). */
  labels: Record<string, string>;
  /** In the metric's base unit. */
  value: number;
  /** Kind, unit and help of the series, for HELP/TYPE/UNIT lines. */
  decl: SeriesDecl;
}

type RowName = 'tree' | 'process' | 'system';

/** Column → declaration lookups, memoised (folded columns cost a regex each otherwise); bounded. */
const resolved: Record<RowName, Map<string, ResolvedColumn | null>> = { tree: new Map(), process: new Map(), system: new Map() };
const maxResolved = 4096;

function resolve(row: RowName, column: string): ResolvedColumn | null {
  const cache = resolved[row];
  let r = cache.get(column);
  if (r === undefined) {
    r = parseColumn(row, column);
    // Interfaces come and go (containers): forget everything rather than grow without bound.
    if (cache.size >= maxResolved) cache.clear();
    cache.set(column, r);
  }
  return r;
}

function pushRow(out: SeriesValue[], row: RowName, values: Readonly<Record<string, number | null | undefined>>, labels: Readonly<Record<string, string>>): void {
  for (const column in values) {
    const v = values[column];
    if (v === null || v === undefined || v !== v) continue; // not measured (NaN too)
    const r = resolve(row, column);
    if (r === null) continue; // not declared: a column of a newer perfscope, or not a series
    out.push({
      name: r.decl.metric,
      labels: { ...labels, ...r.decl.metricLabels, ...(r.labels as Record<string, string>) },
      value: v * r.decl.baseScale,
      decl: r.decl,
    });
  }
}

/**
 * The series values of one sample: its tree row (runtime columns included), its system row and each
 * per-process row (labelled `pid`). Columns that were not measured (null) give no value. `labels` are
 * added to every value (e.g. serve's `group`); they must not use the catalogue's label keys.
 */
export function sampleSeries(sample: Sample, labels: Readonly<Record<string, string>> = {}): SeriesValue[] {
  const out: SeriesValue[] = [];
  pushRow(out, 'tree', sample.tree, labels);
  if (sample.system !== null) pushRow(out, 'system', sample.system, labels);
  if (sample.processes !== null) {
    for (const [pid, row] of sample.processes) pushRow(out, 'process', row, { ...labels, pid: String(pid) });
  }
  return out;
}
