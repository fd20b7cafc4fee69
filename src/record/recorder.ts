/**
 * Turns a Sampler's events into a run: columns in memory (typed arrays, RunData — the `--json` shape —
 * at data()/finish()) and, when a store writer is given, streamed to the store as they come (so a
 * killed recorder loses at most a second).
 */
import { hostname, release } from 'node:os';
import type { ProcessSeries, RunData, RunEvent, RunMeta } from '../core/run-data.js';
import { version } from '../core/version.js';
import { ColumnAccumulator } from '../core/columns.js';
import { runUnits } from '../sampling/catalogue.js';
import type { ProcessInfo, Sample, Sampler } from '../sampling/sampler.js';

/** The subset of the store's RunWriter the recorder needs. */
export interface RunSink {
  /** The run's store id, or null while it has none (a sink may create the run at the first sample). */
  readonly id: number | null;
  append(scope: 'tree' | 'system' | number, t: number, values: Record<string, number | null>): void;
  addProcess(p: { pid: number; ppid: number; comm: string; cmdline: string | null; firstSeen: number }): void;
  processExited(pid: number, t: number): void;
  addEvent(e: RunEvent): void;
  flush(force?: boolean): void;
  finish(patch: Partial<RunMeta>): void;
}

/** RunMeta.units, from the series catalogue. */
export const units: Record<string, string> = runUnits();

export interface RecorderOptions {
  command: string[] | null;
  /** Wall-clock start of the run (epoch ms); default now. A recorded command's is taken just before its spawn. */
  startedAtMs?: number;
  /** Keep every sample in memory for finish() (default true). Long `perfscope run`s stream to the store. */
  keep?: boolean;
  sink?: RunSink | null;
}

export class RunRecorder {
  readonly meta: RunMeta;
  private readonly tree = new ColumnAccumulator();
  private readonly system = new ColumnAccumulator();
  private readonly processes = new Map<number, { info: ProcessInfo; exited: number | null; cols: ColumnAccumulator }>();
  private readonly events: RunEvent[] = [];
  private readonly keep: boolean;
  private sink: RunSink | null;
  private firstT: number | null = null;
  /** The latest sample, for status lines. */
  last: Sample | null = null;

  constructor(
    readonly sampler: Sampler,
    opts: RecorderOptions,
  ) {
    this.keep = opts.keep ?? true;
    this.sink = opts.sink ?? null;
    const o = sampler.options;
    const startedAtMs = opts.startedAtMs ?? Date.now();
    this.meta = {
      format: 'perfscope-run',
      formatVersion: 1,
      id: this.sink?.id ?? null,
      command: opts.command,
      pid: o.pid,
      host: hostname(),
      startedAt: new Date(startedAtMs).toISOString(),
      startedAtMs,
      endedAtMs: null,
      intervalSeconds: o.intervalMs / 1000,
      children: o.children,
      precise: o.precise,
      firstCpuSample: 'omitted',
      perfscopeVersion: version,
      nodeVersion: process.version,
      platform: process.platform,
      kernel: release(),
      cpuCount: sampler.host.cpuCount,
      memTotalBytes: sampler.host.memTotalBytes,
      clockTicksPerSecond: sampler.host.clockTicksPerSecond,
      cgroup: sampler.host.cgroup,
      exitCode: null,
      signal: null,
      sampleCount: 0,
      missedDeadlines: 0,
      units,
    };
    sampler.on('sample', (s: Sample) => this.onSample(s));
    sampler.on('process-start', (p: ProcessInfo) => this.onStart(p));
    sampler.on('process-exit', (e: { pid: number; t: number }) => this.onExit(e.pid, e.t));
    sampler.on('process-exec', (p: ProcessInfo) => this.onExec(p));
  }

  /** Streams everything from now on (and the run's metadata id) to a store writer. */
  attachSink(sink: RunSink): void {
    this.sink = sink;
    this.meta.id = sink.id;
  }

  private onSample(s: Sample): void {
    this.last = s;
    this.meta.sampleCount++;
    if (this.firstT === null) {
      this.firstT = s.t;
      this.meta.firstCpuSample = s.tree.cpu_percent === null ? 'omitted' : 'measured';
    }
    if (s.missed > 0) this.event({ t: s.t, kind: 'missed-deadline', detail: `${s.missed} deadline(s) skipped` });
    if (this.keep) {
      this.tree.append(s.t, s.tree);
      if (s.system) this.system.append(s.t, s.system);
    }
    this.sink?.append('tree', s.t, s.tree);
    if (s.system) this.sink?.append('system', s.t, s.system);
    if (s.processes) {
      for (const [pid, row] of s.processes) {
        if (this.keep) this.processes.get(pid)?.cols.append(s.t, row);
        this.sink?.append(pid, s.t, row);
      }
    }
    this.sink?.flush(false);
  }

  private onStart(p: ProcessInfo): void {
    if (this.processes.has(p.pid)) return;
    this.processes.set(p.pid, { info: p, exited: null, cols: new ColumnAccumulator() });
    this.sink?.addProcess({ pid: p.pid, ppid: p.ppid, comm: p.comm, cmdline: p.cmdline, firstSeen: p.t });
    if (p.pid !== this.meta.pid) this.event({ t: p.t, kind: 'process-start', pid: p.pid, detail: p.cmdline ?? p.comm });
  }

  /**
   * A process exec'd (or renamed itself): the run's process entry takes the new name and command line
   * (it keeps its firstSeen), and a 'process-exec' event keeps the change's time and the new command.
   */
  private onExec(p: ProcessInfo): void {
    const known = this.processes.get(p.pid);
    if (known === undefined) return;
    known.info = { ...known.info, comm: p.comm, cmdline: p.cmdline };
    this.sink?.addProcess({ pid: p.pid, ppid: known.info.ppid, comm: p.comm, cmdline: p.cmdline, firstSeen: known.info.t });
    this.event({ t: p.t, kind: 'process-exec', pid: p.pid, detail: p.cmdline ?? p.comm });
  }

  private onExit(pid: number, t: number): void {
    const p = this.processes.get(pid);
    if (p) p.exited = t;
    this.sink?.processExited(pid, t);
    this.event({ t, kind: 'process-exit', pid });
  }

  private event(e: RunEvent): void {
    this.events.push(e);
    this.sink?.addEvent(e);
  }

  /** Final metadata, store finish, and the run as data. */
  finish(patch: Partial<RunMeta> = {}): RunData {
    Object.assign(this.meta, patch);
    this.meta.endedAtMs ??= Date.now();
    this.meta.missedDeadlines = this.sampler.missedDeadlines;
    this.meta.engine = this.sampler.engine;
    this.sink?.finish({ ...this.meta });
    if (this.sink) this.meta.id = this.sink.id;
    return this.data();
  }

  /** The run as recorded so far. */
  data(): RunData {
    const run: RunData = { meta: { ...this.meta }, samples: this.tree.toSeriesColumns(), events: this.events };
    if (this.system.rows > 0) run.system = this.system.toSeriesColumns();
    if (this.sampler.options.perProcess) {
      run.processes = [...this.processes.values()].map(
        (p): ProcessSeries => ({
          pid: p.info.pid,
          ppid: p.info.ppid,
          comm: p.info.comm,
          cmdline: p.info.cmdline,
          firstSeen: p.info.t,
          exited: p.exited,
          samples: p.cols.toSeriesColumns(),
        }),
      );
    }
    return run;
  }
}
