/**
 * The hot path of `analyzeLogs`: a line through the format's parser into one reused ParsedLine; a call
 * appended to the columnar CallTable under its pre-key (a function id, or a (method, path) pair) and
 * offered to the slowest-calls heap; a warning/error message handed to a MessageSink; a malformed line
 * counted. One collector reads one part of the input: the whole input on one thread, or a byte range
 * of it in a worker (range-worker.ts), whose `snapshot` the main thread's collector `absorb`s in range
 * order, numbering keys and lines as one collector reading everything would.
 */
import type { KeyCacheSnapshot } from '../../logs/parse/key-cache.js';
import { createParser } from '../../logs/parse/formats.js';
import { logFormats, type KeyKind, type LogFormat, type LogParser } from '../../logs/parse/log-parser.js';
import { CALL, ERROR, OTHER, ParsedLine, WARN } from '../../logs/parse/parsed-line.js';
import { PathTable, type RouteTemplate } from '../routes.js';
import { CallTable, FLAG_FAILED, FLAG_WARNING, type CallTableSnapshot } from './call-table.js';
import { MalformedLog, type MalformedSnapshot } from './malformed-log.js';
import type { MessageSink } from './message-log.js';
import { RouteKeys, type RouteKeysSnapshot } from './route-keys.js';
import { SlowestCalls, type SlowEntry } from './slowest.js';

export interface CollectorOptions {
  /** null: no format reads the input (every non-empty line is malformed). */
  format: LogFormat | null;
  keyKind: KeyKind;
  sinceMs: number;
  untilMs: number;
  routes: readonly RouteTemplate[];
  slowest: number;
  messages: MessageSink;
}

/** Everything a collector gathered, as plain data and typed arrays (to post to another thread). */
export interface CollectorSnapshot {
  functions: KeyCacheSnapshot | null;
  methods: KeyCacheSnapshot | null;
  routeKeys: RouteKeysSnapshot | null;
  table: CallTableSnapshot;
  slowest: { entries: SlowEntry[]; offered: number };
  malformed: MalformedSnapshot;
  records: number;
  other: number;
  outside: number;
  tMin: number;
  tMax: number;
  minPositive: number;
  maxSeconds: number;
}

const NO_IDS = new Int32Array(0);

export class CallCollector {
  readonly parser: LogParser | null;
  readonly keyKind: KeyKind;
  readonly routeKeys: RouteKeys | null;
  /** The exact table; null once the calls went to sketches (`sketchAdd`). */
  table: CallTable | null = new CallTable();
  /** `onFull` is called when the table holds this many calls (it may raise the limit or drop the table). */
  limit = Infinity;
  onFull: () => void = () => {};
  /** Where calls go once `table` is null. */
  sketchAdd: ((key: number, seconds: number, timeMs: number, failed: boolean, warned: boolean) => void) | null = null;
  readonly slowest: SlowestCalls;
  readonly malformed = new MalformedLog();
  records = 0;
  other = 0;
  outside = 0;
  tMin = Infinity;
  tMax = -Infinity;
  minPositive = Infinity;
  maxSeconds = 0;
  private readonly rec = new ParsedLine();
  private readonly messages: MessageSink;
  private readonly filtering: boolean;
  private readonly sinceMs: number;
  private readonly untilMs: number;

  constructor(o: CollectorOptions) {
    this.parser = o.format === null ? null : createParser(o.format);
    this.keyKind = o.keyKind;
    this.routeKeys = this.parser !== null && o.keyKind === 'route' ? new RouteKeys(new PathTable(o.routes)) : null;
    this.slowest = new SlowestCalls(o.slowest);
    this.messages = o.messages;
    this.sinceMs = o.sinceMs;
    this.untilMs = o.untilMs;
    this.filtering = o.sinceMs > -Infinity || o.untilMs < Infinity;
  }

  /** Calls held by the exact table. */
  get exactCalls(): number {
    return this.table === null ? 0 : this.table.length;
  }

  /** One line of the input (`parser` must be set; see `unreadable`). */
  consume(buf: Buffer, start: number, end: number, file: number, line: number): void {
    const rec = this.rec;
    const r = this.parser!.parse(buf, start, end, rec);
    if (r === CALL) {
      const t = rec.timeMs;
      if (this.filtering && !(t >= this.sinceMs && t < this.untilMs)) {
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
        if (rec.message !== null) this.messages.add(rec.message, level, -1, t);
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
        if (this.table.length >= this.limit) this.onFull();
      } else {
        this.sketchAdd!(key, seconds, t, rec.failed, rec.level === WARN);
      }
      if (seconds > this.slowest.threshold) this.slowest.offer(seconds, key, file, line, t);
      if (rec.message !== null) this.messages.add(rec.message, level, key, t);
    } else if (r === OTHER) {
      this.other++;
      if (rec.message !== null) {
        const t = rec.timeMs;
        if (!this.filtering || (t >= this.sinceMs && t < this.untilMs)) this.messages.add(rec.message, rec.level, -1, t);
      }
    } else {
      this.malformed.add(file, line, rec.kind, rec.reason, buf, start, end);
    }
  }

  /** A line when no format reads the start of the input: counted, not parsed. */
  unreadable(buf: Uint8Array, start: number, end: number, file: number, line: number): void {
    if (end === start) this.other++;
    else this.malformed.add(file, line, 'foreign', `no supported format (${logFormats.join(', ')}) reads the start of the input`, buf, start, end);
  }

  /** A line longer than the reader's limit (`head`: its first bytes). */
  overlong(head: Uint8Array, bytes: number, file: number, line: number): void {
    this.malformed.add(file, line, 'overlong', overlongReason(bytes), head, 0, head.length);
  }

  /**
   * Everything gathered, and the buffers to transfer with it. The collector is done with afterwards
   * (the snapshot holds its own arrays).
   */
  snapshot(): { snapshot: CollectorSnapshot; transfer: ArrayBuffer[] } {
    if (this.table === null) throw new Error('CallCollector.snapshot: the calls went to sketches');
    const snapshot: CollectorSnapshot = {
      functions: this.parser?.functions.snapshot() ?? null,
      methods: this.parser?.methods.snapshot() ?? null,
      routeKeys: this.routeKeys?.snapshot() ?? null,
      table: this.table.snapshot(),
      slowest: this.slowest.snapshot(),
      malformed: this.malformed.snapshot(),
      records: this.records,
      other: this.other,
      outside: this.outside,
      tMin: this.tMin,
      tMax: this.tMax,
      minPositive: this.minPositive,
      maxSeconds: this.maxSeconds,
    };
    const buffers = new Set<ArrayBuffer>();
    const add = (a: { buffer: ArrayBufferLike }): void => {
      if (a.buffer instanceof ArrayBuffer) buffers.add(a.buffer);
    };
    for (const k of [snapshot.functions, snapshot.methods, snapshot.routeKeys?.paths.segments]) {
      if (k) [k.arena, k.spans].forEach(add);
    }
    const rk = snapshot.routeKeys;
    if (rk) [rk.methodOf, rk.pathOf, rk.paths.seqs, rk.paths.seqSpans, rk.paths.hits].forEach(add);
    const t = snapshot.table;
    [...t.seconds, ...t.time, ...t.keys, ...t.flags].forEach(add);
    return { snapshot, transfer: [...buffers] };
  }

  /**
   * Takes in what a collector over the input's next part gathered (same format, key kind and options);
   * `lineOffset(file)`: lines of that file before the part. Returns the pre-key here of each of its
   * pre-keys (for its messages). Only while this collector's calls are in the exact table.
   */
  absorb(s: CollectorSnapshot, lineOffset: (file: number) => number): Int32Array {
    const parser = this.parser;
    const fnIds = parser !== null && s.functions !== null ? parser.functions.internSnapshot(s.functions) : NO_IDS;
    const methodIds = parser !== null && s.methods !== null ? parser.methods.internSnapshot(s.methods) : NO_IDS;
    const keyOf = this.routeKeys !== null && s.routeKeys !== null ? this.routeKeys.absorb(s.routeKeys, methodIds) : fnIds;
    this.table!.absorb(s.table, keyOf);
    this.slowest.absorb({
      entries: s.slowest.entries.map((e) => ({ ...e, key: keyOf[e.key]!, line: e.line + lineOffset(e.file) })),
      offered: s.slowest.offered,
    });
    this.malformed.absorb(s.malformed, lineOffset);
    this.records += s.records;
    this.other += s.other;
    this.outside += s.outside;
    if (s.tMin < this.tMin) this.tMin = s.tMin;
    if (s.tMax > this.tMax) this.tMax = s.tMax;
    if (s.minPositive < this.minPositive) this.minPositive = s.minPositive;
    if (s.maxSeconds > this.maxSeconds) this.maxSeconds = s.maxSeconds;
    return keyOf;
  }
}

export function overlongReason(bytes: number): string {
  return `${bytes} bytes without a newline (the limit is 16 MiB)`;
}
