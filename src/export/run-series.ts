/**
 * Run columns -> OpenMetrics families, through the series catalogue (src/sampling/catalogue.ts): a
 * column's family is its declaration's canonical metric (the name `sampleSeries()` and remote_write
 * use), without `_total` for counters, with the declaration's constant labels (`mode="user"`) and the
 * labels folded into the column (`cpu`, `device`, `iface`); values are scaled to the base unit
 * (percent becomes a 0..1 ratio). A column the catalogue does not know (a newer perfscope's) is still
 * exported, as a gauge named after it.
 */
import { parseColumn } from '../sampling/catalogue.js';

export type RunScope = 'tree' | 'process' | 'system';

export interface ColumnFamily {
  /** The family name; ends with `_<unit>` when there is a unit (an OpenMetrics rule). */
  readonly name: string;
  readonly type: 'counter' | 'gauge';
  /** OpenMetrics unit ('' for none). */
  readonly unit: string;
  readonly help: string;
  /** Labels that tell this column's series apart within the family. */
  readonly labels: readonly (readonly [string, string])[];
  /** Factor from the column's values to the family's unit. */
  readonly scale: number;
}

/** The family a column belongs to in `scope`. */
export function columnFamily(scope: RunScope, column: string): ColumnFamily {
  const r = parseColumn(scope, column);
  if (r === null) {
    const name = `perfscope_${scope}_${column.replace(/[^a-zA-Z0-9_]/g, '_')}`;
    return { name, type: 'gauge', unit: '', help: `perfscope run column ${column}`, labels: [], scale: 1 };
  }
  const d = r.decl;
  const labels: [string, string][] = [...Object.entries(d.metricLabels), ...Object.entries(r.labels as Record<string, string>)];
  return {
    name: d.kind === 'counter' ? d.metric.replace(/_total$/, '') : d.metric,
    type: d.kind,
    unit: d.baseUnit,
    help: d.help,
    labels,
    scale: d.baseScale,
  };
}
