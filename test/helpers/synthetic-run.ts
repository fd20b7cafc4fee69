/**
 * Deterministic RunData for report tests and benches: CPU with bursts, RSS with a GC saw-tooth and a
 * slow leak, cumulative I/O, optional child processes, event-loop delay and missed samples.
 */
import type { ProcessSeries, RunData, RunEvent } from '../../src/core/run-data.js';

export interface SyntheticOptions {
  samples: number;
  intervalSeconds?: number;
  /** A one-sample CPU spike to this value at this index. */
  spike?: { index: number; cpuPercent: number };
  /** Add two child processes living over the middle third. */
  children?: boolean;
  /** Add event-loop delay columns (a monitor() of the current process). */
  loopDelay?: boolean;
  /** Indexes where the sampler missed its deadline (a gap: the sample is null). */
  missed?: number[];
  command?: string[] | null;
}

export function syntheticRun(o: SyntheticOptions): RunData {
  const n = o.samples;
  const dt = o.intervalSeconds ?? 0.1;
  const memTotal = 16 * 1024 ** 3;
  let seed = 42;
  const rand = (): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const timestamp = new Array<number>(n);
  const cpu = new Array<number | null>(n);
  const rss = new Array<number | null>(n);
  const memPct = new Array<number | null>(n);
  const ioR = new Array<number | null>(n);
  const ioW = new Array<number | null>(n);
  const p99 = new Array<number | null>(n);
  const lmax = new Array<number | null>(n);
  let r = 0;
  let w = 0;
  const missed = new Set(o.missed ?? []);
  for (let i = 0; i < n; i++) {
    timestamp[i] = Number((i * dt + (rand() - 0.5) * dt * 0.02).toFixed(6));
    if (i === 0) timestamp[i] = 0;
    const burst = Math.floor(i / 500) % 3 === 1 ? 60 : 0;
    cpu[i] = i === 0 ? null : Math.max(0, 20 + burst + 15 * Math.sin(i / 40) + rand() * 10);
    const saw = (i % 300) * 200_000;
    rss[i] = 100 * 1024 * 1024 + saw + i * 50 + Math.floor(rand() * 4096) * 4096;
    memPct[i] = (rss[i]! / memTotal) * 100;
    r += Math.floor(rand() * 1000) * 512;
    w += i % 100 < 10 ? 4 * 1024 * 1024 : 0;
    ioR[i] = r;
    ioW[i] = w;
    p99[i] = 0.001 + rand() * 0.004 + (i % 1000 === 500 ? 0.3 : 0);
    lmax[i] = p99[i]! * 1.5;
    if (missed.has(i)) cpu[i] = rss[i] = memPct[i] = ioR[i] = ioW[i] = p99[i] = lmax[i] = null;
  }
  if (o.spike) cpu[o.spike.index] = o.spike.cpuPercent;
  const samples: RunData['samples'] = {
    timestamp,
    cpu_percent: cpu,
    memory_percent: memPct,
    rss_bytes: rss,
    io_read_bytes: ioR,
    io_write_bytes: ioW,
  };
  if (o.loopDelay) {
    samples.event_loop_delay_p99_seconds = p99;
    samples.event_loop_delay_max_seconds = lmax;
  }
  const events: RunEvent[] = [...missed].map((i) => ({ t: timestamp[i]!, kind: 'missed-deadline', detail: `sample ${i}` }));
  let processes: ProcessSeries[] | undefined;
  if (o.children) {
    const a = Math.floor(n / 3);
    const b = Math.floor((2 * n) / 3);
    const child = (pid: number, comm: string, share: number): ProcessSeries => {
      const ts = timestamp.slice(a, b);
      return {
        pid,
        ppid: 1000,
        comm,
        cmdline: `${comm} --work`,
        firstSeen: timestamp[a]!,
        exited: timestamp[b - 1]!,
        samples: {
          timestamp: ts,
          cpu_percent: ts.map((_, k) => (cpu[a + k] ?? 0) * share),
          rss_bytes: ts.map(() => 40 * 1024 * 1024),
          memory_percent: ts.map(() => ((40 * 1024 * 1024) / memTotal) * 100),
        },
      };
    };
    processes = [
      { pid: 1000, ppid: 1, comm: 'node', cmdline: 'node app.js', firstSeen: 0, exited: null, samples: { timestamp, cpu_percent: cpu.map((v) => (v === null ? null : v * 0.5)), rss_bytes: rss, memory_percent: memPct } },
      child(1001, 'worker<1>', 0.25),
      child(1002, 'worker&2', 0.25),
    ];
    events.push({ t: timestamp[a]!, kind: 'process-start', pid: 1001, detail: 'worker<1> --work' });
    events.push({ t: timestamp[a]!, kind: 'process-start', pid: 1002, detail: 'worker&2 --work' });
    events.push({ t: timestamp[b - 1]!, kind: 'process-exit', pid: 1001 });
    events.push({ t: timestamp[b - 1]!, kind: 'process-exit', pid: 1002 });
    events.sort((x, y) => x.t - y.t);
  }
  const startedAtMs = Date.UTC(2026, 10, 24, 12, 0, 0);
  const run: RunData = {
    meta: {
      format: 'perfscope-run',
      formatVersion: 1,
      id: null,
      command: o.command === undefined ? ['node', 'app.js'] : o.command,
      pid: 1000,
      host: 'test-host',
      startedAt: new Date(startedAtMs).toISOString(),
      startedAtMs,
      endedAtMs: startedAtMs + Math.round(timestamp[n - 1]! * 1000) + 50,
      intervalSeconds: dt,
      children: true,
      precise: false,
      firstCpuSample: 'omitted',
      perfscopeVersion: '0.1.0',
      nodeVersion: 'v22.0.0',
      platform: 'linux',
      kernel: '6.0.0',
      cpuCount: 4,
      memTotalBytes: memTotal,
      clockTicksPerSecond: 100,
      cgroup: null,
      exitCode: 0,
      signal: null,
      sampleCount: n,
      missedDeadlines: missed.size,
      units: {},
    },
    samples,
    events,
  };
  if (processes) run.processes = processes;
  return run;
}
