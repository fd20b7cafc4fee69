/**
 * Child processes of a bench: one-shot workers that print one JSON line, and long-running monitors
 * that print `ready` once set up and a JSON line when sent SIGTERM. Every child runs from the repo
 * root.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/** Debian's python3-psutil is installed for /usr/bin/python3, not for a `python3` earlier on PATH. */
export const systemPython = '/usr/bin/python3';

/** argv for running a JavaScript file (see compile.ts) with the current node, no loader. */
export function nodeJs(file: string, args: readonly string[] = []): [string, string[]] {
  return [process.execPath, [file, ...args]];
}

/** argv for running a Python file of bench/lib with the system Python. */
export function python(file: string, args: readonly string[] = []): [string, string[]] {
  return [systemPython, ['-u', fileURLToPath(new URL(file, import.meta.url)), ...args]];
}

function lastJsonLine(stdout: string): unknown {
  const lines = stdout.trim().split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i]!.trim();
    if (line.startsWith('{')) return JSON.parse(line);
  }
  throw new Error(`no JSON line in output: ${JSON.stringify(stdout.slice(-300))}`);
}

function describe(cmd: string, args: readonly string[]): string {
  return [cmd, ...args].map((a) => a.replace(repoRoot, '')).join(' ');
}

/** Runs a worker to completion and returns the last JSON line it printed. */
export function runJson<T>([cmd, args]: [string, string[]]): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      if (code !== 0) {
        reject(new Error(`${describe(cmd, args)} exited with ${code ?? signal}: ${err.trim().slice(-2000)}`));
        return;
      }
      try {
        resolve(lastJsonLine(out) as T);
      } catch (e) {
        reject(e instanceof Error ? new Error(`${describe(cmd, args)}: ${e.message}`) : e);
      }
    });
  });
}

/** A long-running child that has printed `ready`. */
export interface Service<T> {
  pid: number;
  child: ChildProcess;
  /** Sends SIGTERM and resolves with the JSON line the child prints on its way out. */
  stop(): Promise<T>;
  /** SIGKILL, for cleanup after a failure. */
  kill(): void;
}

/** Starts a child and resolves once it prints a line `ready`; rejects if it exits first or takes > timeoutMs. */
export function startService<T>([cmd, args]: [string, string[]], timeoutMs = 30_000): Promise<Service<T>> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let ready = false;
    let exited = false;
    let onClose: (() => void) | null = null;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${describe(cmd, args)} not ready after ${timeoutMs} ms: ${err.trim().slice(-2000)}`));
    }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (!ready && /^ready$/m.test(out)) {
        ready = true;
        clearTimeout(timer);
        resolve({
          pid: child.pid!,
          child,
          stop: () =>
            new Promise<T>((res, rej) => {
              onClose = () => {
                try {
                  res(lastJsonLine(out) as T);
                } catch (e) {
                  rej(new Error(`${describe(cmd, args)}: ${(e as Error).message}; stderr: ${err.trim().slice(-2000)}`));
                }
              };
              if (exited) onClose();
              else child.kill('SIGTERM');
            }),
          kill: () => {
            if (!exited) child.kill('SIGKILL');
          },
        });
      }
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      exited = true;
      clearTimeout(timer);
      if (!ready) reject(new Error(`${describe(cmd, args)} exited with ${code ?? signal} before ready: ${err.trim().slice(-2000)}`));
      else onClose?.();
    });
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
