/**
 * Every series `perfscope serve` samples, declared once: name, help, type, unit and label keys. The
 * host series carry node_exporter 1.5's names, help texts and labels, the group series
 * process-exporter 0.7's, so the dashboards and alert rules written for those two exporters work
 * unchanged. /metrics, the recent window, the history store, /api/history and the SSE stream are
 * views of this table; no consumer names a series by a string of its own.
 */

export type SeriesType = 'counter' | 'gauge';
/** What a value measures; `info` series are 0/1 flags. */
export type SeriesUnit = 'seconds' | 'bytes' | 'count' | 'load' | 'timestamp_seconds' | 'flag';
/** Which part of the agent produces it: the host readers or the process-group accounting. */
export type SeriesScope = 'host' | 'group';

export interface SeriesDef {
  readonly name: string;
  readonly help: string;
  readonly type: SeriesType;
  readonly unit: SeriesUnit;
  readonly labels: readonly string[];
  readonly scope: SeriesScope;
}

const host = (name: string, type: SeriesType, unit: SeriesUnit, labels: readonly string[], help: string): SeriesDef => ({
  name,
  help,
  type,
  unit,
  labels,
  scope: 'host',
});
const group = (name: string, type: SeriesType, unit: SeriesUnit, labels: readonly string[], help: string): SeriesDef => ({
  name,
  help,
  type,
  unit,
  labels,
  scope: 'group',
});
const memInfo = (field: string): SeriesDef => host(`node_memory_${field}_bytes`, 'gauge', 'bytes', [], `Memory information field ${field}_bytes.`);

/** The catalogue, in /metrics order. Keys are how code refers to a series. */
export const serveSeries = {
  // host: /proc/stat
  cpuSeconds: host('node_cpu_seconds_total', 'counter', 'seconds', ['cpu', 'mode'], 'Seconds the CPUs spent in each mode.'),
  cpuGuestSeconds: host('node_cpu_guest_seconds_total', 'counter', 'seconds', ['cpu', 'mode'], 'Seconds the CPUs spent in guests (VMs) for each mode.'),
  contextSwitches: host('node_context_switches_total', 'counter', 'count', [], 'Total number of context switches.'),
  bootTime: host('node_boot_time_seconds', 'gauge', 'timestamp_seconds', [], 'Node boot time, in unixtime.'),
  procsRunning: host('node_procs_running', 'gauge', 'count', [], 'Number of processes in runnable state.'),
  procsBlocked: host('node_procs_blocked', 'gauge', 'count', [], 'Number of processes blocked waiting for I/O to complete.'),
  // host: /proc/meminfo
  memTotal: memInfo('MemTotal'),
  memFree: memInfo('MemFree'),
  memAvailable: memInfo('MemAvailable'),
  memBuffers: memInfo('Buffers'),
  memCached: memInfo('Cached'),
  swapTotal: memInfo('SwapTotal'),
  swapFree: memInfo('SwapFree'),
  // host: /proc/loadavg
  load1: host('node_load1', 'gauge', 'load', [], '1m load average.'),
  load5: host('node_load5', 'gauge', 'load', [], '5m load average.'),
  load15: host('node_load15', 'gauge', 'load', [], '15m load average.'),
  // host: /proc/diskstats
  diskReadBytes: host('node_disk_read_bytes_total', 'counter', 'bytes', ['device'], 'The total number of bytes read successfully.'),
  diskWrittenBytes: host('node_disk_written_bytes_total', 'counter', 'bytes', ['device'], 'The total number of bytes written successfully.'),
  diskReads: host('node_disk_reads_completed_total', 'counter', 'count', ['device'], 'The total number of reads completed successfully.'),
  diskWrites: host('node_disk_writes_completed_total', 'counter', 'count', ['device'], 'The total number of writes completed successfully.'),
  diskIoTime: host('node_disk_io_time_seconds_total', 'counter', 'seconds', ['device'], 'Total seconds spent doing I/Os.'),
  // host: /proc/net/dev
  netReceiveBytes: host('node_network_receive_bytes_total', 'counter', 'bytes', ['device'], 'Network device statistic receive_bytes.'),
  netTransmitBytes: host('node_network_transmit_bytes_total', 'counter', 'bytes', ['device'], 'Network device statistic transmit_bytes.'),
  netReceivePackets: host('node_network_receive_packets_total', 'counter', 'count', ['device'], 'Network device statistic receive_packets.'),
  netTransmitPackets: host('node_network_transmit_packets_total', 'counter', 'count', ['device'], 'Network device statistic transmit_packets.'),
  netReceiveErrs: host('node_network_receive_errs_total', 'counter', 'count', ['device'], 'Network device statistic receive_errs.'),
  netTransmitErrs: host('node_network_transmit_errs_total', 'counter', 'count', ['device'], 'Network device statistic transmit_errs.'),
  netReceiveDrop: host('node_network_receive_drop_total', 'counter', 'count', ['device'], 'Network device statistic receive_drop.'),
  netTransmitDrop: host('node_network_transmit_drop_total', 'counter', 'count', ['device'], 'Network device statistic transmit_drop.'),
  // host: mounts + statfs
  fsSize: host('node_filesystem_size_bytes', 'gauge', 'bytes', ['device', 'fstype', 'mountpoint'], 'Filesystem size in bytes.'),
  fsFree: host('node_filesystem_free_bytes', 'gauge', 'bytes', ['device', 'fstype', 'mountpoint'], 'Filesystem free space in bytes.'),
  fsAvail: host('node_filesystem_avail_bytes', 'gauge', 'bytes', ['device', 'fstype', 'mountpoint'], 'Filesystem space available to non-root users in bytes.'),
  fsFiles: host('node_filesystem_files', 'gauge', 'count', ['device', 'fstype', 'mountpoint'], 'Filesystem total file nodes.'),
  fsFilesFree: host('node_filesystem_files_free', 'gauge', 'count', ['device', 'fstype', 'mountpoint'], 'Filesystem total free file nodes.'),
  fsReadonly: host('node_filesystem_readonly', 'gauge', 'flag', ['device', 'fstype', 'mountpoint'], 'Filesystem read-only status.'),
  fsDeviceError: host('node_filesystem_device_error', 'gauge', 'flag', ['device', 'fstype', 'mountpoint'], 'Whether an error occurred while getting statistics for the given device.'),

  // process groups (process-exporter)
  groupNumProcs: group('namedprocess_namegroup_num_procs', 'gauge', 'count', ['groupname'], 'number of processes in this group'),
  groupCpuSeconds: group('namedprocess_namegroup_cpu_seconds_total', 'counter', 'seconds', ['groupname', 'mode'], 'Cpu user usage in seconds'),
  groupReadBytes: group('namedprocess_namegroup_read_bytes_total', 'counter', 'bytes', ['groupname'], 'number of bytes read by this group'),
  groupWriteBytes: group('namedprocess_namegroup_write_bytes_total', 'counter', 'bytes', ['groupname'], 'number of bytes written by this group'),
  groupMajorFaults: group('namedprocess_namegroup_major_page_faults_total', 'counter', 'count', ['groupname'], 'Major page faults'),
  groupMinorFaults: group('namedprocess_namegroup_minor_page_faults_total', 'counter', 'count', ['groupname'], 'Minor page faults'),
  groupContextSwitches: group('namedprocess_namegroup_context_switches_total', 'counter', 'count', ['groupname', 'ctxswitchtype'], 'Context switches'),
  groupMemory: group('namedprocess_namegroup_memory_bytes', 'gauge', 'bytes', ['groupname', 'memtype'], 'number of bytes of memory in use'),
  groupOpenFds: group('namedprocess_namegroup_open_filedesc', 'gauge', 'count', ['groupname'], 'number of open file descriptors for this group'),
  groupNumThreads: group('namedprocess_namegroup_num_threads', 'gauge', 'count', ['groupname'], 'Number of threads'),
  groupStates: group('namedprocess_namegroup_states', 'gauge', 'count', ['groupname', 'state'], 'Number of processes in states Running, Sleeping, Waiting, Zombie, or Other'),
  groupOldestStart: group('namedprocess_namegroup_oldest_start_time_seconds', 'gauge', 'timestamp_seconds', ['groupname'], 'start time in seconds since 1970/01/01 of oldest process in group'),
} as const satisfies Record<string, SeriesDef>;

export type SeriesKey = keyof typeof serveSeries;

/** The catalogue as a list, in /metrics order. */
export const seriesCatalogue: readonly SeriesDef[] = Object.values(serveSeries);

/** node_exporter's CPU modes, in /proc/stat order. */
export const cpuModes = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'] as const;
/** process-exporter's state buckets. */
export const groupStates = ['Running', 'Sleeping', 'Waiting', 'Zombie', 'Other'] as const;
export type GroupState = (typeof groupStates)[number];
