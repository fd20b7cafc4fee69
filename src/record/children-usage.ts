/**
 * What the kernel accounts for the children this process waited for (getrusage RUSAGE_CHILDREN): their
 * CPU time, and the largest peak RSS among them (ru_maxrss). Sampled figures miss both for short or
 * spiky commands (a 300 MB buffer held for 50 ms between two samples); the kernel misses neither, which
 * is what /usr/bin/time reports. A `perfscope run` reads it before and after the command.
 *
 * Node exposes RUSAGE_SELF only, so the figures come from perfscope's native addon
 * (native/ticker.c, `childrenUsage`); without it, CPU time falls back to cutime/cstime of
 * /proc/self/stat (10 ms ticks) and the peak RSS is unknown.
 */
import { readFileSync } from 'node:fs';
import { readAuxv } from '../sampling/procfs.js';
import { loadNative } from '../sampling/native.js';

export interface ChildrenUsage {
  userSeconds: number;
  systemSeconds: number;
  /** Largest peak RSS of one waited-for descendant, in bytes (0 before any); null without the addon. */
  maxRssBytes: number | null;
  /** Where the figures came from. */
  source: 'getrusage' | 'procfs';
}

interface RusageAddon {
  childrenUsage(): { userSeconds: number; systemSeconds: number; maxRssBytes: number };
}

/** The kernel's figures for the waited-for children so far, or null when neither source can be read. */
export function childrenUsage(): ChildrenUsage | null {
  // An addon built before childrenUsage existed lacks it: fall back rather than fail.
  const addon = loadNative() as Partial<RusageAddon> | null;
  if (addon !== null && typeof addon.childrenUsage === 'function') {
    try {
      return { ...addon.childrenUsage(), source: 'getrusage' };
    } catch {
      // getrusage cannot fail for RUSAGE_CHILDREN on Linux; /proc is the fallback all the same.
    }
  }
  try {
    const text = readFileSync('/proc/self/stat', 'latin1');
    const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
    const hz = readAuxv('/proc').clockTicksPerSecond;
    // cutime and cstime are fields 16 and 17 of proc(5); the split starts at field 3.
    return { userSeconds: Number(f[13]) / hz, systemSeconds: Number(f[14]) / hz, maxRssBytes: null, source: 'procfs' };
  } catch {
    return null;
  }
}
