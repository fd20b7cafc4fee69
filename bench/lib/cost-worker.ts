/**
 * One cost measurement in a fresh Node process: `method` snapshots `pid` (or the system) `n` times
 * after `warmup` untimed ones and prints one JSON line (CostResult). CPU is process.cpuUsage() over
 * the timed calls plus, for methods that spawn commands, the CPU of the reaped children
 * (cutime + cstime of /proc/self/stat). Spawning methods are spaced `spacingMs` apart so that
 * systeminformation's caches (200–500 ms) never answer a timed call.
 *
 * Usage (compiled by compile.ts): node cost-worker.js <method> <pid> <n> <warmup> <spacingMs> [name]
 */
import { readProcCpu } from './proc-cpu.js';
import type { CostResult } from './cost-result.js';

const [method = '', pidArg = '', nArg = '', warmupArg = '', spacingArg = '0', targetName = ''] = process.argv.slice(2);
const pid = Number(pidArg);
const n = Number(nArg);
const warmup = Number(warmupArg);
const spacingMs = Number(spacingArg);
/** `<method>-warm` is `<method>` measured after a longer warm-up (the bench decides how long). */
const base = method.replace(/-warm$/, '');

type Snap = () => unknown;
type AsyncSnap = () => Promise<unknown>;

/** Checks a result so a broken method cannot pass as a cheap one. */
function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`${method}: ${what}`);
}

async function syncMethod(): Promise<Snap | null> {
  switch (base) {
    case 'proc-ours':
    case 'proc-ours-precise': {
      const { ProcessReader } = await import('../../src/sampling/process.js');
      const reader = new ProcessReader(pid, { precise: base === 'proc-ours-precise' });
      return () => {
        const s = reader.read();
        check(s !== null && s.numFds !== null && s.io !== null, 'incomplete snapshot');
        return s;
      };
    }
    case 'sys-ours': {
      const { SystemReader } = await import('../../src/sampling/system.js');
      const reader = new SystemReader();
      return () => reader.read();
    }
    default:
      return null;
  }
}

async function asyncMethod(): Promise<{ snap: AsyncSnap; spawns: boolean } | null> {
  switch (base) {
    case 'proc-pidusage': {
      const pidusage = (await import('pidusage')).default;
      return {
        snap: async () => {
          const s = await pidusage(pid);
          check(s.memory > 0, 'no memory');
          return s;
        },
        spawns: false,
      };
    }
    case 'proc-si-processload': {
      const si = (await import('systeminformation')).default;
      return {
        snap: async () => {
          const [s] = await si.processLoad(targetName);
          check(s !== undefined && s.pids.includes(pid), `processLoad(${targetName}) did not find PID ${pid}`);
          return s;
        },
        spawns: true,
      };
    }
    case 'proc-si-processes': {
      const si = (await import('systeminformation')).default;
      return {
        snap: async () => {
          const all = await si.processes();
          const s = all.list.find((p) => p.pid === pid);
          check(s !== undefined, `processes() did not list PID ${pid}`);
          return s;
        },
        spawns: true,
      };
    }
    case 'sys-si': {
      const si = (await import('systeminformation')).default;
      return {
        snap: async () => {
          const load = await si.currentLoad();
          const mem = await si.mem();
          const net = await si.networkStats('*');
          const disk = await si.disksIO();
          check(load.cpus.length > 0 && mem.total > 0 && net.length > 0, 'empty result');
          return [load, mem, net, disk];
        },
        spawns: true,
      };
    }
    default:
      return null;
  }
}

function cpuMicros(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

function nowNs(): bigint {
  return process.hrtime.bigint();
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function main(): Promise<CostResult> {
  const wallUs: number[] = [];
  let cpuUs = 0;
  let childrenCpuUs = 0;
  const sync = await syncMethod();
  if (sync) {
    for (let i = 0; i < warmup; i++) sync();
    const c0 = cpuMicros();
    for (let i = 0; i < n; i++) {
      const a = nowNs();
      sync();
      wallUs.push(Number(nowNs() - a) / 1000);
    }
    cpuUs = cpuMicros() - c0;
  } else {
    const m = await asyncMethod();
    if (!m) throw new Error(`unknown method ${method}`);
    for (let i = 0; i < warmup; i++) {
      await m.snap();
      if (spacingMs > 0) await sleep(spacingMs);
    }
    const before = readProcCpu('self');
    for (let i = 0; i < n; i++) {
      const c = cpuMicros();
      const a = nowNs();
      await m.snap();
      wallUs.push(Number(nowNs() - a) / 1000);
      cpuUs += cpuMicros() - c;
      if (spacingMs > 0 && i < n - 1) await sleep(spacingMs);
    }
    if (m.spawns) childrenCpuUs = (readProcCpu('self').childrenSeconds - before.childrenSeconds) * 1e6;
  }
  wallUs.sort((a, b) => a - b);
  return {
    method,
    n,
    cpuUsPerSnapshot: (cpuUs + childrenCpuUs) / n,
    childrenCpuUsPerSnapshot: childrenCpuUs / n,
    wallP50Us: wallUs[Math.floor(wallUs.length / 2)] ?? NaN,
  };
}

main().then(
  (r) => {
    process.stdout.write(`${JSON.stringify(r)}\n`);
    process.exit(0); // systeminformation and pidusage may leave handles behind
  },
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
