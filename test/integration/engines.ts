/**
 * Real Prometheus / Pushgateway for integration tests: free ports on 127.0.0.1, temporary dirs,
 * readiness by polling /-/ready, and a shell watchdog so an engine dies with the test process
 * (even on SIGKILL of node) — no orphans.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const PROMETHEUS = '/usr/bin/prometheus';
export const PROMTOOL = '/usr/bin/promtool';
export const PUSHGATEWAY = '/usr/bin/prometheus-pushgateway';
export const VICTORIA_METRICS = '/usr/bin/victoria-metrics';

/** A reason to skip when a binary is missing outside CI; in CI a missing binary fails the test instead. */
export function missing(...bins: string[]): string | false {
  const absent = bins.filter((b) => !existsSync(b));
  if (absent.length === 0) return false;
  if (process.env.CI) throw new Error(`CI: required binaries missing: ${absent.join(', ')} (.ci/run must install prometheus, prometheus-pushgateway and victoria-metrics)`);
  return `not installed: ${absent.join(', ')} (apt-get install prometheus prometheus-pushgateway victoria-metrics)`;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

const WATCHDOG = `parent=$1; shift
"$@" & child=$!
trap 'kill $child 2>/dev/null; wait $child; exit 0' TERM INT
while kill -0 "$parent" 2>/dev/null && kill -0 "$child" 2>/dev/null; do sleep 0.3; done
kill $child 2>/dev/null; wait $child`;

export interface Engine {
  readonly url: string;
  readonly output: () => string;
  stop(): Promise<void>;
}

export async function startEngine(bin: string, args: string[], port: number, cleanup: string[] = [], readyPath = '/-/ready'): Promise<Engine> {
  const child: ChildProcess = spawn('sh', ['-c', WATCHDOG, 'sh', String(process.pid), bin, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const killOnExit = (): void => void child.kill('SIGTERM');
  process.once('exit', killOnExit);
  const url = `http://127.0.0.1:${port}`;
  const stop = async (): Promise<void> => {
    process.off('exit', killOnExit);
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(t);
    }
    for (const d of cleanup) rmSync(d, { recursive: true, force: true });
  };
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      const r = await fetch(`${url}${readyPath}`);
      if (r.ok) break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`${bin} did not become ready on ${url}:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, output: () => out, stop };
}

/** Polls an instant query until `accept` returns a value, or fails after `timeoutMs`. */
export async function queryUntil<T>(promUrl: string, query: string, accept: (result: PromResult[]) => T | undefined, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    const r = await fetch(`${promUrl}/api/v1/query?query=${encodeURIComponent(query)}`);
    const body = (await r.json()) as { status: string; data?: { result: PromResult[] } };
    last = JSON.stringify(body);
    if (body.status === 'success' && body.data) {
      const v = accept(body.data.result);
      if (v !== undefined) return v;
    }
    if (Date.now() > deadline) throw new Error(`query ${query} never satisfied; last answer ${last}`);
    await new Promise((res) => setTimeout(res, 250));
  }
}

export interface PromResult {
  metric: Record<string, string>;
  value: [number, string];
}

export interface PrometheusOptions {
  /** scrape_configs and other YAML after `global:` (default: none). */
  configTail?: string;
  /** Accept remote_write at /api/v1/write (--web.enable-remote-write-receiver). */
  remoteWriteReceiver?: boolean;
  /** TSDB directory (kept by stop() when given; a temp dir removed by stop() otherwise). */
  dataDir?: string;
  /** Listen port (default a free one); give the same port to restart "the same" server. */
  port?: number;
  scrapeIntervalSeconds?: number;
  extraArgs?: string[];
}

/** A real Prometheus on 127.0.0.1. */
export async function startPrometheus(o: PrometheusOptions = {}): Promise<Engine & { port: number; dataDir: string }> {
  const port = o.port ?? (await freePort());
  const dir = tempDir('perfscope-prom-');
  const dataDir = o.dataDir ?? join(dir, 'data');
  const config = join(dir, 'prometheus.yml');
  const every = o.scrapeIntervalSeconds ?? 1;
  writeFileSync(config, `global:\n  scrape_interval: ${every}s\n  scrape_timeout: ${every}s\n${o.configTail ?? ''}`);
  const args = [`--config.file=${config}`, `--storage.tsdb.path=${dataDir}`, `--web.listen-address=127.0.0.1:${port}`];
  if (o.remoteWriteReceiver) args.push('--web.enable-remote-write-receiver');
  args.push(...(o.extraArgs ?? []));
  const e = await startEngine(PROMETHEUS, args, port, [dir]);
  return { ...e, port, dataDir };
}

export interface VictoriaMetricsOptions {
  dataDir?: string;
  port?: number;
}

/**
 * A real VictoriaMetrics single node on 127.0.0.1, remote_write at `${url}/api/v1/write`. Its query
 * latency offset is cut to 1 s (default 30 s hides fresh samples); still poll with a 15 s+ timeout.
 */
export async function startVictoriaMetrics(o: VictoriaMetricsOptions = {}): Promise<Engine & { port: number; dataDir: string }> {
  const port = o.port ?? (await freePort());
  const dir = tempDir('perfscope-vm-');
  const dataDir = o.dataDir ?? join(dir, 'data');
  const args = [
    `-httpListenAddr=127.0.0.1:${port}`,
    `-storageDataPath=${dataDir}`,
    '-retentionPeriod=1y',
    '-search.latencyOffset=1s',
    '-search.disableCache',
    '-loggerLevel=WARN',
  ];
  const e = await startEngine(VICTORIA_METRICS, args, port, [dir], '/health');
  return { ...e, port, dataDir };
}

/** Polls a range-less query until `accept` returns a value (VictoriaMetrics: forces a flush first). */
export async function vmQueryUntil<T>(vmUrl: string, query: string, accept: (result: PromResult[]) => T | undefined, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  for (;;) {
    await fetch(`${vmUrl}/internal/force_flush`).catch(() => undefined);
    const r = await fetch(`${vmUrl}/api/v1/query?query=${encodeURIComponent(query)}`);
    const body = (await r.json()) as { status: string; data?: { result: PromResult[] } };
    last = JSON.stringify(body);
    if (body.status === 'success' && body.data) {
      const v = accept(body.data.result);
      if (v !== undefined) return v;
    }
    if (Date.now() > deadline) throw new Error(`query ${query} never satisfied; last answer ${last}`);
    await new Promise((res) => setTimeout(res, 500));
  }
}
