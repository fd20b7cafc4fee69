/**
 * CPU time of another process (a benchmarked monitor), read from outside: utime + stime of the
 * process and cutime + cstime of the children it has reaped, from /proc/PID/stat, and the same own
 * time in ns as Σ /proc/PID/task/∗/schedstat (sum_exec_runtime, the quantity utime + stime are scaled
 * from). stat has one-tick resolution (10 ms: ±0.05 % of a core over 20 s); schedstat is exact but
 * loses a thread that exits between two readings, which the monitors here do not do.
 * Deliberately independent of src/sampling: a bench must not measure with the code it measures.
 */
import { readFileSync, readdirSync } from 'node:fs';

let ticksPerSecond: number | null = null;

/** AT_CLKTCK from /proc/self/auxv (64-bit little-endian pairs); 100 if it cannot be read. */
export function clockTicksPerSecond(): number {
  if (ticksPerSecond !== null) return ticksPerSecond;
  ticksPerSecond = 100;
  try {
    const auxv = readFileSync('/proc/self/auxv');
    for (let off = 0; off + 16 <= auxv.length; off += 16) {
      const key = auxv.readBigUInt64LE(off);
      if (key === 0n) break;
      if (key === 17n) ticksPerSecond = Number(auxv.readBigUInt64LE(off + 8)) || 100;
    }
  } catch {
    // keep 100
  }
  return ticksPerSecond;
}

export interface ProcCpu {
  /** utime + stime, seconds. */
  selfSeconds: number;
  /** Σ task/∗/schedstat run time of the live threads, seconds; null without schedstat. */
  threadsRuntimeSeconds: number | null;
  /** cutime + cstime (children waited for), seconds. */
  childrenSeconds: number;
  /** Monotonic ms when it was read (process.hrtime clock, comparable with Python's time.monotonic()). */
  atMs: number;
}

/** Reads /proc/PID/stat (or /proc/self/stat); throws if the process is gone. */
export function readProcCpu(pid: number | 'self'): ProcCpu {
  const text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  const atMs = monotonicMs();
  // Fields after the command name (which may contain spaces and ')'): state is field 3.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const field = (n: number): number => Number(fields[n - 3]);
  const hz = clockTicksPerSecond();
  return {
    selfSeconds: (field(14) + field(15)) / hz,
    threadsRuntimeSeconds: threadsRuntimeSeconds(pid),
    childrenSeconds: (field(16) + field(17)) / hz,
    atMs,
  };
}

function threadsRuntimeSeconds(pid: number | 'self'): number | null {
  let ns = 0;
  try {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'latin1').split(' ')[0]);
      } catch {
        // the thread exited since the listing
      }
    }
  } catch {
    return null;
  }
  return Number.isFinite(ns) ? ns / 1e9 : null;
}

/** CLOCK_MONOTONIC in ms, the same clock in every process (unlike performance.now()). */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

export interface CpuWindow {
  /** Own CPU (schedstat when available, else stat ticks) + reaped children's, seconds. */
  cpuSeconds: number;
  childrenCpuSeconds: number;
  elapsedSeconds: number;
  /** cpuSeconds / elapsed, in % of one core. */
  percentOfCore: number;
  /** The same from stat ticks only (utime + stime + cutime + cstime), as a cross-check. */
  percentOfCoreTicks: number;
}

/** CPU used between two readings of the same process. */
export function cpuBetween(a: ProcCpu, b: ProcCpu): CpuWindow {
  const ticksSelf = b.selfSeconds - a.selfSeconds;
  const self =
    a.threadsRuntimeSeconds !== null && b.threadsRuntimeSeconds !== null
      ? b.threadsRuntimeSeconds - a.threadsRuntimeSeconds
      : ticksSelf;
  const children = b.childrenSeconds - a.childrenSeconds;
  const elapsedSeconds = (b.atMs - a.atMs) / 1000;
  const pct = (s: number): number => (elapsedSeconds > 0 ? (s / elapsedSeconds) * 100 : NaN);
  return {
    cpuSeconds: self + children,
    childrenCpuSeconds: children,
    elapsedSeconds,
    percentOfCore: pct(self + children),
    percentOfCoreTicks: pct(ticksSelf + children),
  };
}
