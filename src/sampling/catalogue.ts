/**
 * The series catalogue: every series the Sampler produces, declared once — its run-format column, unit,
 * kind (gauge or counter), help text, label keys and its canonical Prometheus name. Producers (rows.ts,
 * runtime.ts) write rows typed by it, consumers read columns through its typed views, RunMeta.units is
 * generated from it, and exporters translate a sample into (series name, labels, value) triples with it
 * (sample-series.ts). A column name that is not declared here is a type error.
 *
 * Labels folded into column names. The run format (docs/run-format.md) keeps one column per label
 * value — `cpu0_percent`, `disk_sda_read_bytes`, `net_eth0_rx_bytes` — so a labelled series is declared
 * once with a pattern (`cpu{cpu}_percent`, `disk_{device}_read_bytes`) and `columnName`/`parseColumn`
 * map both ways. In a column, a label value has every character outside [A-Za-z0-9_] replaced by '_'
 * (`labelSafe`, as the format always did): names already in that alphabet (sda, nvme0n1, eth0) come back
 * exactly, others (dm-0, br-1a2b) come back in their column-safe form (dm_0, br_1a2b). The per-process
 * series' `pid` label is the key of their row, not part of the column.
 */
import type { SeriesColumns } from '../core/run-data.js';

export type SeriesKind = 'gauge' | 'counter';
/** The unit of a column's values. `percent` columns are 0-100 (more for CPU over several cores). */
export type SeriesUnit = 'seconds' | 'bytes' | 'percent' | 'ratio' | 'count' | 'per_second';
/** Prometheus base units: values are multiplied by `baseScale` on the way (percent becomes a ratio). */
export type BaseUnit = 'seconds' | 'bytes' | 'ratio' | '';
export type LabelKey = 'pid' | 'cpu' | 'device' | 'iface';
/** The row a series lives in; runtime series are columns of the tree row (`samples` in the run format). */
export type SeriesScope = 'tree' | 'process' | 'system' | 'runtime';

/** One declared series. */
export interface SeriesDecl {
  /** The run-format column; a label folded into the name appears as `{key}` (`cpu{cpu}_percent`). */
  readonly column: string;
  readonly scope: SeriesScope;
  readonly kind: SeriesKind;
  readonly unit: SeriesUnit;
  /** One line: what the value is and where it comes from. */
  readonly help: string;
  /** Label keys of the series: `pid` for per-process series, then the keys folded into the column. */
  readonly labels: readonly LabelKey[];
  /** The canonical Prometheus metric name (perfscope's own; node_exporter-style names are serve's mapping). */
  readonly metric: string;
  /** Constant labels that tell series of one metric apart (`mode="user"`). */
  readonly metricLabels: Readonly<Record<string, string>>;
  /** The Prometheus base unit of `metric`, and the factor from the column's unit to it. */
  readonly baseUnit: BaseUnit;
  readonly baseScale: number;
  /** The column's entry in RunMeta.units. */
  readonly unitText: string;
}

interface Spec {
  kind: SeriesKind;
  unit: SeriesUnit;
  metric: string;
  help: string;
  metricLabels?: Record<string, string>;
  /** RunMeta.units text, where it predates the catalogue (kept byte for byte); else generated. */
  unitText?: string;
}

const gauge = (unit: SeriesUnit, metric: string, help: string, more?: Partial<Spec>): Spec => ({ kind: 'gauge', unit, metric, help, ...more });
const counter = (unit: SeriesUnit, metric: string, help: string, more?: Partial<Spec>): Spec => ({ kind: 'counter', unit, metric, help, ...more });

const unitWords: Record<SeriesUnit, string> = {
  seconds: 'seconds',
  bytes: 'bytes',
  percent: '%',
  ratio: 'ratio 0..1',
  count: 'count',
  per_second: 'per second',
};

function declare<const K extends string>(scope: SeriesScope, specs: Record<K, Spec>): { readonly [P in K]: SeriesDecl & { readonly column: P } } {
  const out: Record<string, SeriesDecl> = {};
  for (const column in specs) {
    const s = specs[column];
    const folded = [...column.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as LabelKey);
    const percent = s.unit === 'percent';
    const baseUnit: BaseUnit = percent || s.unit === 'ratio' ? 'ratio' : s.unit === 'seconds' || s.unit === 'bytes' ? s.unit : '';
    out[column] = Object.freeze({
      column,
      scope,
      kind: s.kind,
      unit: s.unit,
      help: s.help,
      labels: Object.freeze(scope === 'process' ? (['pid', ...folded] as LabelKey[]) : folded),
      metric: s.metric,
      metricLabels: Object.freeze({ ...s.metricLabels }),
      baseUnit,
      baseScale: percent ? 0.01 : 1,
      unitText: s.unitText ?? `${unitWords[s.unit]}: ${s.help}`,
    });
  }
  return Object.freeze(out) as { readonly [P in K]: SeriesDecl & { readonly column: P } };
}

/** The tree row (`samples` in the run format): the root and its live descendants, or the single process. */
export const treeSeries = declare('tree', {
  cpu_percent: gauge('percent', 'perfscope_tree_cpu_usage_ratio', 'CPU use of the tree over the interval, 100 = one full core (can exceed 100)', {
    unitText: '% of one core (100 = one full core; psutil convention)',
  }),
  cpu_percent_machine: gauge('percent', 'perfscope_tree_cpu_machine_usage_ratio', 'cpu_percent divided by the cores, or by the cgroup CPU quota when one is set', {
    unitText: '% of all cores (or of the cgroup CPU quota)',
  }),
  cpu_user_seconds: counter('seconds', 'perfscope_tree_cpu_seconds_total', 'CPU time of the tree in user mode, exited children included', { metricLabels: { mode: 'user' } }),
  cpu_system_seconds: counter('seconds', 'perfscope_tree_cpu_seconds_total', 'CPU time of the tree in kernel mode, exited children included', { metricLabels: { mode: 'system' } }),
  memory_percent: gauge('percent', 'perfscope_tree_memory_usage_ratio', 'resident memory of the tree as a share of physical memory (Σ RSS / MemTotal)', {
    unitText: '% of physical memory (RSS / MemTotal, psutil convention)',
  }),
  memory_limit_percent: gauge('percent', 'perfscope_tree_memory_limit_usage_ratio', 'resident memory of the tree as a share of the cgroup memory limit; null when none applies', {
    unitText: '% of the cgroup memory limit (null when none applies)',
  }),
  rss_bytes: gauge('bytes', 'perfscope_tree_resident_memory_bytes', 'Σ VmRSS of the live processes'),
  vms_bytes: gauge('bytes', 'perfscope_tree_virtual_memory_bytes', 'Σ VmSize of the live processes'),
  swap_bytes: gauge('bytes', 'perfscope_tree_swap_bytes', 'Σ VmSwap of the live processes'),
  uss_bytes: gauge('bytes', 'perfscope_tree_unique_memory_bytes', 'Σ USS (private pages, smaps_rollup) of the live processes; with smaps only'),
  pss_bytes: gauge('bytes', 'perfscope_tree_proportional_memory_bytes', 'Σ PSS (smaps_rollup) of the live processes; with smaps only'),
  io_read_bytes: counter('bytes', 'perfscope_tree_io_read_bytes_total', 'bytes the tree read from storage', {
    unitText: 'bytes read from storage since the run started (cumulative, tree incl. exited children)',
  }),
  io_write_bytes: counter('bytes', 'perfscope_tree_io_write_bytes_total', 'bytes the tree wrote to storage', {
    unitText: 'bytes written to storage since the run started (cumulative)',
  }),
  io_read_chars: counter('bytes', 'perfscope_tree_io_syscall_read_bytes_total', 'bytes the tree passed to read-like syscalls, cache and pipes included', {
    unitText: 'bytes passed to read-like syscalls, cache and pipes included (cumulative)',
  }),
  io_write_chars: counter('bytes', 'perfscope_tree_io_syscall_write_bytes_total', 'bytes the tree passed to write-like syscalls', {
    unitText: 'bytes passed to write-like syscalls (cumulative)',
  }),
  io_read_syscalls: counter('count', 'perfscope_tree_io_read_syscalls_total', 'read-like syscalls of the tree (syscr)'),
  io_write_syscalls: counter('count', 'perfscope_tree_io_write_syscalls_total', 'write-like syscalls of the tree (syscw)'),
  num_procs: gauge('count', 'perfscope_tree_processes', 'live processes in the tree', { unitText: 'live processes in the tree' }),
  num_threads: gauge('count', 'perfscope_tree_threads', 'threads of the live processes'),
  num_fds: gauge('count', 'perfscope_tree_open_fds', 'open file descriptors of the live processes'),
  ctx_switches_voluntary: counter('count', 'perfscope_tree_context_switches_total', 'voluntary context switches of the tree', { metricLabels: { type: 'voluntary' } }),
  ctx_switches_involuntary: counter('count', 'perfscope_tree_context_switches_total', 'involuntary context switches of the tree', { metricLabels: { type: 'involuntary' } }),
  page_faults_minor: counter('count', 'perfscope_tree_page_faults_total', 'minor page faults of the tree', { metricLabels: { type: 'minor' } }),
  page_faults_major: counter('count', 'perfscope_tree_page_faults_total', 'major page faults of the tree', { metricLabels: { type: 'major' } }),
  peak_rss_bytes: gauge(
    'bytes',
    'perfscope_tree_max_process_peak_resident_memory_bytes',
    "the kernel's peak RSS (VmHWM) of the tree's largest process so far, exited ones included (ru_maxrss's meaning); since each process started",
  ),
});

/** Figures of the Node process perfscope runs in (`runtime`): extra columns of the tree row. */
export const runtimeSeries = declare('runtime', {
  event_loop_delay_p50_seconds: gauge('seconds', 'perfscope_runtime_event_loop_delay_p50_seconds', 'median event-loop delay over the interval (10 ms probe)'),
  event_loop_delay_p99_seconds: gauge('seconds', 'perfscope_runtime_event_loop_delay_p99_seconds', '99th percentile event-loop delay over the interval'),
  event_loop_delay_max_seconds: gauge('seconds', 'perfscope_runtime_event_loop_delay_max_seconds', 'longest event-loop delay over the interval'),
  event_loop_utilization: gauge('ratio', 'perfscope_runtime_event_loop_utilization_ratio', 'share of the interval the event loop was busy (libuv)'),
  heap_used_bytes: gauge('bytes', 'perfscope_runtime_heap_used_bytes', 'V8 heap in use'),
  heap_total_bytes: gauge('bytes', 'perfscope_runtime_heap_total_bytes', 'V8 heap reserved'),
  gc_pause_seconds: gauge('seconds', 'perfscope_runtime_gc_pause_seconds', 'time in GC pauses that ended during the interval'),
  gc_count: gauge('count', 'perfscope_runtime_gc_collections', 'GC pauses that ended during the interval'),
});

/** One process of the tree (`processes[].samples`); its counters count from the process's start. */
export const processSeries = declare('process', {
  cpu_percent: gauge('percent', 'perfscope_process_cpu_usage_ratio', 'CPU use of the process over the interval, 100 = one full core'),
  cpu_user_seconds: counter('seconds', 'perfscope_process_cpu_seconds_total', 'CPU time of the process in user mode since it started', { metricLabels: { mode: 'user' } }),
  cpu_system_seconds: counter('seconds', 'perfscope_process_cpu_seconds_total', 'CPU time of the process in kernel mode since it started', { metricLabels: { mode: 'system' } }),
  memory_percent: gauge('percent', 'perfscope_process_memory_usage_ratio', 'resident memory of the process as a share of physical memory (RSS / MemTotal)'),
  rss_bytes: gauge('bytes', 'perfscope_process_resident_memory_bytes', 'VmRSS of the process'),
  vms_bytes: gauge('bytes', 'perfscope_process_virtual_memory_bytes', 'VmSize of the process'),
  uss_bytes: gauge('bytes', 'perfscope_process_unique_memory_bytes', 'USS (private pages, smaps_rollup) of the process; with smaps only'),
  pss_bytes: gauge('bytes', 'perfscope_process_proportional_memory_bytes', 'PSS (smaps_rollup) of the process; with smaps only'),
  io_read_bytes: counter('bytes', 'perfscope_process_io_read_bytes_total', 'bytes the process read from storage since it started (reaped children included)'),
  io_write_bytes: counter('bytes', 'perfscope_process_io_write_bytes_total', 'bytes the process wrote to storage since it started (reaped children included)'),
  num_threads: gauge('count', 'perfscope_process_threads', 'threads of the process'),
  num_fds: gauge('count', 'perfscope_process_open_fds', 'open file descriptors of the process'),
  peak_rss_bytes: gauge('bytes', 'perfscope_process_peak_resident_memory_bytes', "the kernel's peak RSS of the process since it started (VmHWM)"),
});

/** The whole system (`system`): levels, shares over the interval, and counters since boot. */
export const systemSeries = declare('system', {
  memory_used_bytes: gauge('bytes', 'perfscope_system_memory_used_bytes', 'MemTotal − MemAvailable'),
  memory_available_bytes: gauge('bytes', 'perfscope_system_memory_available_bytes', 'MemAvailable'),
  memory_percent: gauge('percent', 'perfscope_system_memory_usage_ratio', 'memory used as a share of MemTotal'),
  swap_used_bytes: gauge('bytes', 'perfscope_system_swap_used_bytes', 'SwapTotal − SwapFree'),
  swap_percent: gauge('percent', 'perfscope_system_swap_usage_ratio', 'swap used as a share of SwapTotal (0 when there is no swap)'),
  load1: gauge('count', 'perfscope_system_load1', '1-minute load average'),
  load5: gauge('count', 'perfscope_system_load5', '5-minute load average'),
  load15: gauge('count', 'perfscope_system_load15', '15-minute load average'),
  procs_running: gauge('count', 'perfscope_system_procs_running', 'runnable tasks (/proc/stat procs_running)'),
  procs_blocked: gauge('count', 'perfscope_system_procs_blocked', 'tasks blocked on I/O (/proc/stat procs_blocked)'),
  cpu_percent: gauge('percent', 'perfscope_system_cpu_usage_ratio', 'busy share of all CPUs over the interval (idle and iowait are not busy)'),
  cpu_user_percent: gauge('percent', 'perfscope_system_cpu_mode_usage_ratio', 'share of all CPUs in user and nice mode', { metricLabels: { mode: 'user' } }),
  cpu_system_percent: gauge('percent', 'perfscope_system_cpu_mode_usage_ratio', 'share of all CPUs in kernel mode, interrupts included', { metricLabels: { mode: 'system' } }),
  cpu_iowait_percent: gauge('percent', 'perfscope_system_cpu_mode_usage_ratio', 'share of all CPUs idle with I/O outstanding', { metricLabels: { mode: 'iowait' } }),
  cpu_steal_percent: gauge('percent', 'perfscope_system_cpu_mode_usage_ratio', 'share of all CPUs taken by the hypervisor', { metricLabels: { mode: 'steal' } }),
  'cpu{cpu}_percent': gauge('percent', 'perfscope_system_cpu_core_usage_ratio', 'busy share of one CPU over the interval'),
  context_switches_per_second: gauge('per_second', 'perfscope_system_context_switches_per_second', 'context switches of the whole system over the interval'),
  disk_read_bytes: counter('bytes', 'perfscope_system_disks_read_bytes_total', 'bytes read from all whole disks since boot'),
  disk_write_bytes: counter('bytes', 'perfscope_system_disks_write_bytes_total', 'bytes written to all whole disks since boot'),
  net_rx_bytes: counter('bytes', 'perfscope_system_networks_receive_bytes_total', 'bytes received on all interfaces but lo since boot'),
  net_tx_bytes: counter('bytes', 'perfscope_system_networks_transmit_bytes_total', 'bytes sent on all interfaces but lo since boot'),
  'disk_{device}_read_bytes': counter('bytes', 'perfscope_system_disk_read_bytes_total', 'bytes read from one whole disk since boot'),
  'disk_{device}_write_bytes': counter('bytes', 'perfscope_system_disk_write_bytes_total', 'bytes written to one whole disk since boot'),
  'net_{iface}_rx_bytes': counter('bytes', 'perfscope_system_network_receive_bytes_total', 'bytes received on one interface since boot'),
  'net_{iface}_tx_bytes': counter('bytes', 'perfscope_system_network_transmit_bytes_total', 'bytes sent on one interface since boot'),
});

/** Declared column names (a folded series by its pattern) of each row. */
export type TreeColumn = keyof typeof treeSeries;
export type RuntimeColumn = keyof typeof runtimeSeries;
export type ProcessColumn = keyof typeof processSeries;
export type SystemColumn = keyof typeof systemSeries;

type LabelText<K extends string> = K extends 'cpu' ? `${number}` : string;
/** The column names a pattern stands for: `cpu{cpu}_percent` is `cpu${number}_percent`. */
export type ColumnOf<P extends string> = P extends `${infer A}{${infer K}}${infer B}` ? `${A}${LabelText<K>}${ColumnOf<B>}` : P;
type RowOf<P extends string> = { [C in ColumnOf<P>]: number | null };

/** One sample's rows, typed by the catalogue: a column that is not declared is a type error. */
export type TreeRow = RowOf<TreeColumn>;
export type RuntimeRow = RowOf<RuntimeColumn>;
export type ProcessRow = RowOf<ProcessColumn>;
export type SystemRow = RowOf<SystemColumn>;

/** Recorded columns (RunData's SeriesColumns) viewed through the catalogue: typed names, each maybe absent. */
export type ColumnsOf<P extends string> = { readonly timestamp: number[] } & { readonly [C in ColumnOf<P>]?: (number | null)[] };
export type TreeColumns = ColumnsOf<TreeColumn | RuntimeColumn>;
export type ProcessColumns = ColumnsOf<ProcessColumn>;
export type SystemColumns = ColumnsOf<SystemColumn>;

/** `run.samples` through the catalogue (the same object, typed). */
export function treeColumns(columns: SeriesColumns): TreeColumns {
  return columns as TreeColumns;
}

/** `processes[i].samples` through the catalogue. */
export function processColumns(columns: SeriesColumns): ProcessColumns {
  return columns as ProcessColumns;
}

/** `run.system` through the catalogue. */
export function systemColumns(columns: SeriesColumns): SystemColumns {
  return columns as SystemColumns;
}

/** Every declaration, in row order: tree, runtime, process, system. */
export const allSeries: readonly SeriesDecl[] = Object.freeze([
  ...Object.values<SeriesDecl>(treeSeries),
  ...Object.values<SeriesDecl>(runtimeSeries),
  ...Object.values<SeriesDecl>(processSeries),
  ...Object.values<SeriesDecl>(systemSeries),
]);

/** A label value as it appears in a column name: every character outside [A-Za-z0-9_] becomes '_'. */
export function labelSafe(value: string): string {
  return value.replace(/[^A-Za-z0-9_]/g, '_');
}

/**
 * The column of `decl` for these values of its folded labels (`pid` is not folded: ignored), e.g.
 * `columnName(systemSeries['disk_{device}_read_bytes'], { device: 'sda' })` is 'disk_sda_read_bytes'.
 * A folded label without a value is a TypeError (a programming error, not data).
 */
export function columnName(decl: SeriesDecl, labels: Readonly<Partial<Record<LabelKey, string | number>>> = {}): string {
  return decl.column.replace(/\{(\w+)\}/g, (_, key: LabelKey) => {
    const v = labels[key];
    if (v === undefined) throw new TypeError(`column ${decl.column} needs a value for label '${key}'`);
    return labelSafe(String(v));
  });
}

/**
 * A fast column-name builder for one folded label of `decl` (producers call it per device per tick):
 * `folder(systemSeries['disk_{device}_read_bytes'])('sda')` is 'disk_sda_read_bytes'.
 */
export function folder<P extends string>(decl: SeriesDecl & { column: P }): (value: string | number) => ColumnOf<P> {
  const m = /^(.*)\{\w+\}(.*)$/.exec(decl.column);
  if (m === null || m[1]!.includes('{')) throw new TypeError(`column ${decl.column} has not exactly one folded label`);
  const [, prefix, suffix] = m as unknown as [string, string, string];
  return (value) => (prefix + (typeof value === 'number' ? value : labelSafe(value)) + suffix) as ColumnOf<P>;
}

interface ColumnIndex {
  exact: Map<string, SeriesDecl>;
  folded: { decl: SeriesDecl; pattern: RegExp; keys: LabelKey[] }[];
}

function indexOf(...groups: { readonly [k: string]: SeriesDecl }[]): ColumnIndex {
  const index: ColumnIndex = { exact: new Map(), folded: [] };
  for (const group of groups) {
    for (const decl of Object.values(group)) {
      const keys = [...decl.column.matchAll(/\{(\w+)\}/g)].map((m) => m[1] as LabelKey);
      if (keys.length === 0) {
        index.exact.set(decl.column, decl);
        continue;
      }
      const source = decl.column
        .split(/\{\w+\}/)
        .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
        .join(keys.includes('cpu') ? '(\\d+)' : '(\\w+)');
      index.folded.push({ decl, pattern: new RegExp(`^${source}$`), keys });
    }
  }
  return index;
}

const columnIndexes: Record<'tree' | 'process' | 'system', ColumnIndex> = {
  tree: indexOf(treeSeries, runtimeSeries),
  process: indexOf(processSeries),
  system: indexOf(systemSeries),
};

/** A column resolved to its declaration and the values of its folded labels. */
export interface ResolvedColumn {
  decl: SeriesDecl;
  labels: Partial<Record<LabelKey, string>>;
}

/**
 * The declaration behind a column of a recorded row (`tree`: `samples`, runtime columns included;
 * `process`: a process's samples; `system`), with its folded label values; null for a column the
 * catalogue does not declare (`timestamp`, or a column of a newer perfscope). The inverse of `columnName`.
 */
export function parseColumn(row: 'tree' | 'process' | 'system', column: string): ResolvedColumn | null {
  const index = columnIndexes[row];
  const decl = index.exact.get(column);
  if (decl !== undefined) return { decl, labels: {} };
  for (const f of index.folded) {
    const m = f.pattern.exec(column);
    if (m === null) continue;
    const labels: Partial<Record<LabelKey, string>> = {};
    f.keys.forEach((k, i) => (labels[k] = m[i + 1]!));
    return { decl: f.decl, labels };
  }
  return null;
}

/**
 * RunMeta.units: the unit of every declared column. Tree and runtime columns by name (the ten entries
 * of the first format version unchanged), system columns as `system.<column>`, per-process columns as
 * `processes.<column>`; folded columns by their pattern (`system.cpu{cpu}_percent`).
 */
export function runUnits(): Record<string, string> {
  const units: Record<string, string> = { timestamp: 'seconds since the run started' };
  for (const d of allSeries) {
    const prefix = d.scope === 'system' ? 'system.' : d.scope === 'process' ? 'processes.' : '';
    units[prefix + d.column] = d.unitText;
  }
  return units;
}
