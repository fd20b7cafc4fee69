/**
 * A tiny /proc reader for the default process metrics (Linux). `root` is injectable so tests can use a
 * fixture tree. Every reader returns undefined when the file is missing or unreadable: metrics then
 * simply do not report, they never throw into a scrape.
 */
import { readdirSync, readFileSync } from 'fs';
import { join } from 'node:path';

export const PROC_ROOT = '/proc';

function read(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
}

/** VmRSS, VmSize and VmData of /proc/<pid>/status, in bytes. */
export function readStatusMemory(root = PROC_ROOT, pid: number | 'self' = 'self'): { rss: number; vsize: number; data: number } | undefined {
  const text = read(join(root, String(pid), 'status'));
  if (text === undefined) return undefined;
  const field = (name: string): number => {
    const m = new RegExp(`^${name}:\\s+(\\d+)\\s*kB`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : NaN;
  };
  return { rss: field('VmRSS'), vsize: field('VmSize'), data: field('VmData') };
}

/** Number of open file descriptors (entries of /proc/<pid>/fd, minus the one used to list it for self). */
export function countOpenFds(root = PROC_ROOT, pid: number | 'self' = 'self'): number | undefined {
  try {
    const n = readdirSync(join(root, String(pid), 'fd')).length;
    return pid === 'self' && root === PROC_ROOT ? n - 1 : n;
  } catch {
    return undefined;
  }
}

/** The soft "Max open files" limit from /proc/<pid>/limits. */
export function readMaxFds(root = PROC_ROOT, pid: number | 'self' = 'self'): number | undefined {
  const text = read(join(root, String(pid), 'limits'));
  if (text === undefined) return undefined;
  const m = /^Max open files\s+(\d+|unlimited)/m.exec(text);
  if (!m) return undefined;
  return m[1] === 'unlimited' ? Infinity : Number(m[1]);
}
