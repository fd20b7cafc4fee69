/**
 * The HTML report of `perfscope logs analyze --html`: one self-contained file built from the analysis
 * (the `--json` object) with the run report's parts: uPlot, its page stylesheet and themes, the packed
 * column format (pack.ts) and the Hangul font subset. Tables are rendered here, every text escaped;
 * the charts (latency distribution, p50/p95/p99 over time per key with change markers, error rate
 * over time) are drawn by assets/report/logs-page.js, which sets text only through textContent.
 */
import type { LogAnalysis } from '../analysis/logs/result.js';
import { formatSeconds } from '../core/units.js';
import { esc, fontFace } from './html.js';
import { ColumnPacker, type PackedRef } from './pack.js';
import { palette } from './chart-model.js';
import { packageText, uplotFiles } from './package-files.js';

export interface LogsHtmlOptions {
  /** Page title (default `perfscope logs analyze: FILES`). */
  title?: string;
}

/** What assets/report/logs-page.js reads. */
interface LogsPayload {
  blob: string;
  windowSeconds: number;
  starts: PackedRef | null;
  keys: { key: string; count: PackedRef; errors: PackedRef; p50: PackedRef; p95: PackedRef; p99: PackedRef }[];
  distribution: { bounds: number[]; series: { key: string; counts: number[] }[] };
  changes: { key: string; metric: string; at: number; before: number; after: number }[];
  colors: string[];
  exact: boolean;
}

const pct = (v: number, digits = 1): string => `${(v * 100).toFixed(digits)} %`;
const int = (v: number): string => Math.round(v).toLocaleString('en-US');

/** Renders the analysis as a complete HTML document. */
export function renderLogsHtml(a: LogAnalysis, options: LogsHtmlOptions = {}): string {
  const files = a.inputs.map((i) => i.file).join(', ');
  const title = options.title ?? `perfscope logs analyze: ${files}`;
  const approx = a.quantiles.method === 'sketch' ? '≈ ' : '';
  const { js, css } = uplotFiles();

  const packer = new ColumnPacker();
  const tl = a.timeline;
  const payload: LogsPayload = {
    blob: '',
    windowSeconds: tl?.windowSeconds ?? 0,
    starts: tl ? packer.add(tl.starts, 1) : null,
    keys: (tl?.series ?? []).map((s) => ({
      key: s.key,
      count: packer.add(s.count, 1),
      errors: packer.add(s.errors, 1),
      p50: packer.add(s.p50, 1e-6),
      p95: packer.add(s.p95, 1e-6),
      p99: packer.add(s.p99, 1e-6),
    })),
    distribution: a.distribution,
    changes: a.changes.map((c) => ({ key: c.key, metric: c.metric, at: Date.parse(c.at) / 1000, before: c.before, after: c.after })),
    colors: palette,
    exact: a.quantiles.method === 'exact',
  };
  payload.blob = packer.finish();
  // '<' escaped so no key or message can close the script element
  const json = JSON.stringify(payload).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');

  const summary: [string, string][] = [
    ['Files', files],
    ['Format', `${a.format ?? 'not recognised'}, keyed by ${a.key}`],
    ['Lines', int(a.lines)],
    ['Calls analysed', int(a.records)],
    ['Malformed lines', `${int(a.malformed.count)}${a.malformed.count > 0 ? ` (${Object.entries(a.malformed.kinds).filter(([, n]) => n > 0).map(([k, n]) => `${k} ${int(n)}`).join(', ')})` : ''}`],
    ['Other lines', int(a.other)],
    ['Time range', a.timeRange ? `${a.timeRange.start} – ${a.timeRange.end}` : '-'],
    ['Percentiles', a.quantiles.method === 'exact' ? 'exact (numpy linear)' : `sketch, within ${a.quantiles.relativeError * 100} %: ${a.quantiles.reason}`],
    ['Keys', `${int(a.groupCount)}${a.distinctPaths !== null ? ` routes from ${int(a.distinctPaths)} distinct paths` : ''}${a.groups.length < a.groupCount ? `, top ${a.groups.length} shown` : ''}`],
  ];
  if (a.outsideTimeRange > 0) summary.push(['Outside --since/--until', int(a.outsideTimeRange)]);
  for (const n of a.notes) summary.push(['Note', n]);
  const rows = (cells: string[][]): string => cells.map((r) => `<tr>${r.join('')}</tr>`).join('\n');
  const th = (t: string): string => `<th>${esc(t)}</th>`;
  const td = (t: string, cls = ''): string => `<td${cls ? ` class="${cls}"` : ''}>${esc(t)}</td>`;

  const groupRows = a.groups
    .map(
      (g, i) =>
        `<tr data-key="${i}"><td class="key">${esc(g.key)}</td>${[
          int(g.count),
          int(g.errors),
          pct(g.errorRate, 2),
          int(g.warnings),
          formatSeconds(g.mean),
          approx + formatSeconds(g.p50),
          approx + formatSeconds(g.p90),
          approx + formatSeconds(g.p95),
          approx + formatSeconds(g.p99),
          formatSeconds(g.max),
          pct(g.share),
        ]
          .map((c) => td(c, 'num'))
          .join('')}</tr>`,
    )
    .join('\n');
  const slowRows = rows(a.slowest.map((s) => [td(s.key, 'key'), td(formatSeconds(s.seconds), 'num'), td(s.timestamp ?? '-'), td(`${s.file}:${s.line}`)]));
  const changeRows = rows(
    a.changes.map((c) => [
      td(c.key, 'key'),
      td(c.metric === 'p50' ? 'median' : 'error rate'),
      td(c.at),
      td(c.metric === 'p50' ? formatSeconds(c.before) : pct(c.before, 2), 'num'),
      td(c.metric === 'p50' ? formatSeconds(c.after) : pct(c.after, 2), 'num'),
      td(c.factor === null ? '-' : `×${c.factor.toFixed(2)}`, 'num'),
    ]),
  );
  const patternRows = rows(a.patterns.map((p) => [td(p.level), td(int(p.count), 'num'), `<td class="tpl">${esc(p.template)}</td>`, td(p.keys.join(', '), 'key'), `<td class="tpl">${esc(p.example)}</td>`]));
  const malformedRows = rows(a.malformed.examples.map((m) => [td(`${m.file}:${m.line}`), td(m.kind), td(m.reason), `<td class="tpl">${esc(m.text)}</td>`]));
  const table = (id: string, head: string[], body: string, empty: string): string =>
    body.trim() === '' ? `<p class="sub" id="${id}-empty">${esc(empty)}</p>` : `<table id="${id}"><thead><tr>${head.map(th).join('')}</tr></thead><tbody>\n${body}\n</tbody></table>`;

  const page = `<!doctype html>
<html lang="en" data-theme="light">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="perfscope">
<title>${esc(title)}</title>
<style>${css}</style>
<style>${packageText('assets', 'charts', 'base.css')}</style>
<style>${packageText('assets', 'report', 'page.css')}</style>
<style>${packageText('assets', 'report', 'logs-page.css')}</style>
<!--font-->
</head>
<body>
<header>
<div><h1>${esc(title)}</h1><p class="sub">${esc(`${a.format ?? 'unknown format'} · ${int(a.records)} calls · ${int(a.groupCount)} keys${a.timeRange ? ` · ${a.timeRange.start} – ${a.timeRange.end}` : ''}`)}</p></div>
<div class="tools"><button type="button" id="toggle-theme">Theme</button></div>
</header>
<section class="cards">
<div class="card"><h2>Summary</h2><table id="overview">${summary.map(([k, v]) => `<tr><th>${esc(k)}</th><td>${esc(v)}</td></tr>`).join('\n')}</table></div>
<div class="card"><h2>Slowest calls</h2>${table('slowest', ['Key', 'Duration', 'Time', 'Where'], slowRows, 'No calls.')}</div>
</section>
<section class="card wide"><h2>Per key${a.groups.length < a.groupCount ? ` (top ${a.groups.length} of ${a.groupCount} by total time)` : ''}</h2>
${table('groups', ['Key', 'Calls', 'Errors', 'Error rate', 'Warnings', 'Mean', 'p50', 'p90', 'p95', 'p99', 'Max', 'Share of time'], groupRows, 'No calls were analysed.')}
<p class="hint">Click a row to show that key over time.</p></section>
<section id="charts">
<div class="panel" data-panel="distribution"><h3>Latency distribution (share of each key's calls, log scale)</h3><div id="chart-distribution"></div></div>
<div class="panel" data-panel="latency"><h3>Latency over time: <select id="key-select" aria-label="Key"></select></h3><div id="chart-latency"></div></div>
<div class="panel" data-panel="errors"><h3>Error rate over time (windows of 5+ calls)</h3><div id="chart-errors"></div></div>
</section>
<section class="card wide"><h2>Changes over time</h2>${table('changes', ['Key', 'Metric', 'From', 'Before', 'After', 'Factor'], changeRows, 'No large, sustained change of a median or an error rate.')}</section>
<section class="card wide"><h2>Message patterns (warnings and errors)</h2>${table('patterns', ['Level', 'Count', 'Template', 'Keys', 'Example'], patternRows, 'No warning or error messages.')}</section>
<section class="card wide"><h2>Malformed lines</h2>${table('malformed', ['Where', 'Kind', 'Why', 'Line'], malformedRows, 'None.')}</section>
<script id="perfscope-logs" type="application/json">${json}</script>
<script>${js}</script>
<script>${packageText('assets', 'charts', 'kit.js')}</script>
<script>${packageText('assets', 'report', 'logs-page.js')}</script>
</body>
</html>
`;
  return page.replace('<!--font-->', fontFace(page));
}
