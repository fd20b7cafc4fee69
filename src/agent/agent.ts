/**
 * The agent behind `perfscope serve`: on each deadline of the project's DeadlineScheduler it reads the
 * host (SystemReader, mounts + statfs) and every process (ProcessTable), folds the processes into
 * groups, and hands the tick's values to the recent window, the history store, the /metrics cache and
 * the live stream. A fault never stops it: each is counted (`perfscope_serve_faults_total{kind}`) and
 * printed as one rate-limited line (Faults), and the next tick runs as usual.
 *
 * Events: 'tick' (TickReport) after every tick. Scraped targets (apps' /metrics) are meant to plug in
 * as another source writing into `set` under their own block, next to HostSource and GroupAccount.
 */
import { EventEmitter } from 'node:events';
import { hostname } from 'node:os';
// From the modules themselves, not metrics/index.js: that would load node:cluster (and with it child_process, dgram) for the aggregator serve never uses.
import { Counter } from '../metrics/counter.js';
import { Gauge } from '../metrics/gauge.js';
import { Histogram } from '../metrics/histogram.js';
import { Registry } from '../metrics/registry.js';
import { collectDefaultMetrics } from '../metrics/default-metrics/index.js';
import { DeadlineScheduler, type TickInfo } from '../sampling/scheduler.js';
import { ProcessTable } from '../sampling/process-table.js';
import { readAuxv } from '../sampling/procfs.js';
import { trimMalloc } from '../sampling/native.js';
import { releaseFilePages } from './file-pages.js';
import { compareCodeUnits } from '../core/order.js';
import { SeriesStore } from '../store/series-store.js';
import { version } from '../core/version.js';
import { ExpositionCache } from './exposition.js';
import { Faults, faultKinds, type FaultKind } from './faults.js';
import { Ctr, GroupAccount, type Group } from './groups.js';
import { History } from './history.js';
import { historyAsRun, type HistoryQuery } from './history-run.js';
import { HostSource, type HostSummary } from './host.js';
import { resolveAgentOptions, type AgentOptions, type ResolvedAgentOptions } from './options.js';
import { RecentWindow } from './recent.js';
import { SeriesSet } from './series-set.js';
import { groupStates } from './series.js';

export interface TickReport {
  index: number;
  wallMs: number;
  /** Wall time the tick took, ms. */
  durationMs: number;
  /** Deadlines skipped just before this tick. */
  missed: number;
  processes: number;
  groups: number;
  /** CPU time of the process-table read divided by the processes read, in µs (process.cpuUsage). */
  sampleCpuMicrosPerProcess: number;
}

/** One row of the live group table (`GET /api/groups`). Rates are over the last interval, null on a group's first tick. */
export interface GroupRow {
  name: string;
  /** Given by --group or --pid (shown even when empty). */
  configured: boolean;
  procs: number;
  /** Member PIDs, ascending (at most 50). */
  pids: number[];
  cpuPercent: number | null;
  cpuUserSeconds: number;
  cpuSystemSeconds: number;
  rssBytes: number;
  vmsBytes: number;
  swapBytes: number;
  readBytes: number;
  writeBytes: number;
  readBytesPerSecond: number | null;
  writeBytesPerSecond: number | null;
  threads: number;
  openFds: number;
  majorFaults: number;
  minorFaults: number;
  majorFaultsPerSecond: number | null;
  voluntaryCtxSwitches: number;
  involuntaryCtxSwitches: number;
  ctxSwitchesPerSecond: number | null;
  /** Unix seconds; null for an empty group. */
  oldestStartTime: number | null;
  states: Record<string, number>;
  /** Members whose /proc/PID/io or fd/ could not be read (another user's processes when not root). */
  ioUnreadable: number;
  fdsUnreadable: number;
}

/** serve's own cost, in every stream `tick` event (`self`), so a viewer sees what watching costs. */
export interface SelfSummary {
  /** CPU time of serve's process (all threads) over the last interval, % of one core; null at first. */
  cpuPercent: number | null;
  rssBytes: number;
}

/** The columns of each group row in a stream `tick` event, in order. */
export const streamGroupFields = [
  'name',
  'procs',
  'cpuPercent',
  'rssBytes',
  'vmsBytes',
  'swapBytes',
  'readBytesPerSecond',
  'writeBytesPerSecond',
  'threads',
  'openFds',
  'majorFaultsPerSecond',
  'ctxSwitchesPerSecond',
  'cpuUserSeconds',
  'cpuSystemSeconds',
  'readBytes',
  'writeBytes',
] as const;

/** Facts a client needs once (`GET /api/info`, the stream's `hello` event). */
export interface AgentInfo {
  version: string;
  host: string;
  pid: number;
  startedAtMs: number;
  intervalSeconds: number;
  cpuCount: number;
  memTotalBytes: number;
  bootTimeSeconds: number;
  rawRetentionSeconds: number;
  minuteRetentionSeconds: number;
  recentSeconds: number;
  backlogTicks: number;
  history: boolean;
  groupRules: { name: string; pattern: string }[];
  pids: number[];
  groupFields: readonly string[];
}

export class Agent extends EventEmitter {
  readonly options: ResolvedAgentOptions;
  readonly set = new SeriesSet();
  readonly host: HostSource;
  readonly table: ProcessTable;
  readonly groups: GroupAccount;
  readonly recent: RecentWindow;
  readonly history: History | null;
  readonly registry = new Registry();
  readonly faults: Faults;
  readonly exposition: ExpositionCache;
  readonly startedAtMs = Date.now();
  private readonly scheduler: DeadlineScheduler;
  private readonly store: SeriesStore | null;
  private readonly backlog: { tMs: number; payload: string }[] = [];
  private tickPayload: string | null = null;
  private ticksDone = 0;
  /** serve's own CPU time (every thread) and when it was read, for `self` in the stream. */
  private selfCpu = { usage: process.cpuUsage(), atMs: performance.now() };
  private running = false;
  private fsErrorsSeen = 0;
  /** Wall ms of the last malloc_trim and full collection, and whether a history query asked for both at the next tick. */
  private trimmedAtMs = 0;
  private collectedAtMs = 0;
  private trimSoon = false;
  /** Off after the first failure (the fault is reported once): see releaseFilePages. */
  private releasePages: boolean;
  private readonly metrics: {
    ticks: Counter;
    missed: Counter;
    duration: Histogram;
    gcSeconds: Counter;
    releasedBytes: Counter;
    faults: Counter<'kind'>;
  };
  lastTick: TickReport | null = null;

  /** Opens the /proc readers and the history file; PerfscopeError when one cannot be (nothing is left open then). */
  constructor(options: AgentOptions = {}) {
    super();
    const o = (this.options = resolveAgentOptions(options));
    this.releasePages = o.releaseFilePages;
    const faultCounter = new Counter({ name: 'perfscope_serve_faults_total', help: 'Faults met by serve, by kind (each also printed, rate-limited, on stderr).', labelNames: ['kind'], registers: [this.registry] });
    for (const k of faultKinds) faultCounter.inc({ kind: k }, 0);
    this.faults = new Faults(o.log, o.faultLineEveryMs, undefined, (kind: FaultKind) => faultCounter.inc({ kind }));
    const procfs = o.procRoot === undefined ? {} : { procRoot: o.procRoot };
    this.host = new HostSource(this.set, procfs);
    let table: ProcessTable | null = null;
    let store: SeriesStore | null = null;
    try {
      table = new ProcessTable(procfs);
      store = o.storePath === null ? null : SeriesStore.open({ path: o.storePath });
    } catch (err) {
      this.host.close();
      table?.close();
      throw err;
    }
    this.table = table;
    this.store = store;
    this.groups = new GroupAccount(this.set, { rules: o.groups, pids: o.pids, maxGroups: o.maxGroups, emptyGroupTtlMs: o.emptyGroupTtlMs }, readAuxv(o.procRoot).clockTicksPerSecond);
    this.recent = new RecentWindow(this.set, Math.max(2, Math.round((o.recentSeconds * 1000) / o.intervalMs)));
    this.history =
      store === null
        ? null
        : new History(store, this.set, {
            rawRetentionMs: o.rawRetentionMs,
            minuteRetentionMs: o.minuteRetentionMs,
            flushEveryMs: o.flushEveryMs,
            onError: (err) => this.faults.report('store', (err as Error).message),
          });
    this.exposition = new ExpositionCache(this.set, this.registry, { eagerWithinMs: 3 * o.intervalMs });
    this.metrics = { ...this.selfMetrics(), faults: faultCounter };
    this.scheduler = new DeadlineScheduler({
      intervalMs: o.intervalMs,
      clock: o.clock,
      ref: true,
      onTick: (tick) => this.tick(tick),
      onError: (err) => this.faults.report('tick', String(err)),
    });
  }

  private selfMetrics(): { ticks: Counter; missed: Counter; duration: Histogram; gcSeconds: Counter; releasedBytes: Counter } {
    const r = [this.registry];
    // The lag sampler's timer fires every `precision` ms: 10 ms (the default) is 100 wake-ups a second.
    collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 500 });
    const ticks = new Counter({ name: 'perfscope_serve_ticks_total', help: 'Ticks sampled since serve started.', registers: r });
    const missed = new Counter({ name: 'perfscope_serve_missed_deadlines_total', help: 'Tick deadlines skipped because the previous tick or the event loop ran late.', registers: r });
    const duration = new Histogram({
      name: 'perfscope_serve_tick_duration_seconds',
      help: 'Wall time of one tick: host, every process, groups, recent window and history.',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
      registers: r,
    });
    const gcSeconds = new Counter({ name: 'perfscope_serve_gc_seconds_total', help: 'Time spent in the full garbage collections serve runs every minute and after a history query.', registers: r });
    const releasedBytes = new Counter({
      name: 'perfscope_serve_released_file_bytes_total',
      help: 'Resident pages of clean read-only file mappings (mostly Node\'s start-up code) serve unmapped after its full collections; they map again from the page cache when touched.',
      registers: r,
    });
    const gauge = (name: string, help: string, read: () => number): void => {
      new Gauge({
        name,
        help,
        registers: r,
        collect() {
          this.set(read());
        },
      });
    };
    gauge('perfscope_serve_sample_cpu_seconds_per_process', 'CPU time the last tick spent reading the process table, divided by the processes in it.', () => (this.lastTick?.sampleCpuMicrosPerProcess ?? 0) / 1e6);
    gauge('perfscope_serve_processes', 'Processes in the process table.', () => this.table.records.size);
    gauge('perfscope_serve_recent_window_bytes', 'Memory of the recent window (every series over the last recentSeconds).', () => this.recent.bytes);
    gauge('perfscope_serve_groups', 'Process groups.', () => this.groups.groups.size);
    gauge('perfscope_serve_history_bytes', 'Size of the history file and its WAL.', () => this.store?.sizeBytes() ?? 0);
    gauge('perfscope_serve_history_pending_bytes', 'History chunks not yet written (kept for retry after a write failure).', () => this.history?.pendingSizeBytes ?? 0);
    gauge('perfscope_serve_history_dropped_chunks', 'History chunks given up after failed writes (past the retry budget).', () => this.history?.droppedChunks ?? 0);
    return { ticks, missed, duration, gcSeconds, releasedBytes };
  }

  /** Reads the first statfs round, records the start in the history, takes tick 0 and starts ticking. */
  async start(): Promise<void> {
    if (this.running) return;
    await this.host.prime();
    this.running = true;
    this.scheduler.start(); // tick 0 runs now: the start is recorded at its time, inside the history
    this.event('start', `perfscope serve ${version}, PID ${process.pid}, every ${this.options.intervalMs / 1000} s`, this.lastTick?.wallMs);
  }

  /** Stops ticking, writes what the history holds, closes every file. Idempotent. */
  stop(): void {
    if (!this.running) {
      this.closeFiles();
      return;
    }
    this.running = false;
    this.scheduler.stop();
    if (this.history !== null) {
      try {
        this.history.flush(Date.now(), true);
      } catch (err) {
        this.faults.report('store', (err as Error).message);
      }
    }
    this.event('stop', `PID ${process.pid}, ${this.ticksDone} ticks`, this.lastTick?.wallMs);
    this.closeFiles();
  }

  private closeFiles(): void {
    this.store?.close();
    this.host.close();
    this.table.close();
  }

  get isRunning(): boolean {
    return this.running;
  }

  private event(kind: string, detail: string, tMs = Date.now()): void {
    if (this.store === null) return;
    try {
      this.store.addEvent(tMs, kind, detail);
    } catch (err) {
      this.faults.report('store', (err as Error).message);
    }
  }

  private tick(info: TickInfo): void {
    const t0 = performance.now();
    const wallMs = this.options.clock.wallMs();
    try {
      try {
        this.host.sample(info.actualMs);
      } catch (err) {
        this.faults.report('host', (err as Error).message);
      }
      const fs = this.host.filesystems;
      if (fs.errors > this.fsErrorsSeen) {
        this.fsErrorsSeen = fs.errors;
        this.faults.report('filesystem', fs.lastError ?? 'statfs failed');
      }
      const c0 = process.cpuUsage();
      const u = this.table.update();
      const c = process.cpuUsage(c0);
      for (const e of u.errors) this.faults.report('proc', e);
      this.groups.update(u, this.table.records, info.actualMs, this.host.last?.bootTimeSeconds ?? 0);
      this.recent.append(wallMs);
      this.history?.append(wallMs);
      this.exposition.invalidate();
      this.ticksDone++;
      const n = this.table.records.size;
      const report: TickReport = {
        index: info.index,
        wallMs,
        durationMs: performance.now() - t0,
        missed: info.missed,
        processes: n,
        groups: this.groups.groups.size,
        sampleCpuMicrosPerProcess: n > 0 ? (c.user + c.system) / n : 0,
      };
      this.lastTick = report;
      this.self = this.readSelf();
      this.tickPayload = null;
      this.pushBacklog();
      this.metrics.ticks.inc();
      if (info.missed > 0) this.metrics.missed.inc(info.missed);
      this.metrics.duration.observe(report.durationMs / 1000);
      this.emit('tick', report);
      // The /metrics bodies someone scrapes, built now rather than on their next scrape.
      this.exposition.prepare();
      this.trimHeap(wallMs);
    } catch (err) {
      this.faults.report('tick', err instanceof Error ? (err.stack ?? err.message) : String(err));
    }
  }

  /**
   * Hands the C heap's free pages back to the kernel every `trimEveryMs` and after a history query:
   * glibc keeps what is freed in the middle of its arenas (query results, gzip state, V8's compiler
   * zones), and for an agent that runs for months that is resident memory for good. Measured: 0.2–0.5 ms
   * after a few MiB were freed, ~6 µs when nothing was (the first call of a process: ~4 ms).
   * With `collectGarbage`, a full collection runs first every `collectEveryMs` (and after a history
   * query): serve allocates little, so V8 seldom collects its old generation on its own, and what a
   * tick leaves behind there (last second's /metrics bodies, stream payloads, history chunks) and the
   * C-heap memory behind its buffers stay resident until it does. Measured: 8–42 ms (median ~17) every
   * minute, 0.03 % of a core, for 3–4 MiB less resident memory (BENCHMARKS.md, serve's memory).
   * With `releaseFilePages`, on the same schedule, the clean file pages go too (src/agent/file-pages.ts).
   */
  private trimHeap(wallMs: number): void {
    const collect = this.options.collectGarbage;
    if ((collect !== null || this.releasePages) && (this.trimSoon || wallMs - this.collectedAtMs >= collectEveryMs)) {
      this.collectedAtMs = wallMs;
      if (collect !== null) {
        const t0 = performance.now();
        collect();
        this.metrics.gcSeconds.inc((performance.now() - t0) / 1000);
      }
      this.trimSoon = true;
      if (this.releasePages) this.releaseStartupPages();
    }
    if (!this.trimSoon && wallMs - this.trimmedAtMs < trimEveryMs) return;
    this.trimSoon = false;
    this.trimmedAtMs = wallMs;
    trimMalloc();
  }

  /** Unmaps clean file pages (src/agent/file-pages.ts); a failure is a fault, reported once, and ends it. */
  private releaseStartupPages(): void {
    const r = releaseFilePages();
    if (r === null) {
      this.releasePages = false;
      return;
    }
    this.metrics.releasedBytes.inc(r.bytes);
    if (r.error !== null) {
      this.releasePages = false;
      this.faults.report('tick', `releasing file pages (now off): ${r.error}`);
    }
  }

  /** serve's own cost over the last interval: CPU (% of one core, all threads) and resident memory. */
  self: SelfSummary = { cpuPercent: null, rssBytes: 0 };

  private readSelf(): SelfSummary {
    const now = performance.now();
    const usage = process.cpuUsage();
    const prev = this.selfCpu;
    const dtMs = now - prev.atMs;
    const cpuMs = (usage.user - prev.usage.user + usage.system - prev.usage.system) / 1000;
    this.selfCpu = { usage, atMs: now };
    return { cpuPercent: dtMs > 0 ? round((cpuMs / dtMs) * 100, 2) : null, rssBytes: process.memoryUsage.rss() };
  }

  /** The host summary of the last tick. */
  get hostSummary(): HostSummary | null {
    return this.host.summary;
  }

  /** The live group table, busiest (CPU) first. */
  groupTable(): GroupRow[] {
    const bootS = this.host.last?.bootTimeSeconds ?? 0;
    const hz = readAuxv(this.options.procRoot).clockTicksPerSecond;
    return [...this.groups.groups.values()].map((g) => groupRow(g, bootS, hz)).sort((a, b) => (b.cpuPercent ?? 0) - (a.cpuPercent ?? 0) || b.rssBytes - a.rssBytes || compareCodeUnits(a.name, b.name));
  }

  /** This tick's stream payload (JSON): `{ t, index, host, groups }`, groups as arrays in `streamGroupFields` order. */
  streamPayload(): string {
    if (this.tickPayload !== null) return this.tickPayload;
    const groups = [...this.groups.groups.values()].map((g) => {
      const c = g.counters;
      return [
        g.name,
        g.numProcs,
        round(g.cpuPercent, 3),
        g.rssBytes,
        g.vmsBytes,
        g.swapBytes,
        round(g.readBytesPerSecond, 1),
        round(g.writeBytesPerSecond, 1),
        g.numThreads,
        g.openFds,
        round(g.majorFaultsPerSecond, 2),
        round(g.ctxSwitchesPerSecond, 1),
        round(c[Ctr.user]!, 2),
        round(c[Ctr.system]!, 2),
        c[Ctr.readBytes]!,
        c[Ctr.writeBytes]!,
      ];
    });
    this.tickPayload = JSON.stringify({ t: Math.round(this.lastTick?.wallMs ?? Date.now()), index: this.lastTick?.index ?? 0, host: this.host.summary, groups, self: this.self });
    return this.tickPayload;
  }

  private pushBacklog(): void {
    this.backlog.push({ tMs: Math.round(this.lastTick?.wallMs ?? 0), payload: this.streamPayload() });
    if (this.backlog.length > this.options.backlogTicks) this.backlog.shift();
  }

  /** Stream payloads of the ticks after `afterMs` (wall ms), at most the last `ticks`, oldest first. */
  backlogPayloads(ticks = this.options.backlogTicks, afterMs = -Infinity): { tMs: number; payload: string }[] {
    if (ticks <= 0) return [];
    return this.backlog.slice(-ticks).filter((b) => b.tMs > afterMs);
  }

  info(): AgentInfo {
    const o = this.options;
    return {
      version,
      host: hostname(),
      pid: process.pid,
      startedAtMs: this.startedAtMs,
      intervalSeconds: o.intervalMs / 1000,
      cpuCount: this.host.last?.perCpu.length ?? 0,
      memTotalBytes: this.host.last?.memory.totalBytes ?? 0,
      bootTimeSeconds: this.host.last?.bootTimeSeconds ?? 0,
      rawRetentionSeconds: o.rawRetentionMs / 1000,
      minuteRetentionSeconds: o.minuteRetentionMs / 1000,
      recentSeconds: o.recentSeconds,
      backlogTicks: o.backlogTicks,
      history: this.store !== null,
      groupRules: o.groups.map((g) => ({ name: g.name, pattern: g.pattern.source })),
      pids: o.pids,
      groupFields: streamGroupFields,
    };
  }

  /** The history as a run (docs/run-format.md); PerfscopeError EUNSUPPORTED without a store. */
  historyRun(query: HistoryQuery): ReturnType<typeof historyAsRun> {
    if (this.store === null || this.history === null) throw new HistoryUnavailable();
    // What is buffered for the current chunk is written first, so the answer reaches the last tick.
    this.history.flush();
    this.trimSoon = true;
    return historyAsRun(this.store, query, {
      intervalMs: this.options.intervalMs,
      rawRetentionMs: this.options.rawRetentionMs,
      minuteRetentionMs: this.options.minuteRetentionMs,
      cpuCount: this.host.last?.perCpu.length ?? 1,
      memTotalBytes: this.host.last?.memory.totalBytes ?? 0,
      clockTicksPerSecond: readAuxv(this.options.procRoot).clockTicksPerSecond,
    });
  }
}

/** How often serve gives the C heap's free pages back (malloc_trim), ms. */
const trimEveryMs = 30_000;
/** How often serve runs a full garbage collection when given `collectGarbage`, ms. */
const collectEveryMs = 60_000;

/** serve runs without a history file (storePath null): /api/history answers 404 with this. */
export class HistoryUnavailable extends Error {
  constructor() {
    super('serve keeps no history (started without a store)');
  }
}

function groupRow(g: Group, bootS: number, hz: number): GroupRow {
  const c = g.counters;
  const states: Record<string, number> = {};
  groupStates.forEach((s, i) => (states[s] = g.states[i]!));
  return {
    name: g.name,
    configured: g.configured,
    procs: g.numProcs,
    pids: g.pids.slice(0, 50),
    cpuPercent: round(g.cpuPercent, 3),
    cpuUserSeconds: round(c[Ctr.user]!, 2)!,
    cpuSystemSeconds: round(c[Ctr.system]!, 2)!,
    rssBytes: g.rssBytes,
    vmsBytes: g.vmsBytes,
    swapBytes: g.swapBytes,
    readBytes: c[Ctr.readBytes]!,
    writeBytes: c[Ctr.writeBytes]!,
    readBytesPerSecond: round(g.readBytesPerSecond, 1),
    writeBytesPerSecond: round(g.writeBytesPerSecond, 1),
    threads: g.numThreads,
    openFds: g.openFds,
    majorFaults: c[Ctr.majorFaults]!,
    minorFaults: c[Ctr.minorFaults]!,
    majorFaultsPerSecond: round(g.majorFaultsPerSecond, 2),
    voluntaryCtxSwitches: c[Ctr.voluntary]!,
    involuntaryCtxSwitches: c[Ctr.involuntary]!,
    ctxSwitchesPerSecond: round(g.ctxSwitchesPerSecond, 1),
    oldestStartTime: g.oldestStartTicks === Infinity ? null : round(bootS + g.oldestStartTicks / hz, 2),
    states,
    ioUnreadable: g.ioUnreadable,
    fdsUnreadable: g.fdsUnreadable,
  };
}

function round(v: number | null, digits: number): number | null {
  if (v === null || v !== v) return null;
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
