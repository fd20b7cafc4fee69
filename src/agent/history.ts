/**
 * Writes every tick of every series into the SeriesStore: per block, one raw chunk per wall-clock
 * minute (re-written as it grows every `flushEveryMs`, so a killed agent loses at most that much) and,
 * as each minute completes, its min/mean/max into the block's minute chunk (one per hour). Prunes each
 * tier by its retention once a minute. A failed write is kept and retried at the next flush (up to
 * `maxPendingBytes`, then the oldest is dropped and counted); it never stops sampling.
 */
import { encodeChunk } from '../store/chunk-codec.js';
import type { SeriesStore, StoredChunk, Tier } from '../store/series-store.js';
import type { Block, SeriesSet } from './series-set.js';

export interface HistoryOptions {
  /** Full-resolution retention (default 24 h). */
  rawRetentionMs: number;
  /** Per-minute min/mean/max retention (default 30 days). */
  minuteRetentionMs: number;
  /** How often the growing chunks are written (default 30 s). */
  flushEveryMs?: number;
  /** Unwritten chunk bytes kept for retry after write failures (default 16 MiB). */
  maxPendingBytes?: number;
  /** Called with each write failure (the agent logs it, rate-limited, and counts it). */
  onError(err: unknown): void;
}

const MINUTE_MS = 60_000;
const MINUTES_PER_CHUNK = 60;

/**
 * Growable columns of one block's current chunk, in one column-major matrix: a Float64Array per
 * column cost as much again in bookkeeping (the typed array, its ArrayBuffer, the backing store) as
 * its 64 values. The matrix is kept across chunks; a column is assigned at a key's first value.
 */
class BlockBuffer {
  times: Float64Array = new Float64Array(64);
  rows = 0;
  /** The key (series slot, or slot × 4 + stat in the minute tier) of each column, in column order. */
  readonly keys: number[] = [];
  private readonly columnOf = new Map<number, number>();
  /** Column c holds rows [c × times.length, c × times.length + rows). */
  private data = new Float64Array(0);
  startMs = 0;
  /** The chunk's wall-clock minute (raw) or first minute (minute tier). */
  period = -1;

  push(tMs: number): number {
    if (this.rows === this.times.length) this.growRows();
    if (this.rows === 0) this.startMs = tMs;
    this.times[this.rows] = tMs;
    return this.rows++;
  }

  /** Sets the value of `key` at `row` (a key's rows before its first value are NaN). */
  set(key: number, row: number, v: number): void {
    let c = this.columnOf.get(key);
    if (c === undefined) c = this.addColumn(key);
    this.data[c * this.times.length + row] = v;
  }

  /** The first `rows` values of column `c` (a view). */
  column(c: number): Float64Array {
    const at = c * this.times.length;
    return this.data.subarray(at, at + this.rows);
  }

  reset(): void {
    this.rows = 0;
    this.keys.length = 0;
    this.columnOf.clear();
    this.period = -1;
  }

  private addColumn(key: number): number {
    const c = this.keys.length;
    const cap = this.times.length;
    if ((c + 1) * cap > this.data.length) {
      const grown = new Float64Array((c + 1 + Math.ceil(c / 4) + 4) * cap);
      grown.set(this.data);
      this.data = grown;
    }
    this.data.fill(NaN, c * cap, (c + 1) * cap);
    this.keys.push(key);
    this.columnOf.set(key, c);
    return c;
  }

  private growRows(): void {
    const cap = this.times.length;
    const next = cap * 2;
    const times = new Float64Array(next);
    times.set(this.times);
    this.times = times;
    const data = new Float64Array((this.data.length / cap) * next);
    for (let c = 0; c < this.keys.length; c++) {
      data.set(this.data.subarray(c * cap, (c + 1) * cap), c * next);
      data.fill(NaN, c * next + cap, (c + 1) * next);
    }
    this.data = data;
  }
}

export class History {
  readonly store: SeriesStore;
  private readonly set: SeriesSet;
  private readonly opts: Required<HistoryOptions>;
  private readonly raw = new Map<Block, BlockBuffer>();
  private readonly minute = new Map<Block, BlockBuffer>();
  /** Store id per series slot (0 = not asked yet). */
  private ids = new Int32Array(256);
  private blockSlots = new Map<Block, number[]>();
  private setVersion = -1;
  private lastFlushMs = 0;
  private lastPruneMs = 0;
  private readonly pending = new Map<string, { tier: Tier; chunk: StoredChunk }>();
  private pendingBytes = 0;
  /** Chunks given up after failed writes (pending past maxPendingBytes). */
  droppedChunks = 0;
  writeErrors = 0;

  constructor(store: SeriesStore, set: SeriesSet, options: HistoryOptions) {
    this.store = store;
    this.set = set;
    this.opts = { flushEveryMs: 30_000, maxPendingBytes: 16 * 1024 * 1024, ...options };
  }

  /** Buffers the current value of every live series at wall time `tMs`; writes what is due. */
  append(tMs: number): void {
    if (this.set.version !== this.setVersion) this.reindex();
    const minute = Math.floor(tMs / MINUTE_MS);
    const values = this.set.values;
    for (const [block, slots] of this.blockSlots) {
      let buf = this.raw.get(block);
      if (buf === undefined) this.raw.set(block, (buf = new BlockBuffer()));
      if (buf.period !== minute && buf.rows > 0) this.closeMinute(block, buf);
      buf.period = minute;
      const row = buf.push(tMs);
      for (let i = 0; i < slots.length; i++) {
        const s = slots[i]!;
        buf.set(s, row, values[s]!);
      }
    }
    // Blocks without live series (a group dropped) finish their minute as it ends, then are let go.
    for (const [block, buf] of this.raw) {
      if (this.blockSlots.has(block)) continue;
      if (buf.rows > 0 && buf.period !== minute) this.closeMinute(block, buf);
      if (buf.rows > 0) continue;
      const agg = this.minute.get(block);
      if (agg !== undefined && agg.rows > 0) this.queue('minute', block, agg);
      this.raw.delete(block);
      this.minute.delete(block);
    }
    if (tMs - this.lastFlushMs >= this.opts.flushEveryMs) this.flush(tMs);
    if (tMs - this.lastPruneMs >= MINUTE_MS) this.prune(tMs);
  }

  /** Writes the growing chunks and everything pending now (on shutdown: final = true closes the minute). */
  flush(tMs = Date.now(), final = false): void {
    this.lastFlushMs = tMs;
    for (const [block, buf] of this.raw) {
      if (buf.rows === 0) continue;
      if (final) this.closeMinute(block, buf);
      else this.queue('raw', block, buf);
    }
    for (const [block, buf] of this.minute) if (buf.rows > 0) this.queue('minute', block, buf);
    this.writePending();
  }

  /** Drops chunks past their retention. */
  prune(tMs: number): void {
    this.lastPruneMs = tMs;
    try {
      this.store.prune('raw', tMs - this.opts.rawRetentionMs);
      this.store.prune('minute', tMs - this.opts.minuteRetentionMs);
      this.store.pruneEvents(tMs - this.opts.minuteRetentionMs);
    } catch (err) {
      this.writeErrors++;
      this.opts.onError(err);
    }
  }

  /** Unwritten bytes waiting for a retry. */
  get pendingSizeBytes(): number {
    return this.pendingBytes;
  }

  private reindex(): void {
    this.setVersion = this.set.version;
    const by = new Map<Block, number[]>();
    for (const info of this.set.series) {
      if (!info.live) continue;
      let list = by.get(info.block);
      if (list === undefined) by.set(info.block, (list = []));
      list.push(info.index);
    }
    this.blockSlots = by;
    if (this.ids.length < this.set.size) {
      const grown = new Int32Array(Math.max(this.set.size, this.ids.length * 2));
      grown.set(this.ids);
      this.ids = grown;
    }
  }

  /** The store id of a slot, asked once. */
  private idOf(slot: number): number {
    let id = this.ids[slot]!;
    if (id === 0) {
      const info = this.set.series[slot]!;
      id = this.store.seriesId(info.key, info.block, info.def.name, info.labels);
      this.ids[slot] = id;
    }
    return id;
  }

  /** The raw chunk of `block` is complete: queue it, fold it into the minute tier, start afresh. */
  private closeMinute(block: Block, buf: BlockBuffer): void {
    this.queue('raw', block, buf);
    let agg = this.minute.get(block);
    if (agg === undefined) this.minute.set(block, (agg = new BlockBuffer()));
    if (agg.rows >= MINUTES_PER_CHUNK) {
      this.queue('minute', block, agg);
      agg.reset();
    }
    const firstRow = agg.rows === 0;
    const row = agg.push(buf.period * MINUTE_MS);
    // Keyed by the first tick's time, not the minute: after a restart within the same minute the new
    // chunk is a row of its own instead of replacing the one written before the restart.
    if (firstRow) agg.startMs = buf.startMs;
    for (let c = 0; c < buf.keys.length; c++) {
      const slot = buf.keys[c]!;
      const col = buf.column(c);
      let min = Infinity;
      let max = -Infinity;
      let sum = 0;
      let n = 0;
      for (let i = 0; i < buf.rows; i++) {
        const v = col[i]!;
        if (v !== v) continue;
        if (v < min) min = v;
        if (v > max) max = v;
        sum += v;
        n++;
      }
      agg.set(slot * 4, row, n > 0 ? min : NaN);
      agg.set(slot * 4 + 1, row, n > 0 ? sum / n : NaN);
      agg.set(slot * 4 + 2, row, n > 0 ? max : NaN);
    }
    buf.reset();
  }

  /** Encodes a block's buffer as a chunk and queues it (replacing an older version of the same chunk). */
  private queue(tier: Tier, block: Block, buf: BlockBuffer): void {
    const n = buf.rows;
    const ids: number[] = [];
    const columns: Float64Array[] = [];
    try {
      for (let c = 0; c < buf.keys.length; c++) {
        const key = buf.keys[c]!;
        // Minute-tier columns are keyed slot*4+stat; the store id keeps the stat in its low two bits.
        const id = tier === 'raw' ? this.idOf(key) : this.idOf(Math.floor(key / 4)) * 4 + (key % 4);
        ids.push(id);
        columns.push(buf.column(c));
      }
    } catch (err) {
      this.writeErrors++;
      this.opts.onError(err);
      return;
    }
    const data = encodeChunk({ ids, times: buf.times.subarray(0, n), columns });
    const chunk: StoredChunk = { block, startMs: buf.startMs, endMs: buf.times[n - 1]!, rows: n, data };
    const k = `${tier}\u0000${block}\u0000${buf.startMs}`;
    const old = this.pending.get(k);
    if (old !== undefined) this.pendingBytes -= old.chunk.data.length;
    this.pending.set(k, { tier, chunk });
    this.pendingBytes += data.length;
    while (this.pendingBytes > this.opts.maxPendingBytes && this.pending.size > 1) {
      const [oldest, entry] = this.pending.entries().next().value as [string, { chunk: StoredChunk }];
      this.pending.delete(oldest);
      this.pendingBytes -= entry.chunk.data.length;
      this.droppedChunks++;
    }
  }

  private writePending(): void {
    if (this.pending.size === 0) return;
    const raw: StoredChunk[] = [];
    const minute: StoredChunk[] = [];
    for (const p of this.pending.values()) (p.tier === 'raw' ? raw : minute).push(p.chunk);
    try {
      this.store.writeChunks('raw', raw);
      this.store.writeChunks('minute', minute);
      this.pending.clear();
      this.pendingBytes = 0;
    } catch (err) {
      this.writeErrors++;
      this.opts.onError(err);
    }
  }
}
