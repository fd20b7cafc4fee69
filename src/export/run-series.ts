/**
 * Run columns -> OpenMetrics families: name, type, unit, help and the label a dynamic column carries.
 *
 * TEMPORARY: this table must be replaced by the declared series catalogue of src/sampling/ (name,
 * unit, counter/gauge, help, label keys of every sampled column) when it lands; it is the only place
 * in export/ that names a run column, so the swap is this file. Family names are
 * `perfscope_<scope>_<name>`, scope being `tree` (the run's totals), `process` (one per PID) or
 * `system`; a column not in the table is still exported, as a gauge named after it.
 */

export type RunScope = 'tree' | 'process' | 'system';

export interface ColumnFamily {
  /** Family name without the `perfscope_<scope>_` prefix; ends with `_<unit>` when there is a unit. */
  readonly name: string;
  readonly type: 'counter' | 'gauge';
  /** OpenMetrics unit ('' for none). */
  readonly unit: string;
  readonly help: string;
  /** For a dynamic column (`disk_sda_read_bytes`): the label name and its value. */
  readonly label?: readonly [string, string];
}

type Def = readonly [name: string, type: 'counter' | 'gauge', unit: string, help: string];

/** Columns of a process or of the tree totals (docs/run-format.md, `samples`). */
const PROCESS_COLUMNS: Readonly<Record<string, Def>> = {
  cpu_percent: ['cpu_percent', 'gauge', 'percent', 'CPU use in % of one core (100 = one full core)'],
  cpu_percent_machine: ['cpu_machine_percent', 'gauge', 'percent', 'CPU use in % of the machine (or of the cgroup CPU quota)'],
  cpu_user_seconds: ['cpu_user_seconds', 'counter', 'seconds', 'User CPU time'],
  cpu_system_seconds: ['cpu_system_seconds', 'counter', 'seconds', 'System CPU time'],
  memory_percent: ['memory_percent', 'gauge', 'percent', 'Resident memory in % of MemTotal'],
  memory_limit_percent: ['memory_limit_percent', 'gauge', 'percent', 'Resident memory in % of the cgroup memory limit'],
  rss_bytes: ['rss_bytes', 'gauge', 'bytes', 'Resident set size'],
  vms_bytes: ['vms_bytes', 'gauge', 'bytes', 'Virtual memory size'],
  swap_bytes: ['swap_bytes', 'gauge', 'bytes', 'Swapped-out memory'],
  uss_bytes: ['uss_bytes', 'gauge', 'bytes', 'Unique set size (smaps_rollup)'],
  pss_bytes: ['pss_bytes', 'gauge', 'bytes', 'Proportional set size (smaps_rollup)'],
  io_read_bytes: ['io_read_bytes', 'counter', 'bytes', 'Bytes read from storage'],
  io_write_bytes: ['io_write_bytes', 'counter', 'bytes', 'Bytes written to storage'],
  io_read_chars: ['io_read_chars_bytes', 'counter', 'bytes', 'Bytes read through read syscalls (cache and pipes included)'],
  io_write_chars: ['io_write_chars_bytes', 'counter', 'bytes', 'Bytes written through write syscalls (cache and pipes included)'],
  io_read_syscalls: ['io_read_syscalls', 'counter', '', 'Read syscalls'],
  io_write_syscalls: ['io_write_syscalls', 'counter', '', 'Write syscalls'],
  num_procs: ['processes', 'gauge', '', 'Live processes of the tree'],
  num_threads: ['threads', 'gauge', '', 'Threads'],
  num_fds: ['open_fds', 'gauge', '', 'Open file descriptors'],
  ctx_switches_voluntary: ['voluntary_context_switches', 'counter', '', 'Voluntary context switches'],
  ctx_switches_involuntary: ['involuntary_context_switches', 'counter', '', 'Involuntary context switches'],
  page_faults_minor: ['minor_page_faults', 'counter', '', 'Minor page faults'],
  page_faults_major: ['major_page_faults', 'counter', '', 'Major page faults'],
  event_loop_delay_p50_seconds: ['event_loop_delay_p50_seconds', 'gauge', 'seconds', 'Event-loop delay, median over the interval'],
  event_loop_delay_p99_seconds: ['event_loop_delay_p99_seconds', 'gauge', 'seconds', 'Event-loop delay, 99th percentile over the interval'],
  event_loop_delay_max_seconds: ['event_loop_delay_max_seconds', 'gauge', 'seconds', 'Event-loop delay, maximum over the interval'],
  event_loop_utilization: ['event_loop_utilization_ratio', 'gauge', 'ratio', 'Event-loop utilisation over the interval (0..1)'],
  heap_used_bytes: ['heap_used_bytes', 'gauge', 'bytes', 'V8 heap used'],
  heap_total_bytes: ['heap_total_bytes', 'gauge', 'bytes', 'V8 heap total'],
  gc_pause_seconds: ['gc_pause_seconds', 'gauge', 'seconds', 'GC pause time within the interval'],
  gc_count: ['gc_collections', 'gauge', '', 'Garbage collections within the interval'],
};

/** System columns (docs/run-format.md, `system`). */
const SYSTEM_COLUMNS: Readonly<Record<string, Def>> = {
  cpu_percent: ['cpu_percent', 'gauge', 'percent', 'Busy share of all CPUs (idle and iowait are not busy)'],
  cpu_user_percent: ['cpu_user_percent', 'gauge', 'percent', 'User share of all CPUs'],
  cpu_system_percent: ['cpu_system_percent', 'gauge', 'percent', 'System share of all CPUs'],
  cpu_iowait_percent: ['cpu_iowait_percent', 'gauge', 'percent', 'I/O wait share of all CPUs'],
  cpu_steal_percent: ['cpu_steal_percent', 'gauge', 'percent', 'Steal share of all CPUs'],
  memory_used_bytes: ['memory_used_bytes', 'gauge', 'bytes', 'Memory used (total - available)'],
  memory_available_bytes: ['memory_available_bytes', 'gauge', 'bytes', 'Memory available'],
  memory_percent: ['memory_percent', 'gauge', 'percent', 'Memory used in % of total'],
  swap_used_bytes: ['swap_used_bytes', 'gauge', 'bytes', 'Swap used'],
  swap_percent: ['swap_percent', 'gauge', 'percent', 'Swap used in % of total'],
  load1: ['load1', 'gauge', '', '1-minute load average'],
  load5: ['load5', 'gauge', '', '5-minute load average'],
  load15: ['load15', 'gauge', '', '15-minute load average'],
  procs_running: ['procs_running', 'gauge', '', 'Runnable processes'],
  procs_blocked: ['procs_blocked', 'gauge', '', 'Processes blocked on I/O'],
  context_switches_per_second: ['context_switches_per_second', 'gauge', '', 'Context switches per second over the interval'],
  disk_read_bytes: ['disk_read_bytes', 'counter', 'bytes', 'Bytes read from all disks since boot'],
  disk_write_bytes: ['disk_write_bytes', 'counter', 'bytes', 'Bytes written to all disks since boot'],
  net_rx_bytes: ['network_receive_bytes', 'counter', 'bytes', 'Bytes received on all interfaces but lo since boot'],
  net_tx_bytes: ['network_transmit_bytes', 'counter', 'bytes', 'Bytes sent on all interfaces but lo since boot'],
};

/** Dynamic system columns: one family, the varying part as a label. */
const SYSTEM_PATTERNS: readonly (readonly [RegExp, string, Def])[] = [
  [/^cpu(\d+)_percent$/, 'cpu', ['cpu_core_percent', 'gauge', 'percent', 'Busy share of one CPU']],
  [/^disk_(.+)_read_bytes$/, 'device', ['disk_device_read_bytes', 'counter', 'bytes', 'Bytes read from one disk since boot']],
  [/^disk_(.+)_write_bytes$/, 'device', ['disk_device_write_bytes', 'counter', 'bytes', 'Bytes written to one disk since boot']],
  [/^net_(.+)_rx_bytes$/, 'device', ['network_device_receive_bytes', 'counter', 'bytes', 'Bytes received on one interface since boot']],
  [/^net_(.+)_tx_bytes$/, 'device', ['network_device_transmit_bytes', 'counter', 'bytes', 'Bytes sent on one interface since boot']],
];

/** The family a column belongs to in `scope`. */
export function columnFamily(scope: RunScope, column: string): ColumnFamily {
  const table = scope === 'system' ? SYSTEM_COLUMNS : PROCESS_COLUMNS;
  const d = Object.prototype.hasOwnProperty.call(table, column) ? table[column] : undefined;
  if (d !== undefined) return { name: d[0], type: d[1], unit: d[2], help: d[3] };
  if (scope === 'system') {
    for (const [re, label, p] of SYSTEM_PATTERNS) {
      const m = re.exec(column);
      if (m) return { name: p[0], type: p[1], unit: p[2], help: p[3], label: [label, m[1]!] };
    }
  }
  return { name: column.replace(/[^a-zA-Z0-9_]/g, '_'), type: 'gauge', unit: '', help: `perfscope run column ${column}` };
}
