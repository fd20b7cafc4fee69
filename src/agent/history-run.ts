/**
 * serve's history as a run (docs/run-format.md), so `perfscope report` and users' scripts read it like
 * any recorded run: `system` holds the host columns, `samples` the totals of the selected processes
 * (one group, or every group), `processes` one entry per group (the busiest first), `events` the
 * agent's starts and stops. Values come from the raw tier (every tick) or the minute tier (gauges as
 * the minute's mean, counters as its maximum, i.e. its last value), whichever the range asks for.
 */
import { hostname, release } from 'node:os';
import type { ProcessSeries, RunData, RunEvent, RunMeta, SeriesColumns } from '../core/run-data.js';
import { version } from '../core/version.js';
import { compareCodeUnits } from '../core/order.js';
import { decodeChunk } from '../store/chunk-codec.js';
import type { SeriesStore, StoredSeries, Tier } from '../store/series-store.js';
import { cpuModes, seriesCatalogue, serveSeries as S, type SeriesDef } from './series.js';

export interface HistoryQuery {
  /** How far back from `nowMs`. */
  seconds: number;
  /** One group's history (its name), or every group's (absent). */
  group?: string;
  /** 'auto' (default): raw up to `maxRawSeconds` and within the raw retention, else minute. */
  tier?: Tier | 'auto';
  /** Groups listed in `processes`, the busiest (mean CPU) first; default 10, 0 for none. */
  top?: number;
  nowMs?: number;
}

export interface HistoryContext {
  intervalMs: number;
  rawRetentionMs: number;
  minuteRetentionMs: number;
  /** Ranges up to this many seconds come from the raw tier under tier 'auto' (default 3600). */
  maxRawSeconds?: number;
  cpuCount: number;
  memTotalBytes: number;
  clockTicksPerSecond: number;
}

/** What serve adds to RunMeta (additive: the run format only grows). */
export interface ServeRunMeta extends RunMeta {
  serve: {
    tier: Tier;
    stepSeconds: number;
    group: string | null;
    requestedSeconds: number;
    /** Every group with data in the range, by name. */
    groups: string[];
  };
}

/** A `processes` entry for a group: pid 0 (a group has no single PID), comm and `group` its name. */
export interface GroupSeries extends ProcessSeries {
  group: string;
}

const defsByName = new Map<string, SeriesDef>(seriesCatalogue.map((d) => [d.name, d]));

export const historyUnits: Record<string, string> = {
  timestamp: 'seconds since meta.startedAtMs',
  cpu_percent: '% of one core (100 = one full core)',
  cpu_percent_machine: '% of all cores',
  memory_percent: '% of physical memory (RSS / MemTotal)',
  io_read_bytes: 'bytes read from storage since serve started (cumulative)',
  io_write_bytes: 'bytes written to storage since serve started (cumulative)',
  num_procs: 'processes in the group(s)',
};

interface BlockRows {
  times: number[];
  /** Store series id → values aligned with `times`. */
  cols: Map<number, number[]>;
}

/** Builds the run for `query` from the store. Throws PerfscopeError('EIO') when the store cannot be read. */
export function historyAsRun(store: SeriesStore, query: HistoryQuery, ctx: HistoryContext): RunData & { meta: ServeRunMeta } {
  const nowMs = query.nowMs ?? Date.now();
  const fromMs = nowMs - query.seconds * 1000;
  const tier = chooseTier(query, ctx);
  const stepMs = tier === 'raw' ? ctx.intervalMs : 60_000;
  const blocks = query.group === undefined ? undefined : ['host', `group:${query.group}`];
  const chunks = store.readChunks(tier, fromMs, nowMs, blocks);
  const byBlock = new Map<string, BlockRows>();
  const ids = new Set<number>();
  for (const c of chunks) {
    const chunk = decodeChunk(c.data);
    let rows = byBlock.get(c.block);
    if (rows === undefined) byBlock.set(c.block, (rows = { times: [], cols: new Map() }));
    let added = 0;
    const keep: number[] = [];
    for (let i = 0; i < chunk.times.length; i++) {
      const t = chunk.times[i]!;
      if (t < fromMs || t > nowMs) continue;
      const last = rows.times[rows.times.length - 1];
      if (last !== undefined && t <= last) {
        // The same minute written before and after a restart: the later row wins.
        if (t === last) {
          rows.times.pop();
          for (const col of rows.cols.values()) col.length = Math.min(col.length, rows.times.length);
        } else continue;
      }
      rows.times.push(t);
      keep.push(i);
      added++;
    }
    if (added === 0) continue;
    const base = rows.times.length - added;
    for (let c2 = 0; c2 < chunk.ids.length; c2++) {
      const id = chunk.ids[c2]!;
      const storeId = tier === 'raw' ? id : Math.floor(id / 4);
      ids.add(storeId);
      let col = rows.cols.get(id);
      if (col === undefined) rows.cols.set(id, (col = []));
      while (col.length < base) col.push(NaN);
      const src = chunk.columns[c2]!;
      for (const i of keep) col.push(src[i]!);
    }
  }
  const series = store.seriesByIds(ids);
  const host = byBlock.get('host') ?? { times: [], cols: new Map() };
  for (const col of host.cols.values()) while (col.length < host.times.length) col.push(NaN);

  // The time axis: the host's ticks, with a null row in each gap (a restart, a stop) so lines break.
  const axis: number[] = [];
  const rowOf: number[] = [];
  let missed = 0;
  for (let i = 0; i < host.times.length; i++) {
    const t = host.times[i]!;
    if (i > 0) {
      const gap = t - host.times[i - 1]!;
      if (gap > 2.5 * stepMs) {
        axis.push(host.times[i - 1]! + stepMs);
        rowOf.push(-1);
        missed += Math.max(0, Math.round(gap / stepMs) - 1);
      }
    }
    axis.push(t);
    rowOf.push(i);
  }
  const startMs = axis[0] ?? fromMs;
  const timestamp = axis.map((t) => round3((t - startMs) / 1000));
  const hostIndex = new Map<number, number>();
  host.times.forEach((t, i) => hostIndex.set(t, i));

  const view = new BlockView(tier, series);
  const system = systemColumns(view.of(host), rowOf, timestamp);

  // Groups, aligned on the host's ticks.
  const groupCols = new Map<string, SeriesColumns>();
  for (const [block, rows] of byBlock) {
    if (!block.startsWith('group:')) continue;
    const name = block.slice(6);
    groupCols.set(name, groupColumns(view.of(rows), rows.times, hostIndex, rowOf, timestamp, ctx));
  }
  let samples: SeriesColumns;
  if (query.group !== undefined) samples = groupCols.get(query.group) ?? groupColumns(null, [], hostIndex, rowOf, timestamp, ctx);
  else samples = sumGroups([...groupCols.values()], timestamp, ctx);

  const top = query.top ?? 10;
  const ranked = [...groupCols.entries()]
    .map(([name, cols]) => ({ name, cols, cpu: meanOf(cols.cpu_percent!) }))
    .sort((a, b) => b.cpu - a.cpu || compareCodeUnits(a.name, b.name));
  const processes: GroupSeries[] =
    query.group !== undefined
      ? []
      : ranked.slice(0, Math.max(0, top)).map((g) => ({
          pid: 0,
          ppid: 0,
          comm: g.name,
          group: g.name,
          cmdline: null,
          firstSeen: firstPresent(g.cols.num_procs!, timestamp),
          exited: null,
          samples: g.cols,
        }));

  const events: RunEvent[] = store.events(startMs, nowMs).map((e) => ({ t: round3((e.tMs - startMs) / 1000), kind: 'note', detail: `${e.kind}${e.detail ? `: ${e.detail}` : ''}` }));
  const endMs = axis[axis.length - 1] ?? nowMs;
  const meta: ServeRunMeta = {
    format: 'perfscope-run',
    formatVersion: 1,
    id: null,
    command: null,
    pid: 0,
    host: hostname(),
    startedAt: new Date(startMs).toISOString(),
    startedAtMs: startMs,
    endedAtMs: endMs,
    intervalSeconds: stepMs / 1000,
    children: true,
    precise: false,
    firstCpuSample: 'omitted',
    engine: 'event-loop',
    perfscopeVersion: version,
    nodeVersion: process.version,
    platform: process.platform,
    kernel: release(),
    cpuCount: ctx.cpuCount,
    memTotalBytes: ctx.memTotalBytes,
    clockTicksPerSecond: ctx.clockTicksPerSecond,
    cgroup: null,
    exitCode: null,
    signal: null,
    sampleCount: host.times.length,
    missedDeadlines: missed,
    units: historyUnits,
    serve: {
      tier,
      stepSeconds: stepMs / 1000,
      group: query.group ?? null,
      requestedSeconds: query.seconds,
      groups: [...groupCols.keys()].sort(),
    },
  };
  return { meta, samples, system, ...(query.group === undefined ? { processes } : {}), events };
}

function chooseTier(q: HistoryQuery, ctx: HistoryContext): Tier {
  if (q.tier === 'raw' || q.tier === 'minute') return q.tier;
  const maxRaw = ctx.maxRawSeconds ?? 3600;
  return q.seconds <= maxRaw && q.seconds * 1000 <= ctx.rawRetentionMs ? 'raw' : 'minute';
}

/** The values of one block by series name and labels, with the tier's statistic picked per type. */
class BlockView {
  constructor(
    private readonly tier: Tier,
    private readonly series: Map<number, StoredSeries>,
  ) {}

  of(rows: BlockRows): Lookup {
    const byName = new Map<string, { labels: Record<string, string>; values: number[] }[]>();
    for (const [id, values] of rows.cols) {
      const storeId = this.tier === 'raw' ? id : Math.floor(id / 4);
      const stat = this.tier === 'raw' ? -1 : id % 4;
      const s = this.series.get(storeId);
      if (s === undefined) continue;
      const def = defsByName.get(s.name);
      if (def === undefined) continue;
      // Minute tier: counters as the minute's max (its last value), gauges as its mean.
      if (stat >= 0 && stat !== (def.type === 'counter' ? 2 : 1)) continue;
      let list = byName.get(s.name);
      if (list === undefined) byName.set(s.name, (list = []));
      list.push({ labels: s.labels, values });
    }
    return new Lookup(byName, rows.times.length);
  }
}

class Lookup {
  constructor(
    private readonly byName: Map<string, { labels: Record<string, string>; values: number[] }[]>,
    readonly rows: number,
  ) {}

  /** Every series of `def` whose labels include `where`. */
  all(def: SeriesDef, where: Record<string, string> = {}): { labels: Record<string, string>; values: number[] }[] {
    return (this.byName.get(def.name) ?? []).filter((s) => Object.entries(where).every(([k, v]) => s.labels[k] === v));
  }

  one(def: SeriesDef, where: Record<string, string> = {}): number[] | null {
    return this.all(def, where)[0]?.values ?? null;
  }

  /** Row-wise sum over the matching series (NaN when none has a value). */
  sum(def: SeriesDef, where: Record<string, string> = {}): number[] {
    const out = new Array<number>(this.rows).fill(NaN);
    for (const s of this.all(def, where)) {
      for (let i = 0; i < this.rows; i++) {
        const v = s.values[i]!;
        if (v === v) out[i] = (out[i]! === out[i]! ? out[i]! : 0) + v;
      }
    }
    return out;
  }
}

function systemColumns(h: Lookup, rowOf: number[], timestamp: number[]): SeriesColumns {
  const n = rowOf.length;
  const col = (f: (row: number, k: number) => number | null): (number | null)[] => {
    const out = new Array<number | null>(n);
    for (let k = 0; k < n; k++) {
      const row = rowOf[k]!;
      const v = row < 0 ? null : f(row, k);
      out[k] = v === null || v !== v ? null : v;
    }
    return out;
  };
  const at = (values: number[] | null) => (row: number) => (values === null ? null : values[row]!);
  const prevRow = (k: number): number => (k > 0 ? rowOf[k - 1]! : -1);
  const cpus = [...new Set(h.all(S.cpuSeconds).map((s) => s.labels.cpu!))].sort((a, b) => Number(a) - Number(b));
  const modeTotals = (cpu: string | null) => Object.fromEntries(cpuModes.map((m) => [m, cpu === null ? h.sum(S.cpuSeconds, { mode: m }) : h.sum(S.cpuSeconds, { cpu, mode: m })])) as Record<string, number[]>;
  const share = (t: Record<string, number[]>, pick: (d: (m: string) => number) => number) => (row: number, k: number) => {
    const p = prevRow(k);
    if (p < 0) return null;
    const d = (m: string): number => Math.max(0, t[m]![row]! - t[m]![p]!);
    const total = cpuModes.reduce((a, m) => a + d(m), 0);
    return total > 0 ? (pick(d) / total) * 100 : null;
  };
  const all = modeTotals(null);
  const out: SeriesColumns = { timestamp };
  out.cpu_percent = col(share(all, (d) => cpuModes.reduce((a, m) => a + d(m), 0) - d('idle') - d('iowait')));
  out.cpu_user_percent = col(share(all, (d) => d('user') + d('nice')));
  out.cpu_system_percent = col(share(all, (d) => d('system') + d('irq') + d('softirq')));
  out.cpu_iowait_percent = col(share(all, (d) => d('iowait')));
  out.cpu_steal_percent = col(share(all, (d) => d('steal')));
  for (const c of cpus) {
    const t = modeTotals(c);
    out[`cpu${c}_percent`] = col(share(t, (d) => cpuModes.reduce((a, m) => a + d(m), 0) - d('idle') - d('iowait')));
  }
  const total = h.one(S.memTotal);
  const avail = h.one(S.memAvailable);
  const swapTotal = h.one(S.swapTotal);
  const swapFree = h.one(S.swapFree);
  out.memory_used_bytes = col((r) => (total && avail ? total[r]! - avail[r]! : null));
  out.memory_available_bytes = col(at(avail));
  out.memory_percent = col((r) => (total && avail && total[r]! > 0 ? ((total[r]! - avail[r]!) / total[r]!) * 100 : null));
  out.swap_used_bytes = col((r) => (swapTotal && swapFree ? swapTotal[r]! - swapFree[r]! : null));
  out.swap_percent = col((r) => (swapTotal && swapFree ? (swapTotal[r]! > 0 ? ((swapTotal[r]! - swapFree[r]!) / swapTotal[r]!) * 100 : 0) : null));
  out.load1 = col(at(h.one(S.load1)));
  out.load5 = col(at(h.one(S.load5)));
  out.load15 = col(at(h.one(S.load15)));
  out.procs_running = col(at(h.one(S.procsRunning)));
  out.procs_blocked = col(at(h.one(S.procsBlocked)));
  const ctxt = h.one(S.contextSwitches);
  out.context_switches_per_second = col((r, k) => {
    const p = prevRow(k);
    if (ctxt === null || p < 0) return null;
    const dt = timestamp[k]! - timestamp[k - 1]!;
    return dt > 0 ? (ctxt[r]! - ctxt[p]!) / dt : null;
  });
  out.disk_read_bytes = col(at(h.sum(S.diskReadBytes)));
  out.disk_write_bytes = col(at(h.sum(S.diskWrittenBytes)));
  out.net_rx_bytes = col(at(h.sum(S.netReceiveBytes)));
  out.net_tx_bytes = col(at(h.sum(S.netTransmitBytes)));
  for (const d of h.all(S.diskReadBytes)) out[`disk_${safe(d.labels.device!)}_read_bytes`] = col(at(d.values));
  for (const d of h.all(S.diskWrittenBytes)) out[`disk_${safe(d.labels.device!)}_write_bytes`] = col(at(d.values));
  for (const d of h.all(S.netReceiveBytes)) out[`net_${safe(d.labels.device!)}_rx_bytes`] = col(at(d.values));
  for (const d of h.all(S.netTransmitBytes)) out[`net_${safe(d.labels.device!)}_tx_bytes`] = col(at(d.values));
  return out;
}

/** A group's columns on the host axis (`g` null: an unknown group, all null). */
function groupColumns(g: Lookup | null, times: number[], hostIndex: Map<number, number>, rowOf: number[], timestamp: number[], ctx: HistoryContext): SeriesColumns {
  const n = rowOf.length;
  // Map each axis position to the group's own row at the same tick.
  const own = new Map<number, number>();
  times.forEach((t, i) => {
    const hr = hostIndex.get(t);
    if (hr !== undefined) own.set(hr, i);
  });
  const rowAt = (k: number): number => {
    const hr = rowOf[k]!;
    return hr < 0 ? -1 : (own.get(hr) ?? -1);
  };
  const col = (values: number[] | null): (number | null)[] => {
    const out = new Array<number | null>(n).fill(null);
    if (values === null) return out;
    for (let k = 0; k < n; k++) {
      const r = rowAt(k);
      const v = r < 0 ? NaN : values[r]!;
      out[k] = v === v ? v : null;
    }
    return out;
  };
  const get = (def: SeriesDef, where: Record<string, string> = {}): number[] | null => (g === null ? null : g.one(def, where));
  const user = col(get(S.groupCpuSeconds, { mode: 'user' }));
  const system = col(get(S.groupCpuSeconds, { mode: 'system' }));
  const rss = col(get(S.groupMemory, { memtype: 'resident' }));
  const out: SeriesColumns = { timestamp };
  out.cpu_percent = cpuPercent(user, system, timestamp);
  out.cpu_percent_machine = out.cpu_percent.map((v) => (v === null ? null : v / ctx.cpuCount));
  out.cpu_user_seconds = user;
  out.cpu_system_seconds = system;
  out.memory_percent = rss.map((v) => (v === null || !(ctx.memTotalBytes > 0) ? null : (v / ctx.memTotalBytes) * 100));
  out.rss_bytes = rss;
  out.vms_bytes = col(get(S.groupMemory, { memtype: 'virtual' }));
  out.swap_bytes = col(get(S.groupMemory, { memtype: 'swapped' }));
  out.io_read_bytes = col(get(S.groupReadBytes));
  out.io_write_bytes = col(get(S.groupWriteBytes));
  out.num_procs = col(get(S.groupNumProcs));
  out.num_threads = col(get(S.groupNumThreads));
  out.num_fds = col(get(S.groupOpenFds));
  out.ctx_switches_voluntary = col(get(S.groupContextSwitches, { ctxswitchtype: 'voluntary' }));
  out.ctx_switches_involuntary = col(get(S.groupContextSwitches, { ctxswitchtype: 'nonvoluntary' }));
  out.page_faults_minor = col(get(S.groupMinorFaults));
  out.page_faults_major = col(get(S.groupMajorFaults));
  return out;
}

/** Δ(user + system) / Δt × 100 between consecutive present rows. */
function cpuPercent(user: (number | null)[], system: (number | null)[], timestamp: number[]): (number | null)[] {
  const out = new Array<number | null>(user.length).fill(null);
  for (let k = 1; k < user.length; k++) {
    const u0 = user[k - 1];
    const s0 = system[k - 1];
    const u1 = user[k];
    const s1 = system[k];
    if (u0 == null || s0 == null || u1 == null || s1 == null) continue;
    const dt = timestamp[k]! - timestamp[k - 1]!;
    if (dt > 0) out[k] = Math.max(0, ((u1 + s1 - u0 - s0) / dt) * 100);
  }
  return out;
}

/** The row-wise sum of every group (what "all processes" is), cpu_percent recomputed from the sums. */
function sumGroups(groups: SeriesColumns[], timestamp: number[], ctx: HistoryContext): SeriesColumns {
  const n = timestamp.length;
  const out: SeriesColumns = { timestamp };
  const names = ['cpu_user_seconds', 'cpu_system_seconds', 'rss_bytes', 'vms_bytes', 'swap_bytes', 'io_read_bytes', 'io_write_bytes', 'num_procs', 'num_threads', 'num_fds', 'ctx_switches_voluntary', 'ctx_switches_involuntary', 'page_faults_minor', 'page_faults_major'];
  for (const name of names) {
    const col = new Array<number | null>(n).fill(null);
    for (const g of groups) {
      const src = g[name]!;
      for (let k = 0; k < n; k++) {
        const v = src[k];
        if (v != null) col[k] = (col[k] ?? 0) + v;
      }
    }
    out[name] = col;
  }
  out.cpu_percent = cpuPercent(out.cpu_user_seconds!, out.cpu_system_seconds!, timestamp);
  out.cpu_percent_machine = out.cpu_percent.map((v) => (v === null ? null : v / ctx.cpuCount));
  out.memory_percent = out.rss_bytes!.map((v) => (v === null || !(ctx.memTotalBytes > 0) ? null : (v / ctx.memTotalBytes) * 100));
  return out;
}

function meanOf(col: (number | null)[]): number {
  let sum = 0;
  let n = 0;
  for (const v of col) {
    if (v !== null) {
      sum += v;
      n++;
    }
  }
  return n === 0 ? 0 : sum / n;
}

function firstPresent(col: (number | null)[], timestamp: number[]): number {
  const k = col.findIndex((v) => v !== null && v > 0);
  return k < 0 ? 0 : timestamp[k]!;
}

function safe(name: string): string {
  return name.replace(/[^A-Za-z0-9_]/g, '_');
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
