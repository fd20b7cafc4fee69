/**
 * `perfscope serve` runs V8 at its baseline tier. serve's JavaScript runs once a second and never gets
 * hot enough to repay V8's optimising compilers: capped at Sparkplug (`--max-opt=1`), serve measured
 * 3–6 MiB less RSS (the compilers' code never paged in) and ~10 % less CPU (no background compiles) in
 * alternating runs (BENCHMARKS.md, serve). bin/perfscope.js calls this before it loads the CLI, since
 * the loading itself warms the module loader enough for the optimiser to start (set any later, half
 * the saving is gone). A `--max-opt`, `--[no-]maglev` or `--[no-]turbofan` the user gave node (argv or
 * NODE_OPTIONS) wins.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Commands that run for hours and gain nothing from the optimising compilers. */
const longRunning = new Set(['serve']);

/**
 * Caps V8 at the baseline tier when `argv` (the CLI's arguments) runs a long-running command; true when
 * it did. Both optimising compilers are switched off by name: Node 24's V8 ignores a `--max-opt` set at
 * run time (it is read once, at start-up), while `--no-maglev --no-turbofan` take effect on 20, 22 and 24
 * (test/cli/jit.test.ts checks a hot function stays unoptimised on each).
 */
export function baselineJitFor(argv: readonly string[]): boolean {
  if (!longRunning.has(argv[0] ?? '')) return false;
  if ([...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((a) => /--(?:max[-_]opt|(?:no[-_])?(?:maglev|turbofan))\b/.test(a))) return false;
  setFlagsFromString('--max-opt=1 --no-maglev --no-turbofan');
  return true;
}

/**
 * V8's full garbage collection as a function, for a long-running command to call on its own schedule
 * (serve: every minute, src/agent/agent.ts); null when this V8 will not expose it. `--expose-gc` set at
 * run time gives `gc` only to contexts made afterwards, so one small context (~0.25 MiB) is made for it.
 */
export function garbageCollector(): (() => void) | null {
  try {
    setFlagsFromString('--expose-gc');
    const gc: unknown = runInNewContext('typeof gc === "function" ? gc : null');
    return typeof gc === 'function' ? () => void (gc as () => unknown)() : null;
  } catch {
    return null;
  }
}
