/**
 * The Sampler: on each deadline tick it reads the process tree (and the system) from /proc, turns the
 * cumulative counters into rates and emits one Sample. Synchronous reads through kept-open files: a
 * tick costs tens of microseconds, far below a threadpool round trip (async fs measured 3-15x dearer).
 *
 * Events: 'sample' (Sample), 'process-start' (ProcessInfo), 'process-exec' (ProcessInfo: a process's
 * comm changed — it exec'd another program or renamed itself — with its new comm and cmdline),
 * 'process-exit' ({ pid, t }; a zombie counts as exited), 'end' (EndReason), 'error' (unexpected
 * failure; the sampler has stopped). Not safe to share between threads. With
 * `thread: true` the ticks run in a worker (thread-engine.ts) and the same events arrive in batches.
 * With `native: true` the native thread reads the files on each deadline and this thread replays the
 * captured ticks through the same tick code, in batches (native-replay.ts). Rows are derived in rows.ts,
 * members found and followed in tree-members.ts.
 */
import { EventEmitter } from 'node:events';
import { systemClock } from '../core/clock.js';
import { resolveSamplerOptions, type ResolvedSamplerOptions, type SamplerOptions } from './options.js';
import { DeadlineScheduler, type TickInfo } from './scheduler.js';
import type { SystemReader } from './system.js';
import { readHostFacts, type HostFacts } from './host-facts.js';
import { assertSupported } from './platform.js';
import { RuntimeProbe } from './runtime.js';
import { loadNative, type CaptureSlot } from './native.js';
import { NativeReplay } from './native-replay.js';
import { ThreadEngine, type ThreadEvent } from './thread-engine.js';
import { TreeMembers } from './tree-members.js';
import { iterateSamples } from './sample-iterator.js';
import { TreeAccount, counterCount, vectorInto } from './tree-account.js';
import { machineCores, newSystemCarry, newTreeCarry, processRow, systemRow, treeRow } from './rows.js';
import type { Engine, EndReason, Sample, SamplerEnd } from './sample.js';
import type { ProcessRow, TreeRow } from './catalogue.js';
import type { ProcessSnapshot } from './types.js';

export type { Engine, EndReason, ProcessInfo, Row, Sample, SamplerEnd } from './sample.js';
export type { HostFacts } from './host-facts.js';
export { cpuShares } from './rows.js';

export class Sampler extends EventEmitter {
  readonly options: ResolvedSamplerOptions;
  readonly host: HostFacts;
  private readonly scheduler: DeadlineScheduler;
  private readonly tree: TreeMembers;
  private readonly account = new TreeAccount();
  private system: SystemReader | null = null;
  private runtime: RuntimeProbe | null = null;
  private t0Ms = 0;
  private readonly treeCarry = newTreeCarry();
  private readonly systemCarry = newSystemCarry();
  /** Single-process fast path: two totals buffers used in turn (one is the carry's `prevTotals`). */
  private readonly singleTotals = [new Float64Array(counterCount), new Float64Array(counterCount)] as const;
  private singleTurn = 0;
  private ended: EndReason | null = null;
  /** The fault that ended the run (reason 'error'), kept for `done` and `error`. */
  private failure: Error | null = null;
  /** Sample 0, kept until the turn of start() is over so `for await (s of sampler.start())` sees it. */
  private first: Sample | null = null;
  private readonly endPromise: Promise<SamplerEnd>;
  private resolveEnd!: (end: SamplerEnd) => void;
  /** Whether the ticks run in a worker thread: the `thread` option, honoured with runtime off and the real clock. */
  private readonly threaded: boolean;
  private thread: ThreadEngine | null = null;
  /** Missed deadlines reported by the worker. */
  private threadMissed = 0;
  /** Whether start() tries the native ticker: the `native` option, an eligible run, and the addon loaded. */
  private readonly nativeWanted: boolean;
  private native: NativeReplay | null = null;
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
    const facts = readHostFacts(o, o.system && !this.threaded);
    this.host = facts.host;
    this.system = facts.system;
    this.tree = new TreeMembers(
      { rootPid: o.pid, procRoot: o.procRoot, cgroupRoot: o.cgroupRoot, precise: o.precise, smaps: o.smaps },
      {
        started: (info) => this.emit('process-start', info),
        exec: (info) => this.emit('process-exec', info),
        exited: (pid, t) => this.emit('process-exit', { pid, t }),
      },
    );
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
    if (this.engineUsed === 'thread') return this.threadMissed;
    if (this.engineUsed === 'native') return this.native?.missed ?? 0;
    return this.scheduler.missedTotal;
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
    if (this.scheduler.isRunning || this.thread !== null || this.native !== null || this.ended) return this;
    if (this.threaded) {
      this.engineUsed = 'thread';
      return this.startThread();
    }
    const root = this.tree.openRoot();
    if (this.options.runtime) this.runtime = new RuntimeProbe();
    this.t0Ms = this.options.clock.monotonicMs();
    if (!this.nativeWanted || !this.startNative(root.captureSlots())) this.scheduler.start();
    setImmediate(() => {
      this.first = null;
    }).unref();
    return this;
  }

  /** Stops sampling (no further sample) and releases every open file. */
  stop(reason: EndReason = 'stopped'): void {
    if (this.ended) return;
    // Each engine first delivers what it sampled before the stop; that may end the run (exit, duration, error).
    this.thread?.stop();
    this.native?.stop();
    if (this.ended) return;
    this.ended = reason;
    this.scheduler.stop();
    this.tree.close();
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
    return iterateSamples({ on: this.on.bind(this), off: this.off.bind(this), done: this.endPromise, isEnded: () => this.ended !== null }, this.first);
  }

  /** Cores the machine-normalised CPU % divides by: the cgroup CPU quota when set, else online CPUs. */
  machineCores(): number {
    return machineCores(this.host);
  }

  /**
   * `thread: true`: checks the root here (so start() still throws ENOPROC/EACCESS), then runs a Sampler
   * with the same options in a worker; its events come back in batches and are re-emitted as they are.
   */
  private startThread(): this {
    this.tree.checkRoot();
    const { clock: _clock, durationMs, ...rest } = this.options;
    this.thread = new ThreadEngine({
      options: { ...rest, durationMs: durationMs ?? undefined },
      keepAlive: this.options.keepAlive,
      onBatch: (batch) => this.onBatch(batch),
      onError: (err) => this.fail(err),
    });
    return this;
  }

  private onBatch(batch: ThreadEvent[]): void {
    for (const ev of batch) {
      if (this.ended) return;
      switch (ev[0]) {
        case 'sample':
          this.threadMissed += ev[1].missed;
          this.samples++;
          this.emit('sample', ev[1]);
          break;
        case 'process-start':
        case 'process-exec':
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

  /** `native`: the native thread re-reads the root's (and the system's) files; false when it cannot. */
  private startNative(slots: CaptureSlot[] | null): boolean {
    if (slots === null) return false;
    if (this.system) slots.push(...this.system.captureSlots());
    const o = this.options;
    const native = NativeReplay.start(
      { tick: (tick) => this.tick(tick), fail: (err) => this.fail(err), isEnded: () => this.ended !== null },
      { slots, intervalMs: o.intervalMs, t0Ms: this.t0Ms, durationMs: o.durationMs, keepAlive: o.keepAlive },
    );
    if (native === null) return false;
    this.native = native;
    this.engineUsed = 'native';
    native.firstTick(this.t0Ms);
    return true;
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
    if (o.children) this.tree.discover(t);
    const live = new Map<number, ProcessSnapshot>();
    this.tree.readAll(t, live);
    const rootSnap = live.get(o.pid);
    if (rootSnap === undefined) {
      this.rootExited(t);
      return;
    }
    const totals = this.account.update(live);
    const row = treeRow(rootSnap, live, totals, t, this.treeCarry, this.host, o.counters);
    this.emitSample(tick, t, row, o.perProcess ? this.processRows(live, t) : null);
  }

  /**
   * One process, no per-process rows: no TreeAccount (its Maps, per-member vectors and copies), no
   * `live` Map. A lone process has no pending or exited members, so its totals are its own counters,
   * written into one of two reused buffers (the other one is the carry's `prevTotals`). Measured at
   * 10 Hz: see BENCHMARKS.md Sampling (the Sampler's cost above a bare ProcessReader.read() loop).
   */
  private tickSingle(tick: TickInfo, t: number): void {
    const snap = this.tree.readRoot(t);
    if (snap === null) {
      this.rootExited(t);
      return;
    }
    this.singleTurn ^= 1;
    const totals = vectorInto(snap, this.singleTotals[this.singleTurn]!);
    this.emitSample(tick, t, treeRow(snap, null, totals, t, this.treeCarry, this.host, this.options.counters), null);
  }

  private rootExited(t: number): void {
    this.emit('process-exit', { pid: this.options.pid, t });
    this.stop('process-exited');
  }

  private processRows(live: Map<number, ProcessSnapshot>, t: number): Map<number, ProcessRow> {
    const rows = new Map<number, ProcessRow>();
    const members = this.tree.members;
    for (const [pid, s] of live) {
      const carry = members.get(pid) ?? { prevOwnCpu: null, prevT: t };
      rows.set(pid, processRow(s, t, carry, this.host));
    }
    return rows;
  }

  private emitSample(tick: TickInfo, t: number, tree: TreeRow, processes: Map<number, ProcessRow> | null): void {
    const o = this.options;
    const sample: Sample = {
      index: tick.index,
      t,
      wallMs: this.native?.wallMs ?? o.clock.wallMs(),
      lateMs: tick.actualMs - tick.deadlineMs,
      missed: tick.missed,
      tree,
      system: this.system ? systemRow(this.system.read(), t, this.systemCarry) : null,
      processes,
    };
    if (this.runtime) Object.assign(sample.tree, this.runtime.sample());
    this.samples++;
    if (this.samples === 1) this.first = sample;
    this.emit('sample', sample);
    if (o.durationMs !== null && tick.deadlineMs - this.t0Ms >= o.durationMs - 0.5) this.stop('duration');
  }
}
