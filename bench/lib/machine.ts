/** Facts about the machine a bench ran on, printed with every table (absolute numbers travel badly). */
import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';

export interface MachineFacts {
  date: string;
  cpuModel: string;
  nproc: number;
  kernel: string;
  memTotalGiB: number;
  node: string;
  processes: number;
}

export function machineFacts(): MachineFacts {
  return {
    date: new Date().toISOString(),
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    nproc: cpus().length,
    kernel: release(),
    memTotalGiB: totalmem() / 2 ** 30,
    node: process.version,
    processes: countProcesses(),
  };
}

export function countProcesses(): number {
  return readdirSync('/proc').filter((n) => /^\d+$/.test(n)).length;
}

/** `some avg10` of /proc/pressure/cpu (PSI, % of time some task waited for a CPU), or null without PSI. */
export function cpuPressureAvg10(): number | null {
  try {
    const m = /^some avg10=([\d.]+)/m.exec(readFileSync('/proc/pressure/cpu', 'latin1'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** The first line of `cmd args` (a version string), or null if it fails. */
export function versionOf(cmd: string, args: string[]): string | null {
  try {
    return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n')[0] ?? null;
  } catch {
    return null;
  }
}

/** `version` from node_modules/<name>/package.json, or null. */
export function packageVersion(name: string): string | null {
  try {
    const pkg = JSON.parse(readFileSync(new URL(`../../node_modules/${name}/package.json`, import.meta.url), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? null;
  } catch {
    return null;
  }
}
