/**
 * A writable fake /proc for Sampler tests: a copy of test/fixtures/proc (the system files and process
 * 4242, whose parent is 4200) whose process files a test rewrites between ticks of a FakeClock. Only
 * what the readers parse is written: stat (times, state, comm, start time), status (Name, VmHWM, VmRSS),
 * cmdline, and the fd and io files of added children. Call `cleanup()` at the end.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const fixture = fileURLToPath(new URL('../fixtures/proc/', import.meta.url));

/** CPU times in clock ticks (100 a second in the fixture): own user/system, reaped children's. */
export interface Ticks {
  u: number;
  s: number;
  cu?: number;
  cs?: number;
}

export interface StatExtras {
  /** One-letter state; default 'S'. 'Z' makes a zombie. */
  state?: string;
  /** The comm between the parentheses; default `w <pid>`. */
  comm?: string;
  /** Start time in clock ticks since boot (fixes the process's identity); default 81326 for 4242. */
  start?: number;
}

export interface FakeProcfs {
  root: string;
  /** The cgroup root to pass along (a path with no cgroup files: no limits). */
  cgroupRoot: string;
  stat(pid: number, ppid: number, t: Ticks, start?: number, extras?: StatExtras): void;
  /** Rewrites `VmRSS`/`VmHWM` of the process's status (kB), and `Name` when given. */
  status(pid: number, fields: { rssKb?: number; hwmKb?: number; name?: string }): void;
  cmdline(pid: number, argv: string[]): void;
  /** A child of `ppid` with a status and io copied from 4242, one fd, cmdline `worker --id PID`, start 90000+PID. */
  addChild(pid: number, ppid: number): void;
  remove(pid: number): void;
  cleanup(): void;
}

export function fakeProcfs(): FakeProcfs {
  const root = mkdtempSync(join(tmpdir(), 'perfscope-fakeproc-'));
  cpSync(fixture, root, { recursive: true });
  rmSync(join(root, '4243'), { recursive: true, force: true });
  const stat = (pid: number, ppid: number, t: Ticks, start?: number, extras: StatExtras = {}): void => {
    const st = extras.start ?? start ?? (pid === 4242 ? 81326 : 90000 + pid);
    writeFileSync(
      join(root, String(pid), 'stat'),
      `${pid} (${extras.comm ?? `w ${pid}`}) ${extras.state ?? 'S'} ${ppid} 6188 2950 0 -1 4194304 4962 7 11 3 ${t.u} ${t.s} ${t.cu ?? 0} ${t.cs ?? 0} 20 0 1 0 ${st} 1633185792 14512 18446744073709551615 0 0 0 0 0 0 0 16781312 17922 0 0 0 17 1 0 0 0 0 0\n`,
    );
  };
  const status = (pid: number, f: { rssKb?: number; hwmKb?: number; name?: string }): void => {
    const path = join(root, String(pid), 'status');
    let text = readFileSync(path, 'utf8');
    if (f.rssKb !== undefined) text = text.replace(/^VmRSS:.*$/m, `VmRSS:\t${String(f.rssKb).padStart(8)} kB`);
    if (f.hwmKb !== undefined) text = text.replace(/^VmHWM:.*$/m, `VmHWM:\t${String(f.hwmKb).padStart(8)} kB`);
    if (f.name !== undefined) text = text.replace(/^Name:.*$/m, `Name:\t${f.name}`);
    writeFileSync(path, text);
  };
  const cmdline = (pid: number, argv: string[]): void => writeFileSync(join(root, String(pid), 'cmdline'), argv.map((a) => `${a}\0`).join(''));
  const addChild = (pid: number, ppid: number): void => {
    const dir = join(root, String(pid));
    mkdirSync(join(dir, 'fd'), { recursive: true });
    writeFileSync(join(dir, 'fd', '0'), '');
    cpSync(join(root, '4242', 'status'), join(dir, 'status'));
    cpSync(join(root, '4242', 'io'), join(dir, 'io'));
    cmdline(pid, ['worker', '--id', String(pid)]);
    stat(pid, ppid, { u: 0, s: 0 });
  };
  const remove = (pid: number): void => rmSync(join(root, String(pid)), { recursive: true, force: true });
  stat(4242, 4200, { u: 1000, s: 500 });
  return { root, cgroupRoot: join(root, 'nocgroup'), stat, status, cmdline, addChild, remove, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}
