/**
 * Names and values: what Prometheus accepts, checked once at construction, plus the escaping that keeps
 * any user-supplied help text or label value from breaking the exposition.
 */
import { inspect } from 'node:util';
import { usageError, usageTypeError } from '../core/errors.js';

const metricNameRe = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const labelNameRe = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** True when `name` is a valid Prometheus metric name (prom-client's `validateMetricName`). */
export function validateMetricName(name: unknown): boolean {
  return typeof name === 'string' && metricNameRe.test(name);
}

/** True when every name is a valid Prometheus label name (prom-client's `validateLabelName`). */
export function validateLabelName(names: readonly unknown[] = []): boolean {
  return names.every((n) => typeof n === 'string' && labelNameRe.test(n));
}

/** Throws naming the metric and the first bad label name. */
export function assertLabelNames(metric: string, names: readonly unknown[], reserved: readonly string[]): void {
  const seen = new Set<string>();
  for (const n of names) {
    if (typeof n !== 'string' || !labelNameRe.test(n) || n.startsWith('__')) {
      throw usageError(
        `Invalid label name ${inspect(n)} for metric "${metric}": must match ${String(labelNameRe)} and not start with "__"`,
      );
    }
    if (reserved.includes(n)) throw usageError(`${n} is a reserved label keyword (metric "${metric}")`);
    if (seen.has(n)) throw usageError(`Duplicate label name "${n}" for metric "${metric}"`);
    seen.add(n);
  }
}

export function assertMetricName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || !metricNameRe.test(name)) {
    throw usageError(`Invalid metric name ${inspect(name)}: must match ${String(metricNameRe)}`);
  }
}

/** A label value that is neither a string nor a number (prom-client refuses a Symbol the same way: TypeError). */
export function badLabelValue(metric: string, label: string, value: unknown): Error {
  return usageTypeError(
    `Label value of "${label}" must be a string or a number, got ${typeof value === 'symbol' ? value.toString() : inspect(value)} (metric "${metric}")`,
  );
}

/** An undeclared label key: prom-client's check, with the metric named. */
export function undeclaredLabelError(metric: string, key: string, labelNames: readonly string[]): Error {
  return usageError(
    `Added label "${key}" is not included in initial labelset: ${inspect(labelNames)} (metric "${metric}")`,
  );
}

/** Number formatting of the text formats: prom-client's `getValueAsString` (NaN prints as `Nan`). */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'Nan';
  if (value === Infinity) return '+Inf';
  if (value === -Infinity) return '-Inf';
  return `${value}`;
}

const needsHelpEscape = /[\\\n]/;
/** HELP text escaping of text 0.0.4: backslash and line feed. */
export function escapeHelp(help: string): string {
  return needsHelpEscape.test(help) ? help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n') : help;
}

const needsOmHelpEscape = /[\\\n"]/;
/** HELP text escaping of OpenMetrics 1.0, whose grammar also forbids a bare double quote. */
export function escapeHelpOpenMetrics(help: string): string {
  return needsOmHelpEscape.test(help)
    ? help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')
    : help;
}

const needsLabelEscape = /[\\\n"]/;
/** Label value escaping (both formats): backslash, line feed, double quote. Non-strings are stringified. */
export function escapeLabelValue(value: unknown): string {
  const s = typeof value === 'string' ? value : `${value as string}`;
  return needsLabelEscape.test(s) ? s.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"') : s;
}

/** `a="x",b="y"` for the own enumerable keys of `labels`, in their order; keys in `exclude` skipped. */
export function renderLabelPairs(labels: Readonly<Record<string, unknown>>, exclude?: object): string {
  let out = '';
  for (const k of Object.keys(labels)) {
    if (exclude !== undefined && Object.prototype.hasOwnProperty.call(exclude, k)) continue;
    out += `${out === '' ? '' : ','}${k}="${escapeLabelValue(labels[k])}"`;
  }
  return out;
}
