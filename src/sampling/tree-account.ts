/**
 * Cumulative counters of a process tree whose members come and go.
 *
 * Linux adds a reaped child's CPU time to its parent's cutime/cstime and its I/O to the parent's
 * /proc/PID/io, so "Σ of live members" alone would drop a child's time the moment it is reaped, and
 * "Σ of everything ever seen" would count it twice once the parent absorbs it. We hold a vanished
 * member's last totals as *pending* on its parent until the parent's counters have grown by as much
 * (the kernel's transfer), and move members whose parent is not tracked (orphans reaped by init, the
 * root reaped by us) into an *exited* bucket. The tree total is Σ live + Σ pending + exited, so CPU
 * time of children that already exited never vanishes and is never counted twice.
 */
import type { ProcessSnapshot } from './types.js';

/** Index of each counter in a tree vector. */
export const Counter = {
  cpuTotal: 0,
  cpuUser: 1,
  cpuSystem: 2,
  ioReadBytes: 3,
  ioWriteBytes: 4,
  ioReadChars: 5,
  ioWriteChars: 6,
  ioReadSyscalls: 7,
  ioWriteSyscalls: 8,
  minorFaults: 9,
  majorFaults: 10,
  voluntaryCtxSwitches: 11,
  involuntaryCtxSwitches: 12,
} as const;
export const counterCount = 13;
/** Counters the kernel moves into the parent on reap (CPU incl. children, and all of io). */
const absorbedUpTo = Counter.ioWriteSyscalls;

/** The counters of one process (own + reaped children, where the kernel folds them in). */
export function vectorOf(s: ProcessSnapshot): Float64Array {
  return vectorInto(s, new Float64Array(counterCount));
}

/** vectorOf into an existing vector (every counter is written); returns `v`. */
export function vectorInto(s: ProcessSnapshot, v: Float64Array): Float64Array {
  const own = s.preciseCpuSeconds ?? s.userSeconds + s.systemSeconds;
  v[Counter.cpuTotal] = own + s.childrenUserSeconds + s.childrenSystemSeconds;
  v[Counter.cpuUser] = s.userSeconds + s.childrenUserSeconds;
  v[Counter.cpuSystem] = s.systemSeconds + s.childrenSystemSeconds;
  if (s.io) {
    v[Counter.ioReadBytes] = s.io.readBytes;
    v[Counter.ioWriteBytes] = s.io.writeBytes;
    v[Counter.ioReadChars] = s.io.readChars;
    v[Counter.ioWriteChars] = s.io.writeChars;
    v[Counter.ioReadSyscalls] = s.io.readSyscalls;
    v[Counter.ioWriteSyscalls] = s.io.writeSyscalls;
  } else {
    for (let i = Counter.ioReadBytes; i <= Counter.ioWriteSyscalls; i++) v[i] = 0;
  }
  v[Counter.minorFaults] = s.minorFaults;
  v[Counter.majorFaults] = s.majorFaults;
  v[Counter.voluntaryCtxSwitches] = s.voluntaryCtxSwitches;
  v[Counter.involuntaryCtxSwitches] = s.involuntaryCtxSwitches;
  return v;
}

/** The part of a counter that grows when the process reaps a child (`v` is `vectorOf(s)`). */
function absorbingPart(s: ProcessSnapshot, v: Float64Array, i: number): number {
  switch (i) {
    case Counter.cpuTotal:
      return s.childrenUserSeconds + s.childrenSystemSeconds;
    case Counter.cpuUser:
      return s.childrenUserSeconds;
    case Counter.cpuSystem:
      return s.childrenSystemSeconds;
    default: {
      // /proc/PID/io folds reaped children in with the process's own I/O: the whole value grows.
      return v[i] ?? 0;
    }
  }
}

interface Member {
  snap: ProcessSnapshot;
  vec: Float64Array;
}

export class TreeAccount {
  private members = new Map<number, Member>();
  private pending = new Map<number, Float64Array>();
  private readonly exited = new Float64Array(counterCount);

  /**
   * Takes this tick's snapshots of the live members (keyed by PID) and returns the tree's cumulative
   * counters. Members missing from `live` are treated as gone.
   */
  update(live: Map<number, ProcessSnapshot>): Float64Array {
    // 1. Members that vanished: hand their totals (and what they held for their own children) on.
    for (const [pid, m] of this.members) {
      if (live.has(pid)) continue;
      const carried = m.vec.slice();
      const held = this.pending.get(pid);
      if (held) for (let i = 0; i < counterCount; i++) carried[i]! += held[i]!;
      this.pending.delete(pid);
      const parentPid = m.snap.ppid;
      if (live.has(parentPid) && this.members.has(parentPid)) {
        const p = this.pending.get(parentPid) ?? new Float64Array(counterCount);
        for (let i = 0; i <= absorbedUpTo; i++) p[i]! += carried[i]!;
        for (let i = absorbedUpTo + 1; i < counterCount; i++) this.exited[i]! += carried[i]!;
        this.pending.set(parentPid, p);
      } else {
        for (let i = 0; i < counterCount; i++) this.exited[i]! += carried[i]!;
      }
      this.members.delete(pid);
    }
    // 2. Parents absorb what they reaped: consume pending by the growth of their absorbing part.
    // Each vector is built once per tick (it was built twice per I/O counter: 12 Float64Arrays per
    // pending parent per tick) and the live ones are reused in step 3.
    let vectors: Map<number, Float64Array> | null = null;
    for (const [pid, p] of this.pending) {
      const before = this.members.get(pid);
      const now = live.get(pid);
      if (!before || !now) continue;
      const nowVec = vectorOf(now);
      (vectors ??= new Map()).set(pid, nowVec);
      let left = 0;
      for (let i = 0; i <= absorbedUpTo; i++) {
        const grown = absorbingPart(now, nowVec, i) - absorbingPart(before.snap, before.vec, i);
        if (grown > 0) p[i] = Math.max(0, p[i]! - grown);
        left += p[i]!;
      }
      if (left === 0) this.pending.delete(pid);
    }
    // 3. Record this tick's members and sum.
    const total = this.exited.slice();
    for (const [pid, snap] of live) {
      const vec = vectors?.get(pid) ?? vectorOf(snap);
      this.members.set(pid, { snap, vec });
      for (let i = 0; i < counterCount; i++) total[i]! += vec[i]!;
    }
    for (const p of this.pending.values()) for (let i = 0; i < counterCount; i++) total[i]! += p[i]!;
    return total;
  }
}
