/**
 * A writable fake /proc: the files perfscope's readers parse, written in the kernel's formats into a
 * temporary directory that `procRoot` (SamplerOptions, ProcessReader, SystemReader, default metrics)
 * reads. Rewrite a process between ticks of a FakeClock to test what a sampler derives, exactly:
 *
 *   const proc = new FakeProcfs();
 *   proc.setProcess({ pid: 4242, comm: 'worker', userTicks: 1000, rssBytes: 50 * 2 ** 20 });
 *   const clock = new FakeClock();
 *   const sampler = new Sampler({ pid: 4242, procRoot: proc.root, clock, intervalMs: 100 });
 *   proc.updateProcess(4242, { userTicks: 1005 });   // 5 ticks = 50 ms of CPU in the next 100 ms
 *   clock.advance(100);
 *   proc.cleanup();
 *
 * Units are in the names; the kernel's own units are applied when writing (clock ticks at 100 Hz, kB in
 * status and meminfo, 512-byte sectors in diskstats). Sizes that are not whole kB are rounded down, as
 * the kernel reports them. There is no `self/auxv`, so readers use 100 ticks/s and 4096-byte pages.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { usageError } from '../core/errors.js';

export interface FakeIo {
  readChars?: number;
  writeChars?: number;
  readSyscalls?: number;
  writeSyscalls?: number;
  readBytes?: number;
  writeBytes?: number;
  cancelledWriteBytes?: number;
}

export interface FakeProcess {
  pid: number;
  /** Default 1. */
  ppid?: number;
  /** The name in `stat` and `status` (any text, `)` and spaces included). Default `fake`. */
  comm?: string;
  /** `R`, `S`, `Z`, ... Default `S`. */
  state?: string;
  userTicks?: number;
  systemTicks?: number;
  childrenUserTicks?: number;
  childrenSystemTicks?: number;
  /** Start time since boot in ticks (how a reused PID is told apart). Default 100000 + pid. */
  startTimeTicks?: number;
  /** Thread IDs (the first is the main thread, = pid). Default `[pid]`. */
  threads?: number[];
  minorFaults?: number;
  majorFaults?: number;
  rssBytes?: number;
  vmsBytes?: number;
  rssAnonBytes?: number;
  rssFileBytes?: number;
  rssShmemBytes?: number;
  swapBytes?: number;
  /** `VmData` (what `process_heap_bytes` reports). Default rssAnonBytes. */
  dataBytes?: number;
  voluntaryCtxSwitches?: number;
  involuntaryCtxSwitches?: number;
  /** `/proc/PID/io`; null: no io file (as for a process one may not read). Default all zero. */
  io?: FakeIo | null;
  /** Entries of `fd/`. Default 4. */
  openFds?: number;
  /** Soft "Max open files" of `limits`. Default 1024. */
  maxFds?: number;
  /** argv, written NUL-separated to `cmdline`. Default `[comm]`. */
  cmdline?: string[];
  /** PIDs listed in the main thread's `task/PID/children`. Default none. */
  children?: number[];
  /** CPU time of each thread in ns (`task/TID/schedstat`); default the process's ticks on the main thread. */
  threadCpuNs?: number[];
  /** `smaps_rollup`; undefined: no such file. */
  smaps?: { rssBytes: number; pssBytes: number; privateBytes: number; swapBytes?: number };
}

export interface FakeCpuTicks {
  user?: number;
  nice?: number;
  system?: number;
  idle?: number;
  iowait?: number;
  irq?: number;
  softirq?: number;
  steal?: number;
}

export interface FakeDisk {
  name: string;
  readOps?: number;
  readBytes?: number;
  writeOps?: number;
  writeBytes?: number;
  busyMs?: number;
}

export interface FakeNetInterface {
  name: string;
  rxBytes?: number;
  rxPackets?: number;
  rxErrors?: number;
  rxDrops?: number;
  txBytes?: number;
  txPackets?: number;
  txErrors?: number;
  txDrops?: number;
}

export interface FakeSystem {
  /** One entry per CPU, in ticks; the `cpu` total line is their sum. Default two idle CPUs. */
  cpus?: FakeCpuTicks[];
  contextSwitches?: number;
  bootTimeSeconds?: number;
  procsRunning?: number;
  procsBlocked?: number;
  memTotalBytes?: number;
  memFreeBytes?: number;
  memAvailableBytes?: number;
  buffersBytes?: number;
  cachedBytes?: number;
  swapTotalBytes?: number;
  swapFreeBytes?: number;
  load1?: number;
  load5?: number;
  load15?: number;
  runnable?: number;
  schedulingEntities?: number;
  disks?: FakeDisk[];
  netInterfaces?: FakeNetInterface[];
  /**
   * Whether the kernel lists children in `task/TID/children` (CONFIG_PROC_CHILDREN; default true).
   * false: no such files, as on kernels built without it, and readers find children by scanning every
   * process's `stat` for its ppid.
   */
  childrenFiles?: boolean;
}

const kB = (bytes: number | undefined): number => Math.floor((bytes ?? 0) / 1024);
const pad = (s: string | number, width: number): string => String(s).padStart(width);

const DEFAULT_SYSTEM: Required<FakeSystem> = {
  cpus: [{ idle: 1000 }, { idle: 1000 }],
  contextSwitches: 1000,
  bootTimeSeconds: 1_700_000_000,
  procsRunning: 1,
  procsBlocked: 0,
  memTotalBytes: 8 * 2 ** 30,
  memFreeBytes: 4 * 2 ** 30,
  memAvailableBytes: 6 * 2 ** 30,
  buffersBytes: 128 * 2 ** 20,
  cachedBytes: 2 * 2 ** 30,
  swapTotalBytes: 2 * 2 ** 30,
  swapFreeBytes: 2 * 2 ** 30,
  load1: 0.5,
  load5: 0.25,
  load15: 0.1,
  runnable: 1,
  schedulingEntities: 100,
  disks: [{ name: 'vda' }],
  netInterfaces: [{ name: 'eth0' }],
  childrenFiles: true,
};

export class FakeProcfs {
  /** The directory to pass as `procRoot`. */
  readonly root: string;
  private system: Required<FakeSystem>;
  private readonly processes = new Map<number, FakeProcess>();

  /** Creates the directory (under the OS temp dir) with the system files of `system` (defaults otherwise). */
  constructor(system: FakeSystem = {}) {
    this.root = mkdtempSync(join(tmpdir(), 'perfscope-fakeproc-'));
    this.system = { ...DEFAULT_SYSTEM, ...system };
    mkdirSync(join(this.root, 'net'));
    this.writeSystem();
  }

  /** Changes system figures (merged with the current ones) and rewrites the system files. */
  updateSystem(changes: FakeSystem): void {
    this.system = { ...this.system, ...changes };
    this.writeSystem();
  }

  /** Creates (or replaces) a process's files. */
  setProcess(p: FakeProcess): void {
    if (!Number.isInteger(p.pid) || p.pid < 1) throw usageError(`FakeProcfs: pid must be a positive integer, got ${inspect(p.pid)}`);
    this.processes.set(p.pid, { ...p });
    this.writeProcess(p);
  }

  /** Changes a process's figures (merged with the current ones) and rewrites its files. */
  updateProcess(pid: number, changes: Partial<FakeProcess>): void {
    const p = this.processes.get(pid);
    if (p === undefined) throw usageError(`FakeProcfs: no process ${pid} (setProcess first)`);
    const next = { ...p, ...changes, pid };
    this.processes.set(pid, next);
    this.writeProcess(next);
  }

  /** Points `self` at `pid` (what the default metrics read: `procRoot/self/status`, `fd`, `limits`). */
  linkSelf(pid: number): void {
    rmSync(join(this.root, 'self'), { force: true });
    symlinkSync(String(pid), join(this.root, 'self'));
  }

  /** The process exits and is reaped: its directory disappears. */
  removeProcess(pid: number): void {
    this.processes.delete(pid);
    rmSync(join(this.root, String(pid)), { recursive: true, force: true });
  }

  /** Removes the directory. */
  cleanup(): void {
    rmSync(this.root, { recursive: true, force: true });
  }

  [Symbol.dispose](): void {
    this.cleanup();
  }

  private writeSystem(): void {
    const s = this.system;
    const fields = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'] as const;
    const line = (name: string, t: FakeCpuTicks): string => `${name} ${fields.map((f) => t[f] ?? 0).join(' ')} 0 0`;
    const total: FakeCpuTicks = {};
    for (const c of s.cpus) for (const f of fields) total[f] = (total[f] ?? 0) + (c[f] ?? 0);
    const stat = [
      line('cpu ', total),
      ...s.cpus.map((c, i) => line(`cpu${i}`, c)),
      'intr 0 0 0',
      `ctxt ${s.contextSwitches}`,
      `btime ${s.bootTimeSeconds}`,
      'processes 1000',
      `procs_running ${s.procsRunning}`,
      `procs_blocked ${s.procsBlocked}`,
      'softirq 0 0 0 0 0 0 0 0 0 0 0',
    ];
    writeFileSync(join(this.root, 'stat'), `${stat.join('\n')}\n`);
    const mem: [string, number][] = [
      ['MemTotal', s.memTotalBytes],
      ['MemFree', s.memFreeBytes],
      ['MemAvailable', s.memAvailableBytes],
      ['Buffers', s.buffersBytes],
      ['Cached', s.cachedBytes],
      ['SwapCached', 0],
      ['SwapTotal', s.swapTotalBytes],
      ['SwapFree', s.swapFreeBytes],
    ];
    writeFileSync(join(this.root, 'meminfo'), mem.map(([k, v]) => `${`${k}:`.padEnd(16)}${pad(kB(v), 8)} kB\n`).join(''));
    writeFileSync(join(this.root, 'loadavg'), `${s.load1.toFixed(2)} ${s.load5.toFixed(2)} ${s.load15.toFixed(2)} ${s.runnable}/${s.schedulingEntities} 4242\n`);
    writeFileSync(
      join(this.root, 'diskstats'),
      s.disks
        .map((d, i) => {
          const n = (x: number | undefined): number => x ?? 0;
          // major minor name reads merged sectors ms writes merged sectors ms in-flight io_ticks weighted ...
          return `${pad(253, 4)} ${pad(i * 16, 7)} ${d.name} ${n(d.readOps)} 0 ${Math.floor(n(d.readBytes) / 512)} 0 ${n(d.writeOps)} 0 ${Math.floor(n(d.writeBytes) / 512)} 0 0 ${n(d.busyMs)} 0 0 0 0 0 0 0\n`;
        })
        .join(''),
    );
    const head =
      'Inter-|   Receive                                                |  Transmit\n' +
      ' face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n';
    const iface = (i: FakeNetInterface): string => {
      const n = (x: number | undefined): number => x ?? 0;
      return `${pad(i.name, 6)}: ${[n(i.rxBytes), n(i.rxPackets), n(i.rxErrors), n(i.rxDrops), 0, 0, 0, 0, n(i.txBytes), n(i.txPackets), n(i.txErrors), n(i.txDrops), 0, 0, 0, 0].join(' ')}\n`;
    };
    writeFileSync(join(this.root, 'net', 'dev'), head + iface({ name: 'lo' }) + s.netInterfaces.map(iface).join(''));
  }

  private writeProcess(p: FakeProcess): void {
    const dir = join(this.root, String(p.pid));
    mkdirSync(dir, { recursive: true });
    const comm = p.comm ?? 'fake';
    const threads = p.threads ?? [p.pid];
    const n = (x: number | undefined): number => x ?? 0;
    // proc(5) field order; 52 fields, the ones readers use set from `p`
    const stat = [
      p.pid,
      `(${comm})`,
      p.state ?? 'S',
      p.ppid ?? 1,
      p.pid, // pgrp
      p.pid, // session
      0, // tty
      -1, // tpgid
      4194304, // flags
      n(p.minorFaults),
      0, // cminflt
      n(p.majorFaults),
      0, // cmajflt
      n(p.userTicks),
      n(p.systemTicks),
      n(p.childrenUserTicks),
      n(p.childrenSystemTicks),
      20, // priority
      0, // nice
      threads.length,
      0, // itrealvalue
      p.startTimeTicks ?? 100_000 + p.pid,
      n(p.vmsBytes),
      Math.floor(n(p.rssBytes) / 4096),
      ...Array<number>(28).fill(0),
    ];
    writeFileSync(join(dir, 'stat'), `${stat.join(' ')}\n`);
    const status = [
      `Name:\t${comm.replace(/\n/g, '\\n')}`,
      'Umask:\t0022',
      `State:\t${p.state ?? 'S'} (sleeping)`,
      `Tgid:\t${p.pid}`,
      `Pid:\t${p.pid}`,
      `PPid:\t${p.ppid ?? 1}`,
      `VmPeak:\t${pad(kB(p.vmsBytes), 8)} kB`,
      `VmSize:\t${pad(kB(p.vmsBytes), 8)} kB`,
      `VmHWM:\t${pad(kB(p.rssBytes), 8)} kB`,
      `VmRSS:\t${pad(kB(p.rssBytes), 8)} kB`,
      `RssAnon:\t${pad(kB(p.rssAnonBytes), 8)} kB`,
      `RssFile:\t${pad(kB(p.rssFileBytes), 8)} kB`,
      `RssShmem:\t${pad(kB(p.rssShmemBytes), 8)} kB`,
      `VmData:\t${pad(kB(p.dataBytes ?? p.rssAnonBytes), 8)} kB`,
      `VmSwap:\t${pad(kB(p.swapBytes), 8)} kB`,
      `Threads:\t${threads.length}`,
      `voluntary_ctxt_switches:\t${n(p.voluntaryCtxSwitches)}`,
      `nonvoluntary_ctxt_switches:\t${n(p.involuntaryCtxSwitches)}`,
    ];
    writeFileSync(join(dir, 'status'), `${status.join('\n')}\n`);
    rmSync(join(dir, 'io'), { force: true });
    if (p.io !== null) {
      const io = p.io ?? {};
      writeFileSync(
        join(dir, 'io'),
        `rchar: ${n(io.readChars)}\nwchar: ${n(io.writeChars)}\nsyscr: ${n(io.readSyscalls)}\nsyscw: ${n(io.writeSyscalls)}\n` +
          `read_bytes: ${n(io.readBytes)}\nwrite_bytes: ${n(io.writeBytes)}\ncancelled_write_bytes: ${n(io.cancelledWriteBytes)}\n`,
      );
    }
    writeFileSync(join(dir, 'cmdline'), `${(p.cmdline ?? [comm]).join('\0')}\0`);
    writeFileSync(
      join(dir, 'limits'),
      'Limit                     Soft Limit           Hard Limit           Units     \n' +
        `Max open files            ${String(p.maxFds ?? 1024).padEnd(21)}${String(p.maxFds ?? 1024).padEnd(21)}files     \n`,
    );
    const fdDir = join(dir, 'fd');
    rmSync(fdDir, { recursive: true, force: true });
    mkdirSync(fdDir);
    for (let i = 0; i < (p.openFds ?? 4); i++) writeFileSync(join(fdDir, String(i)), '');
    const taskDir = join(dir, 'task');
    mkdirSync(taskDir, { recursive: true });
    for (const name of readdirSync(taskDir)) if (!threads.includes(Number(name))) rmSync(join(taskDir, name), { recursive: true, force: true });
    const defaultNs = (n(p.userTicks) + n(p.systemTicks)) * 1e7;
    threads.forEach((tid, i) => {
      const t = join(taskDir, String(tid));
      mkdirSync(t, { recursive: true });
      const ns = p.threadCpuNs?.[i] ?? (i === 0 ? defaultNs : 0);
      writeFileSync(join(t, 'schedstat'), `${ns} 0 0\n`);
      if (this.system.childrenFiles) writeFileSync(join(t, 'children'), i === 0 && p.children !== undefined && p.children.length > 0 ? `${p.children.join(' ')} ` : '');
      else rmSync(join(t, 'children'), { force: true });
    });
    rmSync(join(dir, 'smaps_rollup'), { force: true });
    if (p.smaps !== undefined) {
      const m = p.smaps;
      writeFileSync(
        join(dir, 'smaps_rollup'),
        '00400000-7fff394e1000 ---p 00000000 00:00 0                              [rollup]\n' +
          `Rss:            ${pad(kB(m.rssBytes), 8)} kB\nPss:            ${pad(kB(m.pssBytes), 8)} kB\n` +
          `Private_Clean:  ${pad(0, 8)} kB\nPrivate_Dirty:  ${pad(kB(m.privateBytes), 8)} kB\n` +
          `Private_Hugetlb:${pad(0, 8)} kB\nSwap:           ${pad(kB(m.swapBytes), 8)} kB\n`,
      );
    }
  }
}
