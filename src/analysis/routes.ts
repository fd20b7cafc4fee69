/**
 * Route keys for HTTP requests, with no configuration: access logs hold URLs, and a table per URL is
 * useless (GoAccess listed 409,512 "endpoints" for 30 routes in the research data). Three steps:
 *
 * 1. Per request (`PathTable.intern`, on bytes): the query string and fragment are dropped, and a
 *    path segment that is an id becomes a parameter: digits → `:id`, a UUID → `:uuid`, 8+ lower-case
 *    hex characters with a digit and a letter (16+ in upper case) → `:hex`, an IPv4/IPv6 address → `:ip`. Explicit templates
 *    (`--route /api/products/:sku`) are tried first, on the raw segments, and win.
 * 2. After the pass (`inferRoutes`), over the distinct paths and their hits: at each position under a
 *    common prefix, the segments are grouped by shape (which of upper case, lower case, digits, `-`/`_`,
 *    `.`, other they contain). A group is variable when it has at least 10 distinct values, at least
 *    90 % of them are rare (at most 1 % of the requests under that prefix, or at most 2 requests), and
 *    values repeat at most 50 times on average (distinct/hits >= 0.02). Its values become `:param`,
 *    except frequent words (no digit, more than 1 % of the requests): `/api/products/search` stays
 *    next to `/api/products/:param`. Parameters of different kinds at one position merge into the
 *    most used one (a hex id that happens to be all digits). Subtrees of merged values merge, and
 *    the walk goes on below.
 * 3. Paths seen after the routes were settled (sketch mode) are resolved against the inferred tree.
 *
 * Limits: in a short log, a set of 10+ rarely used endpoint names of one shape can look variable;
 * name those routes with `--route`.
 */
import { usageError } from '../core/errors.js';
import { FNV_OFFSET, FNV_PRIME, KeyCache, doubledTable, emptyTable, place, type KeyCacheSnapshot } from '../logs/parse/key-cache.js';
import { PairTable } from './pair-table.js';


// ---------------------------------------------------------------------------------------------------
// explicit templates

/** A route template given by the user: `/api/products/:sku`, `/static/*` (`*` matches the rest). */
export class RouteTemplate {
  readonly text: string;
  /** Literal segment bytes, or null for a parameter. */
  private readonly segments: (Uint8Array | null)[];
  private readonly rest: boolean;

  constructor(text: string) {
    if (typeof text !== 'string' || !text.startsWith('/')) throw usageError(`route template must start with '/', got '${text}'`);
    if (/[?#\s]/.test(text)) throw usageError(`route template must be a path without query, fragment or spaces, got '${text}'`);
    const parts = text.split('/').slice(1);
    const rest = parts[parts.length - 1] === '*';
    if (rest) parts.pop();
    for (const p of parts) {
      if (p === '*') throw usageError(`route template '${text}': '*' may only end a template`);
      if (p.startsWith(':') && !/^:[A-Za-z_][\w-]*$/.test(p)) throw usageError(`route template '${text}': bad parameter name '${p}'`);
    }
    this.text = text;
    this.rest = rest;
    this.segments = parts.map((p) => (p.startsWith(':') ? null : new Uint8Array(Buffer.from(p, 'utf8'))));
  }

  /** Whether the path `buf[start, end)` (starting with '/', no query) matches. */
  matches(buf: Uint8Array, start: number, end: number): boolean {
    let p = start + 1;
    const segs = this.segments;
    for (let i = 0; i < segs.length; i++) {
      if (p > end) return false;
      let q = p;
      while (q < end && buf[q] !== 47) q++;
      const lit = segs[i] ?? null;
      if (lit !== null) {
        if (q - p !== lit.length) return false;
        for (let k = 0; k < lit.length; k++) if (buf[p + k] !== lit[k]) return false;
      } else if (q === p) {
        return false;
      }
      p = q + 1;
    }
    // every template segment matched: the path must end here, or `*` takes what is left (non-empty)
    return this.rest ? p <= end : p === end + 1;
  }
}

// ---------------------------------------------------------------------------------------------------
// step 1: per request, on bytes

/** Segment ids every PathTable reserves: the parameters. */
export const SEG_ID = 0;
export const SEG_UUID = 1;
export const SEG_HEX = 2;
export const SEG_IP = 3;
export const SEG_PARAM = 4;
const RESERVED = [':id', ':uuid', ':hex', ':ip', ':param'];
/** First element of a path that is not `/...` (kept as one raw segment). */
const RAW = -1;


/** The parameter a segment is by its bytes alone (SEG_ID, SEG_UUID, SEG_HEX, SEG_IP), or -1 for a literal. */
export function idMarker(buf: Uint8Array, a: number, b: number): number {
  // which classes of bytes occur (a class table and one OR: 40 % less than counting each class with
  // branches, measured per segment)
  let mask = 0;
  for (let i = a; i < b; i++) mask |= CLASS[buf[i]!]!;
  return markerOf(buf, a, b, mask);
}

/** The parameter of a segment from its byte classes (see idMarker). */
function markerOf(buf: Uint8Array, a: number, b: number, mask: number): number {
  const len = b - a;
  if (len === 0 || mask & C_OTHER) return -1;
  if (mask === C_DIGIT) return SEG_ID;
  if (len === 36 && (mask & ~(C_DIGIT | C_LOWER_HEX | C_UPPER_HEX | C_DASH)) === 0 && isUuid(buf, a)) return SEG_UUID;
  if ((mask & ~(C_DIGIT | C_DOT)) === 0 && isIPv4(buf, a, b)) return SEG_IP;
  if (mask & C_COLON && (mask & ~(C_DIGIT | C_LOWER_HEX | C_UPPER_HEX | C_COLON | C_DOT)) === 0 && colons(buf, a, b) >= 2) return SEG_IP;
  // hex ids are lower case (hashes, ObjectIds); upper-case codes of 8+ characters are more often
  // product codes (B0ABCDE123, left to inference) unless long enough to be a hash. A digit and not
  // only digits (every byte has a class bit, and all-digit masks returned above).
  if (mask & C_DIGIT) {
    if (len >= 8 && (mask & ~(C_DIGIT | C_LOWER_HEX)) === 0) return SEG_HEX;
    if (len >= 16 && (mask & ~(C_DIGIT | C_LOWER_HEX | C_UPPER_HEX)) === 0) return SEG_HEX;
  }
  return -1;
}

const C_DIGIT = 1;
const C_LOWER_HEX = 2;
const C_UPPER_HEX = 4;
const C_DOT = 8;
const C_COLON = 16;
const C_DASH = 32;
const C_OTHER = 64;
/** `/`, `?` and `#`: the end of a path segment (other bytes too, to idMarker). */
const C_END = 128;
/** Byte → class bit (exactly one, and C_END with C_OTHER). */
const CLASS = new Uint8Array(256).fill(C_OTHER);
for (let c = 48; c <= 57; c++) CLASS[c] = C_DIGIT;
for (let c = 97; c <= 102; c++) CLASS[c] = C_LOWER_HEX;
for (let c = 65; c <= 70; c++) CLASS[c] = C_UPPER_HEX;
CLASS[46] = C_DOT;
CLASS[58] = C_COLON;
CLASS[45] = C_DASH;
for (const c of [47, 63, 35]) CLASS[c] = C_END | C_OTHER;

/** 8-4-4-4-12 hex digits (the caller checked the length and the byte classes). */
function isUuid(buf: Uint8Array, a: number): boolean {
  for (let i = 0; i < 36; i++) {
    const dash = i === 8 || i === 13 || i === 18 || i === 23;
    if ((buf[a + i] === 45) !== dash) return false;
  }
  return true;
}

function colons(buf: Uint8Array, a: number, b: number): number {
  let n = 0;
  for (let i = a; i < b; i++) if (buf[i] === 58) n++;
  return n;
}

function isIPv4(buf: Uint8Array, a: number, b: number): boolean {
  let part = 0;
  let n = 0;
  let parts = 0;
  for (let i = a; i <= b; i++) {
    if (i === b || buf[i] === 46) {
      if (n === 0 || n > 3 || part > 255) return false;
      parts++;
      part = 0;
      n = 0;
    } else {
      part = part * 10 + buf[i]! - 48;
      n++;
    }
  }
  return parts === 4;
}

const HTTP = new Uint8Array(Buffer.from('http://'));
const HTTPS = new Uint8Array(Buffer.from('https://'));

function startsWith(buf: Uint8Array, start: number, end: number, prefix: Uint8Array): boolean {
  if (end - start < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (buf[start + i] !== prefix[i]) return false;
  return true;
}

/** A PathTable's paths in id order, as plain typed arrays (to post to another thread). */
export interface PathTableSnapshot {
  segments: KeyCacheSnapshot;
  seqs: Int32Array;
  /** Path p's segment ids are `seqs[seqSpans[2p], seqSpans[2p] + seqSpans[2p + 1])`. */
  seqSpans: Int32Array;
  hits: Float64Array;
  count: number;
}

/**
 * A request path split into segments, before interning (see splitSegments): each segment's bytes
 * `[starts[i], ends[i])`, its parameter (SEG_ID…SEG_IP) or -1 for a literal in `marks`, and a
 * literal's FNV-1a hash in `hashes`.
 */
class SplitPath {
  starts = new Int32Array(64);
  ends = new Int32Array(64);
  marks = new Int32Array(64);
  hashes = new Int32Array(64);

  /** Makes room for `n` segments. */
  reserve(n: number): void {
    if (n <= this.starts.length) return;
    this.starts = grownInt32(this.starts, n);
    this.ends = grownInt32(this.ends, n);
    this.marks = grownInt32(this.marks, n);
    this.hashes = grownInt32(this.hashes, n);
  }
}

/**
 * Splits the path `buf[p - 1, end)` (p: after its leading `/`) into `parts`; returns the segment
 * count. One pass: each segment is split off, hashed (FNV-1a, for interning a literal) and classified
 * (idMarker's byte classes) in the same loop, its results kept in locals and typed arrays (a
 * function per segment returning them through module variables cost ~2x the byte loop, and a
 * hash in a module `let` is a heap number: one allocation per segment).
 */
function splitSegments(buf: Uint8Array, p: number, end: number, parts: SplitPath): number {
  parts.reserve(end - p + 1);
  const { starts, ends, marks, hashes } = parts;
  let n = 0;
  let i = p;
  for (;;) {
    const a = i;
    let h = FNV_OFFSET;
    let mask = 0;
    let c = 0;
    for (; i < end; i++) {
      c = buf[i]!;
      const k = CLASS[c]!;
      if (k & C_END) break;
      h = Math.imul(h ^ c, FNV_PRIME);
      mask |= k;
    }
    const last = i >= end || c !== 47;
    if (last && i === a && n > 0) break; // a trailing slash adds no segment
    starts[n] = a;
    ends[n] = i;
    marks[n] = markerOf(buf, a, i, mask);
    hashes[n] = h;
    n++;
    if (last) break;
    i++;
  }
  return n;
}

/**
 * The distinct request paths (query dropped, ids as parameters) with their hits. A path is a sequence
 * of segment ids (segments interned once in `segments`), interned by an FNV hash over the ids: a new
 * product code costs its bytes in an arena and a few integers, no object.
 */
export class PathTable {
  readonly segments = new KeyCache(4096);
  private readonly parts = new SplitPath();
  private seqs = new Int32Array(16384);
  private seqsUsed = 0;
  /** Path p's offset in `seqs` at [2p], its length at [2p + 1] (one cache line for both). */
  private seqSpans = new Int32Array(2048);
  private hitCounts = new Float64Array(1024);
  /** Slot s: a path id at [2s] (-1: empty) and its hash at [2s + 1] (see KeyCache's table). */
  private table = emptyTable(2048);
  private count = 0;
  private scratch = new Int32Array(64);

  constructor(private readonly templates: readonly RouteTemplate[] = []) {
    for (const r of RESERVED) this.segments.internString(r);
  }

  get size(): number {
    return this.count;
  }

  /** The id of the path of request target `buf[start, end)`; counts a hit. */
  intern(buf: Uint8Array, start: number, end: number): number {
    // absolute-form targets (proxies): drop scheme and host
    if (buf[start] !== 47 && (startsWith(buf, start, end, HTTP) || startsWith(buf, start, end, HTTPS))) {
      let p = start + (buf[start + 4] === 58 ? 7 : 8);
      while (p < end && buf[p] !== 47) p++;
      start = p;
    }
    let n = 0;
    if (start === end || buf[start] !== 47 || this.templates.length > 0) n = this.otherSequence(buf, start, end);
    if (n === 0) n = this.internSegments(buf, splitSegments(buf, start + 1, end, this.parts));
    const id = this.internSequence(n);
    this.hitCounts[id]!++;
    return id;
  }

  /** Interns the `n` segments of `parts` into the scratch sequence; returns n. */
  private internSegments(buf: Uint8Array, n: number): number {
    const { starts, ends, marks, hashes } = this.parts;
    for (let i = 0; i < n; i++) {
      const mark = marks[i]!;
      this.put(i, mark >= 0 ? mark : this.segments.internHashed(buf, starts[i]!, ends[i]!, hashes[i]!));
    }
    return n;
  }

  /**
   * The sequence of a target that is not a plain path (empty, not starting with `/`, or matching a
   * template), written with `put`; returns its length, or 0 for a plain path.
   */
  private otherSequence(buf: Uint8Array, start: number, end: number): number {
    let stop = start;
    while (stop < end && buf[stop] !== 63 && buf[stop] !== 35) stop++;
    if (stop - start > 1 && buf[stop - 1] === 47) stop--;
    if (stop === start) return this.put(0, this.segments.intern(buf, start, start));
    if (buf[start] !== 47) {
      this.put(0, RAW);
      return this.put(1, this.segments.intern(buf, start, stop));
    }
    for (let t = 0; t < this.templates.length; t++) {
      if (this.templates[t]!.matches(buf, start, stop)) return this.put(0, -2 - t);
    }
    return 0;
  }

  /** The paths in id order (the table's own arrays: transfer them only when this table is done with). */
  snapshot(): PathTableSnapshot {
    return { segments: this.segments.snapshot(), seqs: this.seqs, seqSpans: this.seqSpans, hits: this.hitCounts, count: this.count };
  }

  /**
   * Adds the paths of another table (one that read the next part of the same input, with the same
   * templates) with their hits; returns the id here of each of its path ids. Segments and paths new
   * here are numbered in `snap`'s order, so the ids are those one table reading both parts would give.
   */
  absorb(snap: PathTableSnapshot): Int32Array {
    const segIds = this.segments.internSnapshot(snap.segments);
    const ids = new Int32Array(snap.count);
    for (let p = 0; p < snap.count; p++) {
      const off = snap.seqSpans[2 * p]!;
      const n = snap.seqSpans[2 * p + 1]!;
      // negative segments (a raw target, a template) mean the same in both tables
      for (let i = 0; i < n; i++) {
        const seg = snap.seqs[off + i]!;
        this.put(i, seg >= 0 ? segIds[seg]! : seg);
      }
      const id = this.internSequence(n);
      this.hitCounts[id]! += snap.hits[p]!;
      ids[p] = id;
    }
    return ids;
  }

  /** Writes segment `seg` at position i of the scratch sequence; returns i + 1. */
  private put(i: number, seg: number): number {
    if (i >= this.scratch.length) {
      const bigger = new Int32Array(this.scratch.length * 2);
      bigger.set(this.scratch);
      this.scratch = bigger;
    }
    this.scratch[i] = seg;
    return i + 1;
  }

  private internSequence(n: number): number {
    if (this.table.length === 0) this.rehashAll();
    const seq = this.scratch;
    let h = 0x811c9dc5 | 0;
    for (let i = 0; i < n; i++) h = Math.imul(h ^ seq[i]!, 0x01000193);
    const table = this.table;
    const mask = (table.length >> 1) - 1;
    let slot = h & mask;
    for (;;) {
      const id = table[2 * slot]!;
      if (id < 0) break;
      if (table[2 * slot + 1] === h && this.seqSpans[2 * id + 1] === n) {
        const off = this.seqSpans[2 * id]!;
        let i = 0;
        while (i < n && this.seqs[off + i] === seq[i]) i++;
        if (i === n) return id;
      }
      slot = (slot + 1) & mask;
    }
    const id = this.count++;
    if (id >= this.hitCounts.length) {
      this.seqSpans = grownInt32(this.seqSpans);
      const hits = new Float64Array(this.hitCounts.length * 2);
      hits.set(this.hitCounts);
      this.hitCounts = hits;
    }
    if (this.seqsUsed + n > this.seqs.length) this.seqs = grownInt32(this.seqs, this.seqsUsed + n);
    // a copy loop, not seqs.set(seq.subarray(0, n)): a view per new path cost more than its ~3 ids
    for (let i = 0; i < n; i++) this.seqs[this.seqsUsed + i] = seq[i]!;
    this.seqSpans[2 * id] = this.seqsUsed;
    this.seqSpans[2 * id + 1] = n;
    this.seqsUsed += n;
    table[2 * slot] = id;
    table[2 * slot + 1] = h;
    if (this.count * 4 > table.length) this.rehash();
    return id;
  }

  /** Rebuilds the table from the stored sequences (after releaseLookups). */
  private rehashAll(): void {
    let cap = 2048;
    while (cap < this.count * 2 + 2) cap *= 2;
    const table = emptyTable(cap);
    for (let id = 0; id < this.count; id++) {
      let h = 0x811c9dc5 | 0;
      const off = this.seqSpans[2 * id]!;
      for (let i = 0; i < this.seqSpans[2 * id + 1]!; i++) h = Math.imul(h ^ this.seqs[off + i]!, 0x01000193);
      place(table, cap - 1, id, h);
    }
    this.table = table;
  }

  private rehash(): void {
    this.table = doubledTable(this.table);
  }

  /** Number of segments of a path. */
  length(id: number): number {
    return this.seqSpans[2 * id + 1]!;
  }

  /** Segment `i` of a path. */
  segmentAt(id: number, i: number): number {
    return this.seqs[this.seqSpans[2 * id]! + i]!;
  }

  /**
   * Drops the hash tables once the pass is over (exact mode): 6–10 MB on 170k distinct paths, freed
   * before the post-pass allocates. Paths and segments stay readable; a later `intern` rebuilds them.
   */
  releaseLookups(): void {
    this.segments.releaseLookups();
    this.table = new Int32Array(0);
  }

  /** The segment ids of a path (a view). */
  sequence(id: number): Int32Array {
    const off = this.seqSpans[2 * id]!;
    return this.seqs.subarray(off, off + this.seqSpans[2 * id + 1]!);
  }

  hits(id: number): number {
    return this.hitCounts[id]!;
  }

  /** The user template a path matched, or null. */
  template(id: number): RouteTemplate | null {
    const first = this.seqs[this.seqSpans[2 * id]!]!;
    return first <= -2 ? this.templates[-2 - first]! : null;
  }

  /** The path as text (`/api/users/:id`), or the raw target when it is not a path. */
  path(id: number): string {
    const seq = this.sequence(id);
    const t = this.template(id);
    if (t) return t.text;
    if (seq[0] === RAW) return this.segments.name(seq[1]!);
    let out = '';
    for (let i = 0; i < seq.length; i++) out += `/${this.segments.name(seq[i]!)}`;
    return out;
  }

  /** Bytes held. */
  get bytes(): number {
    return this.segments.bytes + this.seqs.byteLength + this.seqSpans.byteLength + this.hitCounts.byteLength + this.table.byteLength;
  }
}

function grownInt32(a: Int32Array<ArrayBuffer>, atLeast = 0): Int32Array<ArrayBuffer> {
  const b = new Int32Array(Math.max(a.length * 2, atLeast));
  b.set(a);
  return b;
}

// ---------------------------------------------------------------------------------------------------
// step 2: inference over the distinct paths

export interface RouteInferenceOptions {
  /** Distinct values a group needs to be variable (default 10). */
  minDistinct?: number;
  /** A value is rare at or below this share of its prefix's requests (default 0.01). */
  rareShare?: number;
}

/**
 * The result of inference: a route for every path id, and a resolver for paths seen later.
 *
 * The tree is built one depth at a time over typed arrays, not as objects: every path points at its
 * node at the current depth; its next segment gives a candidate child per (node, segment); the
 * candidates of each node are settled by the rules above, and the paths move to the surviving
 * nodes, so merged values merge their subtrees. On 171k distinct paths (1M nginx lines) a tree of
 * objects held ~90 MB; this holds a few MB.
 */
export class RouteInference {
  private readonly known: number;
  /** Final node of each path known at inference; -1 for raw targets and templates. */
  private readonly nodeOfPath: Int32Array;
  private readonly nodeParent: number[] = [-1];
  private readonly nodeSeg: number[] = [-1];
  private readonly nodeText: (string | undefined)[] = ['/'];
  /** Surviving literal edges (node, segment) → child, and per node its parameter child. */
  private readonly edges = new PairTable();
  private readonly paramChild = new Map<number, number>();

  private constructor(
    private readonly table: PathTable,
    minDistinct: number,
    rareShare: number,
  ) {
    const P = table.size;
    this.known = P;
    this.nodeOfPath = new Int32Array(P).fill(-1);
    const cur = new Int32Array(P);
    const active = new Int32Array(P);
    let A = 0;
    for (let id = 0; id < P; id++) if (table.segmentAt(id, 0) >= 0) active[A++] = id;
    const pairs = new PairTable(1024);
    const bySeg: SegmentSlots = { node: new Int32Array(table.segments.size), cand: new Int32Array(table.segments.size) };
    // the candidates' arrays, allocated once for the first depth (the largest: later depths have
    // fewer paths) and reused, not a set of ~6 MB per depth (171k paths); the RSS of the inference
    // step did not measurably change with it (+12-14 MB either way on the bench's nginx lines)
    const cParent = new Int32Array(A);
    const cSeg = new Int32Array(A);
    const cHits = new Float64Array(A);
    const pathCand = new Int32Array(A);
    const target = new Int32Array(A);
    const toParam = new Uint8Array(A);
    const shapes = new Uint8Array(A);
    const byParent = new Int32Array(A);
    for (let d = 0; A > 0; d++) {
      // candidates: (node, segment) pairs at this depth, with their hits
      pairs.clear();
      bySeg.node.fill(-1);
      cHits.fill(0, 0, A);
      const C = collectCandidates(table, active, A, d, cur, pairs, bySeg, cParent, cSeg, cHits, pathCand);
      // candidates grouped by parent node, each group settled
      const nodes = this.nodeParent.length;
      const start = new Int32Array(nodes + 1);
      groupByParent(cParent, C, start, byParent);
      // candidates that become their node's parameter (a candidate has one parent: cleared per depth)
      toParam.fill(0, 0, C);
      for (let v = 0; v < nodes; v++) {
        if (start[v + 1]! > start[v]!) this.settleChildren(v, byParent.subarray(start[v]!, start[v + 1]!), cSeg, cHits, target, toParam, shapes, minDistinct, rareShare);
      }
      A = advance(table, active, A, d, cur, target, pathCand, this.nodeOfPath);
    }
  }

  /** Infers routes for every path of `table` (paths matching a template keep it). */
  static infer(table: PathTable, options: RouteInferenceOptions = {}): RouteInference {
    return new RouteInference(table, options.minDistinct ?? 10, options.rareShare ?? 0.01);
  }

  /** Paths known at inference (ids below this have a route; later ones are resolved). */
  get pathCount(): number {
    return this.known;
  }

  /**
   * The route node of a path (paths with the same node have the same route), or -1 when the path is
   * no inferred route (a raw target, a template, or a segment the tree does not know). Paths seen
   * after inference are resolved: literal where the tree knows the segment, else its parameter.
   */
  nodeOf(id: number): number {
    if (id < this.known) return this.nodeOfPath[id]!;
    const n = this.table.length(id);
    if (this.table.segmentAt(id, 0) < 0) return -1;
    let node = 0;
    for (let i = 0; i < n && node >= 0; i++) {
      const seg = this.table.segmentAt(id, i);
      const literal = seg >= RESERVED.length ? this.edges.get(node, seg) : -1;
      node = literal >= 0 ? literal : (this.paramChild.get(node) ?? -1);
    }
    return node;
  }

  /** The route of a path id. */
  routeOf(id: number): string {
    const node = this.nodeOf(id);
    if (node >= 0) return this.text(node);
    if (this.table.segmentAt(id, 0) < 0) return this.table.path(id);
    // a path leaving the known tree after inference: known prefix, then its own segments
    let out = '';
    let at = 0;
    const n = this.table.length(id);
    for (let i = 0; i < n; i++) {
      const seg = this.table.segmentAt(id, i);
      let next = -1;
      if (at >= 0) {
        const literal = seg >= RESERVED.length ? this.edges.get(at, seg) : -1;
        next = literal >= 0 ? literal : (this.paramChild.get(at) ?? -1);
      }
      out += `/${this.table.segments.name(next >= 0 ? this.nodeSeg[next]! : seg)}`;
      at = next;
    }
    return out;
  }

  private newNode(parent: number, seg: number): number {
    const id = this.nodeParent.length;
    this.nodeParent.push(parent);
    this.nodeSeg.push(seg);
    this.nodeText.push(undefined);
    return id;
  }

  /** The route text of a node. */
  text(node: number): string {
    let t = this.nodeText[node];
    if (t === undefined) {
      const parent = this.nodeParent[node]!;
      const name = this.table.segments.name(this.nodeSeg[node]!);
      t = parent === 0 ? `/${name}` : `${this.text(parent)}/${name}`;
      this.nodeText[node] = t;
    }
    return t;
  }

  /** Decides the children of `parent`: literals stay, variable families and parameters merge. */
  private settleChildren(parent: number, list: Int32Array, cSeg: Int32Array, cHits: Float64Array, target: Int32Array, toParam: Uint8Array, shapes: Uint8Array, minDistinct: number, rareShare: number): void {
    if (list.length >= minDistinct) variableValues(list, cSeg, cHits, this.table.segments, minDistinct, rareShare, toParam, shapes);
    // parameters at one position are one parameter (a hex id that happens to be all digits next to
    // hex ids; product codes next to codes that look like hex): the most used kind names it
    const kind = parameterKind(list, cSeg, cHits, toParam);
    let paramNode = -1;
    if (kind >= 0) {
      paramNode = this.newNode(parent, kind);
      this.paramChild.set(parent, paramNode);
    }
    for (let k = 0; k < list.length; k++) {
      const c = list[k]!;
      const seg = cSeg[c]!;
      if (seg < RESERVED.length || toParam[c] === 1) {
        target[c] = paramNode;
      } else {
        const node = this.newNode(parent, seg);
        this.edges.set(parent, seg, node);
        target[c] = node;
      }
    }
  }
}

/*
 * The loops of inference are functions of their own, taking what they use as arguments: inside one
 * large function they were deoptimized once per depth and per large node (--trace-deopt).
 */

function collectCandidates(
  table: PathTable,
  active: Int32Array,
  A: number,
  d: number,
  cur: Int32Array,
  pairs: PairTable,
  bySeg: SegmentSlots,
  cParent: Int32Array,
  cSeg: Int32Array,
  cHits: Float64Array,
  pathCand: Int32Array,
): number {
  let C = 0;
  const nodeOf = bySeg.node;
  const candOf = bySeg.cand;
  for (let k = 0; k < A; k++) {
    const id = active[k]!;
    const seg = table.segmentAt(id, d);
    const node = cur[id]!;
    // a segment mostly sits under one node at a depth: its first (node, candidate) is kept by segment
    // id, and only a segment met under a second node goes through the hash table
    let c: number;
    const first = seg >= 0 ? nodeOf[seg]! : -2;
    if (first === node) {
      c = candOf[seg]!;
    } else {
      c = first === -1 ? -1 : pairs.get(node, seg);
      if (c < 0) {
        c = C++;
        if (first === -1) {
          nodeOf[seg] = node;
          candOf[seg] = c;
        } else {
          pairs.set(node, seg, c);
        }
        cParent[c] = node;
        cSeg[c] = seg;
      }
    }
    cHits[c]! += table.hits(id);
    pathCand[k] = c;
  }
  return C;
}

/**
 * Per segment id, the node under which it was first met at the current depth (-1: not yet) and that
 * (node, segment)'s candidate: an array look-up instead of a hash probe for the 171k distinct
 * segments of 1M nginx lines (collecting the candidates: ~40 → ~15 ms).
 */
interface SegmentSlots {
  node: Int32Array;
  cand: Int32Array;
}

/** Candidates ordered by parent node (a counting sort) into `byParent`; `start[v]..start[v+1]` are node v's. */
function groupByParent(cParent: Int32Array, C: number, start: Int32Array, byParent: Int32Array): void {
  const nodes = start.length - 1;
  for (let c = 0; c < C; c++) start[cParent[c]! + 1]!++;
  for (let v = 0; v < nodes; v++) start[v + 1]! += start[v]!;
  const fill = start.slice(0, nodes);
  for (let c = 0; c < C; c++) byParent[fill[cParent[c]!]!++] = c;
}

/** Moves every active path to its node at depth d; keeps the ones that go deeper. Returns how many. */
function advance(table: PathTable, active: Int32Array, A: number, d: number, cur: Int32Array, target: Int32Array, pathCand: Int32Array, nodeOfPath: Int32Array): number {
  let next = 0;
  for (let k = 0; k < A; k++) {
    const id = active[k]!;
    cur[id] = target[pathCand[k]!]!;
    if (table.length(id) > d + 1) active[next++] = id;
    else nodeOfPath[id] = cur[id]!;
  }
  return next;
}

/**
 * Marks (`toParam[c] = 1`) the candidates of a node that are values of a variable family (they become
 * the parameter). Families are the candidates of one shape (a 6-bit mask); each is judged on its
 * counts alone, so three passes over typed arrays do it: shapes and per-family sums, the verdict per
 * family, the marks (`shapes`: scratch of a byte per candidate). Arrays of members per family were
 * deoptimized 4–5 times per run of inference (--trace-deopt).
 */
function variableValues(list: Int32Array, cSeg: Int32Array, cHits: Float64Array, segments: KeyCache, minDistinct: number, rareShare: number, toParam: Uint8Array, shapes: Uint8Array): void {
  let total = 0;
  for (let k = 0; k < list.length; k++) total += cHits[list[k]!]!;
  const rareAt = Math.max(total * rareShare, 2);
  const members = new Int32Array(64);
  const rare = new Int32Array(64);
  const hits = new Float64Array(64);
  for (let k = 0; k < list.length; k++) {
    const c = list[k]!;
    const seg = cSeg[c]!;
    if (seg < RESERVED.length || segments.byteLength(seg) === 0) {
      shapes[k] = NO_SHAPE;
      continue;
    }
    const shape = segments.shape(seg);
    shapes[k] = shape;
    members[shape]!++;
    hits[shape]! += cHits[c]!;
    if (cHits[c]! <= rareAt) rare[shape]!++;
  }
  // a family is variable with 10+ values, 90 % of them rare, repeating at most 50 times on average
  const variable = new Uint8Array(64);
  for (let shape = 0; shape < 64; shape++) {
    const m = members[shape]!;
    if (m >= minDistinct && rare[shape]! >= 0.9 * m && m / hits[shape]! >= 0.02) variable[shape] = 1;
  }
  // frequent words stay: /api/products/search next to /api/products/:param
  for (let k = 0; k < list.length; k++) {
    const shape = shapes[k]!;
    if (shape === NO_SHAPE || variable[shape] === 0) continue;
    const c = list[k]!;
    if (cHits[c]! <= rareAt || (shape & 4) !== 0) toParam[c] = 1;
  }
}

/** Shape of a candidate that is a parameter already or empty (in no family). */
const NO_SHAPE = 255;

/** The segment naming the parameter child of a node (the most used parameter kind), or -1 for none. */
function parameterKind(list: Int32Array, cSeg: Int32Array, cHits: Float64Array, toParam: Uint8Array): number {
  const hits = new Float64Array(RESERVED.length);
  let any = false;
  for (let k = 0; k < list.length; k++) {
    const c = list[k]!;
    const seg = toParam[c] === 1 ? SEG_PARAM : cSeg[c]!;
    if (seg < RESERVED.length) {
      hits[seg]! += cHits[c]!;
      any = true;
    }
  }
  if (!any) return -1;
  let best = 0;
  for (let seg = 1; seg < RESERVED.length; seg++) if (hits[seg]! > hits[best]!) best = seg;
  return best;
}
