/**
 * `function_duration_seconds{function, outcome}`: the histogram every timed call is observed in,
 * registered lazily, once per registry, the first time something is timed against that registry.
 */
import { Histogram } from '../metrics/histogram.js';
import { globalRegistry, type Registry } from '../metrics/registry.js';
import { usageError } from '../core/errors.js';

export const FUNCTION_DURATION_METRIC = 'function_duration_seconds';
export type FunctionLabel = 'function' | 'outcome';
export type Outcome = 'success' | 'error';

/**
 * 10 µs to 10 s in 1-2.5-5 steps (19 buckets). prom-client's defaults start at 5 ms, which puts most
 * in-process functions (a parse, a cache hit, a small query) in the first bucket; below ~10 µs the
 * timer itself (two clock reads, ~80 ns here) and JIT noise dominate, and above 10 s a function is a
 * job, not a call. Steps of at most 2.5x keep `histogram_quantile` within that factor. To use other
 * buckets, register your own `function_duration_seconds` histogram with labels `function` and
 * `outcome` before the first timed call; it is then used as is.
 */
export const FUNCTION_DURATION_BUCKETS: readonly number[] = Object.freeze([
  0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1,
  2.5, 5, 10,
]);

const HELP = 'Duration of timed function calls in seconds, by function and outcome (success or error).';

/**
 * The registry's `function_duration_seconds` histogram, created on first use. Throws if the registry
 * holds a different metric of that name.
 */
export function functionHistogram(registry: Registry = globalRegistry): Histogram<FunctionLabel> {
  const existing = registry.getSingleMetric(FUNCTION_DURATION_METRIC);
  if (existing === undefined) {
    return new Histogram<FunctionLabel>({
      name: FUNCTION_DURATION_METRIC,
      help: HELP,
      labelNames: ['function', 'outcome'],
      buckets: [...FUNCTION_DURATION_BUCKETS],
      registers: [registry],
    });
  }
  if (existing instanceof Histogram) {
    const names = [...(existing as Histogram<string>).labelNames].sort();
    if (names.length === 2 && names[0] === 'function' && names[1] === 'outcome') return existing as Histogram<FunctionLabel>;
  }
  const labels = (existing as { labelNames?: unknown }).labelNames;
  throw usageError(
    `the registry already holds a metric "${FUNCTION_DURATION_METRIC}" (type ${String(existing.type)}, labels ` +
      `${Array.isArray(labels) ? labels.join(', ') : 'unknown'}); timed() needs a perfscope Histogram with labels function and outcome`,
  );
}
