/**
 * Container limits of a process from its cgroup: memory limit and usage, CPU quota. Handles cgroup
 * v2, v1, hybrid machines (v1 controllers with v2 mounted at <cgroupRoot>/unified) and cgroup
 * namespaces. One-shot reads: call it once per run (or rarely), not per sample.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolveProcfsOptions } from './procfs.js';
import type { CgroupLimits, ProcfsOptions } from './types.js';

/** v1 writes "no limit" as a huge page-aligned number (0x7ffffffffffff000 on x86-64); anything this big is unlimited. */
const V1_UNLIMITED_BYTES = 2 ** 62;

function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
}

function readNumber(path: string): number | null {
  const text = readText(path);
  if (text === null || !/^-?\d+$/.test(text)) return null;
  return Number(text);
}

/** Each entry of /proc/PID/cgroup: "hierarchy-id:controller,list:/path". */
interface CgroupLine {
  controllers: string[];
  /** The controller list as written, which is also the v1 mount directory name ("cpu,cpuacct"). */
  controllerList: string;
  path: string;
}

function parseCgroupFile(text: string): { v1: CgroupLine[]; v2Path: string | null } {
  const v1: CgroupLine[] = [];
  let v2Path: string | null = null;
  for (const line of text.split('\n')) {
    const a = line.indexOf(':');
    const b = line.indexOf(':', a + 1);
    if (a < 0 || b < 0) continue;
    const id = line.slice(0, a);
    const controllerList = line.slice(a + 1, b);
    const path = line.slice(b + 1);
    if (id === '0' && controllerList === '') v2Path = path;
    else v1.push({ controllers: controllerList.split(','), controllerList, path });
  }
  return { v1, v2Path };
}

/**
 * The directories from the process's cgroup up to the root of its hierarchy (leaf first). A path
 * that does not exist under `mount` (a cgroup namespace whose root is the process's own cgroup:
 * "/" or "/../..", or a container that sees only its own subtree) resolves to the mount itself.
 */
function ancestry(mount: string, cgroupPath: string): string[] {
  const parts = cgroupPath.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..') || !existsSync(`${mount}/${parts.join('/')}`)) return [mount];
  const dirs: string[] = [];
  for (let n = parts.length; n >= 0; n--) dirs.push(n === 0 ? mount : `${mount}/${parts.slice(0, n).join('/')}`);
  return dirs;
}

function minOrNull(a: number | null, b: number | null): number | null {
  if (a === null) return b;
  if (b === null) return a;
  return Math.min(a, b);
}

/** Where the v2 hierarchy is mounted: cgroupRoot itself (pure v2) or cgroupRoot/unified (hybrid). */
function findV2Mount(cgroupRoot: string): string | null {
  if (existsSync(`${cgroupRoot}/cgroup.controllers`)) return cgroupRoot;
  if (existsSync(`${cgroupRoot}/unified/cgroup.controllers`)) return `${cgroupRoot}/unified`;
  return null;
}

/** Where a v1 controller is mounted: the directory named by its controller list, or by itself. */
function findV1Mount(cgroupRoot: string, line: CgroupLine, controller: string): string | null {
  for (const name of [line.controllerList, controller]) {
    if (existsSync(`${cgroupRoot}/${name}`)) return `${cgroupRoot}/${name}`;
  }
  return null;
}

/**
 * The cgroup memory limit/usage and CPU quota of `pid`, from /proc/PID/cgroup and the cgroup files.
 * A controller attached to v1 is read there, otherwise from v2; limits are the tightest along the
 * path to the root. Never throws: what cannot be read is null (`version: null` if no cgroup at all).
 */
export function readCgroupLimits(pid: number | 'self', options?: ProcfsOptions): CgroupLimits {
  const { procRoot, cgroupRoot } = resolveProcfsOptions(options);
  const result: CgroupLimits = {
    version: null,
    path: null,
    memoryLimitBytes: null,
    memoryUsageBytes: null,
    cpuQuotaCores: null,
  };
  const text = readText(`${procRoot}/${pid}/cgroup`);
  if (text === null) return result;
  const { v1, v2Path } = parseCgroupFile(text);
  const v1Memory = v1.find((l) => l.controllers.includes('memory'));
  const v1Cpu = v1.find((l) => l.controllers.includes('cpu'));
  const v2Mount = v2Path !== null ? findV2Mount(cgroupRoot) : null;
  const v2Dirs = v2Mount !== null && v2Path !== null ? ancestry(v2Mount, v2Path) : null;

  // Memory: v1 if the memory controller is attached to a v1 hierarchy, else v2.
  const memMount = v1Memory ? findV1Mount(cgroupRoot, v1Memory, 'memory') : null;
  if (v1Memory && memMount !== null) {
    const dirs = ancestry(memMount, v1Memory.path);
    result.version = 1;
    result.path = v1Memory.path;
    for (const dir of dirs) {
      const limit = readNumber(`${dir}/memory.limit_in_bytes`);
      if (limit !== null && limit >= 0 && limit < V1_UNLIMITED_BYTES) {
        result.memoryLimitBytes = minOrNull(result.memoryLimitBytes, limit);
      }
    }
    result.memoryUsageBytes = readNumber(`${dirs[0] ?? memMount}/memory.usage_in_bytes`);
  } else if (v2Dirs !== null && v2Path !== null) {
    result.version = 2;
    result.path = v2Path;
    for (const dir of v2Dirs) {
      // The root cgroup has no memory.max; "max" means no limit at this level.
      const limit = readNumber(`${dir}/memory.max`);
      if (limit !== null) result.memoryLimitBytes = minOrNull(result.memoryLimitBytes, limit);
    }
    result.memoryUsageBytes = readNumber(`${v2Dirs[0] ?? v2Mount}/memory.current`);
  }

  // CPU: v1 cfs_quota_us / cfs_period_us (-1 = none), else v2 cpu.max "quota period" ("max" = none).
  const cpuMount = v1Cpu ? findV1Mount(cgroupRoot, v1Cpu, 'cpu') : null;
  if (v1Cpu && cpuMount !== null) {
    result.version ??= 1;
    result.path ??= v1Cpu.path;
    for (const dir of ancestry(cpuMount, v1Cpu.path)) {
      const quota = readNumber(`${dir}/cpu.cfs_quota_us`);
      const period = readNumber(`${dir}/cpu.cfs_period_us`);
      if (quota !== null && quota > 0 && period !== null && period > 0) {
        result.cpuQuotaCores = minOrNull(result.cpuQuotaCores, quota / period);
      }
    }
  } else if (v2Dirs !== null) {
    result.version ??= 2;
    result.path ??= v2Path;
    for (const dir of v2Dirs) {
      const [quota, period] = (readText(`${dir}/cpu.max`) ?? '').split(/\s+/);
      const q = Number(quota);
      const p = Number(period);
      if (quota !== 'max' && Number.isFinite(q) && q > 0 && Number.isFinite(p) && p > 0) {
        result.cpuQuotaCores = minOrNull(result.cpuQuotaCores, q / p);
      }
    }
  }
  return result;
}
