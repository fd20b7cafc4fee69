/**
 * The Sampler: on each deadline tick it reads the process tree (and the system) from /proc, turns the
 * cumulative counters into rates and emits one Sample. Synchronous reads through kept-open files: a
 * tick costs tens of microseconds, far below a threadpool round trip (async fs measured 3-15x dearer).
 *
 * Events: 'sample' (Sample), 'process-start' (ProcessInfo), 'process-exit' ({ pid, t }), 'end' (EndReason),
 * 'error' (unexpected failure; the sampler has stopped). Not safe to share between threads. With
 * `thread: true` the ticks run in a worker (sampler-worker.ts) and the same events arrive in batches.
 * With `native: true` the native thread (native.ts) reads the files on each deadline and this thread
 * replays the captured ticks through the same tick code, in batches.
 */
import { EventEmitter } from 'node:events';
import { cpus } from 'node:os';
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { PerfscopeError } from '../core/errors.js';
import { systemClock } from '../core/clock.js';
import { resolveSamplerOptions, type ResolvedSamplerOptions, type SamplerOptions } from './options.js';
import { DeadlineScheduler, type TickInfo } from './scheduler.js';
import { ProcessReader, hasChildrenFiles } from './process.js';
import { SystemReader } from './system.js';
import { readCgroupLimits } from './cgroup.js';
import { readCmdline, scanProcesses } from './tree.js';
import { assertSupported } from './platform.js';
import { readAuxv } from './procfs.js';
import { RuntimeProbe } from './runtime.js';
import { NativeTicker, loadNative, type CaptureSlot, type NativeTick } from './native.js';
import { Counter, TreeAccount, counterCount, vectorInto } from './tree-account.js';
import type { CgroupLimits, ProcEntry, ProcessSnapshot, SystemSnapshot } from './types.js';

export type Row = Record<string, number | null>;

export interface Sample {
  /** Deadline index (0 = start); gaps are missed deadlines. */
  index: number;
  /** Seconds since the sampler started, measured when the tick ran. */
  t: number;
  wallMs: number;
  /** How late the tick ran after its deadline, ms. */
  lateMs: number;
  /** Deadlines skipped just before this sample. */
  missed: number;
  /** Tree totals (or the single process). */
  tree: Row;
  system: Row | null;
  /** Per-process rows keyed by PID, when `perProcess`. */
  processes: Map<number, Row> | null;
}

export interface ProcessInfo {
  pid: number;
  ppid: number;
  comm: string;
  cmdline: string | null;
  /** Seconds since the sampler started when the process was first seen. */
  t: number;
}

export type EndReason = 'duration' | 'process-exited' | 'stopped' | 'error';

/** How a sampler ended: the reason, and the fault when the reason is 'error' (else null). */
export interface SamplerEnd {
  reason: EndReason;
  error: Error | null;
}

/** Where the ticks run: this thread's event loop, a worker thread (`thread`), or the native thread (`native`). */
export type Engine = 'event-loop' | 'thread' | 'native';

/** Facts about the host, fixed for the run. */
export interface HostFacts {
  cpuCount: number;
  memTotalBytes: number;
  clockTicksPerSecond: number;
  cgroup: CgroupLimits | null;
}

/** Indexes of the control words shared with the sampler's worker thread (`thread: true`). */
export const Ctl = {
  /** Set to 1 (and notified) by the owner to stop the worker; the worker sleeps on this word. */
  stop: 0,
  /** Set to 1 by the worker before it takes sample 0. */
  started: 1,
  /** Set to 1 (and notified) by the worker once it has posted its last batch. */
  done: 2,
} as const;

/** One event of a batch posted by the worker thread. */
export type ThreadEvent =
  | ['sample', Sample]
  | ['process-start', ProcessInfo]
  | ['process-exit', { pid: number; t: number }]
  | ['end', EndReason]
  | ['error', unknown];

export interface ThreadWorkerData {
  options: Omit<SamplerOptions, 'clock'>;
  ctl: SharedArrayBuffer;
  port: MessagePort;
  batchMs: number;
}

/**
 * Delivery batches of `thread: true` and `native: true` (the ticks themselves run on time in the worker
 * or the native thread). Measured at 10 Hz, one PID (2026-11-24): batches every 250 ms cost
 * the owning thread 0.09-0.11 % of a core and the whole monitor 1.19x psutil; every 1 s, 0.06-0.07 % and
 * 0.95-1.06x. Each delivery wakes the owner's event loop, the cost this mode exists to avoid.
 */
const batchMs = 1000;
/** How long stop() waits for the worker's last batch (it finishes at most one tick, well under 1 ms here). */
const threadStopWaitMs = 1000;

/**
 * The worker script next to this module: the .js file from dist/; from src/ under tsx, an eval stub that
 * registers tsx in the worker and imports the .ts file (on Node 20.20 a Worker given the .ts file with
 * `execArgv: ['--import', 'tsx']` failed with ERR_UNKNOWN_FILE_EXTENSION).
 */
function workerScript(): [string | URL, { eval: boolean }] {
  if (!import.meta.url.endsWith('.ts')) return [new URL('./sampler-worker.js', import.meta.url), { eval: false }];
  const ts = new URL('./sampler-worker.ts', import.meta.url).href;
  const api = import.meta.resolve('tsx/esm/api');
  return [`import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(ts)}); });`, { eval: true }];
}

interface Thread {
  worker: Worker;
  port: MessagePort;
  ctl: Int32Array;
}

interface Tracked {
  reader: ProcessReader;
  prevOwnCpu: number | null;
  prevT: number;
}

export class Sampler extends EventEmitter {
  readonly options: ResolvedSamplerOptions;
  readonly host: HostFacts;
  private readonly scheduler: DeadlineScheduler;
  private readonly tracked = new Map<number, Tracked>();
  private readonly account = new TreeAccount();
  private system: SystemReader | null = null;
  private runtime: RuntimeProbe | null = null;
  private t0Ms = 0;
  private prevTotals: Float64Array | null = null;
  /** Single-process fast path: two totals buffers used in turn (one is `prevTotals`). */
  private readonly singleTotals = [new Float64Array(counterCount), new Float64Array(counterCount)] as const;
  private singleTurn = 0;
  private prevTreeT = 0;
  private baseline: Float64Array | null = null;
  private prevSystem: SystemSnapshot | null = null;
  private prevSystemT = 0;
  private ended: EndReason | null = null;
  /** The fault that ended the run (reason 'error'), kept for `done` and `error`. */
  private failure: Error | null = null;
  /** Whether discovery lists task/TID/children files (decided at the first discovery) or scans /proc. */
  private childrenFiles: boolean | undefined;
  /** Sample 0, kept until the turn of start() is over so `for await (s of sampler.start())` sees it. */
  private first: Sample | null = null;
  private readonly endPromise: Promise<SamplerEnd>;
  private resolveEnd!: (end: SamplerEnd) => void;
  /** Whether the ticks run in a worker thread: the `thread` option, honoured with runtime off and the real clock. */
  private readonly threaded: boolean;
  private thread: Thread | null = null;
  /** Missed deadlines reported by the worker or the native thread. */
  private batchedMissed = 0;
  /** Whether start() tries the native ticker: the `native` option, an eligible run, and the addon loaded. */
  private readonly nativeWanted: boolean;
  private native: NativeTicker | null = null;
  private nativeSlots: CaptureSlot[] = [];
  /** The wall time of the native tick being replayed (its read time), else null. */
  private replayWallMs: number | null = null;
  /** True while native ticks are replayed: a stop() from inside one ends the run at that tick. */
  private replaying = false;
  private engineUsed: Engine = 'event-loop';
  samples = 0;

  constructor(options: SamplerOptions = {}) {
    super();
    assertSupported();
    this.options = resolveSamplerOptions(options);
    const o = this.options;
    this.nativeWanted =
      o.native && !o.children && !o.perProcess && !o.precise && !o.smaps && !o.runtime && o.clock === systemClock && loadNative() !== null;
    this.threaded = !this.nativeWanted && o.thread && !o.runtime && o.clock === systemClock;
    const cgroup = safeCgroup(o);
    const { clockTicksPerSecond } = readAuxv(o.procRoot);
    let memTotalBytes = 0;
    let cpuCount = cpus().length;
    if (o.system && !this.threaded) {
      this.system = new SystemReader({ procRoot: o.procRoot });
      const s = this.system.read();
      memTotalBytes = s.memory.totalBytes;
      cpuCount = s.perCpu.length || cpuCount;
      this.prevSystem = null;
    } else {
      const tmp = new SystemReader({ procRoot: o.procRoot });
      try {
        memTotalBytes = tmp.read().memory.totalBytes;
      } finally {
        tmp.close();
      }
    }
    this.host = { cpuCount, memTotalBytes, clockTicksPerSecond, cgroup };
    this.scheduler = new DeadlineScheduler({
      intervalMs: o.intervalMs,
      clock: o.clock,
      onTick: (tick) => this.tick(tick),
      onError: (err) => this.fail(err),
      ref: o.keepAlive,
    });
    this.endPromise = new Promise((resolve) => {
      this.resolveEnd = resolve;
    });
  }

  /** Missed deadlines so far. */
  get missedDeadlines(): number {
    return this.engineUsed === 'event-loop' ? this.scheduler.missedTotal : this.batchedMissed;
  }

  /** Where the ticks run (settled by start()): see the `thread` and `native` options. */
  get engine(): Engine {
    return this.engineUsed;
  }

  /**
   * Resolves when the sampler ends, with the reason and, for reason 'error', the fault (never rejects:
   * a fault is data the caller receives, whether or not anyone listens to 'error').
   */
  get done(): Promise<SamplerEnd> {
    return this.endPromise;
  }

  /** The fault that ended the run, or null (still running, or ended for another reason). */
  get error(): Error | null {
    return this.failure;
  }

  /** Opens the root process (PerfscopeError ENOPROC/EACCESS if it cannot be read) and takes sample 0 now. */
  start(): this {
    if (this.scheduler.isRunning || this.thread !== null || this.ended) return this;
    if (this.threaded) {
      this.engineUsed = 'thread';
      return this.startThread();
    }
    const root = new ProcessReader(this.options.pid, this.readerOptions());
    this.tracked.set(root.pid, { reader: root, prevOwnCpu: null, prevT: 0 });
    const first = root.read();
    this.emit('process-start', {
      pid: root.pid,
      ppid: first?.ppid ?? 0,
      comm: first?.comm ?? '',
      cmdline: readCmdline(root.pid, this.options.procRoot),
      t: 0,
    } satisfies ProcessInfo);
    if (this.options.runtime) this.runtime = new RuntimeProbe();
    this.t0Ms = this.options.clock.monotonicMs();
    if (!this.nativeWanted || !this.startNative(root)) this.scheduler.start();
    setImmediate(() => {
      this.first = null;
    }).unref();
    return this;
  }

  /** Stops sampling (no further sample) and releases every open file. */
  stop(reason: EndReason = 'stopped'): void {
    if (this.ended) return;
    if (this.thread !== null) {
      this.stopThread(this.thread);
      if (this.ended) return; // its last batch ended the run (process exit, duration, error)
    }
    if (this.native !== null) {
      const ticker = this.native;
      this.native = null;
      ticker.stop();
      // An outside stop() delivers what the thread read before it; one from inside a replayed tick
      // (duration, exit, error) ends the run at that tick.
      if (!this.replaying) this.replay(ticker.drain().ticks);
      if (this.ended) return;
    }
    this.ended = reason;
    this.scheduler.stop();
    for (const t of this.tracked.values()) t.reader.close();
    this.tracked.clear();
    this.system?.close();
    this.runtime?.close();
    this.emit('end', reason);
    this.resolveEnd({ reason, error: this.failure });
  }

  /**
   * The samples as an async iterator that finishes when the sampler ends. An iterator taken before
   * start() or in the same turn (`for await (const s of sampler.start())`) sees sample 0; samples are
   * buffered until the consumer pulls them. While iterated (until it finishes or `return()` is
   * called) it keeps the process alive, whatever `keepAlive` says: a loop waiting for samples would
   * otherwise see the process exit under it.
   */
  [Symbol.asyncIterator](): AsyncIterableIterator<Sample> {
    const queue: Sample[] = this.first ? [this.first] : [];
    let wake: (() => void) | null = null;
    // One ref'd timer for the whole iteration (it never fires: 2^31-1 ms is the longest a timer waits).
    let alive: NodeJS.Timeout | null = setInterval(() => {}, 0x7fffffff);
    const finish = (): IteratorResult<Sample> => {
      this.off('sample', onSample);
      if (alive !== null) clearInterval(alive);
      alive = null;
      return { value: undefined, done: true };
    };
    const onSample = (smp: Sample): void => {
      queue.push(smp);
      wake?.();
    };
    this.on('sample', onSample);
    void this.endPromise.then(() => wake?.());
    const next = async (): Promise<IteratorResult<Sample>> => {
      for (;;) {
        const head = queue.shift();
        if (head !== undefined) return { value: head, done: false };
        if (this.ended) return finish();
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = null;
      }
    };
    const it: AsyncIterableIterator<Sample> = {
      next,
      return: async () => finish(),
      [Symbol.asyncIterator]: () => it,
    };
    return it;
  }

  /**
   * `thread: true`: checks the root here (so start() still throws ENOPROC/EACCESS), then runs a Sampler
   * with the same options in a worker; its events come back in batches and are re-emitted as they are.
   */
  private startThread(): this {
    new ProcessReader(this.options.pid, this.readerOptions()).close();
    const { clock: _clock, durationMs, ...rest } = this.options;
    const options = { ...rest, durationMs: durationMs ?? undefined };
    const ctl = new Int32Array(new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT));
    const { port1, port2 } = new MessageChannel();
    const data: ThreadWorkerData = { options, ctl: ctl.buffer as SharedArrayBuffer, port: port2, batchMs };
    const [script, { eval: isEval }] = workerScript();
    // execArgv []: a worker inherits the process's flags, and `node --input-type=module -e` made it fail (ERR_INPUT_TYPE_NOT_ALLOWED).
    const worker = new Worker(script, { eval: isEval, execArgv: [], workerData: data, transferList: [port2] });
    port1.on('message', (batch: ThreadEvent[]) => this.onBatch(batch));
    worker.on('error', (err) => this.fail(err));
    if (!this.options.keepAlive) {
      worker.unref();
      port1.unref();
    }
    this.thread = { worker, port: port1, ctl };
    return this;
  }

  private onBatch(batch: ThreadEvent[]): void {
    for (const ev of batch) {
      if (this.ended) return;
      switch (ev[0]) {
        case 'sample':
          this.batchedMissed += ev[1].missed;
          this.samples++;
          this.emit('sample', ev[1]);
          break;
        case 'process-start':
        case 'process-exit':
          this.emit(ev[0], ev[1]);
          break;
        case 'error':
          this.fail(ev[1]);
          break;
        case 'end':
          this.stop(ev[1]);
          break;
      }
    }
  }

  /**
   * Stops the worker and delivers what it sampled before the stop: wakes it, waits (blocking, one tick
   * at most) until it has posted its last batch, and drains the port synchronously, so stop() ends the
   * run exactly as on the main-thread path.
   */
  private stopThread(th: Thread): void {
    this.thread = null;
    Atomics.store(th.ctl, Ctl.stop, 1);
    Atomics.notify(th.ctl, Ctl.stop);
    if (Atomics.load(th.ctl, Ctl.started) !== 0) Atomics.wait(th.ctl, Ctl.done, 0, threadStopWaitMs);
    for (let m = receiveMessageOnPort(th.port); m !== undefined; m = receiveMessageOnPort(th.port)) {
      this.onBatch(m.message as ThreadEvent[]);
    }
    th.port.close();
    void th.worker.terminate();
  }

  /**
   * `native`: starts the native thread on deadlines 1, 2, ... (tick 0 runs here, now, as on the event
   * loop) over the readers' kept-open files. False (nothing started) when a reader cannot be captured
   * or the thread cannot start; the caller then ticks on the event loop.
   */
  private startNative(root: ProcessReader): boolean {
    const o = this.options;
    const addon = loadNative();
    const slots = root.captureSlots();
    if (addon === null || slots === null) return false;
    if (this.system) slots.push(...this.system.captureSlots());
    try {
      this.native = new NativeTicker(addon, {
        slots,
        intervalMs: o.intervalMs,
        t0Ms: this.t0Ms,
        firstIndex: 1,
        lastIndex: o.durationMs === null ? null : Math.max(1, Math.ceil((o.durationMs - 0.5) / o.intervalMs)),
        batchTicks: Math.max(1, Math.round(batchMs / o.intervalMs)),
        keepAlive: o.keepAlive,
        onReady: () => this.drainNative(),
      });
    } catch {
      return false;
    }
    this.nativeSlots = slots;
    this.engineUsed = 'native';
    const t0 = this.t0Ms;
    this.firstNativeTick(t0);
    return true;
  }

  /** Tick 0 of a native run, live (nothing fed yet); a failure ends the run as a failed tick does. */
  private firstNativeTick(t0: number): void {
    this.replaying = true;
    try {
      this.tick({ index: 0, deadlineMs: t0, actualMs: t0, missed: 0 });
    } catch (err) {
      this.fail(err);
    } finally {
      this.replaying = false;
    }
  }

  /** A batch from the native thread is waiting: parse its ticks here, in order, as ordinary ticks. */
  private drainNative(): void {
    const ticker = this.native;
    if (ticker === null || this.ended) return;
    let batch: ReturnType<NativeTicker['drain']>;
    try {
      batch = ticker.drain();
    } catch (err) {
      this.fail(err);
      return;
    }
    this.replay(batch.ticks);
    if (!batch.ended || this.ended) return;
    // The thread stops by itself only at the last deadline or when the process is gone, and the replay
    // of that tick ends the run. Not ended yet: the last batch is still in the thread (no memory for a
    // fresh one when it ended); joined, it comes with drain(). Still not ended: a fault.
    ticker.stop();
    this.replay(ticker.drain().ticks);
    if (!this.ended) this.fail(new Error('the native ticker stopped before the run ended (out of memory?)'));
  }

  private replay(ticks: NativeTick[]): void {
    const slots = this.nativeSlots;
    this.replaying = true;
    try {
      for (let k = 0; k < ticks.length; k++) {
        const row = ticks[k]!;
        if (this.ended) return;
        for (let i = 0; i < slots.length; i++) slots[i]!.feed(row[5 + i]!);
        // Indexed, not destructured: array destructuring runs the iterator protocol on every tick.
        const missed = row[4];
        this.batchedMissed += missed;
        this.replayWallMs = row[3];
        this.tick({ index: row[0], deadlineMs: row[1], actualMs: row[2], missed });
      }
    } catch (err) {
      this.fail(err); // still `replaying`: the run ends at this tick
    } finally {
      this.replaying = false;
      this.replayWallMs = null;
    }
  }

  private readerOptions() {
    const o = this.options;
    return { procRoot: o.procRoot, cgroupRoot: o.cgroupRoot, precise: o.precise, smaps: o.smaps };
  }

  /**
   * Ends the run on a fault: kept as `error` and in `done`, and emitted as 'error' when someone listens
   * (an 'error' nobody listens to would throw out of the tick).
   */
  private fail(err: unknown): void {
    if (this.ended) return;
    this.failure = err instanceof Error ? err : new Error(String(err));
    this.stop('error');
    if (this.listenerCount('error') > 0) this.emit('error', this.failure);
  }

  private tick(tick: TickInfo): void {
    const o = this.options;
    const t = (tick.actualMs - this.t0Ms) / 1000;
    if (!o.children && !o.perProcess) {
      this.tickSingle(tick, t);
      return;
    }
    if (o.children) this.discover(t);
    const live = new Map<number, ProcessSnapshot>();
    for (const [pid, tr] of this.tracked) {
      const snap = tr.reader.read();
      if (snap === null) {
        tr.reader.close();
        this.tracked.delete(pid);
        if (pid !== o.pid) this.emit('process-exit', { pid, t });
        continue;
      }
      live.set(pid, snap);
    }
    const rootSnap = live.get(o.pid);
    if (rootSnap === undefined) {
      this.rootExited(t);
      return;
    }
    const totals = this.account.update(live);
    this.emitSample(tick, t, this.treeRow(live, rootSnap, totals, t), o.perProcess ? this.processRows(live, t) : null);
  }

  /**
   * One process, no per-process rows: no TreeAccount (its Maps, per-member vectors and copies), no
   * `live` Map. A lone process has no pending or exited members, so its totals are its own counters,
   * written into one of two reused buffers (the other one is `prevTotals`). Measured at 10 Hz: see
   * BENCHMARKS.md Sampling (the Sampler's cost above a bare ProcessReader.read() loop).
   */
  private tickSingle(tick: TickInfo, t: number): void {
    const pid = this.options.pid;
    const snap = this.tracked.get(pid)?.reader.read() ?? null;
    if (snap === null) {
      this.tracked.get(pid)?.reader.close();
      this.tracked.delete(pid);
      this.rootExited(t);
      return;
    }
    this.singleTurn ^= 1;
    const totals = vectorInto(snap, this.singleTotals[this.singleTurn]!);
    this.emitSample(tick, t, this.treeRow(null, snap, totals, t), null);
  }

  private rootExited(t: number): void {
    this.emit('process-exit', { pid: this.options.pid, t });
    this.stop('process-exited');
  }

  private emitSample(tick: TickInfo, t: number, tree: Row, processes: Map<number, Row> | null): void {
    const o = this.options;
    const sample: Sample = {
      index: tick.index,
      t,
      wallMs: this.replayWallMs ?? o.clock.wallMs(),
      lateMs: tick.actualMs - tick.deadlineMs,
      missed: tick.missed,
      tree,
      system: this.system ? this.systemRow(t) : null,
      processes,
    };
    if (this.runtime) Object.assign(sample.tree, this.runtime.sample());
    this.samples++;
    if (this.samples === 1) this.first = sample;
    this.emit('sample', sample);
    if (o.durationMs !== null && tick.deadlineMs - this.t0Ms >= o.durationMs - 0.5) this.stop('duration');
  }

  /**
   * Adds descendants of tracked processes (membership is sticky across re-parenting). Where the kernel
   * has `task/TID/children` files, each tracked process lists its own children (a few preads per
   * process); elsewhere, fixture trees included, one scan of every process's stat finds them by ppid.
   */
  private discover(t: number): void {
    this.childrenFiles ??= hasChildrenFiles(this.options.pid, this.options.procRoot);
    if (!this.childrenFiles) {
      this.discoverByScan(t);
      return;
    }
    const queue = [...this.tracked.keys()];
    for (let i = 0; i < queue.length; i++) {
      const kids = this.tracked.get(queue[i]!)?.reader.childPids();
      if (!kids) continue;
      for (const pid of kids) {
        // A tracked PID that was reused reads as gone this tick and is found again as new on the next.
        if (!this.tracked.has(pid) && this.adopt(pid, queue[i]!, t)) queue.push(pid);
      }
    }
  }

  private discoverByScan(t: number): void {
    const entries = scanProcesses(this.options.procRoot);
    const byParent = new Map<number, ProcEntry[]>();
    for (const e of entries) {
      const list = byParent.get(e.ppid);
      if (list) list.push(e);
      else byParent.set(e.ppid, [e]);
    }
    const queue = [...this.tracked.keys()];
    for (let i = 0; i < queue.length; i++) {
      const kids = byParent.get(queue[i]!);
      if (!kids) continue;
      for (const k of kids) {
        const known = this.tracked.get(k.pid);
        if (known && known.reader.startTimeTicks === k.startTimeTicks) continue;
        if (known) {
          // PID reused by a new process: the old one is gone.
          known.reader.close();
          this.tracked.delete(k.pid);
        }
        if (this.adopt(k.pid, k.ppid, t)) queue.push(k.pid);
      }
    }
  }

  /** Starts tracking a newly found descendant and announces it; false if it is already gone or unreadable. */
  private adopt(pid: number, ppid: number, t: number): boolean {
    let reader: ProcessReader;
    try {
      reader = new ProcessReader(pid, this.readerOptions());
    } catch {
      return false; // exited between the listing and the open, or not readable
    }
    this.tracked.set(pid, { reader, prevOwnCpu: null, prevT: t });
    const snap = reader.read();
    this.emit('process-start', {
      pid,
      ppid: snap?.ppid ?? ppid,
      comm: snap?.comm ?? '',
      cmdline: readCmdline(pid, this.options.procRoot),
      t,
    } satisfies ProcessInfo);
    return true;
  }

  /** The tree's row; `live` null means the root is the only member (the single-process fast path). */
  private treeRow(live: Map<number, ProcessSnapshot> | null, root: ProcessSnapshot, totals: Float64Array, t: number): Row {
    const o = this.options;
    if (this.baseline === null) this.baseline = o.counters === 'first' ? totals.slice() : new Float64Array(counterCount);
    const base = this.baseline;
    let cpuPercent: number | null = null;
    if (this.prevTotals !== null && t > this.prevTreeT) {
      const dCpu = totals[Counter.cpuTotal]! - this.prevTotals[Counter.cpuTotal]!;
      cpuPercent = Math.max(0, (dCpu / (t - this.prevTreeT)) * 100);
    }
    this.prevTotals = totals;
    this.prevTreeT = t;
    let rss = root.rssBytes;
    let vms = root.vmsBytes;
    let swap = root.swapBytes;
    let uss = root.ussBytes;
    let pss = root.pssBytes;
    let threads = root.numThreads;
    let fds = root.numFds;
    if (live !== null) {
      for (const s of live.values()) {
        if (s === root) continue;
        rss += s.rssBytes;
        vms += s.vmsBytes;
        if (s.swapBytes !== null) swap = (swap ?? 0) + s.swapBytes;
        if (s.ussBytes !== null) uss = (uss ?? 0) + s.ussBytes;
        if (s.pssBytes !== null) pss = (pss ?? 0) + s.pssBytes;
        threads += s.numThreads;
        if (fds !== null && s.numFds !== null) fds += s.numFds;
      }
    }
    const { memTotalBytes, cgroup } = this.host;
    const limit = cgroup?.memoryLimitBytes ?? null;
    const cores = this.machineCores();
    const io = root.io !== null;
    return {
      cpu_percent: cpuPercent,
      cpu_percent_machine: cpuPercent === null ? null : cpuPercent / cores,
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
    };
  }

  /** Cores the machine-normalised CPU % divides by: the cgroup CPU quota when set, else online CPUs. */
  machineCores(): number {
    const q = this.host.cgroup?.cpuQuotaCores ?? null;
    return q !== null && q > 0 ? Math.min(q, this.host.cpuCount) : this.host.cpuCount;
  }

  private processRows(live: Map<number, ProcessSnapshot>, t: number): Map<number, Row> {
    const rows = new Map<number, Row>();
    const { memTotalBytes } = this.host;
    for (const [pid, s] of live) {
      const tr = this.tracked.get(pid);
      const own = s.preciseCpuSeconds ?? s.userSeconds + s.systemSeconds;
      let cpu: number | null = null;
      if (tr && tr.prevOwnCpu !== null && t > tr.prevT) cpu = Math.max(0, ((own - tr.prevOwnCpu) / (t - tr.prevT)) * 100);
      if (tr) {
        tr.prevOwnCpu = own;
        tr.prevT = t;
      }
      rows.set(pid, {
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
      });
    }
    return rows;
  }

  private systemRow(t: number): Row {
    const s = this.system!.read();
    const prev = this.prevSystem;
    const dt = t - this.prevSystemT;
    this.prevSystem = s;
    this.prevSystemT = t;
    const row: Row = {
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
    };
    const busy = prev ? cpuShares(prev.cpu, s.cpu) : null;
    row.cpu_percent = busy?.busy ?? null;
    row.cpu_user_percent = busy?.user ?? null;
    row.cpu_system_percent = busy?.system ?? null;
    row.cpu_iowait_percent = busy?.iowait ?? null;
    row.cpu_steal_percent = busy?.steal ?? null;
    for (let i = 0; i < s.perCpu.length; i++) {
      const p = prev?.perCpu[i];
      row[`cpu${i}_percent`] = p ? cpuShares(p, s.perCpu[i]!).busy : null;
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
      row[`disk_${columnSafe(d.name)}_read_bytes`] = d.readBytes;
      row[`disk_${columnSafe(d.name)}_write_bytes`] = d.writeBytes;
    }
    for (const n of s.net) {
      row[`net_${columnSafe(n.name)}_rx_bytes`] = n.rxBytes;
      row[`net_${columnSafe(n.name)}_tx_bytes`] = n.txBytes;
    }
    return row;
  }
}

function columnSafe(name: string): string {
  return name.replace(/[^A-Za-z0-9_]/g, '_');
}

/**
 * Shares of CPU time between two readings, in % of the CPUs covered (psutil's convention: busy excludes
 * idle and iowait; guest time is already inside user and nice, so it is not added again).
 */
export function cpuShares(a: SystemSnapshot['cpu'], b: SystemSnapshot['cpu']) {
  const d = (k: keyof SystemSnapshot['cpu']): number => Math.max(0, b[k] - a[k]);
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

function safeCgroup(o: ResolvedSamplerOptions): CgroupLimits | null {
  try {
    return readCgroupLimits(o.pid, { procRoot: o.procRoot, cgroupRoot: o.cgroupRoot });
  } catch (err) {
    if (err instanceof PerfscopeError) throw err;
    return null;
  }
}
