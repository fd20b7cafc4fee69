/**
 * Row derivation: snapshots of this tick, what the previous tick left (a carry) and the host facts
 * turned into the values of a sample's rows. No I/O and no clock: the Sampler reads, these derive, and
 * tests call them with hand-made snapshots. Each function updates its carry for the next tick.
 */
import { Counter, counterCount } from './tree-account.js';
import type { HostFacts } from './host-facts.js';
import { folder, systemSeries, type ProcessRow, type SystemRow, type TreeRow } from './catalogue.js';
import type { CpuTimes, ProcessSnapshot, SystemSnapshot } from './types.js';

/** What the tree row keeps from one tick to the next. One per Sampler. */
export interface TreeCarry {
  /** The counters cumulative columns count from (sample 0's, or zeros); set by the first row. */
  baseline: Float64Array | null;
  /** The previous row's tree counters and time (cpu_percent is their difference), null before it. */
  prevTotals: Float64Array | null;
  prevT: number;
  /** The largest VmHWM of any member so far (members that exited included), null before one is known. */
  peakRssBytes: number | null;
}

export function newTreeCarry(): TreeCarry {
  return { baseline: null, prevTotals: null, prevT: 0, peakRssBytes: null };
}

/** What a per-process row keeps from one tick to the next: its own CPU seconds and when. */
export interface ProcessCarry {
  prevOwnCpu: number | null;
  prevT: number;
}

/** What the system row keeps: the previous snapshot and its time. */
export interface SystemCarry {
  prev: SystemSnapshot | null;
  prevT: number;
}

export function newSystemCarry(): SystemCarry {
  return { prev: null, prevT: 0 };
}

/** Cores the machine-normalised CPU % divides by: the cgroup CPU quota when set, else online CPUs. */
export function machineCores(host: HostFacts): number {
  const q = host.cgroup?.cpuQuotaCores ?? null;
  return q !== null && q > 0 ? Math.min(q, host.cpuCount) : host.cpuCount;
}

/**
 * The tree's row at `t` seconds: `totals` are the tree's cumulative counters (TreeAccount, or the lone
 * process's vector), `live` every live member by PID (root included), or null when the root is the only
 * member. Cumulative columns count from sample 0 (`counters: 'first'`) or from zero.
 */
export function treeRow(
  root: ProcessSnapshot,
  live: Map<number, ProcessSnapshot> | null,
  totals: Float64Array,
  t: number,
  carry: TreeCarry,
  host: HostFacts,
  counters: 'first' | 'zero',
): TreeRow {
  if (carry.baseline === null) carry.baseline = counters === 'first' ? totals.slice() : new Float64Array(counterCount);
  const base = carry.baseline;
  let cpuPercent: number | null = null;
  if (carry.prevTotals !== null && t > carry.prevT) {
    const dCpu = totals[Counter.cpuTotal]! - carry.prevTotals[Counter.cpuTotal]!;
    cpuPercent = Math.max(0, (dCpu / (t - carry.prevT)) * 100);
  }
  carry.prevTotals = totals;
  carry.prevT = t;
  let rss = root.rssBytes;
  let vms = root.vmsBytes;
  let swap = root.swapBytes;
  let uss = root.ussBytes;
  let pss = root.pssBytes;
  let threads = root.numThreads;
  let fds = root.numFds;
  let peak = carry.peakRssBytes;
  if (root.peakRssBytes !== null && (peak === null || root.peakRssBytes > peak)) peak = root.peakRssBytes;
  if (live !== null) {
    for (const s of live.values()) {
      if (s === root) continue;
      if (s.peakRssBytes !== null && (peak === null || s.peakRssBytes > peak)) peak = s.peakRssBytes;
      rss += s.rssBytes;
      vms += s.vmsBytes;
      if (s.swapBytes !== null) swap = (swap ?? 0) + s.swapBytes;
      if (s.ussBytes !== null) uss = (uss ?? 0) + s.ussBytes;
      if (s.pssBytes !== null) pss = (pss ?? 0) + s.pssBytes;
      threads += s.numThreads;
      if (fds !== null && s.numFds !== null) fds += s.numFds;
    }
  }
  carry.peakRssBytes = peak;
  const { memTotalBytes, cgroup } = host;
  const limit = cgroup?.memoryLimitBytes ?? null;
  const io = root.io !== null;
  return {
    cpu_percent: cpuPercent,
    cpu_percent_machine: cpuPercent === null ? null : cpuPercent / machineCores(host),
    cpu_user_seconds: totals[Counter.cpuUser]! - base[Counter.cpuUser]!,
    cpu_system_seconds: totals[Counter.cpuSystem]! - base[Counter.cpuSystem]!,
    memory_percent: memTotalBytes > 0 ? (rss / memTotalBytes) * 100 : null,
    memory_limit_percent: limit !== null && limit > 0 ? (rss / limit) * 100 : null,
    rss_bytes: rss,
    vms_bytes: vms,
    swap_bytes: swap,
    uss_bytes: uss,
    pss_bytes: pss,
    io_read_bytes: io ? totals[Counter.ioReadBytes]! - base[Counter.ioReadBytes]! : null,
    io_write_bytes: io ? totals[Counter.ioWriteBytes]! - base[Counter.ioWriteBytes]! : null,
    io_read_chars: io ? totals[Counter.ioReadChars]! - base[Counter.ioReadChars]! : null,
    io_write_chars: io ? totals[Counter.ioWriteChars]! - base[Counter.ioWriteChars]! : null,
    io_read_syscalls: io ? totals[Counter.ioReadSyscalls]! - base[Counter.ioReadSyscalls]! : null,
    io_write_syscalls: io ? totals[Counter.ioWriteSyscalls]! - base[Counter.ioWriteSyscalls]! : null,
    num_procs: live === null ? 1 : live.size,
    num_threads: threads,
    num_fds: fds,
    ctx_switches_voluntary: totals[Counter.voluntaryCtxSwitches]! - base[Counter.voluntaryCtxSwitches]!,
    ctx_switches_involuntary: totals[Counter.involuntaryCtxSwitches]! - base[Counter.involuntaryCtxSwitches]!,
    page_faults_minor: totals[Counter.minorFaults]! - base[Counter.minorFaults]!,
    page_faults_major: totals[Counter.majorFaults]! - base[Counter.majorFaults]!,
    peak_rss_bytes: peak,
  };
}

/** One process's own row at `t` (its counters since it started, not since the run's base). */
export function processRow(s: ProcessSnapshot, t: number, carry: ProcessCarry, host: HostFacts): ProcessRow {
  const own = s.preciseCpuSeconds ?? s.userSeconds + s.systemSeconds;
  let cpu: number | null = null;
  if (carry.prevOwnCpu !== null && t > carry.prevT) cpu = Math.max(0, ((own - carry.prevOwnCpu) / (t - carry.prevT)) * 100);
  carry.prevOwnCpu = own;
  carry.prevT = t;
  const { memTotalBytes } = host;
  return {
    cpu_percent: cpu,
    cpu_user_seconds: s.userSeconds,
    cpu_system_seconds: s.systemSeconds,
    memory_percent: memTotalBytes > 0 ? (s.rssBytes / memTotalBytes) * 100 : null,
    rss_bytes: s.rssBytes,
    vms_bytes: s.vmsBytes,
    uss_bytes: s.ussBytes,
    pss_bytes: s.pssBytes,
    io_read_bytes: s.io?.readBytes ?? null,
    io_write_bytes: s.io?.writeBytes ?? null,
    num_threads: s.numThreads,
    num_fds: s.numFds,
    peak_rss_bytes: s.peakRssBytes,
  };
}

/** The system row at `t`: levels of `s`, and shares and rates against the carried snapshot. */
export function systemRow(s: SystemSnapshot, t: number, carry: SystemCarry): SystemRow {
  const prev = carry.prev;
  const dt = t - carry.prevT;
  carry.prev = s;
  carry.prevT = t;
  const busy = prev ? cpuShares(prev.cpu, s.cpu) : null;
  const row: SystemRow = {
    memory_used_bytes: s.memory.usedBytes,
    memory_available_bytes: s.memory.availableBytes,
    memory_percent: s.memory.totalBytes > 0 ? (s.memory.usedBytes / s.memory.totalBytes) * 100 : null,
    swap_used_bytes: s.swap.usedBytes,
    swap_percent: s.swap.totalBytes > 0 ? (s.swap.usedBytes / s.swap.totalBytes) * 100 : 0,
    load1: s.load.avg1,
    load5: s.load.avg5,
    load15: s.load.avg15,
    procs_running: s.procsRunning,
    procs_blocked: s.procsBlocked,
    cpu_percent: busy?.busy ?? null,
    cpu_user_percent: busy?.user ?? null,
    cpu_system_percent: busy?.system ?? null,
    cpu_iowait_percent: busy?.iowait ?? null,
    cpu_steal_percent: busy?.steal ?? null,
    context_switches_per_second: null,
    disk_read_bytes: 0,
    disk_write_bytes: 0,
    net_rx_bytes: 0,
    net_tx_bytes: 0,
  };
  for (let i = 0; i < s.perCpu.length; i++) {
    const p = prev?.perCpu[i];
    row[cpuColumn(i)] = p ? cpuShares(p, s.perCpu[i]!).busy : null;
  }
  row.context_switches_per_second = prev && dt > 0 ? (s.contextSwitches - prev.contextSwitches) / dt : null;
  let dr = 0;
  let dw = 0;
  for (const d of s.disks) {
    dr += d.readBytes;
    dw += d.writeBytes;
  }
  let rx = 0;
  let tx = 0;
  for (const n of s.net) {
    rx += n.rxBytes;
    tx += n.txBytes;
  }
  row.disk_read_bytes = dr;
  row.disk_write_bytes = dw;
  row.net_rx_bytes = rx;
  row.net_tx_bytes = tx;
  for (const d of s.disks) {
    row[diskReadColumn(d.name)] = d.readBytes;
    row[diskWriteColumn(d.name)] = d.writeBytes;
  }
  for (const n of s.net) {
    row[netRxColumn(n.name)] = n.rxBytes;
    row[netTxColumn(n.name)] = n.txBytes;
  }
  return row;
}

const cpuColumn = folder(systemSeries['cpu{cpu}_percent']);
const diskReadColumn = folder(systemSeries['disk_{device}_read_bytes']);
const diskWriteColumn = folder(systemSeries['disk_{device}_write_bytes']);
const netRxColumn = folder(systemSeries['net_{iface}_rx_bytes']);
const netTxColumn = folder(systemSeries['net_{iface}_tx_bytes']);

/**
 * Shares of CPU time between two readings, in % of the CPUs covered (psutil's convention: busy excludes
 * idle and iowait; guest time is already inside user and nice, so it is not added again).
 */
export function cpuShares(a: CpuTimes, b: CpuTimes) {
  const d = (k: keyof CpuTimes): number => Math.max(0, b[k] - a[k]);
  const total = d('user') + d('nice') + d('system') + d('idle') + d('iowait') + d('irq') + d('softirq') + d('steal');
  if (total <= 0) return { busy: 0, user: 0, system: 0, iowait: 0, steal: 0 };
  const pct = (x: number): number => (x / total) * 100;
  return {
    busy: pct(total - d('idle') - d('iowait')),
    user: pct(d('user') + d('nice')),
    system: pct(d('system') + d('irq') + d('softirq')),
    iowait: pct(d('iowait')),
    steal: pct(d('steal')),
  };
}
