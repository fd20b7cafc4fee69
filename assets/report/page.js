// @ts-check
// The HTML report's page script (inlined by src/report/html.ts after uPlot and the chart kit). It
// decodes the packed columns, draws one uPlot chart per panel with a shared crosshair and synced x zoom,
// draws markers, and switches light/dark themes. No network: everything it needs is in the page.
// uPlot and perfscopeKit (assets/charts/kit.js): globals of the scripts inlined before this one.
(() => {
  'use strict';
  /** @typedef {{ offset: number, length: number, quantum: number }} PackedRef */
  /** @typedef {'percent'|'bytes'|'bytesPerSecond'|'milliseconds'} Unit */
  /**
   * @typedef {{ id: string, label: string, color: string, dash: number[] | null, width: number, run: number, y: PackedRef }} SeriesSpec
   * @typedef {{ id: string, title: string, yLabel: string, unit: Unit, right: { label: string, unit: Unit, factor: number } | null, note: string | null, series: SeriesSpec[] }} PanelSpec
   * @typedef {{ t: number, kind: string, run: number, detail: string }} Marker
   * @typedef {{ lang: string, xMax: number, xLabel: string, blob: string, runs: { name: string, t: PackedRef, reduced: boolean }[], panels: PanelSpec[], markers: Marker[], markerLabels: Record<string, string>, markerColors: Record<string, string> }} Payload
   */

  const dataElement = document.getElementById('perfscope-data');
  /** @type {Payload} */
  const P = JSON.parse(dataElement ? dataElement.textContent || '{}' : '{}');
  /** @type {{ charts: any[], ready: boolean, error: string | null, decodeMs: number, paintMs: number, syncing: boolean }} */
  const state = { charts: [], ready: false, error: null, decodeMs: 0, paintMs: 0, syncing: false };
  /** @type {any} */ (window).__perfscope = state;
  const started = performance.now();

  const { setTheme: applyTheme, systemTheme, panelOptions, decodePacked: decodeBlob, unpack } = perfscopeKit;

  /**
   * Lays the runs on one x array: a single run uses its own timeline; two runs use the union of both,
   * with `undefined` (skipped by uPlot, unlike null which is a gap) where a run has no sample.
   * @param {(number | null)[][]} times
   */
  function joinTimelines(times) {
    if (times.length === 1) return { x: /** @type {number[]} */ (times[0]), at: [null] };
    const [a, b] = /** @type {number[][]} */ (times);
    /** @type {number[]} */ const x = [];
    const ia = new Int32Array(a.length);
    const ib = new Int32Array(b.length);
    let i = 0;
    let j = 0;
    while (i < a.length || j < b.length) {
      if (j >= b.length || (i < a.length && a[i] < b[j])) {
        ia[i++] = x.length;
        x.push(a[i - 1]);
      } else if (i >= a.length || b[j] < a[i]) {
        ib[j++] = x.length;
        x.push(b[j - 1]);
      } else {
        ia[i++] = ib[j++] = x.length;
        x.push(a[i - 1]);
      }
    }
    return { x, at: [ia, ib] };
  }

  /** @type {{ x: number[], panels: { spec: PanelSpec, ys: any[][] }[] } | null} */
  let model = null;

  async function decode() {
    const ints = await decodeBlob(P.blob);
    const times = P.runs.map((r) => unpack(ints, r.t));
    const joined = joinTimelines(times);
    const panels = P.panels.map((spec) => ({
      spec,
      ys: spec.series.map((s) => {
        const y = unpack(ints, s.y);
        const at = joined.at[s.run];
        if (!at) return y;
        const out = new Array(joined.x.length);
        for (let k = 0; k < y.length; k++) out[at[k]] = y[k];
        return out;
      }),
    }));
    model = { x: joined.x, panels };
  }

  /** Markers as dashed vertical lines (process start/exit) and red triangles (missed samples). */
  /** @param {any} u */
  function drawMarkers(u) {
    const ctx = u.ctx;
    const min = u.scales.x.min;
    const max = u.scales.x.max;
    const visible = P.markers.filter((m) => m.t >= min && m.t <= max);
    const lines = visible.filter((m) => m.kind !== 'missed-sample');
    const dpr = devicePixelRatio || 1;
    const top = u.bbox.top;
    const bottom = u.bbox.top + u.bbox.height;
    ctx.save();
    ctx.lineWidth = dpr;
    for (const m of lines) {
      const x = Math.round(u.valToPos(m.t, 'x', true)) + 0.5;
      ctx.strokeStyle = P.markerColors[m.kind];
      ctx.globalAlpha = m.run ? 0.45 : 0.8;
      ctx.setLineDash(lines.length > 60 ? [] : [3 * dpr, 3 * dpr]);
      ctx.beginPath();
      ctx.moveTo(x, top);
      ctx.lineTo(x, lines.length > 60 ? top + 7 * dpr : bottom);
      ctx.stroke();
    }
    ctx.globalAlpha = 1;
    ctx.fillStyle = P.markerColors['missed-sample'];
    for (const m of visible) {
      if (m.kind !== 'missed-sample') continue;
      const x = u.valToPos(m.t, 'x', true);
      ctx.beginPath();
      ctx.moveTo(x - 4 * dpr, bottom);
      ctx.lineTo(x, bottom - 7 * dpr);
      ctx.lineTo(x + 4 * dpr, bottom);
      ctx.fill();
    }
    ctx.restore();
  }

  /** @param {any} u @param {string} key */
  function syncX(u, key) {
    if (key !== 'x' || state.syncing) return;
    state.syncing = true;
    try {
      const { min, max } = u.scales.x;
      for (const c of state.charts) {
        if (c !== u && (c.scales.x.min !== min || c.scales.x.max !== max)) c.setScale('x', { min, max });
      }
    } finally {
      state.syncing = false;
    }
  }

  const container = /** @type {HTMLElement} */ (document.getElementById('charts'));

  /** @param {{ min: number, max: number } | null} xRange @param {Record<string, boolean>} hidden */
  function build(xRange, hidden) {
    const m = model;
    if (!m) return;
    for (const c of state.charts) c.destroy();
    state.charts = [];
    container.textContent = '';
    const width = Math.max(320, container.clientWidth);
    const last = m.panels.length - 1;
    const anyRight = m.panels.some((p) => p.spec.right !== null);
    m.panels.forEach(({ spec, ys }, index) => {
      const box = document.createElement('div');
      box.className = 'panel';
      box.dataset.panel = spec.id;
      const h = document.createElement('h3');
      h.textContent = spec.title + (spec.note ? `  (${spec.note})` : '');
      box.appendChild(h);
      container.appendChild(box);
      const opts = panelOptions({
        width,
        height: 230,
        unit: spec.unit,
        yLabel: spec.yLabel,
        x: { time: false, label: P.xLabel, showLabel: index === last },
        right: spec.right ? { label: spec.right.label, factor: spec.right.factor } : anyRight ? 'blank' : null,
        series: spec.series.map((s) => ({ label: s.label, color: s.color, width: s.width, dash: s.dash, show: !hidden[s.id] })),
        syncKey: 'perfscope',
        hooks: { draw: [drawMarkers], setScale: [syncX] },
      });
      const u = new uPlot(opts, [m.x, ...ys], box);
      u.root.dataset.panel = spec.id;
      u.__ids = spec.series.map((s) => s.id);
      state.charts.push(u);
    });
    if (xRange) for (const c of state.charts) c.setScale('x', xRange);
    if (P.markers.length > 0) {
      const legend = document.createElement('p');
      legend.className = 'markers';
      const kinds = [...new Set(P.markers.map((m) => m.kind))];
      for (const k of kinds) {
        const span = document.createElement('span');
        span.style.setProperty('--c', P.markerColors[k]);
        span.className = `marker ${k}`;
        span.textContent = P.markerLabels[k];
        legend.appendChild(span);
      }
      container.appendChild(legend);
    }
  }

  function currentView() {
    /** @type {Record<string, boolean>} */
    const hidden = {};
    for (const c of state.charts) c.series.slice(1).forEach((/** @type {any} */ s, /** @type {number} */ k) => (hidden[c.__ids[k]] = !s.show));
    const first = state.charts[0];
    return { xRange: first ? { min: first.scales.x.min, max: first.scales.x.max } : null, hidden };
  }

  function setTheme(/** @type {string} */ theme) {
    const view = currentView();
    applyTheme(theme);
    build(view.xRange, view.hidden);
  }

  async function main() {
    applyTheme(systemTheme());
    // Canvas text (axis titles) uses the embedded face only once it is loaded.
    if (document.fonts && (await document.fonts.load('13px "perfscope-ko"', P.xLabel).catch(() => [])).length > 0) {
      // Chromium kept boxes in text laid out before the data: font finished loading; relayout once.
      document.body.style.display = 'none';
      void document.body.offsetHeight;
      document.body.style.display = '';
    }
    await decode();
    state.decodeMs = performance.now() - started;
    build(null, {});
    const resetButton = document.getElementById('reset-zoom');
    if (resetButton) {
      resetButton.addEventListener('click', () => {
        if (!model) return;
        const x = model.x;
        for (const c of state.charts) c.setScale('x', { min: x[0], max: x[x.length - 1] });
      });
    }
    const themeButton = document.getElementById('toggle-theme');
    if (themeButton) themeButton.addEventListener('click', () => setTheme(document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark'));
    let resizeTimer = 0;
    window.addEventListener('resize', () => {
      clearTimeout(resizeTimer);
      resizeTimer = window.setTimeout(() => {
        const w = Math.max(320, container.clientWidth);
        for (const c of state.charts) c.setSize({ width: w, height: 230 });
      }, 100);
    });
    requestAnimationFrame(() => {
      state.paintMs = performance.now() - started;
      state.ready = true;
    });
  }

  main().catch((err) => {
    state.error = String(err && err.stack ? err.stack : err);
    const p = document.createElement('pre');
    p.className = 'error';
    p.textContent = `perfscope: this report could not be drawn: ${err}`;
    container.appendChild(p);
  });
})();
