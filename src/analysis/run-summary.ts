/**
 * The figures that summarise a run, computed on its raw samples: wall, user and system CPU time,
 * CPU % mean/p50/p95/max, peak RSS (the kernel's when recorded), I/O totals, samples. Shared by the CLI summary and the reports.
 */
import type { RunData } from '../core/run-data.js';
import { treeColumns, type TreeColumn } from '../sampling/catalogue.js';
import { distribution, firstLast, max, mean } from './stats.js';

export interface RunSummary {
  wallSeconds: number | null;
  userCpuSeconds: number | null;
  systemCpuSeconds: number | null;
  cpuPercent: { mean: number | null; p50: number | null; p95: number | null; max: number | null };
  /**
   * The larger of the kernel's peak RSS and the largest sampled tree RSS; see peakRssSource. The kernel's
   * is the children's ru_maxrss (meta.childMaxRssBytes, `perfscope run`) or the largest VmHWM of any one
   * process (peak_rss_bytes): no sampling interval can miss it.
   */
  peakRssBytes: number | null;
  /**
   * Where peakRssBytes comes from: 'kernel' (ru_maxrss or VmHWM of the largest process), 'sampled' (the
   * tree's largest sampled RSS: its processes at their peaks at once, or a run recorded before the
   * kernel figures existed); null when neither was recorded.
   */
  peakRssSource: 'kernel' | 'sampled' | null;
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
  const { meta } = run;
  const samples = treeColumns(run.samples);
  const watched = meta.command === null;
  const total = (name: TreeColumn): number | null => {
    const col = samples[name];
    const fl = col ? firstLast(col) : null;
    if (fl === null) return null;
    return watched ? fl.last - fl.first : fl.last;
  };
  const ts = samples.timestamp;
  const cpu = distribution(samples.cpu_percent ?? []);
  const sampledPeak = max(samples.rss_bytes ?? []);
  const kernelPeak = larger(meta.childMaxRssBytes ?? null, max(samples.peak_rss_bytes ?? []));
  const kernelWins = kernelPeak !== null && (sampledPeak === null || kernelPeak >= sampledPeak);
  return {
    wallSeconds: meta.endedAtMs !== null ? (meta.endedAtMs - meta.startedAtMs) / 1000 : ts.length > 0 ? ts[ts.length - 1]! : null,
    userCpuSeconds: meta.childCpu ? meta.childCpu.userSeconds : total('cpu_user_seconds'),
    systemCpuSeconds: meta.childCpu ? meta.childCpu.systemSeconds : total('cpu_system_seconds'),
    cpuPercent: { mean: cpu.mean, p50: cpu.p50, p95: cpu.p95, max: cpu.max },
    peakRssBytes: kernelWins ? kernelPeak : sampledPeak,
    peakRssSource: kernelWins ? 'kernel' : sampledPeak !== null ? 'sampled' : null,
    sampledPeakRssBytes: sampledPeak,
    ioReadBytes: total('io_read_bytes'),
    ioWriteBytes: total('io_write_bytes'),
    samples: meta.sampleCount || ts.length,
    missedDeadlines: meta.missedDeadlines,
    processesSeen: run.processes ? run.processes.length : max(samples.num_procs ?? []),
    meanMemoryPercent: mean(samples.memory_percent ?? []),
  };
}

function larger(a: number | null, b: number | null): number | null {
  return a === null ? b : b === null ? a : Math.max(a, b);
}
