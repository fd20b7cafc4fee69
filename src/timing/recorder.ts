/**
 * What happens when a timed call ends: one observation in `function_duration_seconds` through a handle
 * bound once per function and outcome, and one line to the performance log if there is one. This is the
 * sink of the one timing mechanism (src/metrics/timer.ts: timeFunction, timeCall) behind
 * `histogram.startTimer()`, `time()` and `timed()` as well, so `timed(fn)`, `@timed()` and `measure()`
 * read the same clock and end a call at the same moment as the metrics' own timers.
 */
import type { BoundHistogram, Histogram } from '../metrics/histogram.js';
import { Registry } from '../metrics/registry.js';
import { Thrown, type CallSink } from '../metrics/timer.js';
import type { CallLog, CallLogSource } from './call-log.js';
import { FUNCTION_DURATION_METRIC, functionHistogram, type FunctionLabel } from './function-histogram.js';
import { usageError } from '../core/errors.js';

export { Thrown };

export interface RecorderOptions {
  /** Registry for `function_duration_seconds`; `null` records no metric (log only). */
  registry: Registry | null;
  log: CallLogSource | undefined;
}

let warned = false;

function warnOnce(err: unknown): void {
  if (warned) return;
  warned = true;
  const message = err instanceof Error ? err.message : String(err);
  process.emitWarning(`perfscope timing could not record a call: ${message}`, { code: 'PERFSCOPE_TIMING' });
}

export class CallRecorder {
  private hist: Histogram<FunctionLabel> | undefined;
  private ok: BoundHistogram<FunctionLabel> | undefined;
  private err: BoundHistogram<FunctionLabel> | undefined;
  private callLog: CallLog | undefined;
  private labelSource: (() => string | undefined) | undefined;

  constructor(
    private labelValue: string,
    private readonly options: RecorderOptions,
  ) {
    // Settle the registry and the log now, so a conflicting metric throws where timed() is called.
    this.bind();
    this.callLog = options.log?.forFunction(labelValue);
  }

  /** The `function` label value (and the name in log lines). */
  get label(): string {
    return this.labelValue;
  }

  /**
   * Renames at the next record: standard decorators learn the class only in an initializer, and its
   * name is read late because transpilers (esbuild) name the class only after static initializers ran.
   */
  setLabelSource(source: () => string | undefined): void {
    this.labelSource = source;
  }

  private resolveLabel(): void {
    const source = this.labelSource!;
    this.labelSource = undefined;
    const label = source();
    if (label !== undefined) this.setLabel(label);
  }

  setLabel(label: string): void {
    if (label === this.labelValue) return;
    this.labelValue = label;
    this.hist = undefined;
    this.callLog = this.options.log?.forFunction(label);
  }

  private bind(): void {
    const registry = this.options.registry;
    if (registry === null) return;
    const hist = functionHistogram(registry);
    // label objects are kept by the series (metrics keep the caller's object), so fresh ones per bind
    this.ok = hist.labels({ function: this.labelValue, outcome: 'success' });
    this.err = hist.labels({ function: this.labelValue, outcome: 'error' });
    this.hist = hist;
  }

  /** The end of a call: `thrown` is undefined on success. Never throws (monitoring must not break calls). */
  readonly record: CallSink = (seconds: number, thrown: Thrown | undefined): void => {
    try {
      if (this.labelSource !== undefined) this.resolveLabel();
      const registry = this.options.registry;
      // A Map lookup per call (a few ns, bench/timing.bench.ts) buys correctness after
      // `registry.clear()`: the histogram is registered again instead of counting out of sight.
      if (registry !== null && registry.getSingleMetric(FUNCTION_DURATION_METRIC) !== this.hist) this.bind();
      if (thrown === undefined) {
        this.ok?.observe(seconds);
        this.callLog?.success(seconds);
      } else {
        this.err?.observe(seconds);
        this.callLog?.failure(seconds, thrown.error);
      }
    } catch (err) {
      warnOnce(err);
    }
  };
}

/** Checks the options common to timed() and measure(); returns the resolved form. */
export function resolveRecorderOptions(
  registry: unknown,
  log: unknown,
  where: string,
  defaultRegistry: Registry,
): RecorderOptions {
  if (registry !== undefined && registry !== null && !(registry instanceof Registry)) {
    throw usageError(`${where}: registry must be a perfscope Registry or null, got ${String(registry)}`);
  }
  if (log !== undefined && (typeof log !== 'object' || log === null || typeof (log as CallLogSource).forFunction !== 'function')) {
    throw usageError(`${where}: log must come from createPerformanceLog(), got ${String(log)}`);
  }
  return {
    registry: registry === undefined ? defaultRegistry : (registry as Registry | null),
    log: log as CallLogSource | undefined,
  };
}
