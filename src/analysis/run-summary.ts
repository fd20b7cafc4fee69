/**
 * The figures that summarise a run, computed on its raw samples: wall, user and system CPU time,
 * CPU % mean/p50/p95/max, peak RSS, I/O totals, samples. Shared by the CLI summary and the reports.
 */
import type { RunData } from '../core/run-data.js';
import { distribution, firstLast, max, mean } from './stats.js';

export interface RunSummary {
  wallSeconds: number | null;
  userCpuSeconds: number | null;
  systemCpuSeconds: number | null;
  cpuPercent: { mean: number | null; p50: number | null; p95: number | null; max: number | null };
  /** The kernel's peak when recorded (meta.childMaxRssBytes, `perfscope run`), else the largest sample. */
  peakRssBytes: number | null;
  /** Where peakRssBytes comes from: 'kernel' (ru_maxrss of the largest process) or 'samples' (the tree's largest sampled RSS). */
  peakRssSource: 'kernel' | 'samples' | null;
  /** The largest sampled RSS of the tree (a short spike between two samples is missed). */
  sampledPeakRssBytes: number | null;
  ioReadBytes: number | null;
  ioWriteBytes: number | null;
  samples: number;
  missedDeadlines: number;
  processesSeen: number | null;
  meanMemoryPercent: number | null;
}

/**
 * Cumulative columns count from the command's start for `run` (the last value) and from the first
 * sample for a watched PID (last − first). For `run`, CPU times are the exact ones of the waited-for
 * tree (meta.childCpu, from perfscope's own cutime/cstime) when recorded.
 */
export function summarizeRun(run: RunData): RunSummary {
  const { meta, samples } = run;
  const watched = meta.command === null;
  const total = (name: string): number | null => {
    const col = samples[name];
    const fl = col ? firstLast(col) : null;
    if (fl === null) return null;
    return watched ? fl.last - fl.first : fl.last;
  };
  const ts = samples.timestamp;
  const cpu = distribution(samples.cpu_percent ?? []);
  const sampledPeak = max(samples.rss_bytes ?? []);
  const kernelPeak = meta.childMaxRssBytes ?? null;
  return {
    wallSeconds: meta.endedAtMs !== null ? (meta.endedAtMs - meta.startedAtMs) / 1000 : ts.length > 0 ? ts[ts.length - 1]! : null,
    userCpuSeconds: meta.childCpu ? meta.childCpu.userSeconds : total('cpu_user_seconds'),
    systemCpuSeconds: meta.childCpu ? meta.childCpu.systemSeconds : total('cpu_system_seconds'),
    cpuPercent: { mean: cpu.mean, p50: cpu.p50, p95: cpu.p95, max: cpu.max },
    peakRssBytes: kernelPeak ?? sampledPeak,
    peakRssSource: kernelPeak !== null ? 'kernel' : sampledPeak !== null ? 'samples' : null,
    sampledPeakRssBytes: sampledPeak,
    ioReadBytes: total('io_read_bytes'),
    ioWriteBytes: total('io_write_bytes'),
    samples: meta.sampleCount || ts.length,
    missedDeadlines: meta.missedDeadlines,
    processesSeen: run.processes ? run.processes.length : max(samples.num_procs ?? []),
    meanMemoryPercent: mean(samples.memory_percent ?? []),
  };
}

