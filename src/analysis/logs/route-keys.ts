/** Route pre-keys: (method, path) pairs, named `METHOD /route` once routes are inferred. */
import { PairTable } from '../pair-table.js';
import type { PathTable, PathTableSnapshot } from '../routes.js';

/** A RouteKeys' pre-keys and paths as plain data (to post to another thread). */
export interface RouteKeysSnapshot {
  paths: PathTableSnapshot;
  methodOf: Int32Array;
  pathOf: Int32Array;
  size: number;
  badRequest: number;
}

export class RouteKeys {
  readonly paths: PathTable;
  /**
   * The pre-key of each path id's first method, and the pairs of any other method in `pairs`: most
   * paths see one method, and a new path (171k on 1M nginx lines, ~1 in 6 requests) then appends here
   * instead of probing and filling a pair table of megabytes (~55 ms of the pass). Path p's first
   * pre-key is at [2p] (-1: none yet) and its method at [2p + 1]: one cache line per request.
   */
  private firstKey = new Int32Array(2048).fill(-1);
  private pairs = new PairTable(64);
  methodOf = new Int32Array(1024);
  pathOf = new Int32Array(1024);
  size = 0;
  badRequest = -1;

  constructor(paths: PathTable) {
    this.paths = paths;
  }

  /** The pre-key of a request; counts a hit of its path. */
  key(method: number, buf: Uint8Array, start: number, end: number): number {
    return this.pairKey(method, this.paths.intern(buf, start, end));
  }

  badRequestKey(): number {
    if (this.badRequest < 0) this.badRequest = this.add(-1, -1);
    return this.badRequest;
  }

  /** After the pass: the lookup tables go (pre-keys, paths and segments stay). */
  releaseLookups(): void {
    this.pairs = new PairTable(16);
    this.firstKey = new Int32Array(0);
    this.paths.releaseLookups();
  }

  /** The pre-keys and paths (own arrays: transfer them only when this is done with). */
  snapshot(): RouteKeysSnapshot {
    return { paths: this.paths.snapshot(), methodOf: this.methodOf, pathOf: this.pathOf, size: this.size, badRequest: this.badRequest };
  }

  /**
   * Adds the pre-keys of the input's next part (`methodIds`: the method id here of each of its method
   * ids); returns the pre-key here of each of its pre-keys, numbered as one
   * RouteKeys reading both parts would number them.
   */
  absorb(snap: RouteKeysSnapshot, methodIds: Int32Array): Int32Array {
    const pathIds = this.paths.absorb(snap.paths);
    const ids = new Int32Array(snap.size);
    for (let k = 0; k < snap.size; k++) {
      if (k === snap.badRequest) {
        ids[k] = this.badRequestKey();
        continue;
      }
      const method = methodIds[snap.methodOf[k]!]!;
      const path = pathIds[snap.pathOf[k]!]!;
      ids[k] = this.pairKey(method, path);
    }
    return ids;
  }

  /** The pre-key of (method, path), added when new. */
  private pairKey(method: number, path: number): number {
    if (2 * path >= this.firstKey.length) this.growFirstKey(path);
    const first = this.firstKey[2 * path]!;
    if (first < 0) {
      this.firstKey[2 * path + 1] = method;
      return (this.firstKey[2 * path] = this.add(method, path));
    }
    if (this.firstKey[2 * path + 1] === method) return first;
    const id = this.pairs.get(method, path);
    if (id >= 0) return id;
    const added = this.add(method, path);
    this.pairs.set(method, path, added);
    return added;
  }

  private growFirstKey(path: number): void {
    const bigger = new Int32Array(Math.max(this.firstKey.length * 2, 2 * path + 2)).fill(-1);
    bigger.set(this.firstKey);
    this.firstKey = bigger;
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
    return id;
  }
}
