/**
 * The terminal report of `perfscope logs analyze`: per-key table, slowest calls, changes, patterns,
 * malformed lines. Pure: takes the analysis, returns text. Keys, templates and lines come from logs, so
 * every one passes through escapeControls (no escape sequence from a log reaches the terminal).
 */
import type { LogAnalysis } from '../analysis/logs/result.js';
import { escapeControls } from '../logs/parse/malformed.js';
import { formatSeconds } from '../core/units.js';

const MAX_KEY = 56;

const int = (v: number): string => Math.round(v).toLocaleString('en-US');
const pct = (v: number, digits = 1): string => `${(v * 100).toFixed(digits)} %`;

/** A log-supplied string for the terminal: controls escaped, cut to `max` characters. */
function safe(text: string, max = Infinity): string {
  const s = escapeControls(text);
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

function table(head: string[], rows: string[][], rightAligned: Set<number>): string[] {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => [...r[i]!].length)));
  const line = (cells: string[]): string =>
    `  ${cells.map((c, i) => (rightAligned.has(i) ? c.padStart(widths[i]! + c.length - [...c].length) : i === cells.length - 1 ? c : c.padEnd(widths[i]! + c.length - [...c].length))).join('  ')}`.trimEnd();
  return [line(head), ...rows.map(line)];
}

export function renderLogsReport(a: LogAnalysis): string {
  const out: string[] = [];
  const approx = a.quantiles.method === 'sketch' ? '≈' : '';
  const files = a.inputs.map((i) => safe(i.file)).join(', ');
  out.push(
    `  ${files}: ${a.format ?? 'format not recognised'}, ${int(a.lines)} lines, ${int(a.records)} calls, ${int(a.malformed.count)} malformed` +
      (a.timeRange ? `, ${a.timeRange.start} – ${a.timeRange.end}` : ''),
  );
  if (a.distinctPaths !== null) out.push(`  ${int(a.groupCount)} routes inferred from ${int(a.distinctPaths)} distinct paths`);
  if (a.quantiles.method === 'sketch') out.push(`  percentiles (≈) from a sketch within ${a.quantiles.relativeError * 100} %: ${a.quantiles.reason}`);
  if (a.outsideTimeRange > 0) out.push(`  ${int(a.outsideTimeRange)} calls outside --since/--until left out`);

  if (a.groups.length > 0) {
    out.push('');
    const title = a.groups.length < a.groupCount ? `Top ${a.groups.length} of ${int(a.groupCount)} keys by total time` : `${int(a.groupCount)} keys by total time`;
    out.push(`${title}:`);
    const rows = a.groups.map((g) => [
      safe(g.key, MAX_KEY),
      int(g.count),
      int(g.errors),
      pct(g.errorRate),
      int(g.warnings),
      formatSeconds(g.mean),
      approx + formatSeconds(g.p50),
      approx + formatSeconds(g.p90),
      approx + formatSeconds(g.p95),
      approx + formatSeconds(g.p99),
      formatSeconds(g.max),
      pct(g.share),
    ]);
    out.push(...table([a.key === 'route' ? 'route' : 'function', 'calls', 'errors', 'err %', 'warn', 'mean', 'p50', 'p90', 'p95', 'p99', 'max', 'share'], rows, new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])));
  }
  if (a.slowest.length > 0) {
    out.push('', 'Slowest calls:');
    const several = a.inputs.length > 1;
    out.push(
      ...table(
        ['duration', 'key', 'time', 'line'],
        a.slowest.map((s) => [formatSeconds(s.seconds), safe(s.key, MAX_KEY), s.timestamp ?? '-', several ? `${safe(s.file)}:${s.line}` : String(s.line)]),
        new Set([0]),
      ),
    );
  }
  out.push('');
  if (a.changes.length === 0) {
    out.push('Changes over time: none (no large, sustained shift of a median or an error rate)');
  } else {
    out.push('Changes over time:');
    out.push(
      ...table(
        ['from', 'key', 'metric', 'before', 'after', 'factor'],
        a.changes.map((c) => [
          c.at,
          safe(c.key, MAX_KEY),
          c.metric === 'p50' ? 'median' : 'error rate',
          c.metric === 'p50' ? approx + formatSeconds(c.before) : pct(c.before, 2),
          c.metric === 'p50' ? approx + formatSeconds(c.after) : pct(c.after, 2),
          c.factor === null ? '-' : `x${c.factor.toFixed(2)}`,
        ]),
        new Set([3, 4, 5]),
      ),
    );
  }
  if (a.patterns.length > 0) {
    out.push('', 'Message patterns (warnings and errors):');
    out.push(
      ...table(
        ['count', 'level', 'template', 'keys'],
        a.patterns.map((p) => [int(p.count), p.level, safe(p.template, 100), safe(p.keys.slice(0, 3).join(', ') + (p.keys.length > 3 ? ` +${p.keys.length - 3}` : ''), 60)]),
        new Set([0]),
      ),
    );
    if (a.unclusteredMessages > 0) out.push(`  ${int(a.unclusteredMessages)} more messages beyond the template limit`);
  }
  if (a.malformed.count > 0) {
    const kinds = Object.entries(a.malformed.kinds)
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${k} ${int(n)}`)
      .join(', ');
    out.push('', `Malformed lines: ${int(a.malformed.count)} (${kinds})`);
    for (const m of a.malformed.examples.slice(0, 5)) {
      out.push(`  ${a.inputs.length > 1 ? `${safe(m.file)}:` : 'line '}${m.line} (${m.kind}): ${safe(m.reason)}: ${safe(m.text, 100)}`);
    }
    if (a.malformed.count > 5) {
      const lines = a.malformed.lines.slice(5, 25).map(String).join(', ');
      out.push(`  other lines: ${lines}${a.malformed.count > 25 ? ', …' : ''} (all in --json)`);
    }
  }
  for (const n of a.notes) out.push('', `Note: ${safe(n)}`);
  return out.join('\n');
}

/** JSON for stdout: also C1 controls and U+2028/2029 escaped (JSON.stringify leaves them raw). */
export function analysisJson(a: LogAnalysis): string {
  return JSON.stringify(a, null, 2).replace(/[\u007f-\u009f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
