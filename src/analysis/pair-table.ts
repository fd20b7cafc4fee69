/**
 * A hash map from a pair of non-negative 32-bit integers to an integer id, in typed arrays (open
 * addressing): no object or Map entry per pair. Route keys are (method, path) pairs, one per distinct
 * product code or slug: 171k of them on 1M nginx lines, where a Map<number, number> cost ~8 MB of heap
 * and a third of the key lookups' time.
 */
export class PairTable {
  private a: Int32Array;
  private b: Int32Array;
  private ids: Int32Array;
  private mask: number;
  private count = 0;

  constructor(initialCapacity = 1024) {
    let cap = 16;
    while (cap < initialCapacity * 2) cap *= 2;
    this.a = new Int32Array(cap);
    this.b = new Int32Array(cap);
    this.ids = new Int32Array(cap).fill(-1);
    this.mask = cap - 1;
  }

  get size(): number {
    return this.count;
  }

  /** Empties the table, keeping its capacity. */
  clear(): void {
    this.ids.fill(-1);
    this.count = 0;
  }

  /** The id of (x, y), or -1. */
  get(x: number, y: number): number {
    let slot = hash(x, y) & this.mask;
    for (;;) {
      const id = this.ids[slot]!;
      if (id < 0 || (this.a[slot] === x && this.b[slot] === y)) return id;
      slot = (slot + 1) & this.mask;
    }
  }

  /** Stores (x, y) → id (replacing an existing id). */
  set(x: number, y: number, id: number): void {
    let slot = hash(x, y) & this.mask;
    for (;;) {
      const at = this.ids[slot]!;
      if (at < 0) break;
      if (this.a[slot] === x && this.b[slot] === y) {
        this.ids[slot] = id;
        return;
      }
      slot = (slot + 1) & this.mask;
    }
    this.a[slot] = x;
    this.b[slot] = y;
    this.ids[slot] = id;
    if (++this.count * 2 > this.mask) this.grow();
  }

  private grow(): void {
    const { a, b, ids } = this;
    const cap = ids.length * 2;
    this.a = new Int32Array(cap);
    this.b = new Int32Array(cap);
    this.ids = new Int32Array(cap).fill(-1);
    this.mask = cap - 1;
    this.count = 0;
    for (let s = 0; s < ids.length; s++) if (ids[s]! >= 0) this.set(a[s]!, b[s]!, ids[s]!);
  }
}

function hash(x: number, y: number): number {
  let h = Math.imul(x ^ 0x9e3779b9, 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13) ^ y, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
