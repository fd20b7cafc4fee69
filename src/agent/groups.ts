/**
 * Process groups: every process on the host belongs to one, chosen when it is first seen (and again
 * when its name changes, e.g. at exec): a `--pid` tree first, then the first `--group` rule whose
 * pattern matches its command line, else its comm (process-exporter's `{{.Comm}}`); kernel threads
 * go to one group, `[kernel]`.
 *
 * Group counters never go back when members exit, as process-exporter's: a group's counter is the sum
 * of the increments its members showed while they were members. Each member keeps the counters it
 * had at its last read; every read adds (now − then) to its group and moves "then". A process that
 * exits takes nothing away (what it did between our last read and its exit is not seen, as with
 * process-exporter). A process alive when the agent started counts from that moment; one born later
 * counts from its start (its whole counters are an increment), again as process-exporter does.
 */
import type { ProcessRecord, ProcessTableUpdate } from '../sampling/process-table.js';
import { groupStates, serveSeries as S, type GroupState } from './series.js';
import type { SeriesSet } from './series-set.js';

/** `--group NAME=REGEX`: processes whose command line matches go to group NAME. */
export interface GroupRule {
  name: string;
  pattern: RegExp;
}

export interface GroupingOptions {
  rules?: readonly GroupRule[];
  /** `--pid PID`: the process and its descendants form group `pid-PID`. */
  pids?: readonly number[];
  /** Most groups at once; processes that would open another go to `[other]` (default 1000). */
  maxGroups?: number;
  /** A group by comm with no process left is dropped after this long (default 1 h); configured groups stay. */
  emptyGroupTtlMs?: number;
}

export const KERNEL_GROUP = '[kernel]';
export const OTHER_GROUP = '[other]';

/** Indexes of a group's accumulated counters. */
export const Ctr = { user: 0, system: 1, readBytes: 2, writeBytes: 3, majorFaults: 4, minorFaults: 5, voluntary: 6, involuntary: 7 } as const;
const NC = 8;

/** One group's current state. Counters are cumulative since the agent started; the rest is this tick's. */
export class Group {
  readonly name: string;
  /** From `--group` or `--pid`: exists from the start and never expires. */
  readonly configured: boolean;
  readonly counters = new Float64Array(NC);
  numProcs = 0;
  numThreads = 0;
  rssBytes = 0;
  vmsBytes = 0;
  swapBytes = 0;
  openFds = 0;
  /** Members whose io or fd directory could not be read (their share is missing from the sums). */
  ioUnreadable = 0;
  fdsUnreadable = 0;
  readonly states = new Float64Array(groupStates.length);
  /** Start time (clock ticks since boot) of the oldest member; Infinity when empty. */
  oldestStartTicks = Infinity;
  /** Monotonic ms since when the group has had no member, or null. */
  emptySinceMs: number | null = null;
  /** Rates over the last interval (null on a group's first tick): % of one core, bytes and events per second. */
  cpuPercent: number | null = null;
  readBytesPerSecond: number | null = null;
  writeBytesPerSecond: number | null = null;
  majorFaultsPerSecond: number | null = null;
  ctxSwitchesPerSecond: number | null = null;
  /** PIDs of the members this tick (ascending), for the live table. */
  pids: number[] = [];
  readonly slots: number[] = [];
  private readonly prevCounters = new Float64Array(NC);
  private prevMs = -1;

  constructor(name: string, configured: boolean) {
    this.name = name;
    this.configured = configured;
  }

  resetGauges(): void {
    this.numProcs = this.numThreads = this.rssBytes = this.vmsBytes = this.swapBytes = this.openFds = 0;
    this.ioUnreadable = this.fdsUnreadable = 0;
    this.states.fill(0);
    this.oldestStartTicks = Infinity;
    this.pids.length = 0;
  }

  /** Rates since the previous tick. */
  rates(nowMs: number): void {
    const c = this.counters;
    const p = this.prevCounters;
    const dt = (nowMs - this.prevMs) / 1000;
    if (this.prevMs >= 0 && dt > 0) {
      this.cpuPercent = ((c[Ctr.user]! + c[Ctr.system]! - p[Ctr.user]! - p[Ctr.system]!) / dt) * 100;
      this.readBytesPerSecond = (c[Ctr.readBytes]! - p[Ctr.readBytes]!) / dt;
      this.writeBytesPerSecond = (c[Ctr.writeBytes]! - p[Ctr.writeBytes]!) / dt;
      this.majorFaultsPerSecond = (c[Ctr.majorFaults]! - p[Ctr.majorFaults]!) / dt;
      this.ctxSwitchesPerSecond = (c[Ctr.voluntary]! + c[Ctr.involuntary]! - p[Ctr.voluntary]! - p[Ctr.involuntary]!) / dt;
    }
    p.set(c);
    this.prevMs = nowMs;
  }
}

interface Member {
  group: Group;
  /** Counters at the last read, in Ctr order (null io counted as unchanged). */
  readonly last: Float64Array;
  /** In a `--pid` tree: stays there whatever its name becomes. */
  sticky: boolean;
}

const stateIndex: Record<string, number> = { R: 0, S: 1, D: 2, Z: 3 };

/**
 * Assigns processes to groups and keeps the groups' series in `set`. Call `update()` after each
 * ProcessTable.update() with its result. Not thread-safe; one per agent.
 */
export class GroupAccount {
  readonly groups = new Map<string, Group>();
  private readonly members = new Map<ProcessRecord, Member>();
  private readonly rules: readonly GroupRule[];
  private readonly roots: Map<number, number | null>;
  private readonly maxGroups: number;
  private readonly emptyTtlMs: number;
  private readonly set: SeriesSet;
  private readonly clockTicksPerSecond: number;
  private bootTimeSeconds = 0;
  private first = true;
  private readonly pending = new Set<ProcessRecord>();

  constructor(set: SeriesSet, options: GroupingOptions, clockTicksPerSecond: number) {
    this.set = set;
    this.rules = options.rules ?? [];
    this.roots = new Map((options.pids ?? []).map((p) => [p, null]));
    this.maxGroups = options.maxGroups ?? 1000;
    this.emptyTtlMs = options.emptyGroupTtlMs ?? 3_600_000;
    this.clockTicksPerSecond = clockTicksPerSecond;
    for (const pid of this.roots.keys()) this.group(`pid-${pid}`, true);
    for (const r of this.rules) this.group(r.name, true);
  }

  /** Folds one table update in; `round` is the table's update count, `nowMs` monotonic, `bootTimeSeconds` from /proc/stat. */
  update(u: ProcessTableUpdate, records: ReadonlyMap<number, ProcessRecord>, nowMs: number, bootTimeSeconds: number): void {
    this.bootTimeSeconds = bootTimeSeconds;
    for (const rec of u.exited) this.members.delete(rec);
    for (const rec of u.born) this.pending.add(rec);
    for (const rec of u.born) this.assign(rec, records);
    this.pending.clear();
    for (const rec of u.renamed) {
      const m = this.members.get(rec);
      if (m === undefined || m.sticky) continue;
      const g = this.group(this.nameFor(rec), false);
      if (g !== m.group) m.group = g; // what it did so far stays with the old group
    }
    this.first = false;
    for (const g of this.groups.values()) g.resetGauges();
    for (const [rec, m] of this.members) this.account(rec, m);
    const set = this.set;
    for (const g of this.groups.values()) {
      g.rates(nowMs);
      if (g.numProcs > 0) g.emptySinceMs = null;
      else if (g.emptySinceMs === null) g.emptySinceMs = nowMs;
      if (!g.configured && g.emptySinceMs !== null && nowMs - g.emptySinceMs >= this.emptyTtlMs) {
        for (const s of g.slots) set.retire(s);
        this.groups.delete(g.name);
        continue;
      }
      this.write(g);
    }
  }

  /** The member record of a live process, if the account knows it (for tests and the live table). */
  groupOf(rec: ProcessRecord): Group | undefined {
    return this.members.get(rec)?.group;
  }

  private assign(rec: ProcessRecord, records: ReadonlyMap<number, ProcessRecord>): Member {
    const known = this.members.get(rec);
    if (known !== undefined) return known;
    let group: Group | null = null;
    let sticky = false;
    if (this.roots.size > 0) {
      const root = this.roots.get(rec.pid);
      if (root !== undefined && (root === null || root === rec.startTimeTicks) && (root !== null || this.first)) {
        this.roots.set(rec.pid, rec.startTimeTicks);
        group = this.group(`pid-${rec.pid}`, true);
        sticky = true;
      } else {
        const parent = records.get(rec.ppid);
        if (parent !== undefined && parent !== rec) {
          // A parent born in the same update is placed first (PIDs wrap, so listing order proves nothing).
          const pm = this.members.get(parent) ?? (this.pending.has(parent) ? this.assign(parent, records) : undefined);
          if (pm?.sticky) {
            group = pm.group;
            sticky = true;
          }
        }
      }
    }
    group ??= this.group(this.nameFor(rec), false);
    const last = new Float64Array(NC);
    // Alive when we started: count from now. Born since: everything it did is an increment.
    if (this.first) countersOf(rec, last);
    const m: Member = { group, last, sticky };
    this.members.set(rec, m);
    return m;
  }

  private nameFor(rec: ProcessRecord): string {
    const subject = rec.cmdline ?? `[${rec.comm}]`;
    for (const r of this.rules) {
      r.pattern.lastIndex = 0;
      if (r.pattern.test(subject)) return r.name;
    }
    return rec.kernelThread ? KERNEL_GROUP : rec.comm;
  }

  /** The group called `name`, created (with its series) if new; past maxGroups, `[other]`. */
  private group(name: string, configured: boolean): Group {
    let g = this.groups.get(name);
    if (g !== undefined) return g;
    if (!configured && this.groups.size >= this.maxGroups && name !== OTHER_GROUP) return this.group(OTHER_GROUP, false);
    g = new Group(name, configured);
    const set = this.set;
    const block = `group:${name}`;
    const add = (def: (typeof S)[keyof typeof S], extra: Record<string, string> = {}): number => set.add(def, { groupname: name, ...extra }, block);
    g.slots.push(
      add(S.groupNumProcs),
      add(S.groupCpuSeconds, { mode: 'user' }),
      add(S.groupCpuSeconds, { mode: 'system' }),
      add(S.groupReadBytes),
      add(S.groupWriteBytes),
      add(S.groupMajorFaults),
      add(S.groupMinorFaults),
      add(S.groupContextSwitches, { ctxswitchtype: 'voluntary' }),
      add(S.groupContextSwitches, { ctxswitchtype: 'nonvoluntary' }),
      add(S.groupMemory, { memtype: 'resident' }),
      add(S.groupMemory, { memtype: 'virtual' }),
      add(S.groupMemory, { memtype: 'swapped' }),
      add(S.groupOpenFds),
      add(S.groupNumThreads),
      ...groupStates.map((state: GroupState) => add(S.groupStates, { state })),
      add(S.groupOldestStart),
    );
    this.groups.set(name, g);
    return g;
  }

  private account(rec: ProcessRecord, m: Member): void {
    const g = m.group;
    const last = m.last;
    const c = g.counters;
    // Only a re-read can have moved a counter; a process that slept keeps `last`.
    addDelta(c, last, Ctr.user, rec.userSeconds);
    addDelta(c, last, Ctr.system, rec.systemSeconds);
    if (rec.readBytes !== null) addDelta(c, last, Ctr.readBytes, rec.readBytes);
    else g.ioUnreadable++;
    if (rec.writeBytes !== null) addDelta(c, last, Ctr.writeBytes, rec.writeBytes);
    addDelta(c, last, Ctr.majorFaults, rec.majorFaults);
    addDelta(c, last, Ctr.minorFaults, rec.minorFaults);
    addDelta(c, last, Ctr.voluntary, rec.voluntaryCtxSwitches);
    addDelta(c, last, Ctr.involuntary, rec.involuntaryCtxSwitches);
    g.numProcs++;
    g.numThreads += rec.numThreads;
    g.rssBytes += rec.rssBytes;
    g.vmsBytes += rec.vmsBytes;
    g.swapBytes += rec.swapBytes;
    if (rec.numFds !== null) g.openFds += rec.numFds;
    else g.fdsUnreadable++;
    g.states[stateIndex[rec.state] ?? 4]!++;
    if (rec.startTimeTicks < g.oldestStartTicks) g.oldestStartTicks = rec.startTimeTicks;
    g.pids.push(rec.pid);
  }

  private write(g: Group): void {
    const v = this.set.values;
    const s = g.slots;
    const c = g.counters;
    let i = 0;
    v[s[i++]!] = g.numProcs;
    v[s[i++]!] = c[Ctr.user]!;
    v[s[i++]!] = c[Ctr.system]!;
    v[s[i++]!] = c[Ctr.readBytes]!;
    v[s[i++]!] = c[Ctr.writeBytes]!;
    v[s[i++]!] = c[Ctr.majorFaults]!;
    v[s[i++]!] = c[Ctr.minorFaults]!;
    v[s[i++]!] = c[Ctr.voluntary]!;
    v[s[i++]!] = c[Ctr.involuntary]!;
    v[s[i++]!] = g.rssBytes;
    v[s[i++]!] = g.vmsBytes;
    v[s[i++]!] = g.swapBytes;
    v[s[i++]!] = g.openFds;
    v[s[i++]!] = g.numThreads;
    for (let k = 0; k < groupStates.length; k++) v[s[i++]!] = g.states[k]!;
    v[s[i++]!] = g.oldestStartTicks === Infinity ? NaN : this.bootTimeSeconds + g.oldestStartTicks / this.clockTicksPerSecond;
    g.pids.sort((a, b) => a - b);
  }
}

function countersOf(rec: ProcessRecord, out: Float64Array): void {
  out[Ctr.user] = rec.userSeconds;
  out[Ctr.system] = rec.systemSeconds;
  out[Ctr.readBytes] = rec.readBytes ?? 0;
  out[Ctr.writeBytes] = rec.writeBytes ?? 0;
  out[Ctr.majorFaults] = rec.majorFaults;
  out[Ctr.minorFaults] = rec.minorFaults;
  out[Ctr.voluntary] = rec.voluntaryCtxSwitches;
  out[Ctr.involuntary] = rec.involuntaryCtxSwitches;
}

/** Adds now − last (never negative: a counter read as lower is a re-read glitch, not a reset) and moves last. */
function addDelta(c: Float64Array, last: Float64Array, k: number, now: number): void {
  const d = now - last[k]!;
  if (d > 0) {
    c[k]! += d;
    last[k] = now;
  }
}
