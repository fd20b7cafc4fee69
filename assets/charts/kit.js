// @ts-check
// The chart kit shared by the HTML report (assets/report/page.js; inlined into the report file) and
// serve's live dashboard (assets/serve/dashboard.js; served at /assets/charts/kit.js) and the logs
// report (assets/report/logs-page.js): the packed columns' decoding, number, byte,
// percent and time formatting, the light/dark themes (base.css holds their colours), and the uPlot
// options of one chart panel (axes, legend, cursor, zoom) so both pages draw alike.
// A classic script: it defines the global `perfscopeKit` for the page scripts after it; uPlot is a
// global from its IIFE build, loaded before it.
/* exported perfscopeKit */
const perfscopeKit = (() => {
  'use strict';
  /**
   * @typedef {'percent'|'bytes'|'bytesPerSecond'|'milliseconds'|'count'|'perSecond'|'number'} Unit
   * @typedef {{ label: string, color: string, width?: number, dash?: number[] | null, show?: boolean }} SeriesStyle
   * @typedef {{
   *   width: number, height: number,
   *   unit: Unit, yLabel: string,
   *   x: { time: boolean, label: string, showLabel: boolean },
   *   right?: { label: string, factor: number } | 'blank' | null,
   *   series: SeriesStyle[],
   *   syncKey?: string,
   *   hooks?: Record<string, Function[]>,
   *   xRange?: (u: any, min: number, max: number) => [number, number],
   *   yMax?: number,
   *   idleLegend?: 'latest' | 'none',
   *   bind?: Record<string, Function>,
   * }} PanelSpec
   */

  /** matplotlib's tab10, as src/report/chart-model.ts colours the report's series. */
  const palette = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

  const byteUnits = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

  /** 1536 -> "1.5 KiB"; `digits` fixes the decimals (default: 3 significant digits, none for bytes). */
  /** @param {number} v @param {number} [digits] */
  function fmtBytes(v, digits) {
    let x = Math.abs(v);
    let i = 0;
    while (x >= 1024 && i < byteUnits.length - 1) {
      x /= 1024;
      i++;
    }
    const d = digits ?? (i === 0 ? 0 : x >= 100 ? 0 : x >= 10 ? 1 : 2);
    return `${v < 0 ? '-' : ''}${Number(x.toFixed(d))} ${byteUnits[i]}`;
  }

  /** A count or rate: 12, 1,234, 12.5, 0.25; large values with thousands separators. */
  /** @param {number} v */
  function fmtNumber(v) {
    const a = Math.abs(v);
    const digits = a >= 100 || Number.isInteger(v) ? 0 : a >= 10 ? 1 : 2;
    return v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: 0 });
  }

  /** A value in `unit` for legends and tables; '–' when not measured. */
  /** @param {Unit} unit @param {number | null | undefined} v */
  function fmtValue(unit, v) {
    if (v == null || v !== v) return '–';
    if (unit === 'percent') return `${v.toFixed(Math.abs(v) < 10 ? 2 : 1)} %`;
    if (unit === 'bytes') return fmtBytes(v);
    if (unit === 'bytesPerSecond') return `${fmtBytes(v)}/s`;
    if (unit === 'milliseconds') return `${v.toFixed(v < 10 ? 2 : 1)} ms`;
    if (unit === 'perSecond') return `${fmtNumber(v)}/s`;
    return fmtNumber(v);
  }

  /** An axis tick label in `unit` (no unit suffix for plain numbers: the axis title carries it). */
  /** @param {Unit} unit @param {number} v */
  function fmtTick(unit, v) {
    if (unit === 'bytes') return v === 0 ? '0' : fmtBytes(v);
    if (unit === 'bytesPerSecond') return v === 0 ? '0' : `${fmtBytes(v)}/s`;
    return String(Number(v.toPrecision(6)));
  }

  /** Wall-clock time of Unix seconds `t`: "14:03:07", with the date when `withDate`. */
  /** @param {number} t @param {boolean} [withDate] */
  function fmtTime(t, withDate) {
    const d = new Date(t * 1000);
    const p = (/** @type {number} */ n) => String(n).padStart(2, '0');
    const time = `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
    return withDate ? `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${time}` : time;
  }

  /** Binary steps for byte axes: 1, 2, 4 … 512 × 1024^k. */
  const byteIncrs = /** @type {number[]} */ ([]);
  for (let k = 0; k < 6; k++) for (let m = 1; m < 1024; m *= 2) byteIncrs.push(m * 1024 ** k);

  /** The pages' font list (base.css), ending in the Hangul subset a Korean report embeds. */
  const fonts = 'system-ui, -apple-system, "Segoe UI", "Noto Sans KR", "Noto Sans CJK KR", "Apple SD Gothic Neo", "Malgun Gothic", "perfscope-ko", sans-serif';

  /** @param {string} name */
  const cssVar = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

  /** The theme the viewer's system asks for. */
  function systemTheme() {
    return window.matchMedia && window.matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
  }

  /** @param {string} theme */
  function setTheme(theme) {
    document.documentElement.dataset.theme = theme === 'dark' ? 'dark' : 'light';
  }

  function currentTheme() {
    return document.documentElement.dataset.theme === 'dark' ? 'dark' : 'light';
  }

  /** Axis colours and fonts of the current theme, for any uPlot axis. */
  function axisStyle() {
    const grid = cssVar('--grid');
    return { stroke: cssVar('--fg'), grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 }, font: `12px ${fonts}`, labelFont: `13px ${fonts}` };
  }

  /** The null of packed columns (src/report/pack.ts). */
  const PACKED_NULL = -2147483648;

  /** The Int32 words of a packed blob: base64 of gzip (src/report/pack.ts). @param {string} b64 */
  async function decodePacked(b64) {
    const bin = atob(b64);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
    return new Int32Array(await new Response(stream).arrayBuffer());
  }

  /**
   * One column of a packed blob: deltas from `ref.offset`, summed and scaled by `ref.quantum`; null
   * where the word is the null marker.
   * @param {Int32Array} ints @param {{ offset: number, length: number, quantum: number }} ref
   * @returns {(number | null)[]}
   */
  function unpack(ints, ref) {
    const out = new Array(ref.length);
    let acc = 0;
    for (let k = 0; k < ref.length; k++) {
      const d = ints[ref.offset + k];
      if (d === PACKED_NULL) out[k] = null;
      else {
        acc += d;
        out[k] = acc * ref.quantum;
      }
    }
    return out;
  }

  /**
   * uPlot options for one panel: a y axis in `unit` from 0 (to `yMax`, or the data's maximum), an x axis in seconds (report: since the
   * start) or wall-clock time (dashboard), a live legend, the page's theme colours, drag-to-zoom in x
   * and a crosshair shared by every chart with the same `syncKey`.
   * @param {PanelSpec} spec
   */
  function panelOptions(spec) {
    const axisCommon = axisStyle();
    const isBytes = spec.unit === 'bytes' || spec.unit === 'bytesPerSecond';
    const x = spec.x;
    /** @type {any} */
    const xAxis = { ...axisCommon, label: x.showLabel ? x.label : '', labelSize: x.showLabel ? 28 : 0 };
    if (!x.time) xAxis.values = (/** @type {any} */ _u, /** @type {number[]} */ s) => s.map((v) => String(Number(v.toPrecision(6))));
    else {
      xAxis.values = timeTicks;
      xAxis.space = 70;
    }
    /** @type {any[]} */
    const axes = [xAxis, { ...axisCommon, label: spec.yLabel, size: 78, values: (/** @type {any} */ _u, /** @type {number[]} */ s) => s.map((v) => fmtTick(spec.unit, v)), ...(isBytes ? { incrs: byteIncrs } : {}) }];
    const right = spec.right;
    if (right && right !== 'blank') {
      axes.push({ ...axisCommon, scale: 'y', side: 1, label: right.label, size: 78, grid: { show: false }, values: (/** @type {any} */ _u, /** @type {number[]} */ s) => s.map((v) => (v === 0 ? '0' : fmtBytes(v * right.factor, 1))) });
    } else if (right === 'blank') {
      // An empty right axis of the same width keeps every panel's plot area aligned in x.
      axes.push({ ...axisCommon, scale: 'y', side: 1, size: 78, grid: { show: false }, ticks: { show: false }, values: (/** @type {any} */ _u, /** @type {number[]} */ s) => s.map(() => '') });
    }
    // Without a cursor over the chart the legend shows each series' newest value (a live page).
    const latest = spec.idleLegend === 'latest';
    /** @type {any} */
    const xScale = { time: x.time };
    if (spec.xRange) xScale.range = spec.xRange;
    /** @type {any} */
    const cursor = { drag: { x: true, y: false, setScale: true } };
    if (spec.syncKey) cursor.sync = { key: spec.syncKey, setSeries: false };
    if (spec.bind) cursor.bind = spec.bind;
    return {
      width: spec.width,
      height: spec.height,
      legend: { live: true },
      cursor,
      scales: { x: xScale, y: { range: (/** @type {any} */ _u, /** @type {number} */ _min, /** @type {number} */ max) => [0, spec.yMax ?? (max > 0 ? max * 1.05 : 1)] } },
      axes,
      series: [
        {
          label: x.label,
          value: x.time
            ? (/** @type {any} */ u, /** @type {number | null} */ v, /** @type {number} */ si, /** @type {number | null} */ idx) => {
                const t = idx == null && latest ? lastValue(u, si) : v;
                return t == null ? '–' : fmtTime(t, u.scales.x.max - u.scales.x.min > 86400);
              }
            : (/** @type {any} */ _u, /** @type {number | null} */ v) => (v == null ? '–' : `${v.toFixed(3)} s`),
        },
        ...spec.series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: s.width ?? 1.6,
          dash: s.dash ?? undefined,
          show: s.show !== false,
          spanGaps: false,
          points: { show: false },
          value: (/** @type {any} */ u, /** @type {number | null} */ v, /** @type {number} */ si, /** @type {number | null} */ idx) => fmtValue(spec.unit, idx == null && latest ? lastValue(u, si) : v),
        })),
      ],
      hooks: spec.hooks ?? {},
    };
  }

  /** The last non-null value of series `si` (0: x), or null. */
  /** @param {any} u @param {number} si */
  function lastValue(u, si) {
    const d = u.data[si];
    if (!d) return null;
    for (let i = d.length - 1; i >= 0; i--) if (d[i] != null) return d[i];
    return null;
  }

  /**
   * Tick labels of a wall-clock axis (Unix seconds), as precise as the tick step needs: 14:03:20,
   * 14:03, or 12-02 for days; the date is added where a day starts.
   * @param {any} _u @param {number[]} splits @param {number} _axis @param {number} _space @param {number} incr
   */
  function timeTicks(_u, splits, _axis, _space, incr) {
    const p = (/** @type {number} */ n) => String(n).padStart(2, '0');
    let prevDay = '';
    return splits.map((t) => {
      const d = new Date(t * 1000);
      const day = `${p(d.getMonth() + 1)}-${p(d.getDate())}`;
      const newDay = prevDay !== '' && day !== prevDay;
      prevDay = day;
      if (incr >= 86400) return day;
      const hm = `${p(d.getHours())}:${p(d.getMinutes())}`;
      const text = incr < 60 ? `${hm}:${p(d.getSeconds())}` : hm;
      return newDay ? `${day} ${text}` : text;
    });
  }

  return { palette, fmtBytes, fmtNumber, fmtValue, fmtTick, fmtTime, byteIncrs, fonts, cssVar, systemTheme, setTheme, currentTheme, axisStyle, decodePacked, unpack, panelOptions };
})();
