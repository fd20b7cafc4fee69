/**
 * Process groups and the terminal, read from /proc: whether this process runs in the foreground of a
 * terminal, which processes belong to a group, and a process's start time (to tell a PID reused).
 */
import { readdirSync, readFileSync } from 'node:fs';

/** The fields of /proc/PID/stat after the command name, split; null when the process is gone. */
function statFields(pid: number | 'self', procRoot: string): string[] | null {
  let text: string;
  try {
    text = readFileSync(`${procRoot}/${pid}/stat`, 'latin1');
  } catch {
    return null;
  }
  // The command name is in parentheses and may hold spaces and ')': the fields start after the last ')'.
  const close = text.lastIndexOf(')');
  return close < 0 ? null : text.slice(close + 2).split(' ');
}

/** Field n of stat (1-based, as proc(5) numbers them; n >= 3). */
const field = (fields: string[], n: number): number => Number(fields[n - 3]);

/**
 * True when this process has a controlling terminal and its group is that terminal's foreground
 * group: then the terminal's Ctrl-C already reaches every process of the group, and a command moved
 * to a group of its own would be stopped (SIGTTIN/SIGTTOU) on its first read from the terminal.
 */
export function inTerminalForeground(procRoot = '/proc'): boolean {
  const f = statFields('self', procRoot);
  if (f === null) return false;
  const ttyNr = field(f, 7);
  const tpgid = field(f, 8);
  return ttyNr !== 0 && tpgid === field(f, 5);
}

/** Every process whose process group is `pgid` (one /proc scan). */
export function groupMembers(pgid: number, procRoot = '/proc'): number[] {
  const out: number[] = [];
  let names: string[];
  try {
    names = readdirSync(procRoot);
  } catch {
    return out;
  }
  for (const name of names) {
    const c = name.charCodeAt(0);
    if (c < 48 || c > 57) continue;
    const f = statFields(Number(name), procRoot);
    // A zombie waits for its parent to reap it: it runs nothing and cannot be signalled away.
    if (f !== null && field(f, 5) === pgid && f[0] !== 'Z') out.push(Number(name));
  }
  return out;
}

/** The process group of `pid` (stat field 5), or null when it is gone. */
export function processGroupOf(pid: number | 'self', procRoot = '/proc'): number | null {
  const f = statFields(pid, procRoot);
  return f === null ? null : field(f, 5);
}

/** The start time of `pid` in clock ticks since boot (stat field 22), or null when it is gone. */
export function startTimeTicks(pid: number | 'self', procRoot = '/proc'): number | null {
  const f = statFields(pid, procRoot);
  return f === null ? null : field(f, 22);
}

/** The short name of a process (/proc/PID/comm), or '?' when it is gone. */
export function commOf(pid: number, procRoot = '/proc'): string {
  try {
    return readFileSync(`${procRoot}/${pid}/comm`, 'utf8').trimEnd();
  } catch {
    return '?';
  }
}

/** Whether a process is a zombie or gone (exited, waiting to be reaped). */
export function exitedOrGone(pid: number, procRoot = '/proc'): boolean {
  const f = statFields(pid, procRoot);
  return f === null || f[0] === 'Z' || f[0] === 'X';
}
