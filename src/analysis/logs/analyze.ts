/**
 * `analyzeLogs`: one pass over performance logs (text, ECS, pino, nginx; files, gzip, stdin) to
 * per-key statistics, the slowest calls, change points over time and message patterns.
 *
 * The pass: lines from the byte reader (line-reader.ts) go through the format's parser into one reused
 * ParsedLine; a call is appended to columnar typed arrays (CallTable, 21 bytes a call) and offered to
 * the slowest-calls heap; a warning/error message goes to Drain. After the pass, routes are inferred
 * (route keys), the calls are grouped per key into typed arrays and summarised exactly (numpy's linear
 * percentiles, by selection). When the calls outgrow the memory budget, the table is folded into
 * per-key LogHistogram sketches (≤ 1 % relative error) and the pass goes on with them; the result says so.
 *
 * Contract: bad options throw a PerfscopeError (EUSAGE) before anything is read; an input that cannot
 * be opened throws ENOTFOUND/EACCESS/EIO; everything inside the inputs (malformed lines, binary
 * garbage, a truncated gzip file) is counted and reported in the result, never thrown.
 */
import { createParser, detectFormat } from '../../logs/parse/formats.js';
import { readLines, type InputReport, type LineHandler } from '../../logs/parse/line-reader.js';
import { logFormats, type KeyKind, type LogFormat, type LogParser } from '../../logs/parse/log-parser.js';
import { CALL, ERROR, OTHER, ParsedLine, WARN } from '../../logs/parse/parsed-line.js';
import { PairTable } from '../pair-table.js';
import { PathTable, RouteInference } from '../routes.js';
import { BYTES_PER_CALL, CallTable, FLAG_FAILED, FLAG_WARNING } from './call-table.js';
import { distributionBounds, summarizeExact, summarizeSketch, type KeySummary } from './key-summary.js';
import { MalformedLog } from './malformed-log.js';
import { resolveOptions, type AnalyzeLogsOptions, type ResolvedOptions } from './options.js';
import { PatternMiner } from './patterns.js';
import type { Change, GroupStats, LogAnalysis, TimelineSeries } from './result.js';
import { SKETCH_RELATIVE_ERROR, SketchStore } from './sketch-store.js';
import { SlowestCalls } from './slowest.js';
import { WindowGrid, chooseWindowMs } from './windows.js';

/** Lines or bytes read before the format is decided from them. */
const DETECT_LINES = 1000;
const DETECT_BYTES = 1024 * 1024;
/** Bytes a call costs in exact mode: its columns, plus the grouping and one key's copies after the pass. */
export const EXACT_BYTES_PER_CALL = BYTES_PER_CALL + 15;
const BAD_REQUEST_KEY = '(bad request line)';
const MAX_WINDOWS_GIVEN = 10_000;

/** Analyses performance logs; see result.ts for what comes back and docs/logs.md for how. */
export async function analyzeLogs(options: AnalyzeLogsOptions): Promise<LogAnalysis> {
  const o = resolveOptions(options);
  const pass = new Pass(o);
  const onProgress = o.onProgress;
  const reports = await readLines(o.files, pass, {
    ...(o.stdin ? { stdin: o.stdin } : {}),
    ...(onProgress ? { onProgress: (bytes: number) => onProgress({ bytes, lines: pass.totalLines }) } : {}),
  });
  pass.endOfInput();
  return pass.result(reports);
}

/** Route pre-keys: (method, path) pairs, named `METHOD /route` once routes are inferred. */
class RouteKeys {
  readonly paths: PathTable;
  private pairs = new PairTable(4096);
  methodOf = new Int32Array(1024);
  pathOf = new Int32Array(1024);
  size = 0;
  badRequest = -1;

  constructor(paths: PathTable) {
    this.paths = paths;
  }

  key(method: number, buf: Uint8Array, start: number, end: number): number {
    const path = this.paths.intern(buf, start, end);
    const id = this.pairs.get(method, path);
    return id >= 0 ? id : this.add(method, path);
  }

  badRequestKey(): number {
    if (this.badRequest < 0) this.badRequest = this.add(-1, -1);
    return this.badRequest;
  }

  /** After the pass: the lookup tables go (pre-keys, paths and segments stay). */
  releaseLookups(): void {
    this.pairs = new PairTable(16);
    this.paths.releaseLookups();
  }

  private add(method: number, path: number): number {
    const id = this.size++;
    if (id >= this.methodOf.length) {
      const m = new Int32Array(this.methodOf.length * 2);
      m.set(this.methodOf);
      this.methodOf = m;
      const p = new Int32Array(this.pathOf.length * 2);
      p.set(this.pathOf);
      this.pathOf = p;
    }
    this.methodOf[id] = method;
    this.pathOf[id] = path;
    if (method >= 0) this.pairs.set(method, path, id);
    return id;
  }
}

/** A line held back while the format is being detected. */
interface Pending {
  file: number;
  line: number;
  bytes: Buffer;
  /** > 0: an overlong line of this many bytes (`bytes` is its head). */
  overlongBytes: number;
}

class Pass implements LineHandler {
  totalLines = 0;
  private readonly o: ResolvedOptions;
  private parser: LogParser | null = null;
  private format: LogFormat | null = null;
  private keyKind: KeyKind = 'function';
  private keyNote: string | null = null;
  private pending: Pending[] | null = [];
  private pendingBytes = 0;
  private undetected = false;
  private readonly rec = new ParsedLine();
  private readonly files: string[] = [];
  private readonly fileLines: number[] = [];
  private file = -1;
  private lineNo = 0;
  private routeKeys: RouteKeys | null = null;
  private table: CallTable | null = new CallTable();
  private sketch: SketchStore | null = null;
  private sketchReason = '';
  private readonly maxExactCalls: number;
  /** Pre-key (function id, or route pair id) → final key; -1 until named. */
  private finalOf = new Int32Array(64).fill(-1);
  private readonly finalNames: string[] = [];
  private readonly finalIndex = new Map<string, number>();
  private inference: RouteInference | null = null;
  private readonly slowest: SlowestCalls;
  private readonly patterns = new PatternMiner();
  private readonly malformed = new MalformedLog();
  private records = 0;
  private other = 0;
  private outside = 0;
  private readonly filtering: boolean;
  private tMin = Infinity;
  private tMax = -Infinity;
  private minPositive = Infinity;
  private maxSeconds = 0;

  constructor(o: ResolvedOptions) {
    this.o = o;
    this.filtering = o.sinceMs > -Infinity || o.untilMs < Infinity;
    this.slowest = new SlowestCalls(o.slowest);
    this.maxExactCalls = Math.floor(o.memoryBudgetBytes / EXACT_BYTES_PER_CALL);
    if (o.format !== 'auto') {
      this.useFormat(o.format);
      this.pending = null;
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
    if (this.parser !== null) {
      this.consume(buf, start, end, this.file, line);
    } else if (this.pending !== null) {
      this.pending.push({ file: this.file, line, bytes: Buffer.from(buf.subarray(start, end)), overlongBytes: 0 });
      this.pendingBytes += end - start;
      if (this.pending.length >= DETECT_LINES || this.pendingBytes >= DETECT_BYTES) this.detect();
    } else {
      this.unreadable(buf, start, end, this.file, line);
    }
  }

  overlong(head: Buffer, bytes: number): void {
    const line = ++this.lineNo;
    this.totalLines++;
    this.fileLines[this.file] = line;
    if (this.pending !== null) this.pending.push({ file: this.file, line, bytes: Buffer.from(head), overlongBytes: bytes });
    else this.malformed.add(this.file, line, 'overlong', overlongReason(bytes), head, 0, head.length);
  }

  endOfInput(): void {
    if (this.pending !== null) this.detect();
  }

  // ---- format

  private useFormat(format: LogFormat): void {
    this.format = format;
    this.parser = createParser(format);
    const wanted = this.o.key ?? this.parser.defaultKey;
    if (this.parser.keyKinds.includes(wanted)) {
      this.keyKind = wanted;
    } else {
      this.keyKind = this.parser.defaultKey;
      this.keyNote = `${format} lines have no ${wanted} key; keyed by ${this.keyKind}`;
    }
    if (this.keyKind === 'route') this.routeKeys = new RouteKeys(new PathTable(this.o.routes));
  }

  private detect(): void {
    const pending = this.pending!;
    this.pending = null;
    const { format } = detectFormat(pending.filter((p) => p.overlongBytes === 0).map((p) => p.bytes));
    if (format === null) this.undetected = true;
    else this.useFormat(format);
    for (const p of pending) {
      if (p.overlongBytes > 0) this.malformed.add(p.file, p.line, 'overlong', overlongReason(p.overlongBytes), p.bytes, 0, p.bytes.length);
      else if (this.parser !== null) this.consume(p.bytes, 0, p.bytes.length, p.file, p.line);
      else this.unreadable(p.bytes, 0, p.bytes.length, p.file, p.line);
    }
  }

  /** No format reads the start of the input: every line is counted, none is parsed. */
  private unreadable(buf: Uint8Array, start: number, end: number, file: number, line: number): void {
    if (end === start) this.other++;
    else this.malformed.add(file, line, 'foreign', `no supported format (${logFormats.join(', ')}) reads the start of the input`, buf, start, end);
  }

  // ---- the hot path

  private consume(buf: Buffer, start: number, end: number, file: number, line: number): void {
    const rec = this.rec;
    const r = this.parser!.parse(buf, start, end, rec);
    if (r === CALL) {
      const t = rec.timeMs;
      if (this.filtering && !(t >= this.o.sinceMs && t < this.o.untilMs)) {
        this.outside++;
        return;
      }
      let key: number;
      if (this.keyKind === 'function') key = rec.fn;
      else if (rec.badRequest) key = this.routeKeys!.badRequestKey();
      else if (rec.method >= 0) key = this.routeKeys!.key(rec.method, rec.urlBuf!, rec.urlStart, rec.urlEnd);
      else key = -1;
      const level = rec.failed ? ERROR : rec.level;
      if (key < 0) {
        // a call without the kind of key asked for (--key function on a request line)
        this.other++;
        if (rec.message !== null) this.patterns.add(rec.message, level, -1, t);
        return;
      }
      const seconds = rec.seconds;
      this.records++;
      if (t < this.tMin) this.tMin = t;
      if (t > this.tMax) this.tMax = t;
      if (seconds > 0 && seconds < this.minPositive) this.minPositive = seconds;
      if (seconds > this.maxSeconds) this.maxSeconds = seconds;
      if (this.table !== null) {
        this.table.add(key, seconds, t, rec.failed ? FLAG_FAILED : rec.level === WARN ? FLAG_WARNING : 0);
        if (this.table.length >= this.maxExactCalls) this.toSketches();
      } else {
        this.sketch!.add(this.finalKey(key), seconds, t, rec.failed, rec.level === WARN);
      }
      if (seconds > this.slowest.threshold) this.slowest.offer(seconds, key, file, line, t);
      if (rec.message !== null) this.patterns.add(rec.message, level, key, t);
    } else if (r === OTHER) {
      this.other++;
      if (rec.message !== null) {
        const t = rec.timeMs;
        if (!this.filtering || (t >= this.o.sinceMs && t < this.o.untilMs)) this.patterns.add(rec.message, rec.level, -1, t);
      }
    } else {
      this.malformed.add(file, line, rec.kind, rec.reason, buf, start, end);
    }
  }

  // ---- keys

  private preKeyCount(): number {
    if (this.parser === null) return 0;
    return this.keyKind === 'function' ? this.parser.functions.size : this.routeKeys!.size;
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
      id = this.finalIdOf(this.parser!.functions.name(pre));
    } else {
      const rk = this.routeKeys!;
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
          id = this.finalIdOf(`${this.parser!.methods.name(method)} ${this.inference.routeOf(path)}`);
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
    const table = this.table!;
    this.sketchReason = `more than ${table.length.toLocaleString('en-US')} calls: past the ${formatMiB(this.o.memoryBudgetBytes)} memory budget for exact percentiles`;
    const store = new SketchStore(this.tMax > this.tMin ? this.tMax - this.tMin : 0);
    for (let i = 0; i < table.length; i++) {
      const flags = table.flagsAt(i);
      store.add(this.finalKey(table.keyAt(i)), table.secondsAt(i), table.timeAt(i), (flags & FLAG_FAILED) !== 0, (flags & FLAG_WARNING) !== 0);
    }
    table.clear();
    this.table = null;
    this.sketch = store;
  }

  // ---- result

  result(reports: InputReport[]): LogAnalysis {
    // nothing is looked up by bytes any more (a sketch's late paths were named during the pass)
    if (this.table !== null) this.routeKeys?.releaseLookups();
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
    } else if (this.tMin <= this.tMax) {
      let widthMs = this.o.windowMs ?? chooseWindowMs(this.tMax - this.tMin);
      if ((this.tMax - this.tMin) / widthMs >= MAX_WINDOWS_GIVEN) {
        const wider = chooseWindowMs(this.tMax - this.tMin, MAX_WINDOWS_GIVEN);
        notes.push(`window ${widthMs / 1000} s gives more than ${MAX_WINDOWS_GIVEN} windows over this time range; used ${wider / 1000} s`);
        widthMs = wider;
      }
      grid = new WindowGrid(this.tMin, this.tMax, widthMs);
    }
    const bounds = distributionBounds(this.minPositive, this.maxSeconds);

    // per key, exactly from the grouped table or from the sketches
    const summaries: (KeySummary | null)[] = new Array(G).fill(null);
    if (this.table !== null && this.table.length > 0) {
      // the keys shown (the top by total time) get the full timeline; every key gets change detection
      const { count, sum } = this.table.totals(this.finalOf, G);
      const ranked = Array.from({ length: G }, (_, g) => g).sort((a, b) => sum[b]! - sum[a]! || count[b]! - count[a]! || (names[a]! < names[b]! ? -1 : 1));
      const detailed = new Set(this.o.top > 0 ? ranked.slice(0, this.o.top) : ranked);
      const columns = this.table.scatter(this.finalOf, G);
      for (let g = 0; g < G; g++) {
        if (columns[g]!.seconds.length > 0) summaries[g] = summarizeExact(columns[g]!, grid, bounds, detailed.has(g));
        columns[g] = EMPTY_GROUP;
      }
    } else if (this.sketch !== null) {
      const totals = this.sketch.totals;
      const sumOf = (g: number): number => (g < totals.length ? totals[g]!.sum : 0);
      const countOf = (g: number): number => (g < totals.length ? totals[g]!.count : 0);
      const ranked = Array.from({ length: G }, (_, g) => g).sort((a, b) => sumOf(b) - sumOf(a) || countOf(b) - countOf(a) || (names[a]! < names[b]! ? -1 : 1));
      const detailed = new Set(this.o.top > 0 ? ranked.slice(0, this.o.top) : ranked);
      for (let g = 0; g < G; g++) if (countOf(g) > 0) summaries[g] = summarizeSketch(this.sketch, g, grid, bounds, detailed.has(g));
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
    const slowest = this.slowest.sorted().map((e) => ({
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
      records: this.records,
      other: this.other,
      outsideTimeRange: this.outside,
      malformed: this.malformed.summary(this.files),
      quantiles: this.sketch !== null ? { method: 'sketch', relativeError: SKETCH_RELATIVE_ERROR, reason: this.sketchReason } : { method: 'exact' },
      timeRange: this.tMin <= this.tMax ? { start: new Date(this.tMin).toISOString(), end: new Date(this.tMax).toISOString() } : null,
      groupCount: byTime.length,
      distinctPaths: this.routeKeys ? this.routeKeys.paths.size : null,
      groups,
      slowest,
      changes,
      patterns: this.patterns.result(keyName, this.o.top),
      unclusteredMessages: this.patterns.unclustered,
      timeline: grid === null ? null : { windowSeconds: grid.widthMs / 1000, starts: Array.from({ length: grid.count }, (_, w) => grid.startOf(w) / 1000), series },
      distribution: { bounds, series: shown.map((g) => ({ key: names[g]!, counts: summaries[g]!.distribution })) },
      notes,
    };
  }
}

const EMPTY_GROUP = { seconds: new Float64Array(0), time: new Int32Array(0), flags: new Uint8Array(0), baseS: 0 };
const nullable = (a: Float64Array): (number | null)[] => Array.from(a, (v) => (v === v ? v : null));

function overlongReason(bytes: number): string {
  return `${bytes} bytes without a newline (the limit is 16 MiB)`;
}

function formatMiB(bytes: number): string {
  return `${Math.round((bytes / 1048576) * 10) / 10} MiB`;
}
