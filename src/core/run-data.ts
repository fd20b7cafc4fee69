/**
 * The shape of a recorded run: what `perfscope run --json FILE` writes, what the store keeps, what
 * `monitor()` resolves to and what reports read. Columnar: every series is an array aligned with its
 * `timestamp` column. Users' scripts read this, so changes are additive only (see docs/run-format.md).
 */

/** Named columns aligned with `timestamp` (seconds since the run started). null = not measured. */
export interface SeriesColumns {
  timestamp: number[];
  [column: string]: (number | null)[];
}

/** The cgroup limits of the sampled process, as the sampler read them at start (RunMeta.cgroup). */
export interface CgroupLimits {
  version: 1 | 2 | null;
  /** The cgroup path of the process, as /proc/PID/cgroup gives it. */
  path: string | null;
  /** The tightest memory limit on the path (the cgroup or any ancestor), or null when unlimited. */
  memoryLimitBytes: number | null;
  memoryUsageBytes: number | null;
  /** cpu.max quota / period (v2) or cfs_quota_us / cfs_period_us (v1), in cores; null when unlimited. */
  cpuQuotaCores: number | null;
}

export interface RunMeta {
  format: 'perfscope-run';
  formatVersion: 1;
  /** Store id, when the run was kept in a store. */
  id: number | null;
  /** The command that was run (`perfscope run`), or null when a PID was watched. */
  command: string[] | null;
  /** The root PID of the monitored tree. */
  pid: number;
  host: string;
  /** Wall-clock start of the run, ISO 8601 and epoch milliseconds. */
  startedAt: string;
  startedAtMs: number;
  /** Wall-clock end, null while the run is still being recorded. */
  endedAtMs: number | null;
  intervalSeconds: number;
  /** Whether descendants of `pid` were included in the tree totals. */
  children: boolean;
  /** Whether CPU time came from per-thread schedstat (ns) instead of 10 ms ticks. */
  precise: boolean;
  /**
   * How the first CPU figure was obtained: 'omitted' means sample 0 has cpu_percent null because there
   * was no earlier reading (never a fake 0.0); 'measured' means it covers a real interval.
   */
  firstCpuSample: 'measured' | 'omitted';
  /**
   * Where the ticks ran: this event loop, a worker thread, or the native ticker (SamplerOptions
   * `thread` / `native`). Absent in runs recorded before it was added.
   */
  engine?: 'event-loop' | 'thread' | 'native';
  perfscopeVersion: string;
  nodeVersion: string;
  platform: string;
  kernel: string;
  cpuCount: number;
  memTotalBytes: number;
  clockTicksPerSecond: number;
  cgroup: CgroupLimits | null;
  /**
   * `perfscope run` only, when perfscope ended the command: 'duration' (the recording's duration was
   * reached), 'signal' (a SIGINT/SIGTERM/SIGHUP passed on to it) or 'abort' (stopped from code).
   */
  stoppedBy?: 'duration' | 'signal' | 'abort';
  /** Exit status of the command (`perfscope run`), else null. */
  exitCode: number | null;
  signal: string | null;
  /**
   * `perfscope run` only: exact CPU time of the command and every descendant it waited for, from
   * perfscope's own cutime/cstime at the command's exit (what /usr/bin/time reports).
   */
  childCpu?: { userSeconds: number; systemSeconds: number };
  /**
   * `perfscope run` only: the kernel's peak resident set size of the largest single process among the
   * command and the descendants it waited for (getrusage RUSAGE_CHILDREN ru_maxrss, what /usr/bin/time
   * reports), in bytes. Absent without perfscope's native addon.
   */
  childMaxRssBytes?: number;
  sampleCount: number;
  missedDeadlines: number;
  /** Unit of every column that is not self-describing by its suffix. */
  units: Record<string, string>;
}

/** One process seen during the run (tree mode), with its own series. */
export interface ProcessSeries {
  pid: number;
  ppid: number;
  comm: string;
  cmdline: string | null;
  /** Seconds since run start when first seen / last seen alive (null while alive). */
  firstSeen: number;
  exited: number | null;
  samples: SeriesColumns;
}

export type RunEventKind = 'process-start' | 'process-exec' | 'process-exit' | 'missed-deadline' | 'note';

export interface RunEvent {
  /** Seconds since run start. */
  t: number;
  kind: RunEventKind;
  pid?: number;
  detail?: string;
}

export interface RunData {
  meta: RunMeta;
  /** Tree totals (or the single process). */
  samples: SeriesColumns;
  /** System-wide series, when recorded. */
  system?: SeriesColumns;
  /** Per-process series, in tree mode. */
  processes?: ProcessSeries[];
  events: RunEvent[];
}
