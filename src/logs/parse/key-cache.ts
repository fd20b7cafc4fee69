/**
 * Interns byte ranges (function names, URL path segments) as small integer ids without allocating per
 * line: a 32-bit FNV-1a hash of the bytes, open addressing, and a byte comparison against one shared
 * arena to confirm. A key's string is decoded (UTF-8) only when asked for. Measured on 1M nginx lines
 * with ~170k distinct paths: a Uint8Array copy and a string per new key cost 1.5 s of GC; one arena
 * costs nothing measurable.
 */
export const FNV_OFFSET = 0x811c9dc5 | 0;
export const FNV_PRIME = 0x01000193;
/** Slots of the memo of `internFew`. */
const FEW_SLOTS = 64;

/** A KeyCache's keys in id order, as plain typed arrays (to post to another thread; see `snapshot`). */
export interface KeyCacheSnapshot {
  arena: Uint8Array;
  /** Key id k's bytes are `arena[spans[2k], spans[2k] + spans[2k + 1])`. */
  spans: Int32Array;
  count: number;
}

export class KeyCache {
  /**
   * The open-addressing table: slot s holds a key id at [2s] (-1: empty) and its hash at [2s + 1], so a
   * probe reads one cache line (the tables of 171k path segments outgrow the L2 cache).
   */
  private table: Int32Array;
  private mask: number;
  private arena = new Uint8Array(4096);
  private used = 0;
  /** Key k's offset in the arena at [2k], its length at [2k + 1] (one cache line for both). */
  private spans = new Int32Array(512);
  private readonly names: (string | undefined)[] = [];
  private count = 0;
  private readonly few = new Int32Array(FEW_SLOTS).fill(-1);

  constructor(initialCapacity = 1024) {
    let cap = 16;
    while (cap < initialCapacity * 2) cap *= 2;
    this.table = emptyTable(cap);
    this.mask = cap - 1;
  }

  /** Number of distinct keys. */
  get size(): number {
    return this.count;
  }

  /** Bytes held. */
  get bytes(): number {
    return this.arena.byteLength + this.table.byteLength + this.spans.byteLength;
  }

  /** The id of `buf[start, end)`, adding it when new. */
  intern(buf: Uint8Array, start: number, end: number): number {
    let h = 0x811c9dc5 | 0;
    for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
    return this.internHashed(buf, start, end, h);
  }

  /**
   * `intern` for keys of a small set read once a line (HTTP methods): a direct-mapped memo by length
   * and first and last byte answers before hashing the bytes; a miss (or a slot two keys share) interns.
   */
  internFew(buf: Uint8Array, start: number, end: number): number {
    const len = end - start;
    const slot = len === 0 ? 0 : ((len << 2) ^ buf[start]! ^ (buf[end - 1]! << 1)) & (FEW_SLOTS - 1);
    const id = this.few[slot]!;
    if (id >= 0 && this.spans[2 * id + 1] === len) {
      const off = this.spans[2 * id]!;
      const arena = this.arena;
      let i = 0;
      while (i < len && arena[off + i] === buf[start + i]) i++;
      if (i === len) return id;
    }
    return (this.few[slot] = this.intern(buf, start, end));
  }

  /** `intern` with the FNV-1a hash of the bytes already computed (FNV_OFFSET, then `Math.imul(h ^ byte, FNV_PRIME)`). */
  internHashed(buf: Uint8Array, start: number, end: number, h: number): number {
    if (this.mask < 0) this.rebuild();
    const mask = this.mask;
    let slot = h & mask;
    const len = end - start;
    const arena = this.arena;
    for (;;) {
      const id = this.table[2 * slot]!;
      if (id < 0) break;
      if (this.table[2 * slot + 1] === h && this.spans[2 * id + 1] === len) {
        const off = this.spans[2 * id]!;
        let i = 0;
        while (i < len && arena[off + i] === buf[start + i]) i++;
        if (i === len) return id;
      }
      slot = (slot + 1) & mask;
    }
    return this.add(buf, start, end, slot, h);
  }

  /**
   * Drops the hash table once no key will be added or looked up again (after the pass): names and bytes
   * stay readable. A later `intern` rebuilds it.
   */
  releaseLookups(): void {
    this.table = new Int32Array(0);
    this.mask = -1;
  }

  /**
   * The keys in id order, for `internSnapshot` on another thread's cache. The arrays are the cache's
   * own (no copy): transfer them only when this cache is done with.
   */
  snapshot(): KeyCacheSnapshot {
    return { arena: this.arena, spans: this.spans, count: this.count };
  }

  /**
   * Interns every key of `snap` in its id order; returns the id here of each of its ids. Keys new here
   * get ids in `snap`'s order, so a cache that read a file's first part and then interns the snapshot
   * of the second part's cache numbers its keys as one cache reading the whole file would.
   */
  internSnapshot(snap: KeyCacheSnapshot): Int32Array {
    const ids = new Int32Array(snap.count);
    for (let id = 0; id < snap.count; id++) {
      const off = snap.spans[2 * id]!;
      ids[id] = this.intern(snap.arena, off, off + snap.spans[2 * id + 1]!);
    }
    return ids;
  }

  /** The id of a string key (JSON.parse paths), adding it when new. */
  internString(text: string): number {
    const b = Buffer.from(text, 'utf8');
    return this.intern(b, 0, b.length);
  }

  /** The key's text. */
  name(id: number): string {
    let s = this.names[id];
    if (s === undefined) {
      const off = this.spans[2 * id]!;
      s = Buffer.from(this.arena.buffer, this.arena.byteOffset + off, this.spans[2 * id + 1]!).toString('utf8');
      this.names[id] = s;
    }
    return s;
  }

  /** Which character classes the key has: 1 upper, 2 lower, 4 digit, 8 `-`/`_`, 16 `.`, 32 other. */
  shape(id: number): number {
    const off = this.spans[2 * id]!;
    const end = off + this.spans[2 * id + 1]!;
    const a = this.arena;
    let mask = 0;
    for (let i = off; i < end; i++) {
      const c = a[i]!;
      if (c >= 65 && c <= 90) mask |= 1;
      else if (c >= 97 && c <= 122) mask |= 2;
      else if (c >= 48 && c <= 57) mask |= 4;
      else if (c === 45 || c === 95) mask |= 8;
      else if (c === 46) mask |= 16;
      else mask |= 32;
    }
    return mask;
  }

  /** Length of the key in bytes. */
  byteLength(id: number): number {
    return this.spans[2 * id + 1]!;
  }

  /** The key's bytes (a view: valid until the next new key). */
  keyBytes(id: number): Uint8Array {
    const off = this.spans[2 * id]!;
    return this.arena.subarray(off, off + this.spans[2 * id + 1]!);
  }

  private add(buf: Uint8Array, start: number, end: number, slot: number, h: number): number {
    const len = end - start;
    if (this.used + len > this.arena.length) {
      const bigger = new Uint8Array(Math.max(this.arena.length * 2, this.used + len));
      bigger.set(this.arena.subarray(0, this.used));
      this.arena = bigger;
    }
    copyBytes(buf, start, end, this.arena, this.used);
    const id = this.count++;
    if (2 * id >= this.spans.length) {
      const spans = new Int32Array(this.spans.length * 2);
      spans.set(this.spans);
      this.spans = spans;
    }
    this.spans[2 * id] = this.used;
    this.spans[2 * id + 1] = len;
    this.used += len;
    this.table[2 * slot] = id;
    this.table[2 * slot + 1] = h;
    if (this.count * 2 > this.mask) this.grow();
    return id;
  }

  private rebuild(): void {
    let cap = 16;
    while (cap < this.count * 2 + 2) cap *= 2;
    const table = emptyTable(cap);
    for (let id = 0; id < this.count; id++) {
      let h = 0x811c9dc5 | 0;
      const off = this.spans[2 * id]!;
      for (let i = 0; i < this.spans[2 * id + 1]!; i++) h = Math.imul(h ^ this.arena[off + i]!, 0x01000193);
      place(table, cap - 1, id, h);
    }
    this.table = table;
    this.mask = cap - 1;
  }

  private grow(): void {
    this.table = doubledTable(this.table);
    this.mask = (this.table.length >> 1) - 1;
  }
}

/** An open-addressing table of `slots` slots of (id, hash), all empty (see KeyCache.table). */
export function emptyTable(slots: number): Int32Array {
  const t = new Int32Array(2 * slots);
  for (let s = 0; s < t.length; s += 2) t[s] = -1;
  return t;
}

/** A table with twice the slots of `old`, holding its entries. */
export function doubledTable(old: Int32Array): Int32Array {
  const slots = old.length; // twice the old slots
  const table = emptyTable(slots);
  for (let s = 0; s < old.length; s += 2) {
    const id = old[s]!;
    if (id >= 0) place(table, slots - 1, id, old[s + 1]!);
  }
  return table;
}

/** Puts (id, hash) in the first empty slot from the hash's (mask: slots - 1). */
export function place(table: Int32Array, mask: number, id: number, h: number): void {
  let slot = h & mask;
  while (table[2 * slot]! >= 0) slot = (slot + 1) & mask;
  table[2 * slot] = id;
  table[2 * slot + 1] = h;
}

/**
 * `dst.set(src.subarray(start, end), at)` without the view: a new key is ~10 bytes, and allocating a
 * subarray per key (171k product codes and slugs on 1M nginx lines) cost more than copying them.
 */
function copyBytes(src: Uint8Array, start: number, end: number, dst: Uint8Array, at: number): void {
  for (let i = start; i < end; i++) dst[at++] = src[i]!;
}
