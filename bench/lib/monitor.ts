/**
 * Node side of the monitor-overhead bench: a monitor of one PID at a fixed rate, in its own process.
 *
 *   idle              a deadline timer loop doing nothing (the Node runtime floor)
 *   pidusage          the same loop calling pidusage(pid) on every tick
 *   perfscope         our Sampler: one PID, children off, system off
 *   perfscope-system  our Sampler with the system snapshot on
 *   perfscope-tree    our Sampler with children on (the CLI's default): descendants found every tick
 *   perfscope-thread  our Sampler with `thread: true` (ticks in a worker, delivered in 1 s batches; the
 *                     batch still in the worker at SIGTERM is not counted, hence ~190 ticks a window)
 *   perfscope-native  our Sampler with `native: true` (ticks on the native addon's thread, parsed here in
 *                     1 s batches; same counting caveat as perfscope-thread)
 *   reader            ProcessReader.read() alone in the idle loop (splits reader cost from Sampler cost)
 *
 * Usage (compiled by compile.ts): node monitor.js <mode> <pid> <intervalMs>
 * Prints `ready` after the first tick; on SIGTERM prints one JSON line (MonitorResult) and exits.
 * Only the modules a mode needs are loaded, so `idle` carries no library code.
 */
import type { MonitorResult } from './cost-result.js';
import type { Sample } from '../../src/sampling/sampler.js';

const [mode = '', pidArg = '', intervalArg = '100'] = process.argv.slice(2);
const pid = Number(pidArg);
const intervalMs = Number(intervalArg);
const ticks: MonitorResult['ticks'] = [];

/** CLOCK_MONOTONIC ms, comparable with the parent's and Python's time.monotonic(). */
const monotonicMs = (): number => Number(process.hrtime.bigint()) / 1e6;

process.on('SIGTERM', () => {
  process.stdout.write(`${JSON.stringify({ monitor: mode, ticks } satisfies MonitorResult)}\n`, () => process.exit(0));
});

function ready(): void {
  if (ticks.length === 1) process.stdout.write('ready\n');
}

/**
 * Absolute deadlines t0 + k·interval, like the Sampler's scheduler but written separately so the
 * peers do not run on our code: a timer that fires > 1 ms early re-arms; deadlines that passed while
 * a tick ran are skipped and counted.
 */
function deadlineLoop(work: () => Promise<unknown> | undefined): void {
  const t0 = monotonicMs();
  let k = 0;
  const step = (): void => {
    const now = monotonicMs();
    if (now < t0 + k * intervalMs - 1) {
      setTimeout(step, t0 + k * intervalMs - now);
      return;
    }
    const due = Math.max(k, Math.floor((now - t0 + 1) / intervalMs));
    ticks.push([now, now - (t0 + due * intervalMs), due - k]);
    k = due + 1;
    const rearm = (): void => {
      ready();
      setTimeout(step, Math.max(0, t0 + k * intervalMs - monotonicMs()));
    };
    const pending = work();
    if (pending) pending.then(rearm, (err: unknown) => fail(err));
    else rearm();
  };
  step();
}

function fail(err: unknown): never {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
}

async function main(): Promise<void> {
  switch (mode) {
    case 'idle':
      deadlineLoop(() => undefined);
      return;
    case 'pidusage': {
      const pidusage = (await import('pidusage')).default;
      deadlineLoop(() => pidusage(pid));
      return;
    }
    case 'reader': {
      const { ProcessReader } = await import('../../src/sampling/process.js');
      const reader = new ProcessReader(pid);
      deadlineLoop(() => {
        if (reader.read() === null) fail(new Error(`PID ${pid} is gone`));
        return undefined;
      });
      return;
    }
    case 'perfscope':
    case 'perfscope-system':
    case 'perfscope-tree':
    case 'perfscope-thread':
    case 'perfscope-native': {
      const { Sampler } = await import('../../src/sampling/sampler.js');
      const sampler = new Sampler({
        pid,
        intervalMs,
        children: mode === 'perfscope-tree',
        system: mode === 'perfscope-system',
        thread: mode === 'perfscope-thread',
        native: mode === 'perfscope-native',
        keepAlive: true,
      });
      const engine = mode === 'perfscope-thread' ? 'thread' : mode === 'perfscope-native' ? 'native' : 'event-loop';
      sampler.on('sample', (s: Sample) => {
        // Batched delivery (thread mode): date the tick by its sample's wall time, not its arrival.
        const at = engine !== 'event-loop' ? monotonicMs() - (performance.timeOrigin + performance.now() - s.wallMs) : monotonicMs();
        ticks.push([at, s.lateMs, s.missed]);
        ready();
      });
      sampler.on('error', fail);
      sampler.start();
      if (sampler.engine !== engine) fail(new Error(`${mode}: the sampler ran on ${sampler.engine}, not ${engine}`));
      return;
    }
    default:
      fail(new Error(`unknown mode ${mode}`));
  }
}

main().catch(fail);
