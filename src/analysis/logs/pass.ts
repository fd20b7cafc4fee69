/**
 * The pass of `analyzeLogs` (see analyze.ts): lines in, the format detected from the first ones, a
 * CallCollector over the calls, and after the input the result: final keys (routes inferred), exact
 * summaries from the grouped table or the sketches past the memory budget, changes, patterns.
 */
import { createParser, detectFormat } from '../../logs/parse/formats.js';
import type { InputReport, LineHandler } from '../../logs/parse/line-reader.js';
import { logFormats, type KeyKind, type LogFormat } from '../../logs/parse/log-parser.js';
import { PairTable } from '../pair-table.js';
import { RouteInference } from '../routes.js';
import { CallCollector, type CollectorSnapshot } from './call-collector.js';
import { BYTES_PER_CALL, FLAG_FAILED, FLAG_WARNING } from './call-table.js';
import { DistributionBuckets, distributionBounds, summarizeExact, summarizeSketch, type KeySummary } from './key-summary.js';
import type { MessageList } from './message-log.js';
import type { ResolvedOptions } from './options.js';
import { PatternMiner } from './patterns.js';
import type { Change, GroupStats, LogAnalysis, TimelineSeries } from './result.js';
import { SKETCH_RELATIVE_ERROR, SketchStore } from './sketch-store.js';
import { WindowGrid, chooseWindowMs } from './windows.js';

/** Lines or bytes read before the format is decided from them. */
const DETECT_LINES = 1000;
const DETECT_BYTES = 1024 * 1024;
/** Bytes a call costs in exact mode: its columns, plus the grouping and one key's copies after the pass. */
export const EXACT_BYTES_PER_CALL = BYTES_PER_CALL + 15;
const BAD_REQUEST_KEY = '(bad request line)';
const MAX_WINDOWS_GIVEN = 10_000;

/** A line held back while the format is being detected. */
interface Pending {
  file: number;
  line: number;
  bytes: Buffer;
  /** > 0: an overlong line of this many bytes (`bytes` is its head). */
  overlongBytes: number;
}

/** How the pass keeps its calls within the memory budget (see analyzeLogs and analyzeSplit). */
export interface BudgetPolicy {
  /** Calls the exact table holds before `onFull` is asked. */
  limit: number;
  /** The table holds `limit` calls: go to sketches (return null), or give a new limit. */
  onFull(calls: number): number | null;
}

export class Pass implements LineHandler {
  totalLines = 0;
  /** The format was decided (or found unreadable) before the end of the input (see analyzeSplit). */
  decidedEarly = false;
  /** Called once the format is decided: null when no format reads the input. */
  onFormat: ((format: LogFormat | null, keyKind: KeyKind) => void) | null = null;
  private readonly o: ResolvedOptions;
  private format: LogFormat | null = null;
  private keyKind: KeyKind = 'function';
  private keyNote: string | null = null;
  private pending: Pending[] | null = [];
  private pendingBytes = 0;
  private undetected = false;
  private readonly files: string[] = [];
  private readonly fileLines: number[] = [];
  private file = -1;
  private lineNo = 0;
  private collector: CallCollector | null = null;
  private sketch: SketchStore | null = null;
  private sketchReason = '';
  private readonly budget: BudgetPolicy;
  /** Pre-key (function id, or route pair id) → final key; -1 until named. */
  private finalOf = new Int32Array(64).fill(-1);
  private readonly finalNames: string[] = [];
  private readonly finalIndex = new Map<string, number>();
  private inference: RouteInference | null = null;
  private readonly patterns = new PatternMiner();

  constructor(o: ResolvedOptions, budget?: BudgetPolicy) {
    this.o = o;
    this.budget = budget ?? { limit: Math.floor(o.memoryBudgetBytes / EXACT_BYTES_PER_CALL), onFull: () => null };
  }

  /** Call once the owner is ready for `onFormat` (with an explicit format, it fires here). */
  start(): void {
    if (this.o.format !== 'auto') {
      this.pending = null;
      this.useFormat(this.o.format);
      this.decidedEarly = true;
    }
  }

  // ---- LineHandler

  input(name: string): void {
    this.file = this.files.length;
    this.files.push(name);
    this.fileLines.push(0);
    this.lineNo = 0;
  }

  line(buf: Buffer, start: number, end: number): void {
    const line = ++this.lineNo;
    this.totalLines++;
    this.fileLines[this.file] = line;
    const c = this.collector;
    if (c !== null) {
      if (c.parser !== null) c.consume(buf, start, end, this.file, line);
      else c.unreadable(buf, start, end, this.file, line);
    } else {
      this.pending!.push({ file: this.file, line, bytes: Buffer.from(buf.subarray(start, end)), overlongBytes: 0 });
      this.pendingBytes += end - start;
      if (this.pending!.length >= DETECT_LINES || this.pendingBytes >= DETECT_BYTES) {
        this.decidedEarly = true;
        this.detect();
      }
    }
  }

  overlong(head: Buffer, bytes: number): void {
    const line = ++this.lineNo;
    this.totalLines++;
    this.fileLines[this.file] = line;
    if (this.pending !== null) this.pending.push({ file: this.file, line, bytes: Buffer.from(head), overlongBytes: bytes });
    else this.collector!.overlong(head, bytes, this.file, line);
  }

  endOfInput(): void {
    if (this.pending !== null) this.detect();
  }

  // ---- format

  private useFormat(format: LogFormat | null): void {
    this.format = format;
    if (format !== null) {
      const parser = createParser(format);
      const wanted = this.o.key ?? parser.defaultKey;
      if (parser.keyKinds.includes(wanted)) {
        this.keyKind = wanted;
      } else {
        this.keyKind = parser.defaultKey;
        this.keyNote = `${format} lines have no ${wanted} key; keyed by ${this.keyKind}`;
      }
    } else {
      this.undetected = true;
    }
    const c = new CallCollector({ format, keyKind: this.keyKind, sinceMs: this.o.sinceMs, untilMs: this.o.untilMs, routes: this.o.routes, slowest: this.o.slowest, messages: this.patterns });
    c.limit = this.budget.limit;
    c.onFull = () => {
      const next = this.budget.onFull(c.exactCalls);
      if (next === null) this.toSketches();
      else c.limit = next;
    };
    this.collector = c;
    this.onFormat?.(format, this.keyKind);
  }

  private detect(): void {
    const pending = this.pending!;
    this.pending = null;
    const { format } = detectFormat(pending.filter((p) => p.overlongBytes === 0).map((p) => p.bytes));
    this.useFormat(format);
    const c = this.collector!;
    for (const p of pending) {
      if (p.overlongBytes > 0) c.overlong(p.bytes, p.overlongBytes, p.file, p.line);
      else if (c.parser !== null) c.consume(p.bytes, 0, p.bytes.length, p.file, p.line);
      else c.unreadable(p.bytes, 0, p.bytes.length, p.file, p.line);
    }
  }

  // ---- the next parts of the input (analyzeSplit)

  /** Calls held in the exact table (0 in sketch mode). */
  get exactCalls(): number {
    return this.collector?.exactCalls ?? 0;
  }

  /**
   * Takes in a worker's part of the input: `part`, what its collector gathered over files `files`
   * (indices into the whole list, `names`), `lines` per file, and its messages. Parts are absorbed in
   * input order, after this pass has read the first one.
   */
  absorb(part: { snapshot: CollectorSnapshot; messages: MessageList; lines: { file: number; lines: number }[] }, names: readonly string[]): void {
    const offsets = new Map<number, number>();
    for (const { file } of part.lines) {
      while (this.files.length <= file) {
        this.files.push(names[this.files.length]!);
        this.fileLines.push(0);
      }
      offsets.set(file, this.fileLines[file]!);
    }
    const keyOf = this.collector!.absorb(part.snapshot, (file) => offsets.get(file) ?? 0);
    this.patterns.addAll(part.messages, keyOf);
    for (const { file, lines } of part.lines) {
      this.fileLines[file]! += lines;
      this.totalLines += lines;
    }
  }

  /** Inputs of the whole list that no part read a line of (empty files at the end) are inputs too. */
  addFiles(names: readonly string[]): void {
    while (this.files.length < names.length) {
      this.files.push(names[this.files.length]!);
      this.fileLines.push(0);
    }
  }

  // ---- keys

  private preKeyCount(): number {
    const c = this.collector;
    if (c === null || c.parser === null) return 0;
    return this.keyKind === 'function' ? c.parser.functions.size : c.routeKeys!.size;
  }

  /** The final key id of a pre-key, named on first use (route keys: after inference). */
  private finalKey(pre: number): number {
    if (pre >= this.finalOf.length) {
      const bigger = new Int32Array(Math.max(pre + 1, this.finalOf.length * 2)).fill(-1);
      bigger.set(this.finalOf);
      this.finalOf = bigger;
    }
    let id = this.finalOf[pre]!;
    if (id >= 0) return id;
    if (this.keyKind === 'function') {
      id = this.finalIdOf(this.collector!.parser!.functions.name(pre));
    } else {
      const rk = this.collector!.routeKeys!;
      if (pre === rk.badRequest) {
        id = this.finalIdOf(BAD_REQUEST_KEY);
      } else {
        this.inference ??= RouteInference.infer(rk.paths);
        const method = rk.methodOf[pre]!;
        const path = rk.pathOf[pre]!;
        // paths with one route node share a key: name it once per (method, node)
        const node = this.inference.nodeOf(path);
        id = node >= 0 ? this.byMethodNode.get(method, node) : -1;
        if (id < 0) {
          id = this.finalIdOf(`${this.collector!.parser!.methods.name(method)} ${this.inference.routeOf(path)}`);
          if (node >= 0) this.byMethodNode.set(method, node, id);
        }
      }
    }
    this.finalOf[pre] = id;
    return id;
  }

  private readonly byMethodNode = new PairTable();

  private finalIdOf(name: string): number {
    let id = this.finalIndex.get(name);
    if (id === undefined) {
      id = this.finalNames.length;
      this.finalNames.push(name);
      this.finalIndex.set(name, id);
    }
    return id;
  }

  // ---- exact → sketches

  private toSketches(): void {
    const c = this.collector!;
    const table = c.table!;
    this.sketchReason = `more than ${table.length.toLocaleString('en-US')} calls: past the ${formatMiB(this.o.memoryBudgetBytes)} memory budget for exact percentiles`;
    const store = new SketchStore(c.tMax > c.tMin ? c.tMax - c.tMin : 0);
    table.forEach((key, seconds, timeMs, flags) => store.add(this.finalKey(key), seconds, timeMs, (flags & FLAG_FAILED) !== 0, (flags & FLAG_WARNING) !== 0));
    table.clear();
    c.table = null;
    c.sketchAdd = (key, seconds, timeMs, failed, warned) => store.add(this.finalKey(key), seconds, timeMs, failed, warned);
    this.sketch = store;
  }

  // ---- result

  result(reports: InputReport[]): LogAnalysis {
    const c = this.collector!;
    // nothing is looked up by bytes any more (a sketch's late paths were named during the pass): the
    // tables go before the post-pass allocates (with a collection, or they stay until V8's next one of
    // its old generation: +14 MB peak RSS on 1M nginx lines when that came after the summaries)
    if (c.table !== null && c.routeKeys !== null) {
      c.routeKeys.releaseLookups();
      this.o.collectGarbage?.();
    }
    const inputs = reports.map((r, i) => ({ file: r.name, bytes: r.bytes, gzip: r.gzip, lines: this.fileLines[i] ?? 0, error: r.error }));
    const preCount = this.preKeyCount();
    for (let pre = 0; pre < preCount; pre++) this.finalKey(pre);
    const names = this.finalNames;
    const G = names.length;

    // time windows
    let grid: WindowGrid | null = null;
    const notes: string[] = [];
    if (this.sketch !== null) {
      const range = this.sketch.windowRange;
      if (range) grid = new WindowGrid(range.first * this.sketch.widthMs, range.last * this.sketch.widthMs, this.sketch.widthMs);
    } else if (c.tMin <= c.tMax) {
      let widthMs = this.o.windowMs ?? chooseWindowMs(c.tMax - c.tMin);
      if ((c.tMax - c.tMin) / widthMs >= MAX_WINDOWS_GIVEN) {
        const wider = chooseWindowMs(c.tMax - c.tMin, MAX_WINDOWS_GIVEN);
        notes.push(`window ${widthMs / 1000} s gives more than ${MAX_WINDOWS_GIVEN} windows over this time range; used ${wider / 1000} s`);
        widthMs = wider;
      }
      grid = new WindowGrid(c.tMin, c.tMax, widthMs);
    }
    const buckets = new DistributionBuckets(distributionBounds(c.minPositive, c.maxSeconds));

    // per key, exactly from the grouped table or from the sketches
    const summaries: (KeySummary | null)[] = new Array(G).fill(null);
    if (c.table !== null && c.table.length > 0) {
      // the keys shown (the top by total time) get the full timeline; every key gets change detection
      const { count, sum } = c.table.totals(this.finalOf, G);
      const ranked = Array.from({ length: G }, (_, g) => g).sort((a, b) => sum[b]! - sum[a]! || count[b]! - count[a]! || (names[a]! < names[b]! ? -1 : 1));
      const detailed = new Set(this.o.top > 0 ? ranked.slice(0, this.o.top) : ranked);
      const columns = c.table.scatter(this.finalOf, G);
      for (let g = 0; g < G; g++) {
        if (columns[g]!.seconds.length > 0) summaries[g] = summarizeExact(columns[g]!, grid, buckets, detailed.has(g));
        columns[g] = EMPTY_GROUP;
      }
    } else if (this.sketch !== null) {
      const totals = this.sketch.totals;
      const sumOf = (g: number): number => (g < totals.length ? totals[g]!.sum : 0);
      const countOf = (g: number): number => (g < totals.length ? totals[g]!.count : 0);
      const ranked = Array.from({ length: G }, (_, g) => g).sort((a, b) => sumOf(b) - sumOf(a) || countOf(b) - countOf(a) || (names[a]! < names[b]! ? -1 : 1));
      const detailed = new Set(this.o.top > 0 ? ranked.slice(0, this.o.top) : ranked);
      for (let g = 0; g < G; g++) if (countOf(g) > 0) summaries[g] = summarizeSketch(this.sketch, g, grid, buckets, detailed.has(g));
    }
    let allTime = 0;
    for (const s of summaries) if (s) allTime += s.sum;
    const byTime = Array.from({ length: G }, (_, g) => g)
      .filter((g) => summaries[g] !== null)
      .sort((a, b) => summaries[b]!.sum - summaries[a]!.sum || summaries[b]!.count - summaries[a]!.count || (names[a]! < names[b]! ? -1 : 1));
    const shown = this.o.top > 0 ? byTime.slice(0, this.o.top) : byTime;

    const groups: GroupStats[] = shown.map((g) => {
      const s = summaries[g]!;
      return {
        key: names[g]!,
        count: s.count,
        errors: s.errors,
        warnings: s.warnings,
        errorRate: s.errors / s.count,
        mean: s.sum / s.count,
        p50: s.p50,
        p90: s.p90,
        p95: s.p95,
        p99: s.p99,
        max: s.max,
        sum: s.sum,
        share: allTime > 0 ? s.sum / allTime : 0,
      };
    });

    const changes: Change[] = [];
    for (const g of byTime) {
      for (const { metric, change } of summaries[g]!.changes) {
        changes.push({
          key: names[g]!,
          metric,
          before: change.before,
          after: change.after,
          factor: change.before > 0 ? change.after / change.before : null,
          at: new Date(grid!.startOf(change.window)).toISOString(),
          z: Math.round(change.z * 100) / 100,
        });
      }
    }
    changes.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.key < b.key ? -1 : 1));

    const series: TimelineSeries[] = [];
    if (grid !== null) {
      const changed = byTime.filter((g) => summaries[g]!.changes.length > 0);
      for (const g of new Set([...shown, ...changed])) {
        const w = summaries[g]!.windows;
        if (w === null) continue;
        series.push({ key: names[g]!, count: Array.from(w.count), errors: Array.from(w.errors), p50: nullable(w.p50), p95: nullable(w.p95), p99: nullable(w.p99) });
      }
    }

    const keyName = (pre: number): string => names[this.finalKey(pre)]!;
    const slowest = c.slowest.sorted().map((e) => ({
      key: keyName(e.key),
      seconds: e.seconds,
      file: this.files[e.file]!,
      line: e.line,
      timestamp: e.timeMs === e.timeMs ? new Date(e.timeMs).toISOString() : null,
    }));

    if (this.keyNote) notes.push(this.keyNote);
    if (this.undetected) notes.push(`no supported format (${logFormats.join(', ')}) reads the first lines; name one with --format`);
    for (const r of inputs) if (r.error) notes.push(`${r.file}: ${r.error}`);
    return {
      format: this.format,
      key: this.keyKind,
      inputs,
      lines: this.totalLines,
      records: c.records,
      other: c.other,
      outsideTimeRange: c.outside,
      malformed: c.malformed.summary(this.files),
      quantiles: this.sketch !== null ? { method: 'sketch', relativeError: SKETCH_RELATIVE_ERROR, reason: this.sketchReason } : { method: 'exact' },
      timeRange: c.tMin <= c.tMax ? { start: new Date(c.tMin).toISOString(), end: new Date(c.tMax).toISOString() } : null,
      groupCount: byTime.length,
      distinctPaths: c.routeKeys ? c.routeKeys.paths.size : null,
      groups,
      slowest,
      changes,
      patterns: this.patterns.result(keyName, this.o.top),
      unclusteredMessages: this.patterns.unclustered,
      timeline: grid === null ? null : { windowSeconds: grid.widthMs / 1000, starts: Array.from({ length: grid.count }, (_, w) => grid.startOf(w) / 1000), series },
      distribution: { bounds: [...buckets.bounds], series: shown.map((g) => ({ key: names[g]!, counts: summaries[g]!.distribution })) },
      notes,
    };
  }
}

const EMPTY_GROUP = { seconds: new Float64Array(0), time: new Int32Array(0), flags: new Uint8Array(0), baseS: 0 };
const nullable = (a: Float64Array): (number | null)[] => Array.from(a, (v) => (v === v ? v : null));

function formatMiB(bytes: number): string {
  return `${Math.round((bytes / 1048576) * 10) / 10} MiB`;
}
