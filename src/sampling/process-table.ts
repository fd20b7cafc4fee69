/**
 * Every process on the host, re-read each tick for a host-wide agent (`perfscope serve`): new PIDs
 * from the /proc listing, kept-open files per process re-read with pread, and only the files a tick
 * needs. Cost is what decides the design (BENCHMARKS.md, "serve"): measured here at 1 Hz in C, the
 * kernel alone spends 7.4 µs on stat, 10.5 µs on status, 3.8 µs on io, 1.4 µs on an fstat of fd/,
 * 2.1 µs on schedstat and 1.8 µs on statm per process, so reading the four "full" files of every
 * process every second costs ~25 µs a process before any JavaScript runs. Most processes on a host
 * sleep through most seconds, and a sleeping process changes nothing those files report but its
 * memory (reclaim, swap-out). So each tick reads two small files per process, schedstat (the main
 * thread's run time, wait time and timeslice count: any run changes it) and statm (size, resident),
 * and reads stat, status, io and the fd count only when the process ran, is multi-threaded (schedstat
 * is per thread), or its memory changed (then status alone, for VmSwap). With no swap device active
 * (/proc/swaps, read once a tick) every VmSwap is 0, so status (the dearest file) is read only for the
 * context switches, which are the main thread's: only when the main thread ran.
 */
import { closeSync, fstatSync, openSync, readSync, readdirSync, statSync } from 'node:fs';
import { PerfscopeError, errnoWordsOf, fromErrno, isErrno } from '../core/errors.js';
import { assertSupported } from './platform.js';
import { getSystemErrorName } from 'node:util';
import { loadNative } from './native.js';
import { intAt, isRealProcfs, readAuxv, readProcFileOnce, resolveProcfsOptions } from './procfs.js';
import type { ProcfsOptions } from './types.js';

/** One live process, updated in place on each `update()`. Counters are cumulative since it started. */
export interface ProcessRecord {
  readonly pid: number;
  /** stat field 22, clock ticks since boot: with `pid`, identifies the process across PID reuse. */
  readonly startTimeTicks: number;
  ppid: number;
  /** The name from stat (up to 15 bytes, UTF-8 decoded); untrusted text. */
  comm: string;
  /** The command line, NULs as spaces; null for kernel threads, zombies and unreadable ones. Untrusted text. */
  cmdline: string | null;
  /** A kernel thread (PF_KTHREAD): no memory, fds or command line of its own. */
  kernelThread: boolean;
  /** One-letter state from stat (R, S, D, Z, T, I, ...). */
  state: string;
  userSeconds: number;
  systemSeconds: number;
  numThreads: number;
  minorFaults: number;
  majorFaults: number;
  /** statm resident × page size (VmRSS). */
  rssBytes: number;
  /** statm size × page size (VmSize). */
  vmsBytes: number;
  /** VmSwap; 0 for processes without an address space. */
  swapBytes: number;
  /** /proc/PID/io read_bytes / write_bytes / rchar / wchar; null when io is not readable (another user's process). */
  readBytes: number | null;
  writeBytes: number | null;
  readChars: number | null;
  writeChars: number | null;
  /** Open file descriptors; null when /proc/PID/fd is not readable. */
  numFds: number | null;
  voluntaryCtxSwitches: number;
  involuntaryCtxSwitches: number;
  /** The `update()` in which the detail files were last re-read (the process ran or its memory changed). */
  readAt: number;
}

/** What one `update()` found, besides the records it refreshed. Arrays are reused: copy what you keep. */
export interface ProcessTableUpdate {
  /** Processes seen for the first time (the first update reports every process). */
  born: ProcessRecord[];
  /** Processes gone since the previous update (their records hold the last values read). */
  exited: ProcessRecord[];
  /** Processes whose comm changed (exec, prctl): their cmdline was re-read. */
  renamed: ProcessRecord[];
  /** Faults other than a process going away, e.g. EMFILE or EIO, one message each (also counted in stats). */
  errors: string[];
}

export interface ProcessTableStats {
  /** Processes in the table. */
  processes: number;
  /** Of them, how many keep their files open (the rest open and close per read, past `maxKeptFiles`). */
  kept: number;
  /** Updates done, and the detail reads (stat+status+io+fds) and memory-only reads over all updates. */
  updates: number;
  fullReads: number;
  memoryReads: number;
  /** Faults other than a process going away, since the table was made. */
  errors: number;
}

export interface ProcessTableOptions extends ProcfsOptions {
  /**
   * Most open files the table may hold (6 per process); past it, processes are read by path
   * (open + read + close) instead. Default: half the soft RLIMIT_NOFILE, leaving the rest to the
   * application, at most 65536.
   */
  maxKeptFiles?: number;
  /** Re-read every process's detail files on every update, as process-exporter does (for comparison benches). */
  alwaysFull?: boolean;
  /**
   * Read kept processes through the native addon's batch reader (native/proctable.c) when it is built
   * (default true; PERFSCOPE_NATIVE=0 also turns it off). Same results, about half the CPU: the
   * JavaScript path spends as much again as the kernel on each read (BENCHMARKS.md, "serve").
   */
  native?: boolean;
}

/** The addon's batch reader (native/proctable.c); the layout constants below mirror its enums. */
interface TableAddon {
  readTable(fds: Int32Array, state: Float64Array, out: Float64Array, slots: number, alwaysFull: boolean, swapOff: boolean): number;
  /** The PIDs of the /proc open at `dirFd`, into `out`; returns how many (more than out.length: call again bigger), or -errno. */
  listPids(dirFd: number, out: Int32Array): number;
  /** Opens a process's six files (N order) relative to the /proc at `dirFd` into fds[at..]; 0, or -errno when stat cannot be. */
  openProcess(dirFd: number, pid: number, fds: Int32Array, at: number): number;
  /** Closes fds[at..at+count-1] that are open and sets them to -1. */
  closeFds(fds: Int32Array, at: number, count: number): void;
}
const FDS_PER_SLOT = 6;
const STATE_PER_SLOT = 4;
const OUT_FIELDS = 24;
const N = { sched: 0, statm: 1, stat: 2, status: 3, io: 4, fd: 5 } as const;
const NS = { sched: 0, statm: 1, threads: 2, flags: 3 } as const;
const O = {
  kind: 0, errno: 1, state: 2, ppid: 3, flags: 4, minflt: 5, majflt: 6, utime: 7, stime: 8, threads: 9, start: 10,
  vmsPages: 11, rssPages: 12, swapKb: 13, vol: 14, invol: 15, rchar: 16, wchar: 17, readBytes: 18, writeBytes: 19,
  ioErrno: 20, fds: 21, fdErrno: 22, commHash: 23,
} as const;
const KIND_IDLE = 0;
const KIND_FULL = 1;
const KIND_MEMORY = 2;
const KIND_GONE = 3;

const GONE = ['ESRCH', 'ENOENT'];
const DENIED = ['EACCES', 'EPERM'];
const FILES_PER_PROCESS = 6;
const PF_KTHREAD = 0x00200000;
const NON_ASCII = /[\u0080-\uffff]/;

/** A file of one process: kept open (fd >= 0) or read by path each time (fd -1). */
class Slot {
  fd = -1;
  constructor(readonly path: string) {}
}

interface Entry {
  rec: ProcessRecord;
  dir: string;
  sched: Slot;
  statm: Slot;
  stat: Slot;
  status: Slot;
  io: Slot;
  /** /proc/PID/fd, kept open as a directory for fstat (its size counts fds on kernels >= 6.2). */
  fdDir: Slot;
  kept: boolean;
  lastSched: string;
  lastStatm: string;
  rawComm: string;
  /** No schedstat here (CONFIG_SCHED_INFO off): every update reads everything. */
  noSched: boolean;
  ioDenied: boolean;
  fdDenied: boolean;
  seenAt: number;
  /** Row in the native reader's arrays, or -1 (read by the JavaScript path). */
  slot: number;
  /** The native reader's hash of the raw comm (0: not seen yet). */
  commHash: number;
}

/**
 * The host's process table. `update()` lists /proc, reads every process as cheaply as its activity
 * allows, and reports births, exits and renames; `records` holds the live ones. Synchronous, for one
 * thread; `close()` releases every kept fd. A process that cannot be read at all (gone between the
 * listing and the open) is simply not in the table; other faults are counted and returned, never thrown.
 */
export class ProcessTable {
  /** Live processes by PID. */
  readonly records = new Map<number, ProcessRecord>();
  private readonly entries = new Map<number, Entry>();
  private readonly procRoot: string;
  private readonly ticksPerSecond: number;
  private readonly pageSizeBytes: number;
  private readonly fdSizeCounts: boolean;
  private readonly maxKeptEntries: number;
  private readonly alwaysFull: boolean;
  private readonly buf = Buffer.allocUnsafe(8192);
  private keptEntries = 0;
  private round = 0;
  private readonly out: ProcessTableUpdate = { born: [], exited: [], renamed: [], errors: [] };
  private readonly counts = { updates: 0, fullReads: 0, memoryReads: 0, errors: 0 };
  private closed = false;
  private readonly addon: TableAddon | null;
  private nfds = new Int32Array(FDS_PER_SLOT * 64).fill(-1);
  private nstate = new Float64Array(STATE_PER_SLOT * 64);
  private nout = new Float64Array(OUT_FIELDS * 64);
  private slotCount = 0;
  private readonly freeSlots: number[] = [];
  /** /proc/loadavg kept open: its last field is the last PID handed out in this PID namespace. */
  private loadavgFd = -1;
  /** /proc kept open for the native listing (getdents64), -1 without the addon. */
  private procDirFd = -1;
  private pids = new Int32Array(1024);
  /** openProcess()'s six fds for the process being adopted. */
  private readonly opened = new Int32Array(FDS_PER_SLOT);
  /** /proc/swaps kept open: no device listed means every process's VmSwap is 0 (-1: not a real procfs). */
  private swapsFd = -1;
  /** No swap device active at this update's start (then VmSwap is 0 and status is read less). */
  private swapOff = false;
  private lastPid = '';
  /** Listings skipped because no PID was handed out since the last one. */
  listingsSkipped = 0;

  constructor(options: ProcessTableOptions = {}) {
    const { procRoot } = resolveProcfsOptions(options);
    if (options.procRoot === undefined) assertSupported();
    this.procRoot = procRoot;
    const auxv = readAuxv(procRoot);
    this.ticksPerSecond = auxv.clockTicksPerSecond;
    this.pageSizeBytes = auxv.pageSizeBytes;
    this.fdSizeCounts = isRealProcfs(procRoot);
    this.alwaysFull = options.alwaysFull === true;
    const maxFiles = options.maxKeptFiles ?? defaultMaxKeptFiles(procRoot);
    if (!(maxFiles >= 0) || !Number.isFinite(maxFiles)) {
      throw new PerfscopeError('EUSAGE', `maxKeptFiles must be a non-negative number, got ${String(maxFiles)}`);
    }
    this.maxKeptEntries = Math.floor(maxFiles / FILES_PER_PROCESS);
    const addon = options.native === false ? null : (loadNative() as unknown as Partial<TableAddon> | null);
    const complete = addon !== null && ['readTable', 'listPids', 'openProcess', 'closeFds'].every((f) => typeof addon[f as keyof TableAddon] === 'function');
    this.addon = complete && this.fdSizeCounts ? (addon as TableAddon) : null;
    try {
      readdirSync(procRoot);
    } catch (err) {
      throw fromErrno(err, `cannot list ${procRoot}`);
    }
    if (this.fdSizeCounts) {
      this.loadavgFd = this.tryOpen(`${procRoot}/loadavg`);
      this.swapsFd = this.tryOpen(`${procRoot}/swaps`);
      if (this.addon !== null) this.procDirFd = this.tryOpen(procRoot);
    }
  }

  /**
   * Whether no swap device is active: /proc/swaps holds its header line alone. Swapoff brings every
   * swapped page back before the device leaves the list, so then no process has swap entries. When
   * swap comes back on, every process's statm is taken as changed once, so each re-reads its VmSwap
   * (pages may have gone out between the last check and that update's reads).
   */
  private readSwapOff(): boolean {
    if (this.swapsFd < 0) return false;
    let off: boolean;
    try {
      const n = readSync(this.swapsFd, this.buf, 0, this.buf.length, 0);
      const nl = this.buf.subarray(0, n).indexOf(10);
      off = nl < 0 || nl === n - 1;
    } catch {
      off = false;
    }
    if (this.swapOff && !off) {
      for (const e of this.entries.values()) {
        e.lastStatm = '';
        if (e.slot >= 0) this.nstate[e.slot * STATE_PER_SLOT + NS.statm] = 0;
      }
    }
    return off;
  }

  /**
   * Whether a PID was handed out since the last call (the last field of /proc/loadavg moved): no new
   * PID, no new process, and the /proc listing (~1-2 µs a process) can be skipped; exits show up as
   * ESRCH on the kept files anyway. Always true where loadavg cannot be read (fixture trees).
   */
  private pidsMoved(): boolean {
    if (this.loadavgFd < 0) return true;
    let text: string;
    try {
      const n = readSync(this.loadavgFd, this.buf, 0, 128, 0);
      text = this.buf.toString('latin1', 0, n);
    } catch {
      return true;
    }
    const sp = text.lastIndexOf(' ', text.length - 2);
    const last = text.slice(sp + 1).trim();
    if (last === this.lastPid && last !== '') return false;
    this.lastPid = last;
    return true;
  }

  /** Whether kept processes are read by the native batch reader. */
  get native(): boolean {
    return this.addon !== null;
  }

  get stats(): ProcessTableStats {
    return { processes: this.entries.size, kept: this.keptEntries, ...this.counts };
  }

  /**
   * Re-reads the table: lists /proc, refreshes every known process, adds new ones (reading their
   * command line once) and drops the gone. Returns what changed; the arrays are reused by the next call.
   */
  update(): ProcessTableUpdate {
    const out = this.out;
    out.born.length = 0;
    out.exited.length = 0;
    out.renamed.length = 0;
    out.errors.length = 0;
    if (this.closed) return out;
    const round = ++this.round;
    this.counts.updates++;
    let listed = 0;
    if (this.pidsMoved()) {
      listed = this.list();
      if (listed < 0) return out;
    } else {
      this.listingsSkipped++;
    }
    this.swapOff = this.readSwapOff();
    // Known processes first: a kept file of a process that exited answers ESRCH, so a reused PID is
    // dropped here and found again as new in the listing below.
    if (this.addon !== null && this.slotCount > 0) this.addon.readTable(this.nfds, this.nstate, this.nout, this.slotCount, this.alwaysFull, this.swapOff);
    for (const entry of this.entries.values()) {
      const ok = entry.slot >= 0 ? this.applyNative(entry, round) : this.refresh(entry, round);
      if (!ok) this.drop(entry);
    }
    if (out.exited.length > 0) this.reparent(out.exited);
    const pids = this.pids;
    for (let i = 0; i < listed; i++) {
      const pid = pids[i]!;
      if (this.entries.has(pid)) continue;
      const entry = this.adopt(pid, round);
      if (entry !== null) out.born.push(entry.rec);
    }
    return out;
  }

  /**
   * The children of exited processes were given a new parent without running (an idle child's
   * schedstat does not move, so its stat would not be re-read): their stat is read again now. The
   * kernel reparents at the parent's exit, before the parent is reaped and its files answer ESRCH.
   */
  private reparent(exited: readonly ProcessRecord[]): void {
    const gone = new Set<number>();
    for (const r of exited) gone.add(r.pid);
    for (const e of this.entries.values()) {
      if (!gone.has(e.rec.ppid)) continue;
      try {
        this.readStat(e);
      } catch (err) {
        // gone too (the next update drops it), or a fault the next full read reports
        if (!isErrno(err, ...GONE) && !(err instanceof ProcessVanished)) this.fault(`cannot read ${e.stat.path}: ${errnoWordsOf(err)}`);
      }
    }
  }

  /** The PIDs in /proc into `this.pids`: how many, or -1 after reporting the fault. */
  private list(): number {
    if (this.procDirFd >= 0) {
      let n = this.addon!.listPids(this.procDirFd, this.pids);
      if (n > this.pids.length) {
        this.pids = new Int32Array(n * 2);
        n = this.addon!.listPids(this.procDirFd, this.pids);
      }
      if (n >= 0 && n <= this.pids.length) return n;
      if (n < 0) {
        this.fault(`cannot list ${this.procRoot}: ${errnoName(-n)}`);
        return -1;
      }
      // grown again between the two calls: the JavaScript listing below takes it
    }
    let names: string[];
    try {
      names = readdirSync(this.procRoot);
    } catch (err) {
      this.fault(`cannot list ${this.procRoot}: ${errnoWordsOf(err)}`);
      return -1;
    }
    if (names.length > this.pids.length) this.pids = new Int32Array(names.length * 2);
    let n = 0;
    for (let i = 0; i < names.length; i++) {
      const name = names[i]!;
      const c = name.charCodeAt(0);
      if (c < 49 || c > 57) continue; // PIDs start with 1-9; everything else in /proc is not a process
      const pid = Number(name);
      if (!Number.isSafeInteger(pid) || pid > 0x7fffffff) continue;
      this.pids[n++] = pid;
    }
    return n;
  }

  /** Closes every kept file; `update()` does nothing afterwards. Idempotent. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const fd of [this.loadavgFd, this.swapsFd, this.procDirFd]) if (fd >= 0) closeSync(fd);
    this.loadavgFd = this.swapsFd = this.procDirFd = -1;
    for (const e of this.entries.values()) this.closeEntry(e);
    this.entries.clear();
    this.records.clear();
  }

  private fault(message: string): void {
    this.counts.errors++;
    this.out.errors.push(message);
  }

  private drop(entry: Entry): void {
    this.closeEntry(entry);
    this.entries.delete(entry.rec.pid);
    this.records.delete(entry.rec.pid);
    this.out.exited.push(entry.rec);
  }

  private closeEntry(e: Entry): void {
    if (e.slot >= 0) {
      // The slot's row holds the same fds as the entry's files: closed in one native call.
      this.addon!.closeFds(this.nfds, e.slot * FDS_PER_SLOT, FDS_PER_SLOT);
      for (const s of [e.sched, e.statm, e.stat, e.status, e.io, e.fdDir]) s.fd = -1;
      this.freeSlots.push(e.slot);
      e.slot = -1;
    }
    for (const s of [e.sched, e.statm, e.stat, e.status, e.io, e.fdDir]) {
      if (s.fd >= 0) {
        const fd = s.fd;
        s.fd = -1;
        try {
          closeSync(fd);
        } catch {
          // An fd of ours that cannot be closed is a bug elsewhere; nothing useful to do here.
        }
      }
    }
    if (e.kept) {
      e.kept = false;
      this.keptEntries--;
    }
  }

  /** A new PID: opens its files (when the budget allows), reads everything once. Null if it is already gone. */
  private adopt(pid: number, round: number): Entry | null {
    const dir = `${this.procRoot}/${pid}`;
    const rec: ProcessRecord = {
      pid,
      startTimeTicks: 0,
      ppid: 0,
      comm: '',
      cmdline: null,
      kernelThread: false,
      state: '',
      userSeconds: 0,
      systemSeconds: 0,
      numThreads: 0,
      minorFaults: 0,
      majorFaults: 0,
      rssBytes: 0,
      vmsBytes: 0,
      swapBytes: 0,
      readBytes: null,
      writeBytes: null,
      readChars: null,
      writeChars: null,
      numFds: null,
      voluntaryCtxSwitches: 0,
      involuntaryCtxSwitches: 0,
      readAt: round,
    };
    const entry: Entry = {
      rec,
      dir,
      sched: new Slot(`${dir}/schedstat`),
      statm: new Slot(`${dir}/statm`),
      stat: new Slot(`${dir}/stat`),
      status: new Slot(`${dir}/status`),
      io: new Slot(`${dir}/io`),
      fdDir: new Slot(`${dir}/fd`),
      kept: false,
      lastSched: '',
      lastStatm: '',
      rawComm: '',
      noSched: false,
      ioDenied: false,
      fdDenied: false,
      seenAt: round,
      slot: -1,
      commHash: 0,
    };
    if (this.keptEntries < this.maxKeptEntries && this.procDirFd >= 0) {
      entry.kept = true;
      this.keptEntries++;
      const f = this.opened;
      const r = this.addon!.openProcess(this.procDirFd, pid, f, 0);
      if (r < 0) {
        this.closeEntry(entry);
        if (r !== -ENOENT && r !== -ESRCH) this.fault(`cannot open ${entry.stat.path}: ${errnoName(-r)}`);
        return null;
      }
      entry.sched.fd = f[N.sched]!;
      entry.statm.fd = f[N.statm]!;
      entry.stat.fd = f[N.stat]!;
      entry.status.fd = f[N.status]!;
      entry.io.fd = f[N.io]!;
      entry.fdDir.fd = f[N.fd]!;
    } else if (this.keptEntries < this.maxKeptEntries) {
      entry.kept = true;
      this.keptEntries++;
      try {
        entry.stat.fd = openSync(entry.stat.path, 'r');
      } catch (err) {
        this.closeEntry(entry);
        if (!isErrno(err, ...GONE)) this.fault(`cannot open ${entry.stat.path}: ${errnoWordsOf(err)}`);
        return null;
      }
      entry.status.fd = this.tryOpen(entry.status.path);
      entry.statm.fd = this.tryOpen(entry.statm.path);
      entry.sched.fd = this.tryOpen(entry.sched.path);
      entry.io.fd = this.tryOpen(entry.io.path);
      if (this.fdSizeCounts) entry.fdDir.fd = this.tryOpen(entry.fdDir.path);
    }
    try {
      // schedstat first: a run after it moves it, so the next update re-reads what was read here.
      entry.lastSched = this.readSched(entry);
      this.readStat(entry);
      this.readStatm(entry);
      this.readDetail(entry);
    } catch (err) {
      this.closeEntry(entry);
      if (!isErrno(err, ...GONE) && !(err instanceof ProcessVanished)) this.fault(`cannot read ${dir}: ${errnoWordsOf(err)}`);
      return null;
    }
    rec.cmdline = rec.kernelThread ? null : this.readCmdline(entry);
    this.entries.set(pid, entry);
    this.records.set(pid, rec);
    if (this.addon !== null && entry.kept && entry.stat.fd >= 0 && entry.status.fd >= 0 && entry.statm.fd >= 0) this.giveSlot(entry);
    return entry;
  }

  /**
   * Hands a kept process to the native reader, seeded with what `adopt()` just read (the hashes of
   * schedstat, statm and comm, the context switches), so an idle newborn costs its next update two
   * small reads, not a full one and a JavaScript stat read (~35 µs; a host running test suites sees
   * ~20 births a second: bench/serve.bench.ts --churn).
   */
  private giveSlot(e: Entry): void {
    let slot = this.freeSlots.pop();
    if (slot === undefined) {
      slot = this.slotCount++;
      if (slot * OUT_FIELDS >= this.nout.length) {
        const grow = <T extends Int32Array | Float64Array>(a: T, fill: number): T => {
          const b = new (a.constructor as new (n: number) => T)(a.length * 2);
          b.fill(fill);
          b.set(a);
          return b;
        };
        this.nfds = grow(this.nfds, -1);
        this.nstate = grow(this.nstate, 0);
        this.nout = grow(this.nout, 0);
      }
    }
    e.slot = slot;
    const f = slot * FDS_PER_SLOT;
    this.nfds[f + N.sched] = e.sched.fd;
    this.nfds[f + N.statm] = e.statm.fd;
    this.nfds[f + N.status] = e.status.fd;
    this.nfds[f + N.io] = e.io.fd;
    this.nfds[f + N.fd] = e.fdDir.fd;
    this.nfds[f + N.stat] = e.stat.fd; // last: a slot is read once its stat fd is set
    const st = slot * STATE_PER_SLOT;
    this.nstate[st + NS.sched] = e.noSched || e.lastSched === '' ? 0 : fnv1a(e.lastSched);
    this.nstate[st + NS.statm] = e.lastStatm === '' ? 0 : fnv1a(e.lastStatm);
    this.nstate[st + NS.threads] = e.rec.numThreads;
    this.nstate[st + NS.flags] = (e.noSched ? 1 : 0) | (e.ioDenied ? 2 : 0);
    // A read that leaves status out keeps the row's context switches: the row is this process's now.
    const b = slot * OUT_FIELDS;
    this.nout[b + O.vol] = e.rec.voluntaryCtxSwitches;
    this.nout[b + O.invol] = e.rec.involuntaryCtxSwitches;
    this.nout[b + O.swapKb] = e.rec.swapBytes / 1024;
    e.commHash = fnv1a(e.rawComm);
  }

  /** Takes this update's native result for a process; false when it is gone. */
  private applyNative(e: Entry, round: number): boolean {
    const o = this.nout;
    const b = e.slot * OUT_FIELDS;
    const kind = o[b + O.kind]!;
    if (kind === KIND_IDLE) return true;
    if (kind === KIND_GONE) return false;
    const rec = e.rec;
    const page = this.pageSizeBytes;
    if (kind === KIND_MEMORY) {
      rec.vmsBytes = o[b + O.vmsPages]! * page;
      rec.rssBytes = o[b + O.rssPages]! * page;
      rec.swapBytes = o[b + O.swapKb]! * 1024;
      rec.readAt = round;
      this.counts.memoryReads++;
      return true;
    }
    if (kind !== KIND_FULL) {
      this.fault(`cannot read ${e.dir}: ${errnoName(o[b + O.errno]!)}`);
      return true;
    }
    try {
      // A new name (exec, prctl): the JavaScript reader takes the text itself and reports the rename.
      const hash = o[b + O.commHash]!;
      if (hash !== e.commHash) {
        e.commHash = hash;
        this.readStat(e);
      }
      const hz = this.ticksPerSecond;
      rec.state = String.fromCharCode(o[b + O.state]!);
      rec.ppid = o[b + O.ppid]!;
      rec.kernelThread = (o[b + O.flags]! & PF_KTHREAD) !== 0;
      rec.minorFaults = o[b + O.minflt]!;
      rec.majorFaults = o[b + O.majflt]!;
      rec.userSeconds = o[b + O.utime]! / hz;
      rec.systemSeconds = o[b + O.stime]! / hz;
      rec.numThreads = o[b + O.threads]!;
      rec.vmsBytes = o[b + O.vmsPages]! * page;
      rec.rssBytes = o[b + O.rssPages]! * page;
      rec.swapBytes = o[b + O.swapKb]! * 1024;
      rec.voluntaryCtxSwitches = o[b + O.vol]!;
      rec.involuntaryCtxSwitches = o[b + O.invol]!;
      const ioErr = o[b + O.ioErrno]!;
      if (ioErr === 0) {
        rec.readChars = nullIfNegative(o[b + O.rchar]!);
        rec.writeChars = nullIfNegative(o[b + O.wchar]!);
        rec.readBytes = nullIfNegative(o[b + O.readBytes]!);
        rec.writeBytes = nullIfNegative(o[b + O.writeBytes]!);
      } else {
        rec.readBytes = rec.writeBytes = rec.readChars = rec.writeChars = null;
        if (ioErr !== EACCES && ioErr !== EPERM && ioErr !== ESRCH) this.fault(`cannot read ${e.io.path}: ${errnoName(ioErr)}`);
      }
      const fds = o[b + O.fds]!;
      if (fds >= 0) rec.numFds = fds;
      else this.readFds(e); // an old kernel (no size on fd/), a zombie or a kernel thread: list it
      rec.readAt = round;
      this.counts.fullReads++;
      return true;
    } catch (err) {
      if (isErrno(err, ...GONE) || err instanceof ProcessVanished) return false;
      this.fault(`cannot read ${e.dir}: ${errnoWordsOf(err)}`);
      return true;
    }
  }

  /** Opens a file to keep; -1 when it cannot be (missing, denied: the reads then go by path and report it). */
  private tryOpen(path: string): number {
    try {
      return openSync(path, 'r');
    } catch {
      return -1;
    }
  }

  /** One update of a known process; false when it is gone. */
  private refresh(entry: Entry, round: number): boolean {
    const rec = entry.rec;
    try {
      // The main thread's schedstat moves whenever it ran (run time, wait time, timeslices). A
      // multi-threaded process is re-read every update (schedstat is per thread); its main thread's
      // schedstat then only tells whether status can be left out, which needs swap off.
      const readSched = !this.alwaysFull && !entry.noSched && (rec.numThreads === 1 || this.swapOff);
      const sched = readSched ? this.readSched(entry) : '';
      const mainRan = !readSched || sched !== entry.lastSched || sched === '';
      entry.lastSched = sched;
      if (mainRan || rec.numThreads !== 1) {
        this.readStat(entry);
        this.readStatm(entry);
        this.readDetail(entry, mainRan);
        rec.readAt = round;
        this.counts.fullReads++;
        return true;
      }
      // It did not run: only reclaim or swap-out can have moved its memory, and statm shows that.
      if (this.readStatm(entry)) {
        if (this.swapOff) rec.swapBytes = 0;
        else this.readSwap(entry);
        rec.readAt = round;
        this.counts.memoryReads++;
      }
      return true;
    } catch (err) {
      if (isErrno(err, ...GONE) || err instanceof ProcessVanished) return false;
      this.fault(`cannot read ${entry.dir}: ${errnoWordsOf(err)}`);
      return true; // keep it; the next update tries again
    }
  }

  /** The file's text: pread at 0 on the kept fd, else open + read + close. Throws the errno error. */
  private read(slot: Slot): string {
    if (slot.fd < 0) return readProcFileOnce(slot.path);
    const buf = this.buf;
    const n = readSync(slot.fd, buf, 0, buf.length, 0);
    if (n < buf.length) return buf.toString('latin1', 0, n);
    return readProcFileOnce(slot.path); // longer than the buffer (a status with huge Cpus_allowed lists)
  }

  /** stat: state, ppid, flags, faults, CPU, threads, start time (into this.startTicks), comm. */
  private readStat(e: Entry): void {
    const text = this.read(e.stat);
    const rec = e.rec;
    const open = text.indexOf('(');
    const close = text.lastIndexOf(')');
    if (open < 0 || close < open || text.charCodeAt(close + 1) !== 32) {
      throw new PerfscopeError('EBADDATA', `cannot parse ${e.stat.path}: ${JSON.stringify(text.slice(0, 80))}`);
    }
    if (e.rawComm.length !== close - open - 1 || !text.startsWith(e.rawComm, open + 1)) {
      const raw = text.slice(open + 1, close);
      const first = e.rawComm === '';
      e.rawComm = raw;
      rec.comm = NON_ASCII.test(raw) ? Buffer.from(raw, 'latin1').toString('utf8') : raw;
      if (!first) {
        rec.cmdline = rec.kernelThread ? null : this.readCmdline(e);
        this.out.renamed.push(rec);
      }
    }
    const hz = this.ticksPerSecond;
    rec.state = text.charAt(close + 2);
    let p = close + 4; // field 4, ppid
    rec.ppid = intAt(text, p);
    p = nextField(text, p, 5); // 9 flags
    rec.kernelThread = (intAt(text, p) & PF_KTHREAD) !== 0;
    p = nextField(text, p, 1); // 10
    rec.minorFaults = intAt(text, p);
    p = nextField(text, p, 2); // 12
    rec.majorFaults = intAt(text, p);
    p = nextField(text, p, 2); // 14
    rec.userSeconds = intAt(text, p) / hz;
    p = nextField(text, p, 1);
    rec.systemSeconds = intAt(text, p) / hz;
    p = nextField(text, p, 5); // 20
    rec.numThreads = intAt(text, p);
    p = nextField(text, p, 2); // 22
    const start = p > 0 ? intAt(text, p) : NaN;
    if (start !== start) throw new PerfscopeError('EBADDATA', `cannot parse ${e.stat.path}: no start time`);
    if (rec.startTimeTicks === 0) (rec as { startTimeTicks: number }).startTimeTicks = start;
    else if (start !== rec.startTimeTicks) throw new ProcessVanished(); // PID reused under a path read
  }

  /** statm "size resident ...": true when it changed since the last read. */
  private readStatm(e: Entry): boolean {
    const text = this.read(e.statm);
    if (text === e.lastStatm) return false;
    e.lastStatm = text;
    const sp = text.indexOf(' ');
    const page = this.pageSizeBytes;
    e.rec.vmsBytes = intAt(text, 0) * page;
    e.rec.rssBytes = sp > 0 ? intAt(text, sp + 1) * page : 0;
    return true;
  }

  private readSched(e: Entry): string {
    if (e.noSched) return '';
    try {
      return this.read(e.sched);
    } catch (err) {
      if (isErrno(err, 'ENOENT') && this.stillThere(e)) {
        e.noSched = true; // a kernel without CONFIG_SCHED_INFO
        return '';
      }
      throw err;
    }
  }

  private stillThere(e: Entry): boolean {
    try {
      this.read(e.stat);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * status (swap, context switches), io, and the fd count. status is left out when no swap is active
   * and the main thread did not run (`mainRan` false): its context switches are the main thread's.
   */
  private readDetail(e: Entry, mainRan = true): void {
    const rec = e.rec;
    if (this.swapOff && !mainRan) {
      rec.swapBytes = 0;
      this.readIo(e);
      this.readFds(e);
      return;
    }
    const text = this.read(e.status);
    let at = text.indexOf('\nVmSwap:');
    rec.swapBytes = at < 0 ? 0 : intAt(text, at + 8) * 1024;
    at = text.indexOf('\nvoluntary_ctxt_switches:', at < 0 ? 0 : at);
    rec.voluntaryCtxSwitches = at < 0 ? 0 : intAt(text, at + 25);
    at = text.indexOf('\nnonvoluntary_ctxt_switches:', at < 0 ? 0 : at);
    rec.involuntaryCtxSwitches = at < 0 ? 0 : intAt(text, at + 28);
    this.readIo(e);
    this.readFds(e);
  }

  private readSwap(e: Entry): void {
    const text = this.read(e.status);
    const at = text.indexOf('\nVmSwap:');
    e.rec.swapBytes = at < 0 ? 0 : intAt(text, at + 8) * 1024;
  }

  /** /proc/PID/io is permission-checked on every read: another user's process answers EACCES (null). */
  private readIo(e: Entry): void {
    const rec = e.rec;
    if (e.ioDenied) return;
    let text: string;
    try {
      text = this.read(e.io);
    } catch (err) {
      if (isErrno(err, ...GONE)) throw err;
      // Denied (another user's process) is expected; anything else is a fault, reported once.
      if (!isErrno(err, ...DENIED)) this.fault(`cannot read ${e.io.path}: ${errnoWordsOf(err)} (I/O counters of PID ${rec.pid} left out)`);
      e.ioDenied = true;
      rec.readBytes = rec.writeBytes = rec.readChars = rec.writeChars = null;
      if (e.io.fd >= 0) {
        closeSync(e.io.fd);
        e.io.fd = -1;
        if (e.slot >= 0) this.nfds[e.slot * FDS_PER_SLOT + N.io] = -1;
      }
      return;
    }
    let at = text.indexOf('rchar:');
    rec.readChars = at < 0 ? null : intAt(text, at + 6);
    at = text.indexOf('wchar:', at);
    rec.writeChars = at < 0 ? null : intAt(text, at + 6);
    at = text.indexOf('read_bytes:', at);
    rec.readBytes = at < 0 ? null : intAt(text, at + 11);
    at = text.indexOf('write_bytes:', at);
    rec.writeBytes = at < 0 ? null : intAt(text, at + 12);
  }

  /**
   * The fd count: the size of /proc/PID/fd on kernels >= 6.2 (fstat of the kept directory, 0.5 µs),
   * else a listing. 0 from the size means an old kernel or no fds at all (kernel threads, zombies).
   */
  private readFds(e: Entry): void {
    const rec = e.rec;
    if (e.fdDenied) return;
    try {
      if (e.fdDir.fd >= 0) {
        const size = fstatSync(e.fdDir.fd).size;
        if (size > 0 || rec.kernelThread) {
          rec.numFds = size;
          return;
        }
      } else if (this.fdSizeCounts) {
        const size = statSync(e.fdDir.path).size;
        if (size > 0 || rec.kernelThread) {
          rec.numFds = size;
          return;
        }
      }
      rec.numFds = readdirSync(e.fdDir.path).length;
    } catch (err) {
      if (isErrno(err, ...GONE)) {
        if (rec.state === 'Z' || rec.kernelThread) {
          rec.numFds = 0;
          return;
        }
        throw err;
      }
      if (!isErrno(err, ...DENIED)) this.fault(`cannot count ${e.fdDir.path}: ${errnoWordsOf(err)} (open fds of PID ${rec.pid} left out)`);
      e.fdDenied = true;
      rec.numFds = null;
    }
  }

  private readCmdline(e: Entry): string | null {
    let text: string;
    try {
      text = readProcFileOnce(`${e.dir}/cmdline`, 'utf8');
    } catch {
      return null;
    }
    let end = text.length;
    while (end > 0 && text.charCodeAt(end - 1) === 0) end--;
    if (end === 0) return null;
    return text.slice(0, end).replaceAll('\0', ' ');
  }
}

const EACCES = 13;
const EPERM = 1;
const ESRCH = 3;
const ENOENT = 2;

function errnoName(errno: number): string {
  try {
    return getSystemErrorName(-errno);
  } catch {
    return `errno ${errno}`;
  }
}

/** native/proctable.c's FNV-1a over a latin1 string's bytes (0 is "not read yet", so never 0). */
function fnv1a(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619) >>> 0;
  return h === 0 ? 1 : h;
}

function nullIfNegative(v: number): number | null {
  return v < 0 ? null : v;
}

/** A path read found another process under the PID (reused between two reads). */
class ProcessVanished extends Error {}

/** The start of the field `count` fields after the one at `p` in a stat line; 0 past the end. */
function nextField(text: string, p: number, count: number): number {
  for (let k = 0; k < count && p > 0; k++) p = text.indexOf(' ', p) + 1;
  return p;
}

/** Half the soft "Max open files" of this process (from <procRoot>/self/limits), at most 65536; 512 if unknown. */
function defaultMaxKeptFiles(procRoot: string): number {
  try {
    const text = readProcFileOnce(`${procRoot}/self/limits`);
    const m = /^Max open files\s+(\d+|unlimited)/m.exec(text);
    if (m) return m[1] === 'unlimited' ? 65536 : Math.min(65536, Math.floor(Number(m[1]) / 2));
  } catch {
    // fixture trees have no limits file
  }
  return 512;
}
