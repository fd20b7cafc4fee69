/**
 * For serve's integration tests: `perfscope serve` started as a user would (the built CLI), the
 * reference exporters (Debian's node_exporter and process-exporter) on free loopback ports, and a
 * small exposition parser so tests compare values, not regexes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { bin } from './cli.js';

export const NODE_EXPORTER = '/usr/bin/prometheus-node-exporter';
export const PROCESS_EXPORTER = '/usr/bin/prometheus-process-exporter';

export interface ServeProcess {
  child: ChildProcess;
  /** The first stdout line: the dashboard URL (ends with '/'). */
  url: string;
  stdout(): string;
  stderr(): string;
  /** Sends `signal` (default SIGTERM) and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

/** Starts `perfscope serve --port 0 ARGS`; resolves once it printed its URL (rejects if it exits first). */
export function startServe(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ServeProcess> {
  const child = spawn(process.execPath, [bin, 'serve', '--port', '0', ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      const first = out === '';
      out += d.toString();
      const nl = out.indexOf('\n');
      if (first && nl < 0) return;
      if (nl >= 0 && !(child as { resolved?: boolean }).resolved) {
        (child as { resolved?: boolean }).resolved = true;
        resolve({
          child,
          url: out.slice(0, nl),
          stdout: () => out,
          stderr: () => err,
          exited,
          stop: async (signal = 'SIGTERM') => {
            process.off('exit', killOnExit);
            if (child.exitCode === null && child.signalCode === null) child.kill(signal);
            return exited;
          },
        });
      }
    });
    void exited.then((code) => {
      process.off('exit', killOnExit);
      reject(new Error(`perfscope serve exited (${code}) before printing its URL:\n${err}`));
    });
  });
}

export interface Exporter {
  url: string;
  stop(): Promise<void>;
}

/** Starts a reference exporter listening on 127.0.0.1:`port` and waits until /metrics answers. */
export async function startExporter(binPath: string, args: string[], port: number): Promise<Exporter> {
  const child = spawn(binPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const killOnExit = (): void => void child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const stop = async (): Promise<void> => {
    process.off('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  const url = `http://127.0.0.1:${port}/metrics`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      if ((await fetch(url)).ok) return { url, stop };
    } catch {
      // not up yet
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`${binPath} did not answer on ${url}:\n${err}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A reason to skip when a binary is missing outside CI; in CI a missing binary fails the test. */
export function missingBinaries(...bins: string[]): string | false {
  const absent = bins.filter((b) => !existsSync(b));
  if (absent.length === 0) return false;
  if (process.env.CI) throw new Error(`CI: required binaries missing: ${absent.join(', ')} (.ci/run must install them)`);
  return `not installed: ${absent.join(', ')}`;
}

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses a text 0.0.4 exposition (label values unescaped). Throws on a malformed sample line. */
export function parseExposition(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    let i = 0;
    while (i < line.length && line[i] !== '{' && line[i] !== ' ') i++;
    const name = line.slice(0, i);
    const labels: Record<string, string> = {};
    if (line[i] === '{') {
      i++;
      while (line[i] !== '}') {
        const eq = line.indexOf('=', i);
        const key = line.slice(i, eq);
        if (line[eq + 1] !== '"') throw new Error(`bad label in ${line}`);
        let j = eq + 2;
        let v = '';
        while (line[j] !== '"') {
          if (line[j] === '\\') {
            const n = line[j + 1];
            v += n === 'n' ? '\n' : n === '"' ? '"' : n === '\\' ? '\\' : `\\${n}`;
            j += 2;
          } else v += line[j++];
        }
        labels[key] = v;
        i = j + 1;
        if (line[i] === ',') i++;
      }
      i++;
    }
    const rest = line.slice(i).trim().split(' ');
    const value = rest[0] === 'Nan' || rest[0] === 'NaN' ? NaN : Number(rest[0]);
    if (rest[0] === undefined || (Number.isNaN(value) && !/^nan$/i.test(rest[0]))) throw new Error(`bad value in ${line}`);
    out.push({ name, labels, value });
  }
  return out;
}

/** The value of the one sample of `name` whose labels include `where`, or undefined. */
export function valueOf(samples: Sample[], name: string, where: Record<string, string> = {}): number | undefined {
  return samples.find((s) => s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v))?.value;
}

export async function scrape(url: string, headers: Record<string, string> = {}): Promise<Sample[]> {
  const r = await fetch(url, { headers });
  if (!r.ok) throw new Error(`${url}: ${r.status}`);
  return parseExposition(await r.text());
}
