/**
 * The processes a Sampler follows: the root and, with children, every descendant found since (membership
 * is sticky across re-parenting). Discovery, one kept-open ProcessReader per member, and the events a
 * member's life gives: started (first seen), exec (its name changed) and exited. A zombie (state Z) has
 * exited: it leaves the tree at the first read that sees it and is never adopted.
 */
import { ProcessReader, hasChildrenFiles, type ProcessReaderOptions } from './process.js';
import { readCmdline, scanProcesses } from './tree.js';
import type { ProcessCarry } from './rows.js';
import type { ProcessInfo } from './sample.js';
import type { ProcEntry, ProcessSnapshot } from './types.js';

/** A followed process: its reader, the name last announced for it, and its per-process row's carry. */
export interface Member extends ProcessCarry {
  reader: ProcessReader;
  comm: string;
}

/** Where a member's life is announced (the Sampler emits them as events). */
export interface MemberEvents {
  started(info: ProcessInfo): void;
  /**
   * A member's comm changed since it was announced while its start time did not: it exec'd another
   * program (the pyenv shim `bash` becoming `python`), or renamed itself (prctl PR_SET_NAME, which
   * `process.title` does). `info` has the new comm and command line.
   */
  exec(info: ProcessInfo): void;
  /** A member other than the root is gone (the root's end is the caller's: it ends the run). */
  exited(pid: number, t: number): void;
}

export interface TreeMembersOptions extends ProcessReaderOptions {
  rootPid: number;
  procRoot: string;
}

/** The members of one tree. Owned by one Sampler; not safe to share between threads. */
export class TreeMembers {
  readonly members = new Map<number, Member>();
  private readonly rootPid: number;
  private readonly readerOptions: ProcessReaderOptions;
  private readonly procRoot: string;
  private readonly events: MemberEvents;
  private root: Member | null = null;
  /** Whether discovery lists task/TID/children files (decided at the first discovery) or scans /proc. */
  private childrenFiles: boolean | undefined;
  /**
   * Zombies among the descendants (PID -> start time), so discovery does not open them again on every
   * tick until their parent reaps them; an entry goes once discovery no longer lists the PID.
   */
  private readonly zombies = new Map<number, number>();

  constructor(options: TreeMembersOptions, events: MemberEvents) {
    const { rootPid, ...readerOptions } = options;
    this.rootPid = rootPid;
    this.readerOptions = readerOptions;
    this.procRoot = options.procRoot;
    this.events = events;
  }

  /** Opens the root (PerfscopeError ENOPROC/EACCESS if it cannot be read) and announces it at t = 0. */
  openRoot(): ProcessReader {
    const reader = new ProcessReader(this.rootPid, this.readerOptions);
    const first = reader.read();
    const comm = first?.comm ?? '';
    this.root = { reader, comm, prevOwnCpu: null, prevT: 0 };
    this.members.set(reader.pid, this.root);
    this.events.started({ pid: reader.pid, ppid: first?.ppid ?? 0, comm, cmdline: readCmdline(reader.pid, this.procRoot), t: 0 });
    return reader;
  }

  /** Opens and closes the root reader: throws as openRoot() would, announces nothing. */
  checkRoot(): void {
    new ProcessReader(this.rootPid, this.readerOptions).close();
  }

  /** The root's snapshot at `t`, or null once it has exited (its reader then closed and dropped). */
  readRoot(t: number): ProcessSnapshot | null {
    const root = this.root;
    if (root === null) return null;
    const snap = root.reader.read();
    if (snap === null || snap.state === 'Z') {
      this.dropRoot();
      return null;
    }
    if (snap.comm !== root.comm) this.renamed(root, snap, t);
    return snap;
  }

  /**
   * Reads every member into `live` (by PID). A member that has exited (gone, or a zombie) is dropped
   * and announced, except the root, which is only dropped: `live` then lacks it and the caller ends the run.
   */
  readAll(t: number, live: Map<number, ProcessSnapshot>): void {
    for (const [pid, m] of this.members) {
      const snap = m.reader.read();
      if (snap === null || snap.state === 'Z') {
        m.reader.close();
        this.members.delete(pid);
        if (snap !== null) this.zombies.set(pid, snap.startTimeTicks);
        if (pid === this.rootPid) this.root = null;
        else this.events.exited(pid, t);
        continue;
      }
      if (snap.comm !== m.comm) this.renamed(m, snap, t);
      live.set(pid, snap);
    }
  }

  /**
   * Adds descendants of members. Where the kernel has `task/TID/children` files, each member lists its
   * own children (a few preads per process); elsewhere, fixture trees included, one scan of every
   * process's stat finds them by ppid.
   */
  discover(t: number): void {
    this.childrenFiles ??= hasChildrenFiles(this.rootPid, this.procRoot);
    if (!this.childrenFiles) {
      this.discoverByScan(t);
      return;
    }
    const zombies = this.zombies;
    const listed = zombies.size > 0 ? new Set<number>() : null;
    const queue = [...this.members.keys()];
    for (let i = 0; i < queue.length; i++) {
      const kids = this.members.get(queue[i]!)?.reader.childPids();
      if (!kids) continue;
      for (const pid of kids) {
        listed?.add(pid);
        if (this.members.has(pid) || zombies.has(pid)) continue;
        // A member PID that was reused reads as gone this tick and is found again as new on the next.
        if (this.adopt(pid, queue[i]!, t)) queue.push(pid);
      }
    }
    if (listed !== null) for (const pid of zombies.keys()) if (!listed.has(pid)) zombies.delete(pid); // reaped
  }

  /** Releases every member's files. */
  close(): void {
    for (const m of this.members.values()) m.reader.close();
    this.members.clear();
    this.zombies.clear();
    this.root = null;
  }

  /** The member's comm changed at an unchanged start time: announce its new name and command line. */
  private renamed(m: Member, snap: ProcessSnapshot, t: number): void {
    m.comm = snap.comm;
    this.events.exec({ pid: snap.pid, ppid: snap.ppid, comm: snap.comm, cmdline: readCmdline(snap.pid, this.procRoot), t });
  }

  private dropRoot(): void {
    this.root?.reader.close();
    this.members.delete(this.rootPid);
    this.root = null;
  }

  private discoverByScan(t: number): void {
    const entries = scanProcesses(this.procRoot);
    const byParent = new Map<number, ProcEntry[]>();
    const zombies = this.zombies;
    const listed = zombies.size > 0 ? new Set<number>() : null;
    for (const e of entries) {
      if (zombies.get(e.pid) === e.startTimeTicks) listed?.add(e.pid);
      const list = byParent.get(e.ppid);
      if (list) list.push(e);
      else byParent.set(e.ppid, [e]);
    }
    const queue = [...this.members.keys()];
    for (let i = 0; i < queue.length; i++) {
      const kids = byParent.get(queue[i]!);
      if (!kids) continue;
      for (const k of kids) {
        const known = this.members.get(k.pid);
        if (known && known.reader.startTimeTicks === k.startTimeTicks) continue;
        if (zombies.get(k.pid) === k.startTimeTicks) continue;
        if (known) {
          // PID reused by a new process: the old one is gone.
          known.reader.close();
          this.members.delete(k.pid);
        }
        if (this.adopt(k.pid, k.ppid, t)) queue.push(k.pid);
      }
    }
    if (listed !== null) for (const pid of zombies.keys()) if (!listed.has(pid)) zombies.delete(pid); // reaped or reused
  }

  /**
   * Starts following a newly found descendant and announces it; false if it has already exited (gone,
   * or a zombie: remembered, so it is not opened again) or is unreadable.
   */
  private adopt(pid: number, ppid: number, t: number): boolean {
    let reader: ProcessReader;
    try {
      reader = new ProcessReader(pid, this.readerOptions);
    } catch {
      return false; // exited between the listing and the open, or not readable
    }
    const snap = reader.read();
    if (snap?.state === 'Z') {
      reader.close();
      this.zombies.set(pid, snap.startTimeTicks);
      return false;
    }
    const comm = snap?.comm ?? '';
    this.members.set(pid, { reader, comm, prevOwnCpu: null, prevT: t });
    this.events.started({ pid, ppid: snap?.ppid ?? ppid, comm, cmdline: readCmdline(pid, this.procRoot), t });
    return true;
  }
}
