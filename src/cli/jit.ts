/**
 * `perfscope serve` runs V8's interpreter only. serve's JavaScript runs once a second and never gets
 * hot enough to repay a compiler: without the optimising ones (Maglev, TurboFan) serve measured 3–6 MiB
 * less RSS (their code never paged in) and ~10 % less CPU (no background compiles); without the baseline
 * one (Sparkplug) too, another ~2 MiB (its code and the machine code it makes, which is never flushed)
 * for ~4 % more CPU, in side-by-side runs (BENCHMARKS.md, serve). bin/perfscope.js calls this before it
 * loads the CLI, since the loading itself warms the module loader enough for the optimiser to start (set
 * any later, half the saving is gone). A `--max-opt`, `--[no-]sparkplug`, `--[no-]maglev` or
 * `--[no-]turbofan` the user gave node (argv or NODE_OPTIONS) wins.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Commands that run for hours and gain nothing from V8's compilers. */
const longRunning = new Set(['serve']);

/** Whether the user gave node a flag matching `flag` (argv or NODE_OPTIONS): theirs wins over ours. */
function nodeWasGiven(flag: RegExp): boolean {
  return [...process.execArgv, process.env.NODE_OPTIONS ?? ''].some((a) => flag.test(a));
}

/**
 * Runs V8 on its interpreter only when `argv` (the CLI's arguments) runs a long-running command; true
 * when it did. Each compiler is switched off by name: Node 24's V8 ignores a `--max-opt` set at run time
 * (it is read once, at start-up), while `--no-sparkplug --no-maglev --no-turbofan` take effect on 20, 22
 * and 24 (test/cli/jit.test.ts checks a hot function stays interpreted on each).
 */
export function capJitFor(argv: readonly string[]): boolean {
  if (!longRunning.has(argv[0] ?? '') || nodeWasGiven(/--(?:max[-_]opt|(?:no[-_])?(?:sparkplug|maglev|turbofan))\b/)) return false;
  setFlagsFromString('--max-opt=0 --no-sparkplug --no-maglev --no-turbofan');
  return true;
}

/**
 * Keeps V8's young generation at its starting size (1 MiB semi-spaces) for a long-running command:
 * true when it did. V8 doubles the young generation whenever many objects survive a scavenge, up to
 * 16 MiB per semi-space on Node 20 and 64 MiB on Node 24, and seldom gives it back. serve allocates
 * ~0.4 MB/s, which 1 MiB scavenges every few seconds handle; but on a busy host (a test suite
 * running, ~70 groups) one serve's young generation grew to 16 MiB and stayed there, +15 MiB of RSS,
 * while its twin beside it did not (BENCHMARKS.md, serve's memory). The growth factor is read each
 * time V8 grows the space, so unlike `--max-semi-space-size` (read once, at start) it takes effect
 * when set here. On Node 24 it bounds the growth rather than stopping it: under a churn that grows the
 * young generation to 128 MiB without it, V8 13 still took it to ~10–20 MiB and mostly back to 2 MiB
 * (test/cli/jit.test.ts; `--max-semi-space-size` and `--scavenger-max-new-space-capacity-mb` set at
 * run time did no better). A `--semi-space-growth-factor`, `--max-semi-space-size` or
 * `--min-semi-space-size` the user gave node (argv or NODE_OPTIONS) wins.
 */
export function capYoungGenerationFor(argv: readonly string[]): boolean {
  if (!longRunning.has(argv[0] ?? '') || nodeWasGiven(/--(?:semi[-_]space[-_]growth[-_]factor|(?:max|min)[-_]semi[-_]space[-_]size)\b/)) return false;
  setFlagsFromString('--semi-space-growth-factor=1');
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
