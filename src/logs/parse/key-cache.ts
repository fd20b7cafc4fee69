/**
 * Interns byte ranges (function names, URL path segments) as small integer ids without allocating per
 * line: a 32-bit FNV-1a hash of the bytes, open addressing, and a byte comparison against one shared
 * arena to confirm. A key's string is decoded (UTF-8) only when asked for. Measured on 1M nginx lines
 * with ~170k distinct paths: a Uint8Array copy and a string per new key cost 1.5 s of GC; one arena
 * costs nothing measurable.
 */
export const FNV_OFFSET = 0x811c9dc5 | 0;
export const FNV_PRIME = 0x01000193;

/** A KeyCache's keys in id order, as plain typed arrays (to post to another thread; see `snapshot`). */
export interface KeyCacheSnapshot {
  arena: Uint8Array;
  offsets: Int32Array;
  lengths: Int32Array;
  count: number;
}

export class KeyCache {
  private slots: Int32Array;
  private hashes: Int32Array;
  private mask: number;
  private arena = new Uint8Array(4096);
  private used = 0;
  private offsets = new Int32Array(256);
  private lengths = new Int32Array(256);
  private readonly names: (string | undefined)[] = [];
  private count = 0;

  constructor(initialCapacity = 1024) {
    let cap = 16;
    while (cap < initialCapacity * 2) cap *= 2;
    this.slots = new Int32Array(cap).fill(-1);
    this.hashes = new Int32Array(cap);
    this.mask = cap - 1;
  }

  /** Number of distinct keys. */
  get size(): number {
    return this.count;
  }

  /** Bytes held. */
  get bytes(): number {
    return this.arena.byteLength + this.slots.byteLength * 2 + this.offsets.byteLength * 2;
  }

  /** The id of `buf[start, end)`, adding it when new. */
  intern(buf: Uint8Array, start: number, end: number): number {
    let h = 0x811c9dc5 | 0;
    for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
    return this.internHashed(buf, start, end, h);
  }

  /** `intern` with the FNV-1a hash of the bytes already computed (FNV_OFFSET, then `Math.imul(h ^ byte, FNV_PRIME)`). */
  internHashed(buf: Uint8Array, start: number, end: number, h: number): number {
    if (this.mask < 0) this.rebuild();
    const mask = this.mask;
    let slot = h & mask;
    const len = end - start;
    const arena = this.arena;
    for (;;) {
      const id = this.slots[slot]!;
      if (id < 0) break;
      if (this.hashes[slot] === h && this.lengths[id] === len) {
        const off = this.offsets[id]!;
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
    this.slots = new Int32Array(0);
    this.hashes = new Int32Array(0);
    this.mask = -1;
  }

  /**
   * The keys in id order, for `internSnapshot` on another thread's cache. The arrays are the cache's
   * own (no copy): transfer them only when this cache is done with.
   */
  snapshot(): KeyCacheSnapshot {
    return { arena: this.arena, offsets: this.offsets, lengths: this.lengths, count: this.count };
  }

  /**
   * Interns every key of `snap` in its id order; returns the id here of each of its ids. Keys new here
   * get ids in `snap`'s order, so a cache that read a file's first part and then interns the snapshot
   * of the second part's cache numbers its keys as one cache reading the whole file would.
   */
  internSnapshot(snap: KeyCacheSnapshot): Int32Array {
    const ids = new Int32Array(snap.count);
    for (let id = 0; id < snap.count; id++) {
      const off = snap.offsets[id]!;
      ids[id] = this.intern(snap.arena, off, off + snap.lengths[id]!);
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
      const off = this.offsets[id]!;
      s = Buffer.from(this.arena.buffer, this.arena.byteOffset + off, this.lengths[id]!).toString('utf8');
      this.names[id] = s;
    }
    return s;
  }

  /** Which character classes the key has: 1 upper, 2 lower, 4 digit, 8 `-`/`_`, 16 `.`, 32 other. */
  shape(id: number): number {
    const off = this.offsets[id]!;
    const end = off + this.lengths[id]!;
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
    return this.lengths[id]!;
  }

  /** The key's bytes (a view: valid until the next new key). */
  keyBytes(id: number): Uint8Array {
    const off = this.offsets[id]!;
    return this.arena.subarray(off, off + this.lengths[id]!);
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
    if (id >= this.offsets.length) {
      const offsets = new Int32Array(this.offsets.length * 2);
      offsets.set(this.offsets);
      this.offsets = offsets;
      const lengths = new Int32Array(this.lengths.length * 2);
      lengths.set(this.lengths);
      this.lengths = lengths;
    }
    this.offsets[id] = this.used;
    this.lengths[id] = len;
    this.used += len;
    this.slots[slot] = id;
    this.hashes[slot] = h;
    if (this.count * 2 > this.mask) this.grow();
    return id;
  }

  private rebuild(): void {
    let cap = 16;
    while (cap < this.count * 2 + 2) cap *= 2;
    const slots = new Int32Array(cap).fill(-1);
    const hashes = new Int32Array(cap);
    for (let id = 0; id < this.count; id++) {
      let h = 0x811c9dc5 | 0;
      const off = this.offsets[id]!;
      for (let i = 0; i < this.lengths[id]!; i++) h = Math.imul(h ^ this.arena[off + i]!, 0x01000193);
      let slot = h & (cap - 1);
      while (slots[slot]! >= 0) slot = (slot + 1) & (cap - 1);
      slots[slot] = id;
      hashes[slot] = h;
    }
    this.slots = slots;
    this.hashes = hashes;
    this.mask = cap - 1;
  }

  private grow(): void {
    const cap = this.slots.length * 2;
    const slots = new Int32Array(cap).fill(-1);
    const hashes = new Int32Array(cap);
    const mask = cap - 1;
    for (let s = 0; s < this.slots.length; s++) {
      const id = this.slots[s]!;
      if (id < 0) continue;
      const h = this.hashes[s]!;
      let slot = h & mask;
      while (slots[slot]! >= 0) slot = (slot + 1) & mask;
      slots[slot] = id;
      hashes[slot] = h;
    }
    this.slots = slots;
    this.hashes = hashes;
    this.mask = mask;
  }
}

/**
 * `dst.set(src.subarray(start, end), at)` without the view: a new key is ~10 bytes, and allocating a
 * subarray per key (171k product codes and slugs on 1M nginx lines) cost more than copying them.
 */
function copyBytes(src: Uint8Array, start: number, end: number, dst: Uint8Array, at: number): void {
  for (let i = start; i < end; i++) dst[at++] = src[i]!;
}
