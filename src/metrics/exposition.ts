/**
 * The two text formats: Prometheus text 0.0.4 and OpenMetrics 1.0. Output is byte-identical to
 * prom-client 15.1.3 for the same metrics (label order, `Nan`, `le` first on bucket lines, default labels
 * placement), except that OpenMetrics HELP text also escapes `"` as its grammar requires.
 */
import { escapeHelp, escapeHelpOpenMetrics, escapeLabelValue, formatValue, renderLabelPairs } from './validation.js';

export const PROMETHEUS_CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
export const OPENMETRICS_CONTENT_TYPE = 'application/openmetrics-text; version=1.0.0; charset=utf-8';
export type ContentType = typeof PROMETHEUS_CONTENT_TYPE | typeof OPENMETRICS_CONTENT_TYPE;

export interface RenderContext {
  readonly openMetrics: boolean;
  /** Registry default labels, or null when there are none. */
  readonly defaultLabels: Readonly<Record<string, unknown>> | null;
  /** `k="v"` for every default label, pre-rendered (empty when none). */
  readonly defaultBody: string;
}

export function renderContext(openMetrics: boolean, defaultLabels: Record<string, unknown>): RenderContext {
  const has = Object.keys(defaultLabels).length > 0;
  return {
    openMetrics,
    defaultLabels: has ? defaultLabels : null,
    defaultBody: has ? renderLabelPairs(defaultLabels) : '',
  };
}

/** `# HELP` and `# TYPE` lines. */
export function header(ctx: RenderContext, name: string, help: string, type: string): string {
  return `# HELP ${name} ${ctx.openMetrics ? escapeHelpOpenMetrics(help) : escapeHelp(help)}\n# TYPE ${name} ${type}`;
}

/** The default labels a series does not set itself, rendered (`a="x",b="y"`), or ''. */
export function missingDefaults(ctx: RenderContext, labels: Readonly<Record<string, unknown>>): string {
  const d = ctx.defaultLabels;
  if (d === null) return '';
  let all = true;
  for (const k in d) {
    if (Object.prototype.hasOwnProperty.call(labels, k)) {
      all = false;
      break;
    }
  }
  return all ? ctx.defaultBody : renderLabelPairs(d, labels);
}

/** `{a,b}` from parts, skipping empty ones; '' when all are empty. */
export function braces(a: string, b: string): string {
  if (a === '') return b === '' ? '' : `{${b}}`;
  return b === '' ? `{${a}}` : `{${a},${b}}`;
}

/** Name of the OpenMetrics counter family: prom-client strips a trailing `_total`. */
export function counterFamilyName(name: string, openMetrics: boolean): string {
  return openMetrics ? name.replace(/_total$/, '') : name;
}

/** A metric as prom-client's `get()` describes it (used for objects that are not our metric classes). */
export interface GenericMetric {
  name: string;
  help: string;
  type: string;
  values?: {
    value: number;
    labels?: Record<string, unknown>;
    sharedLabels?: Record<string, unknown>;
    metricName?: string;
    exemplar?: { labelSet: Record<string, unknown>; value: number; timestamp?: number } | null;
  }[];
}

/** Renders a generic metric description exactly as prom-client's `getMetricsAsString` does. */
export function renderGeneric(ctx: RenderContext, m: GenericMetric): string {
  const raw = ctx.openMetrics && m.type === 'counter' ? counterFamilyName(m.name, true) : m.name;
  const name = raw.replace(/\\/g, '\\\\').replace(/\n/g, '\\n'); // prom-client escapes foreign names too
  let out = header(ctx, name, m.help, m.type);
  for (const v of m.values ?? []) {
    let metricName = v.metricName ?? name;
    if (ctx.openMetrics && m.type === 'counter') metricName = `${metricName}_total`;
    let labels = v.labels ?? {};
    const shared = v.sharedLabels ?? {};
    if (ctx.defaultLabels !== null) labels = { ...labels, ...ctx.defaultLabels, ...labels };
    const own = renderLabelPairs(labels, shared);
    const sh = renderLabelPairs(shared);
    out += `\n${metricName}${braces(own, sh)} ${formatValue(v.value)}`;
    if (v.exemplar && ctx.openMetrics) out += renderExemplar(v.exemplar);
  }
  return out;
}

export function renderExemplar(e: { labelSet: Record<string, unknown>; value: number; timestamp?: number }): string {
  let pairs = '';
  for (const k of Object.keys(e.labelSet)) {
    pairs += `${pairs === '' ? '' : ','}${k}="${escapeLabelValue(e.labelSet[k])}"`;
  }
  return ` # {${pairs}} ${formatValue(e.value)} ${e.timestamp}`;
}
