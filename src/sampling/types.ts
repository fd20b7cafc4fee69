/**
 * The raw snapshots the procfs readers return. Counters are cumulative since the process (or boot)
 * started, in base units (seconds, bytes, counts); the Sampler turns consecutive snapshots into rates.
 * A field the kernel does not let us read is `null`, and the reason is in `unavailable`.
 */

/** Why a field is null: the errno-ish code and a short human reason. */
export interface Unavailable {
  code: string;
  reason: string;
}

export interface ProcessIo {
  /** rchar / wchar: every byte passed to read(2)/write(2)-like calls, page cache and pipes included. */
  readChars: number;
  writeChars: number;
  /** syscr / syscw. */
  readSyscalls: number;
  writeSyscalls: number;
  /** read_bytes / write_bytes: bytes that hit the storage layer. */
  readBytes: number;
  writeBytes: number;
  cancelledWriteBytes: number;
}

export interface ProcessSnapshot {
  pid: number;
  ppid: number;
  /** The command name from stat (in parentheses there), up to 15 characters. */
  comm: string;
  /** One-letter state (R, S, D, Z, ...). */
  state: string;
  /** stat field 22, in clock ticks since boot: with `pid`, identifies this process across PID reuse. */
  startTimeTicks: number;
  /** CPU time of this process (all its threads) in seconds, from 10 ms ticks. */
  userSeconds: number;
  systemSeconds: number;
  /** CPU time of reaped (waited-for) children, in seconds. Jumps when a child is reaped. */
  childrenUserSeconds: number;
  childrenSystemSeconds: number;
  /**
   * Precise mode only: Σ task/∗/schedstat run time in seconds (ns resolution); otherwise null. Threads
   * that exit keep their last seen time in the sum, so it does not drop; threads born and gone
   * between two reads are missed, so compare deltas, not the level, with userSeconds + systemSeconds.
   */
  preciseCpuSeconds: number | null;
  numThreads: number;
  minorFaults: number;
  majorFaults: number;
  /** VmRSS from status (not the approximate stat field). */
  rssBytes: number;
  /** VmSize. */
  vmsBytes: number;
  /**
   * VmHWM: the kernel's peak resident set size of the process since it started (0 for a kernel thread
   * or a zombie, which have no memory).
   */
  peakRssBytes: number | null;
  rssAnonBytes: number | null;
  rssFileBytes: number | null;
  rssShmemBytes: number | null;
  swapBytes: number | null;
  /** From smaps_rollup, only when asked for (it costs ~30x a plain snapshot); otherwise null. */
  ussBytes: number | null;
  pssBytes: number | null;
  /** null when /proc/PID/io is not readable (other users' processes, some containers). */
  io: ProcessIo | null;
  numFds: number | null;
  voluntaryCtxSwitches: number;
  involuntaryCtxSwitches: number;
  /** Per field name ('io', 'numFds', 'ussBytes', ...): why it is null. */
  unavailable: Record<string, Unavailable>;
}

export interface CpuTimes {
  user: number;
  nice: number;
  system: number;
  idle: number;
  iowait: number;
  irq: number;
  softirq: number;
  steal: number;
  guest: number;
  guestNice: number;
}

export interface DiskCounters {
  name: string;
  readOps: number;
  writeOps: number;
  /** Sectors × 512 (diskstats sectors are always 512 bytes). */
  readBytes: number;
  writeBytes: number;
  /** Milliseconds the device had I/O in flight. */
  busyMs: number;
}

export interface NetCounters {
  name: string;
  rxBytes: number;
  txBytes: number;
  rxPackets: number;
  txPackets: number;
  rxErrors: number;
  txErrors: number;
  rxDrops: number;
  txDrops: number;
}

export interface SystemSnapshot {
  /** Aggregate CPU times in seconds (USER_HZ ticks converted). */
  cpu: CpuTimes;
  perCpu: CpuTimes[];
  contextSwitches: number;
  /** `btime` of /proc/stat: when the system booted, in seconds since the Unix epoch (0 if absent). */
  bootTimeSeconds: number;
  procsRunning: number;
  procsBlocked: number;
  memory: {
    totalBytes: number;
    availableBytes: number;
    freeBytes: number;
    buffersBytes: number;
    cachedBytes: number;
    /** total - available, as `free` and psutil compute "used". */
    usedBytes: number;
  };
  swap: { totalBytes: number; freeBytes: number; usedBytes: number };
  load: { avg1: number; avg5: number; avg15: number; runnable: number; total: number };
  /** Whole devices only (partitions, loop and ram devices left out). */
  disks: DiskCounters[];
  /** Every interface but `lo`. */
  net: NetCounters[];
}

/** Declared in core/run-data.ts (RunMeta carries it; core is the lowest layer); re-exported here with the other readers' types. */
export type { CgroupLimits } from '../core/run-data.js';

/** One row of a /proc scan, enough to build process trees. */
export interface ProcEntry {
  pid: number;
  ppid: number;
  startTimeTicks: number;
}

/** Where the procfs and sysfs trees are; tests point these at fixture trees. */
export interface ProcfsOptions {
  /** Default '/proc'. */
  procRoot?: string;
  /** Default '/sys/fs/cgroup'. */
  cgroupRoot?: string;
}
