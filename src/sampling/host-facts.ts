/** The facts about the host a run's rows are derived with, read once when a Sampler is made. */
import { cpus } from 'node:os';
import { PerfscopeError } from '../core/errors.js';
import type { CgroupLimits } from '../core/run-data.js';
import { readCgroupLimits } from './cgroup.js';
import type { ResolvedSamplerOptions } from './options.js';
import { readAuxv } from './procfs.js';
import { SystemReader } from './system.js';

/** Facts about the host, fixed for the run. */
export interface HostFacts {
  cpuCount: number;
  memTotalBytes: number;
  clockTicksPerSecond: number;
  cgroup: CgroupLimits | null;
}

/**
 * Reads the host facts for a run of `o`. With `keepSystem` the SystemReader that read them is returned
 * open, for the run's system rows; otherwise it is closed. Throws PerfscopeError for a cgroup the
 * process's own files make unreadable; other cgroup trouble leaves `cgroup` null.
 */
export function readHostFacts(o: ResolvedSamplerOptions, keepSystem: boolean): { host: HostFacts; system: SystemReader | null } {
  const cgroup = safeCgroup(o);
  const { clockTicksPerSecond } = readAuxv(o.procRoot);
  const system = new SystemReader({ procRoot: o.procRoot });
  let s: ReturnType<SystemReader['read']>;
  try {
    s = system.read();
  } catch (err) {
    system.close();
    throw err;
  }
  if (!keepSystem) system.close();
  // Online CPUs from /proc/stat when the system is sampled (the rows' per-CPU columns come from there).
  const cpuCount = keepSystem ? s.perCpu.length || cpus().length : cpus().length;
  return { host: { cpuCount, memTotalBytes: s.memory.totalBytes, clockTicksPerSecond, cgroup }, system: keepSystem ? system : null };
}

function safeCgroup(o: ResolvedSamplerOptions): CgroupLimits | null {
  try {
    return readCgroupLimits(o.pid, { procRoot: o.procRoot, cgroupRoot: o.cgroupRoot });
  } catch (err) {
    if (err instanceof PerfscopeError) throw err;
    return null;
  }
}
