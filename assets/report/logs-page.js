// @ts-check
// The page script of `perfscope logs analyze --html` (inlined by src/report/logs-html.ts after uPlot and
// the chart kit, assets/charts/kit.js, whose global perfscopeKit it reads).
// It decodes the packed timeline (the run report's format, src/report/pack.ts), draws the latency
// distribution, p50/p95/p99 over time of a chosen key with its change points, and the error rate over
// time, and switches themes. Keys and messages come from logs: they are set with textContent only.
(() => {
  'use strict';
  /** @typedef {{ offset: number, length: number, quantum: number }} PackedRef */
  /**
   * @typedef {{ key: string, count: PackedRef, errors: PackedRef, p50: PackedRef, p95: PackedRef, p99: PackedRef }} KeyRefs
   * @typedef {{ blob: string, windowSeconds: number, starts: PackedRef | null, keys: KeyRefs[], distribution: { bounds: number[], series: { key: string, counts: number[] }[] }, changes: { key: string, metric: string, at: number, before: number, after: number }[], colors: string[], exact: boolean }} Payload
   */
  /** Calls a window needs before its error rate is drawn. */
  const MIN_CALLS = 5;
  const dataElement = document.getElementById('perfscope-logs');
  /** @type {Payload} */
  const P = JSON.parse(dataElement ? dataElement.textContent || '{}' : '{}');
  /** @type {{ charts: any[], ready: boolean, error: string | null, selected: number }} */
  const state = { charts: [], ready: false, error: null, selected: 0 };
  /** @type {any} */ (window).__perfscope = state;

  const { axisStyle, decodePacked: decodeBlob, unpack, systemTheme, setTheme, currentTheme } = perfscopeKit;

  /** Seconds for people: µs, ms, s (as the CLI prints them). @param {number | null | undefined} v */
  function fmtSeconds(v) {
    if (v == null || !isFinite(v)) return '–';
    if (v === 0) return '0 s';
    if (v < 1e-3) return `${(v * 1e6).toFixed(0)} µs`;
    if (v < 1) return `${(v * 1e3).toFixed(1)} ms`;
    return `${v.toFixed(2)} s`;
  }

  /** @type {{ x: number[], keys: { key: string, count: (number|null)[], errors: (number|null)[], p50: (number|null)[], p95: (number|null)[], p99: (number|null)[] }[] } | null} */
  let model = null;

  async function decode() {
    const ints = P.blob ? await decodeBlob(P.blob) : new Int32Array(0);
    const x = P.starts ? /** @type {number[]} */ (unpack(ints, P.starts)) : [];
    const keys = P.keys.map((k) => ({ key: k.key, count: unpack(ints, k.count), errors: unpack(ints, k.errors), p50: unpack(ints, k.p50), p95: unpack(ints, k.p95), p99: unpack(ints, k.p99) }));
    model = { x, keys };
  }

  /** @param {string} id */
  function mount(id) {
    const el = /** @type {HTMLElement} */ (document.getElementById(id));
    el.textContent = '';
    return el;
  }

  const width = () => Math.max(320, /** @type {HTMLElement} */ (document.getElementById('charts')).clientWidth - 8);

  function buildDistribution() {
    const el = mount('chart-distribution');
    const d = P.distribution;
    if (d.series.length === 0) return;
    const log = d.bounds.length > 1 && d.bounds[0] > 0;
    const ys = d.series.map((s) => {
      const total = s.counts.reduce((a, b) => a + b, 0) || 1;
      return s.counts.map((c) => (c / total) * 100);
    });
    const a = axisStyle();
    const u = new uPlot(
      {
        width: width(),
        height: 260,
        legend: { live: true },
        cursor: { drag: { x: true, y: false, setScale: true } },
        scales: { x: { time: false, distr: log ? 3 : 1 }, y: { range: (/** @type {any} */ _u, /** @type {number} */ _min, /** @type {number} */ max) => [0, max > 0 ? max * 1.05 : 1] } },
        axes: [
          // log scale: label the decades only (uPlot passes every 1-2-5 tick, null for hidden ones)
          { ...a, label: 'duration (bucket upper bound)', labelSize: 28, values: (/** @type {any} */ _u, /** @type {(number | null)[]} */ s) => s.map((v) => (v == null || (log && Math.abs(Math.log10(v) - Math.round(Math.log10(v))) > 1e-6) ? '' : fmtSeconds(v))) },
          { ...a, label: '% of calls', size: 60, values: (/** @type {any} */ _u, /** @type {number[]} */ s) => s.map((v) => `${Number(v.toFixed(1))}`) },
        ],
        series: [
          { label: 'duration ≤', value: (/** @type {any} */ _u, /** @type {number | null} */ v) => fmtSeconds(v) },
          ...d.series.map((s, i) => ({
            label: s.key,
            stroke: P.colors[i % P.colors.length],
            width: 1.6,
            show: i < 8,
            points: { show: false },
            value: (/** @type {any} */ _u, /** @type {number | null} */ v) => (v == null ? '–' : `${v.toFixed(2)} %`),
          })),
        ],
      },
      [d.bounds, ...ys],
      el,
    );
    u.root.dataset.panel = 'distribution';
    state.charts.push(u);
  }

  /** Change points of the selected key as dashed vertical lines. @param {any} u */
  function drawChanges(u) {
    const m = model;
    if (!m || !m.keys[state.selected]) return;
    const key = m.keys[state.selected].key;
    const ctx = u.ctx;
    const dpr = devicePixelRatio || 1;
    ctx.save();
    ctx.lineWidth = 1.5 * dpr;
    ctx.setLineDash([5 * dpr, 4 * dpr]);
    for (const c of P.changes) {
      if (c.key !== key) continue;
      const x = Math.round(u.valToPos(c.at, 'x', true)) + 0.5;
      ctx.strokeStyle = c.metric === 'p50' ? '#d62728' : '#9467bd';
      ctx.beginPath();
      ctx.moveTo(x, u.bbox.top);
      ctx.lineTo(x, u.bbox.top + u.bbox.height);
      ctx.stroke();
    }
    ctx.restore();
  }

  function buildLatency() {
    const el = mount('chart-latency');
    const m = model;
    if (!m || m.keys.length === 0 || m.x.length === 0) return;
    const k = m.keys[state.selected];
    const a = axisStyle();
    const names = ['p50', 'p95', 'p99'];
    const colors = ['#1f77b4', '#ff7f0e', '#d62728'];
    const u = new uPlot(
      {
        width: width(),
        height: 260,
        legend: { live: true },
        cursor: { drag: { x: true, y: false, setScale: true } },
        scales: { x: { time: true }, y: { range: (/** @type {any} */ _u, /** @type {number} */ _min, /** @type {number} */ max) => [0, max > 0 ? max * 1.05 : 1] } },
        axes: [{ ...a }, { ...a, label: P.exact ? 'duration' : 'duration (≈ 1 %)', size: 70, values: (/** @type {any} */ _u, /** @type {number[]} */ s) => s.map((v) => fmtSeconds(v)) }],
        series: [
          {},
          ...names.map((n, i) => ({ label: n, stroke: colors[i], width: 1.6, spanGaps: false, points: { show: false }, value: (/** @type {any} */ _u, /** @type {number | null} */ v) => fmtSeconds(v) })),
          { label: 'calls', stroke: 'transparent', value: (/** @type {any} */ _u, /** @type {number | null} */ v) => (v == null ? '–' : String(v)) },
        ],
        hooks: { draw: [drawChanges] },
      },
      [m.x, k.p50, k.p95, k.p99, k.count.map(() => null)],
      el,
    );
    // the calls column shows each window's count in the legend without being drawn
    u.series[4].value = (/** @type {any} */ _u, /** @type {number | null} */ _v, /** @type {number} */ _s, /** @type {number | null} */ idx) => (idx == null ? '–' : String(k.count[idx] ?? 0));
    u.root.dataset.panel = 'latency';
    state.charts = state.charts.filter((c) => c.root.dataset.panel !== 'latency');
    state.charts.push(u);
  }

  function buildErrors() {
    const el = mount('chart-errors');
    const m = model;
    if (!m || m.x.length === 0) return;
    const withErrors = m.keys
      .map((k, i) => ({ k, i, total: k.errors.reduce((s, v) => (s ?? 0) + (v ?? 0), 0) || 0 }))
      .filter((e) => e.total > 0)
      .sort((p, q) => q.total - p.total)
      .slice(0, 10);
    if (withErrors.length === 0) {
      const p = document.createElement('p');
      p.className = 'sub';
      p.textContent = 'No errors.';
      el.appendChild(p);
      return;
    }
    const a = axisStyle();
    const u = new uPlot(
      {
        width: width(),
        height: 240,
        legend: { live: true },
        cursor: { drag: { x: true, y: false, setScale: true } },
        scales: { x: { time: true }, y: { range: (/** @type {any} */ _u, /** @type {number} */ _min, /** @type {number} */ max) => [0, max > 0 ? max * 1.05 : 1] } },
        axes: [{ ...a }, { ...a, label: 'errors (% of calls)', size: 60 }],
        series: [
          {},
          ...withErrors.map((e, j) => ({
            label: e.k.key,
            stroke: P.colors[j % P.colors.length],
            width: 1.4,
            spanGaps: false,
            points: { show: false },
            value: (/** @type {any} */ _u, /** @type {number | null} */ v) => (v == null ? '–' : `${v.toFixed(2)} %`),
          })),
        ],
      },
      // a window's rate from MIN_CALLS calls on: one failed call of two is not a 50 % error rate
      [m.x, ...withErrors.map((e) => e.k.count.map((c, w) => (c != null && c >= MIN_CALLS ? ((e.k.errors[w] ?? 0) / c) * 100 : null)))],
      el,
    );
    u.root.dataset.panel = 'errors';
    state.charts.push(u);
  }

  function buildAll() {
    for (const c of state.charts) c.destroy();
    state.charts = [];
    buildDistribution();
    buildLatency();
    buildErrors();
  }

  /** @param {number} index */
  function select(index) {
    state.selected = index;
    const sel = /** @type {any} */ (document.getElementById('key-select'));
    if (sel) sel.value = String(index);
    for (const row of document.querySelectorAll('#groups tbody tr')) {
      const name = row.querySelector('td.key');
      row.classList.toggle('selected', !!model && !!name && name.textContent === model.keys[index]?.key);
    }
    const old = state.charts.find((c) => c.root.dataset.panel === 'latency');
    if (old) old.destroy();
    buildLatency();
  }

  async function main() {
    setTheme(systemTheme());
    await decode();
    const m = /** @type {NonNullable<typeof model>} */ (model);
    const sel = /** @type {any} */ (document.getElementById('key-select'));
    m.keys.forEach((k, i) => {
      const opt = document.createElement('option');
      opt.value = String(i);
      opt.textContent = k.key;
      sel.appendChild(opt);
    });
    sel.addEventListener('change', () => select(Number(sel.value)));
    const firstChanged = m.keys.findIndex((k) => P.changes.some((c) => c.key === k.key));
    state.selected = firstChanged >= 0 ? firstChanged : 0;
    buildAll();
    select(state.selected);
    for (const row of document.querySelectorAll('#groups tbody tr')) {
      row.addEventListener('click', () => {
        const name = row.querySelector('td.key');
        const i = m.keys.findIndex((k) => !!name && k.key === name.textContent);
        if (i >= 0) select(i);
      });
    }
    const themeButton = document.getElementById('toggle-theme');
    if (themeButton) {
      themeButton.addEventListener('click', () => {
        setTheme(currentTheme() === 'dark' ? 'light' : 'dark');
        buildAll();
      });
    }
    let resizeTimer = 0;
    window.addEventListener('resize', () => {
      clearTimeout(resizeTimer);
      resizeTimer = window.setTimeout(() => {
        for (const c of state.charts) c.setSize({ width: width(), height: c.height });
      }, 100);
    });
    requestAnimationFrame(() => {
      state.ready = true;
    });
  }

  main().catch((err) => {
    state.error = String(err && err.stack ? err.stack : err);
    const p = document.createElement('pre');
    p.className = 'error';
    p.textContent = `perfscope: this report could not be drawn: ${err}`;
    const charts = document.getElementById('charts');
    if (charts) charts.appendChild(p);
  });
})();
