/**
 * Chart model -> one SVG document: stacked panels over a shared time axis, matplotlib's look (titles,
 * axis labels, grid, legend, tab10). Series are M4-reduced to the plot's pixel columns first, so a run
 * of 1,000,000 samples writes about as much SVG as one of 3,600 and keeps its spikes.
 * Every string from a run (title, command, comm names) is escaped.
 */
import { formatTick, ticksFor } from './axis.js';
import type { ChartModel, ChartPanel, MarkerKind } from './chart-model.js';
import { m4 } from './m4.js';

export interface SvgOptions {
  /** Width in px; default 1200. */
  widthPx?: number;
  /** Height of each panel's plot area in px; default 220. */
  plotHeightPx?: number;
}

/** The family the PNG renderer is given (assets/fonts), then what viewers of the .svg likely have. */
export const fontFamily = "'Noto Sans KR', 'Noto Sans CJK KR', 'Apple SD Gothic Neo', 'Malgun Gothic', 'Segoe UI', Arial, sans-serif";

const ink = '#262626';
const muted = '#595959';
const gridColor = '#e0e0e0';
export const markerColors: Record<MarkerKind, string> = {
  'process-start': '#2ca02c',
  'process-exit': '#7f7f7f',
  'missed-sample': '#d62728',
};
/** Above this many process events, they are drawn as ticks on the top edge rather than full lines. */
const maxMarkerLines = 60;

/**
 * What XML 1.0 forbids in a document even as a character reference: C0 controls but TAB, LF and CR,
 * lone surrogates, U+FFFE and U+FFFF. One of them (an ESC in a command line, say) makes the SVG
 * ill-formed, and resvg refuses the whole figure.
 */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const xmlForbidden = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/**
 * Text for an XML attribute or element: markup characters escaped, and what XML 1.0 forbids shown
 * instead of sent (a control character as `\x1b`, a lone surrogate or non-character as U+FFFD).
 */
export function escapeXml(text: string): string {
  return text
    .replace(xmlForbidden, (c) => (c.charCodeAt(0) < 0x20 ? `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}` : '\ufffd'))
    .replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Approximate rendered width of `text` at `sizePx` in Noto Sans KR (Hangul/CJK are full-width). */
export function textWidth(text: string, sizePx: number): number {
  let w = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0)!;
    if (c >= 0x1100 && (c <= 0x11ff || (c >= 0x2e80 && c <= 0xa4cf) || (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) || (c >= 0xff00 && c <= 0xff60))) w += 0.92;
    else if ('il.,:;|!\'’ '.includes(ch)) w += 0.28;
    else if ('mwMW'.includes(ch)) w += 0.82;
    else if (ch >= 'A' && ch <= 'Z') w += 0.64;
    else w += 0.54;
  }
  return w * sizePx;
}

/** Truncates `text` with an ellipsis to fit `maxPx` at `sizePx`. */
function fit(text: string, sizePx: number, maxPx: number): string {
  if (textWidth(text, sizePx) <= maxPx) return text;
  const chars = [...text];
  while (chars.length > 1 && textWidth(`${chars.join('')}…`, sizePx) > maxPx) chars.pop();
  return `${chars.join('')}…`;
}

const f1 = (v: number): string => (Math.round(v * 10) / 10).toString();

interface LegendItem {
  label: string;
  color: string | null;
  dash: string | null;
  widthPx: number;
}

/** Renders the chart model as an SVG document string. */
export function renderSvg(model: ChartModel, options: SvgOptions = {}): string {
  const width = options.widthPx ?? 1200;
  const plotH = options.plotHeightPx ?? 220;
  const hasRight = model.panels.some((p) => p.right !== null);
  const left = 96;
  const right = hasRight ? 104 : 32;
  const plotW = width - left - right;
  const out: string[] = [];
  let y = 0;

  // Title block.
  out.push(`<text x="${width / 2}" y="34" font-size="21" text-anchor="middle" fill="${ink}">${escapeXml(fit(model.title, 21, width - 40))}</text>`);
  out.push(`<text x="${width / 2}" y="56" font-size="12" text-anchor="middle" fill="${muted}">${escapeXml(fit(model.subtitle, 12, width - 40))}</text>`);
  y = 72;

  const lineMarkers = model.markers.filter((m) => m.kind !== 'missed-sample');
  const missed = model.markers.filter((m) => m.kind === 'missed-sample');
  const markerLines = lineMarkers.length <= maxMarkerLines;
  // The axis ends where the run ends (no empty tail up to the next round tick).
  const xTicks = ticksFor('percent', model.xMax, Math.max(4, Math.round(plotW / 110)));
  xTicks.ticks = xTicks.ticks.filter((t) => t <= model.xMax * 1.0001);
  const xScale = plotW / model.xMax;
  const px = (t: number): number => left + t * xScale;

  model.panels.forEach((panel, index) => {
    // Header: title on the left, legend on the right, wrapping to more rows when it does not fit.
    const titleSize = 15;
    const titleW = textWidth(panel.title, titleSize) + 24;
    const items: LegendItem[] = panel.series.map((s) => ({ label: s.label, color: s.color, dash: s.dash, widthPx: s.widthPx }));
    if (panel.note) items.push({ label: panel.note, color: null, dash: null, widthPx: 0 });
    const rows = layoutLegend(items, plotW - titleW, 11.5);
    const headerH = 26 + (rows.length - 1) * 18;
    out.push(`<text x="${left}" y="${y + 17}" font-size="${titleSize}" fill="${ink}">${escapeXml(panel.title)}</text>`);
    rows.forEach((row, r) => {
      let x = left + plotW - row.width;
      const ly = y + 16 + r * 18;
      for (const it of row.items) {
        if (it.color !== null) {
          out.push(`<line x1="${f1(x)}" y1="${ly - 4}" x2="${f1(x + 20)}" y2="${ly - 4}" stroke="${it.color}" stroke-width="${Math.max(1.5, it.widthPx)}"${it.dash ? ` stroke-dasharray="${it.dash}"` : ''}/>`);
          x += 25;
        }
        out.push(`<text x="${f1(x)}" y="${ly}" font-size="11.5" fill="${it.color === null ? muted : ink}">${escapeXml(it.label)}</text>`);
        x += textWidth(it.label, 11.5) + 14;
      }
    });
    const top = y + headerH;
    out.push(...renderPanel(panel, index, left, top, plotW, plotH, px, xTicks.ticks, model.xMax));

    // Markers.
    for (const m of markerLines ? lineMarkers : []) {
      const x = f1(px(m.t));
      out.push(`<line x1="${x}" y1="${top}" x2="${x}" y2="${top + plotH}" stroke="${markerColors[m.kind]}" stroke-width="1" stroke-dasharray="3 3" opacity="0.75"${m.run ? ' stroke-opacity="0.5"' : ''}/>`);
    }
    if (!markerLines) {
      for (const m of lineMarkers) {
        const x = f1(px(m.t));
        out.push(`<line x1="${x}" y1="${top}" x2="${x}" y2="${top + 7}" stroke="${markerColors[m.kind]}" stroke-width="1"/>`);
      }
    }
    for (const m of missed) {
      const x = px(m.t);
      const b = top + plotH;
      out.push(`<path d="M${f1(x - 4)} ${b}L${f1(x)} ${b - 7}L${f1(x + 4)} ${b}Z" fill="${markerColors['missed-sample']}"/>`);
    }
    y = top + plotH + 14;
  });

  // Shared x axis under the last panel.
  const axisY = y - 14;
  for (const t of xTicks.ticks) {
    out.push(`<text x="${f1(px(t))}" y="${axisY + 17}" font-size="11.5" text-anchor="middle" fill="${ink}">${escapeXml(formatTick('percent', t, xTicks.step))}</text>`);
  }
  out.push(`<text x="${left + plotW / 2}" y="${axisY + 40}" font-size="13" text-anchor="middle" fill="${ink}">${escapeXml(model.xLabel)}</text>`);
  // Marker legend, bottom left, for the kinds present.
  let mx = left;
  const kinds = (['process-start', 'process-exit', 'missed-sample'] as const).filter((k) => model.markers.some((m) => m.kind === k));
  for (const k of kinds) {
    const label = k === 'process-start' ? model.labels.processStart : k === 'process-exit' ? model.labels.processExit : model.labels.missedSample;
    const ly = axisY + 40;
    if (k === 'missed-sample') out.push(`<path d="M${mx} ${ly}L${mx + 5} ${ly - 8}L${mx + 10} ${ly}Z" fill="${markerColors[k]}"/>`);
    else out.push(`<line x1="${mx + 5}" y1="${ly - 11}" x2="${mx + 5}" y2="${ly + 2}" stroke="${markerColors[k]}" stroke-dasharray="3 3"/>`);
    out.push(`<text x="${mx + 15}" y="${ly}" font-size="11" fill="${muted}">${escapeXml(label)}</text>`);
    mx += 30 + textWidth(label, 11);
  }
  const height = Math.ceil(axisY + 56);
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${escapeXml(fontFamily)}">\n` +
    `<rect width="100%" height="100%" fill="#ffffff"/>\n${out.join('\n')}\n</svg>\n`
  );
}

function renderPanel(
  panel: ChartPanel,
  index: number,
  left: number,
  top: number,
  plotW: number,
  plotH: number,
  px: (t: number) => number,
  xTicks: number[],
  xMax: number,
): string[] {
  const out: string[] = [];
  let maxY = 0;
  const reduced = panel.series.map((s) => {
    const r = m4(s.x, s.y, 0, xMax, Math.max(1, Math.round(plotW)));
    for (let i = 0; i < r.y.length; i++) if (r.y[i]! > maxY) maxY = r.y[i]!;
    return r;
  });
  const yt = ticksFor(panel.unit, maxY * 1.05 || 1, 5);
  const py = (v: number): number => top + plotH - (v / yt.top) * plotH;
  // Grid and frame.
  for (const t of xTicks) out.push(`<line x1="${f1(px(t))}" y1="${top}" x2="${f1(px(t))}" y2="${top + plotH}" stroke="${gridColor}" stroke-width="1"/>`);
  for (const v of yt.ticks) {
    const yy = f1(py(v));
    out.push(`<line x1="${left}" y1="${yy}" x2="${left + plotW}" y2="${yy}" stroke="${gridColor}" stroke-width="1"/>`);
    out.push(`<text x="${left - 7}" y="${f1(py(v) + 4)}" font-size="11" text-anchor="end" fill="${ink}">${escapeXml(formatTick(panel.unit, v, yt.step))}</text>`);
  }
  const cy = top + plotH / 2;
  out.push(`<text transform="translate(17 ${f1(cy)}) rotate(-90)" font-size="12.5" text-anchor="middle" fill="${ink}">${escapeXml(panel.yLabel)}</text>`);
  if (panel.right) {
    const r = panel.right;
    const rt = ticksFor(r.unit, yt.top * r.factor, 5);
    for (const v of rt.ticks) {
      const pos = v / r.factor;
      if (pos > yt.top * 1.0001) continue;
      out.push(`<text x="${left + plotW + 7}" y="${f1(py(pos) + 4)}" font-size="11" fill="${muted}">${escapeXml(formatTick(r.unit, v, rt.step))}</text>`);
      out.push(`<line x1="${left + plotW}" y1="${f1(py(pos))}" x2="${left + plotW + 4}" y2="${f1(py(pos))}" stroke="${ink}" stroke-width="1"/>`);
    }
    out.push(`<text transform="translate(${left + plotW + 78} ${f1(cy)}) rotate(90)" font-size="12.5" text-anchor="middle" fill="${muted}">${escapeXml(r.label)}</text>`);
  }
  // Lines, clipped to the plot area.
  out.push(`<clipPath id="plot${index}"><rect x="${left}" y="${top}" width="${plotW}" height="${plotH}"/></clipPath>`);
  out.push(`<g clip-path="url(#plot${index})" fill="none" stroke-linejoin="round" stroke-linecap="round">`);
  // Per-process lines first, so the totals stay on top.
  const order = panel.series.map((s, k) => ({ s, k })).sort((a, b) => Number(!a.s.id.includes(':pid:')) - Number(!b.s.id.includes(':pid:')));
  order.forEach(({ s, k }) => {
    const r = reduced[k]!;
    const d: string[] = [];
    let pen = false;
    for (let i = 0; i < r.x.length; i++) {
      const v = r.y[i]!;
      if (v !== v) {
        pen = false;
        continue;
      }
      d.push(`${pen ? 'L' : 'M'}${f1(px(r.x[i]!))} ${f1(py(v))}`);
      pen = true;
    }
    if (d.length > 0) {
      out.push(`<path d="${d.join('')}" stroke="${s.color}" stroke-width="${s.widthPx}"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}/>`);
    }
  });
  out.push('</g>');
  out.push(`<rect x="${left}" y="${top}" width="${plotW}" height="${plotH}" fill="none" stroke="${ink}" stroke-width="1"/>`);
  return out;
}

function layoutLegend(items: LegendItem[], maxWidth: number, size: number): { items: LegendItem[]; width: number }[] {
  const rows: { items: LegendItem[]; width: number }[] = [{ items: [], width: 0 }];
  for (const it of items) {
    const w = (it.color !== null ? 25 : 0) + textWidth(it.label, size) + 14;
    let row = rows[rows.length - 1]!;
    if (row.items.length > 0 && row.width + w > Math.max(maxWidth, 200)) {
      row = { items: [], width: 0 };
      rows.push(row);
    }
    row.items.push(it);
    row.width += w;
  }
  return rows;
}
