/**
 * The durable remote_write queue: samples are written to an SQLite file before they are sent, and
 * deleted only once the receiver has answered for them, so nothing is lost across an outage or a
 * restart of the sender.
 *
 * One file per remote_write destination, of its own (not the run store: the queue is written and
 * deleted at the export rate, and one exclusive owner per file is what keeps two senders from sending
 * the same samples). Tables:
 *   rw_series(id, key, labels)    a series' identity and its protobuf-encoded labels, written once
 *   rw_chunks(seq, count, max_ts_ms, data)  samples in append order; `data` packs (series id, ts ms,
 *                                 value) as float64 triples, at most `maxChunkSamples` per row
 *   rw_meta(key, value)           schema version
 * A row per chunk rather than per sample: appending 10,000 samples is one insert of 240 KB, not
 * 10,000 inserts (bench/export.bench.ts measures the whole path against Prometheus).
 *
 * The file is opened with `locking_mode=EXCLUSIVE` in WAL mode: a second process opening the same queue
 * fails at once with a clear error instead of double-sending; the OS lock goes with the process.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { PerfscopeError } from '../core/errors.js';
import { openDatabase, type SqlDatabase, type SqlStatement } from '../store/sqlite.js';

const SCHEMA_VERSION = 1;

/** A contiguous run of chunks at the head of the queue, ready to send. */
export interface QueueBatch {
  /** Sequence numbers of the chunks, ascending and contiguous at the head. */
  readonly firstSeq: number;
  readonly lastSeq: number;
  /** (series id, timestamp ms, value) triples. */
  readonly records: Float64Array;
  readonly count: number;
  readonly maxTimestampMs: number;
}

/** Samples evicted to keep the queue within its bounds. */
export interface Eviction {
  readonly samples: number;
  readonly reason: 'too_old' | 'queue_full';
}

export interface QueueOptions {
  /** Samples older than the newest queued one by more than this are evicted (the 2 h default). */
  maxAgeMs: number;
  /** At most this many samples queued; the oldest go first. */
  maxPendingSamples: number;
  /** Samples per stored chunk (and so the finest batch granularity). */
  maxChunkSamples: number;
}

interface ChunkMeta {
  seq: number;
  count: number;
  maxTs: number;
}

export class RemoteWriteQueue {
  readonly path: string;
  private readonly db: SqlDatabase;
  private readonly opts: QueueOptions;
  private readonly ids = new Map<string, number>();
  private readonly labels: (Uint8Array | undefined)[] = [];
  private nextId = 1;
  /** Chunk metadata in seq order (mirror of rw_chunks without the data). */
  private chunks: ChunkMeta[] = [];
  private head = 0;
  private pending = 0;
  private newestTs = -Infinity;
  /** Chunks up to this seq are being sent: eviction leaves them to the sender. */
  private inflightUntil = 0;
  /** Series added since the last append: (id, key) pairs, stored with the next chunk. */
  private unsaved: (number | string)[] = [];
  private readonly insertSeries: SqlStatement;
  private readonly insertChunk: SqlStatement;
  private readonly readChunks: SqlStatement;
  private readonly deleteUpTo: SqlStatement;
  private readonly deleteRange: SqlStatement;

  private constructor(path: string, db: SqlDatabase, opts: QueueOptions) {
    this.path = path;
    this.db = db;
    this.opts = opts;
    this.insertSeries = db.prepare('INSERT INTO rw_series (id, key, labels) VALUES (?, ?, ?)');
    this.insertChunk = db.prepare('INSERT INTO rw_chunks (count, max_ts_ms, data) VALUES (?, ?, ?)');
    this.readChunks = db.prepare('SELECT data FROM rw_chunks WHERE seq >= ? AND seq <= ? ORDER BY seq');
    this.deleteUpTo = db.prepare('DELETE FROM rw_chunks WHERE seq <= ?');
    this.deleteRange = db.prepare('DELETE FROM rw_chunks WHERE seq >= ? AND seq <= ?');
  }

  /**
   * Opens or creates the queue file (and its directory). Throws PerfscopeError('EIO') naming the file
   * when it cannot be opened, is not a queue, or is held by another process.
   */
  static open(path: string, opts: QueueOptions): RemoteWriteQueue {
    let db: SqlDatabase | undefined;
    try {
      mkdirSync(dirname(path), { recursive: true });
      db = openDatabase(path, { readonly: false });
      db.pragma('locking_mode = EXCLUSIVE');
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.exec(`
        CREATE TABLE IF NOT EXISTS rw_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
        CREATE TABLE IF NOT EXISTS rw_series (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE, labels BLOB NOT NULL);
        CREATE TABLE IF NOT EXISTS rw_chunks (seq INTEGER PRIMARY KEY AUTOINCREMENT, count INTEGER NOT NULL, max_ts_ms REAL NOT NULL, data BLOB NOT NULL);
      `);
      const version = db.prepare("SELECT value FROM rw_meta WHERE key = 'schema'").get() as { value: string } | undefined;
      if (version === undefined) db.prepare("INSERT INTO rw_meta (key, value) VALUES ('schema', ?)").run(String(SCHEMA_VERSION));
      else if (Number(version.value) !== SCHEMA_VERSION) {
        throw new Error(`queue schema ${version.value}, this perfscope reads ${SCHEMA_VERSION}`);
      }
      const q = new RemoteWriteQueue(path, db, opts);
      q.load();
      return q;
    } catch (err) {
      try {
        db?.close();
      } catch {
        // closing a half-opened handle: the original error is the one to report
      }
      if (err instanceof PerfscopeError) throw err;
      const msg = err instanceof Error ? err.message : String(err);
      const busy = /locked|busy/i.test(msg);
      throw new PerfscopeError(
        'EIO',
        busy
          ? `remote_write queue ${path} is in use by another process (each sender needs its own queue file)`
          : `cannot open remote_write queue ${path}: ${msg}`,
        { cause: err },
      );
    }
  }

  private load(): void {
    const chunks = this.db.prepare('SELECT seq, count, max_ts_ms AS maxTs FROM rw_chunks ORDER BY seq').all() as ChunkMeta[];
    this.chunks = chunks.map((c) => ({ seq: Number(c.seq), count: Number(c.count), maxTs: Number(c.maxTs) }));
    for (const c of this.chunks) {
      this.pending += c.count;
      if (c.maxTs > this.newestTs) this.newestTs = c.maxTs;
    }
    if (this.chunks.length === 0) {
      // nothing references old series: start their table afresh so it does not grow forever
      this.db.exec('DELETE FROM rw_series');
      return;
    }
    for (const row of this.db.prepare('SELECT id, key, labels FROM rw_series').all()) {
      const r = row as { id: number | bigint; key: string; labels: Uint8Array };
      const id = Number(r.id);
      this.ids.set(r.key, id);
      this.labels[id] = new Uint8Array(r.labels);
      if (id >= this.nextId) this.nextId = id + 1;
    }
  }

  /** Samples queued and not yet acknowledged. */
  get pendingSamples(): number {
    return this.pending;
  }

  get pendingChunks(): number {
    return this.chunks.length - this.head;
  }

  /** The id of the series with identity `key`, or undefined when it is new. */
  idOf(key: string): number | undefined {
    return this.ids.get(key);
  }

  /**
   * Registers a new series (kept in memory until the next `append`, which stores it in the same
   * transaction as the samples that use it).
   */
  addSeries(key: string, labels: Uint8Array): number {
    const id = this.nextId++;
    this.ids.set(key, id);
    this.labels[id] = labels;
    this.unsaved.push(id, key);
    return id;
  }

  /** The encoded labels of series `id`. */
  labelsOf(id: number): Uint8Array {
    const l = this.labels[id];
    if (l === undefined) throw new Error(`remote_write queue ${this.path}: unknown series id ${id}`);
    return l;
  }

  /**
   * Appends `count` samples (triples in `records`) in one transaction, then evicts what exceeds the
   * bounds. Returns the evictions (the caller counts them). Throws on a storage error (disk full...):
   * then nothing of this append is stored.
   */
  append(records: Float64Array, count: number): Eviction[] {
    if (count === 0) return [];
    const max = this.opts.maxChunkSamples;
    const metas: ChunkMeta[] = [];
    const unsaved = this.unsaved;
    this.db.transaction(() => {
      for (let i = 0; i < unsaved.length; i += 2) {
        const id = unsaved[i] as number;
        this.insertSeries.run(id, unsaved[i + 1] as string, this.labels[id]!);
      }
      for (let from = 0; from < count; from += max) {
        const n = Math.min(max, count - from);
        let maxTs = -Infinity;
        for (let i = from; i < from + n; i++) {
          const t = records[i * 3 + 1]!;
          if (t > maxTs) maxTs = t;
        }
        const data = Buffer.from(records.buffer, records.byteOffset + from * 24, n * 24);
        const r = this.insertChunk.run(n, maxTs, data);
        metas.push({ seq: Number(r.lastInsertRowid), count: n, maxTs });
      }
    });
    this.unsaved = [];
    for (const m of metas) {
      this.chunks.push(m);
      this.pending += m.count;
      if (m.maxTs > this.newestTs) this.newestTs = m.maxTs;
    }
    return this.evict();
  }

  /** Drops samples from the head that are too old or over the count bound (not those being sent). */
  private evict(): Eviction[] {
    const out: Eviction[] = [];
    const oldest = this.newestTs - this.opts.maxAgeMs;
    let tooOld = 0;
    let full = 0;
    let lastSeq = -1;
    let i = this.head;
    while (i < this.chunks.length && this.chunks[i]!.seq <= this.inflightUntil) i++;
    const firstEvictable = i;
    for (; i < this.chunks.length - 1; i++) {
      const c = this.chunks[i]!;
      if (c.maxTs < oldest) tooOld += c.count;
      else if (this.pending - tooOld - full > this.opts.maxPendingSamples) full += c.count;
      else break;
      lastSeq = c.seq;
    }
    if (lastSeq < 0) return out;
    this.deleteRange.run(this.chunks[firstEvictable]!.seq, lastSeq);
    this.chunks.splice(firstEvictable, i - firstEvictable);
    this.pending -= tooOld + full;
    if (tooOld > 0) out.push({ samples: tooOld, reason: 'too_old' });
    if (full > 0) out.push({ samples: full, reason: 'queue_full' });
    return out;
  }

  /** The oldest chunks, up to `maxSamples` samples (at least one chunk), or null when empty. */
  peek(maxSamples: number): QueueBatch | null {
    const chunks = this.chunks;
    if (this.head >= chunks.length) return null;
    let end = this.head;
    let count = 0;
    let maxTs = -Infinity;
    while (end < chunks.length && (end === this.head || count + chunks[end]!.count <= maxSamples)) {
      count += chunks[end]!.count;
      if (chunks[end]!.maxTs > maxTs) maxTs = chunks[end]!.maxTs;
      end++;
    }
    const firstSeq = chunks[this.head]!.seq;
    const lastSeq = chunks[end - 1]!.seq;
    const records = new Float64Array(count * 3);
    let off = 0;
    for (const row of this.readChunks.all(firstSeq, lastSeq)) {
      const data = (row as { data: Uint8Array }).data;
      // copy through bytes: a blob's offset need not be 8-aligned
      new Uint8Array(records.buffer, off * 8, data.byteLength).set(data);
      off += data.byteLength / 8;
    }
    if (off !== count * 3) {
      throw new Error(`remote_write queue ${this.path}: chunks ${firstSeq}..${lastSeq} hold ${off / 3} samples, expected ${count}`);
    }
    this.inflightUntil = lastSeq;
    return { firstSeq, lastSeq, records, count, maxTimestampMs: maxTs };
  }

  /** Removes a batch from the head (sent, or given up on). */
  ack(batch: QueueBatch): void {
    this.deleteUpTo.run(batch.lastSeq);
    while (this.head < this.chunks.length && this.chunks[this.head]!.seq <= batch.lastSeq) {
      this.pending -= this.chunks[this.head]!.count;
      this.head++;
    }
    if (this.head > 1024 && this.head * 2 > this.chunks.length) {
      this.chunks = this.chunks.slice(this.head);
      this.head = 0;
    }
    this.inflightUntil = 0;
  }

  /** The newest timestamp ever queued (epoch ms), or -Infinity. */
  get newestTimestampMs(): number {
    return this.newestTs;
  }

  close(): void {
    if (this.db.isOpen) this.db.close();
  }
}
