/**
 * Process trees from a /proc scan: every PID with its parent and start time, the descendants of a
 * PID, and command lines. No `ps`, no child processes.
 */
import { readdirSync } from 'node:fs';
import { PerfscopeError, isErrno } from '../core/errors.js';
import { emptyStatRecord, parseStat } from './process.js';
import { readProcFileOnce } from './procfs.js';
import type { ProcEntry } from './types.js';

const VANISHED = ['ENOENT', 'ESRCH', 'EACCES', 'EPERM'];

function isPidName(name: string): boolean {
  if (name.length === 0) return false;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

/**
 * One row per process in `procRoot` (numeric entries only), from one open + read + close of each
 * /proc/N/stat. Processes that exit mid-scan (or whose stat cannot be read) are left out; an
 * unlistable `procRoot` throws PerfscopeError ENOTFOUND.
 */
export function scanProcesses(procRoot = '/proc'): ProcEntry[] {
  const entries: ProcEntry[] = [];
  const stat = emptyStatRecord();
  let names: string[];
  try {
    names = readdirSync(procRoot);
  } catch (err) {
    throw new PerfscopeError('ENOTFOUND', `cannot list ${procRoot}: ${(err as Error).message}`, { cause: err });
  }
  for (const name of names) {
    if (!isPidName(name)) continue;
    let text: string;
    try {
      text = readProcFileOnce(`${procRoot}/${name}/stat`);
    } catch (err) {
      if (isErrno(err, ...VANISHED)) continue;
      throw err;
    }
    if (!parseStat(text, stat)) continue;
    entries.push({ pid: Number(name), ppid: stat.ppid, startTimeTicks: stat.startTimeTicks });
  }
  return entries;
}

/** Every descendant of `rootPid` in `entries` (children, grandchildren, ...; not the root), breadth first. */
export function descendantsOf(rootPid: number, entries: readonly ProcEntry[]): number[] {
  const children = new Map<number, number[]>();
  for (const e of entries) {
    const list = children.get(e.ppid);
    if (list) list.push(e.pid);
    else children.set(e.ppid, [e.pid]);
  }
  const out: number[] = [];
  const seen = new Set<number>([rootPid]);
  const queue: number[] = [rootPid];
  for (let head = 0; head < queue.length; head++) {
    for (const child of children.get(queue[head] as number) ?? []) {
      if (seen.has(child)) continue; // a torn scan (PID reuse mid-scan) must not loop
      seen.add(child);
      out.push(child);
      queue.push(child);
    }
  }
  return out;
}

/**
 * The command line of `pid` with its NUL separators turned into spaces, or null when it is empty
 * (kernel threads, zombies) or the process is gone or unreadable.
 */
export function readCmdline(pid: number, procRoot = '/proc'): string | null {
  let text: string;
  try {
    text = readProcFileOnce(`${procRoot}/${pid}/cmdline`, 'utf8');
  } catch (err) {
    if (isErrno(err)) return null;
    throw err;
  }
  let end = text.length;
  while (end > 0 && text.charCodeAt(end - 1) === 0) end--;
  if (end === 0) return null;
  return text.slice(0, end).replaceAll('\0', ' ');
}
