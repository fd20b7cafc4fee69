// @ts-check
// serve's live dashboard (the page at `/`, src/report/dashboard-page.ts). One Server-Sent Events
// stream per viewer (/api/stream: hello, backlog, one tick per interval), the past from /api/history,
// charts drawn with uPlot through the chart kit the HTML report uses (perfscopeKit). Light: charts and
// table are redrawn at most once per tick (one animation frame, none while the tab is hidden or
// paused), table cells are rewritten only when their text changes, rows moved only when the order
// changes. Every process or group name is untrusted: it is only ever set as text (textContent).
(() => {
  'use strict';
  /**
   * @typedef {{ version: string, host: string, pid: number, startedAtMs: number, intervalSeconds: number, cpuCount: number, memTotalBytes: number, rawRetentionSeconds: number, minuteRetentionSeconds: number, recentSeconds: number, backlogTicks: number, history: boolean, groupFields: string[], groupRules: { name: string, pattern: string }[], pids: number[] }} Info
   * @typedef {{ t: number, index: number, host: Record<string, any> | null, groups: any[][], self?: { cpuPercent: number | null, rssBytes: number } }} Tick
   * @typedef {{ x: number[], cols: (number | null)[][], step: number, counts: number[] }} View
   * @typedef {{ label: string, col: number, color: string, width?: number }} PanelSeries
   * @typedef {{ id: string, title: string, unit: any, yLabel: string, yMax?: number, series: PanelSeries[] }} Panel
   */
  const K = perfscopeKit;
  const C = K.palette;
  const $ = (/** @type {string} */ id) => /** @type {HTMLElement} */ (document.getElementById(id));

  /** Host columns of a view, in order (the stream's `host` summary and the history's `system` columns). */
  const hostCols = [
    ['cpuPercent', 'cpu_percent'],
    ['cpuUserPercent', 'cpu_user_percent'],
    ['cpuSystemPercent', 'cpu_system_percent'],
    ['cpuIowaitPercent', 'cpu_iowait_percent'],
    ['cpuStealPercent', 'cpu_steal_percent'],
    ['memoryUsedBytes', 'memory_used_bytes'],
    ['swapUsedBytes', 'swap_used_bytes'],
    ['load1', 'load1'],
    ['load5', 'load5'],
    ['load15', 'load15'],
    ['diskReadBytesPerSecond', 'rate:disk_read_bytes'],
    ['diskWriteBytesPerSecond', 'rate:disk_write_bytes'],
    ['netReceiveBytesPerSecond', 'rate:net_rx_bytes'],
    ['netTransmitBytesPerSecond', 'rate:net_tx_bytes'],
  ];
  /** @type {Panel[]} */
  const hostPanels = [
    { id: 'cpu', title: 'CPU', unit: 'percent', yLabel: '% of all cores', yMax: 100, series: [{ label: 'busy', col: 0, color: C[0], width: 2 }, { label: 'user', col: 1, color: C[2] }, { label: 'system', col: 2, color: C[3] }, { label: 'iowait', col: 3, color: C[1] }, { label: 'steal', col: 4, color: C[4] }] },
    { id: 'memory', title: 'Memory', unit: 'bytes', yLabel: 'bytes', series: [{ label: 'used', col: 5, color: C[0], width: 2 }, { label: 'swap used', col: 6, color: C[3] }] },
    { id: 'load', title: 'Load average', unit: 'number', yLabel: 'runnable', series: [{ label: '1 min', col: 7, color: C[0], width: 2 }, { label: '5 min', col: 8, color: C[1] }, { label: '15 min', col: 9, color: C[2] }] },
    { id: 'disk', title: 'Disk I/O', unit: 'bytesPerSecond', yLabel: 'bytes/s', series: [{ label: 'read', col: 10, color: C[2] }, { label: 'written', col: 11, color: C[3] }] },
    { id: 'net', title: 'Network', unit: 'bytesPerSecond', yLabel: 'bytes/s', series: [{ label: 'received', col: 12, color: C[0] }, { label: 'sent', col: 13, color: C[1] }] },
  ];
  /** A group's columns (the stream's group fields and the history's `samples` columns). */
  const groupCols = [
    ['cpuPercent', 'cpu_percent'],
    ['rssBytes', 'rss_bytes'],
    ['swapBytes', 'swap_bytes'],
    ['readBytesPerSecond', 'rate:io_read_bytes'],
    ['writeBytesPerSecond', 'rate:io_write_bytes'],
    ['threads', 'num_threads'],
    ['openFds', 'num_fds'],
    ['procs', 'num_procs'],
  ];
  /** @type {Panel[]} */
  const groupPanels = [
    { id: 'group-cpu', title: 'CPU', unit: 'percent', yLabel: '% of one core', series: [{ label: 'CPU', col: 0, color: C[0], width: 2 }] },
    { id: 'group-memory', title: 'Memory', unit: 'bytes', yLabel: 'bytes', series: [{ label: 'resident', col: 1, color: C[0], width: 2 }, { label: 'swapped', col: 2, color: C[3] }] },
    { id: 'group-io', title: 'Disk I/O', unit: 'bytesPerSecond', yLabel: 'bytes/s', series: [{ label: 'read', col: 3, color: C[2] }, { label: 'written', col: 4, color: C[3] }] },
    { id: 'group-counts', title: 'Threads, open files, processes', unit: 'count', yLabel: 'count', series: [{ label: 'threads', col: 5, color: C[0] }, { label: 'open fds', col: 6, color: C[1] }, { label: 'processes', col: 7, color: C[2] }] },
  ];
  /** The group table's columns: stream field, header, how a cell reads. */
  const tableCols = [
    { key: 'name', label: 'Group', fmt: (/** @type {any} */ v) => String(v) },
    { key: 'procs', label: 'Procs', fmt: count },
    { key: 'cpuPercent', label: 'CPU %', fmt: (/** @type {number | null} */ v) => (v == null ? '–' : v.toFixed(1)) },
    { key: 'rssBytes', label: 'RSS', fmt: bytes },
    { key: 'swapBytes', label: 'Swap', fmt: bytes },
    { key: 'readBytesPerSecond', label: 'Read/s', fmt: bytes },
    { key: 'writeBytesPerSecond', label: 'Write/s', fmt: bytes },
    { key: 'threads', label: 'Threads', fmt: count },
    { key: 'openFds', label: 'FDs', fmt: count },
    { key: 'majorFaultsPerSecond', label: 'Maj. faults/s', fmt: count },
    { key: 'ctxSwitchesPerSecond', label: 'Ctx sw./s', fmt: count },
  ];
  /** @param {number | null} v */
  function count(v) {
    return v == null ? '–' : K.fmtNumber(v);
  }
  /** @param {number | null} v */
  function bytes(v) {
    return v == null ? '–' : v === 0 ? '0' : K.fmtBytes(v);
  }
  /** Most rows drawn at once (the rest: "N more", or narrow with the filter). */
  const maxRows = 200;
  const syncKey = 'perfscope-live';

  /** What tests and curious users can read: window.__perfscope. */
  const state = {
    /** @type {Info | null} */ info: null,
    ready: false,
    /** @type {string | null} */ error: null,
    connected: false,
    connects: 0,
    paused: false,
    ticks: 0,
    renders: 0,
    rangeSeconds: 300,
    /** Follow the newest tick (false once zoomed). */
    follow: true,
    /** @type {{ min: number, max: number } | null} */ zoom: null,
    /** @type {string | null} */ selected: null,
    sort: { key: 'cpuPercent', dir: -1 },
    filter: '',
    /** Newest tick time, Unix seconds. */
    lastT: 0,
    /** @type {{ what: string, seconds: number, tier: string, rows: number }[]} */ loads: [],
    /** @type {any[]} */ hostCharts: [],
    /** @type {any[]} */ groupCharts: [],
    theme: 'light',
  };
  /** @type {any} */ (window).__perfscope = state;

  /** @type {Tick | null} */ let latest = null;
  /** @type {Record<string, number>} */ let field = {};
  /** The last ticks' host values (the 5-minute view, and the tail merged after a history load). */
  /** @type {{ t: number, v: (number | null)[] }[]} */ const ring = [];
  let ringMax = 360;
  /** The selected group's ticks since it was selected. */
  /** @type {{ t: number, v: (number | null)[] }[]} */ let groupRing = [];
  /** @type {View} */ let hostView = newView(hostCols.length, 1);
  /** @type {View} */ let groupView = newView(groupCols.length, 1);
  let renderQueued = false;
  let loadToken = 0;
  let groupToken = 0;

  // ---- series views: one shared x column and one column per series, gaps as null rows ----

  /** @param {number} ncols @param {number} step @returns {View} */
  function newView(ncols, step) {
    return { x: [], cols: Array.from({ length: ncols }, () => []), step, counts: [] };
  }

  /** Appends a row at Unix seconds `t`; a step of a minute or more averages ticks into its minute. */
  /** @param {View} view @param {number} t @param {(number | null)[]} values */
  function append(view, t, values) {
    const x = view.x;
    const n = x.length;
    const interval = state.info ? state.info.intervalSeconds : 1;
    if (view.step > interval * 1.5) {
      const bucket = Math.floor(t / view.step) * view.step;
      if (n > 0 && x[n - 1] === bucket) {
        const k = ++view.counts[n - 1];
        view.cols.forEach((col, i) => {
          const v = values[i];
          if (v == null) return;
          const old = col[n - 1];
          col[n - 1] = old == null ? v : old + (v - old) / k;
        });
        return;
      }
      if (n > 0 && bucket <= x[n - 1]) return;
      t = bucket;
    } else if (n > 0 && t <= x[n - 1]) {
      return;
    }
    if (n > 0 && t - x[n - 1] > 2.5 * view.step) pushRow(view, x[n - 1] + view.step, null);
    pushRow(view, t, values);
  }

  /** @param {View} view @param {number} t @param {(number | null)[] | null} values */
  function pushRow(view, t, values) {
    view.x.push(t);
    view.counts.push(1);
    view.cols.forEach((col, i) => col.push(values === null ? null : (values[i] ?? null)));
  }

  /** Drops rows before `fromT`, keeping one so lines enter from the chart's edge. */
  /** @param {View} view @param {number} fromT */
  function trim(view, fromT) {
    let k = 0;
    while (k + 1 < view.x.length && view.x[k + 1] < fromT) k++;
    if (k === 0) return;
    view.x.splice(0, k);
    view.counts.splice(0, k);
    for (const col of view.cols) col.splice(0, k);
  }

  /**
   * A view from a run of /api/history: `cols` name the run's columns (`rate:NAME`: the per-second
   * rate of a cumulative column); rows of nulls (serve was down) stay as gaps.
   * @param {any} run @param {Record<string, any>} columns @param {string[][]} cols
   */
  function viewOfRun(run, columns, cols) {
    const step = run.meta.serve ? run.meta.serve.stepSeconds : run.meta.intervalSeconds;
    const view = newView(cols.length, step);
    const ts = columns.timestamp || [];
    const t0 = run.meta.startedAtMs / 1000;
    const src = cols.map(([, name]) => {
      const rate = name.startsWith('rate:');
      const col = columns[rate ? name.slice(5) : name] || [];
      return { rate, col };
    });
    for (let k = 0; k < ts.length; k++) {
      view.x.push(Math.round((t0 + ts[k]) * 1000) / 1000);
      view.counts.push(1);
      src.forEach(({ rate, col }, i) => {
        let v = col[k] ?? null;
        if (rate) {
          const prev = k > 0 ? col[k - 1] : null;
          const dt = k > 0 ? ts[k] - ts[k - 1] : 0;
          v = v != null && prev != null && dt > 0 && v >= prev ? (v - prev) / dt : null;
        }
        view.cols[i].push(v);
      });
    }
    return view;
  }

  /** @param {Record<string, any> | null} h */
  function hostValues(h) {
    return hostCols.map(([k]) => (h && typeof h[k] === 'number' ? h[k] : null));
  }

  /** @param {any[] | undefined} row */
  function groupValues(row) {
    return groupCols.map(([k]) => {
      const v = row ? row[field[k]] : null;
      return typeof v === 'number' ? v : null;
    });
  }

  /** @param {string} name */
  function rowOf(name) {
    if (!latest) return undefined;
    const i = field.name;
    return latest.groups.find((r) => r[i] === name);
  }

  // ---- the stream ----

  /** @type {EventSource | null} */ let source = null;
  let retryTimer = 0;

  /** Opens the stream; after a refused one (a 401, 503 or a server that is not serve), again in 5 s. */
  function connect() {
    clearTimeout(retryTimer);
    source?.close();
    const since = state.lastT > 0 ? Math.min(86400, Math.ceil(Date.now() / 1000 - state.lastT) + 2) : null;
    const es = new EventSource(since === null ? 'api/stream' : `api/stream?backlog=${since}`);
    source = es;
    es.addEventListener('hello', (e) => onHello(JSON.parse(/** @type {MessageEvent} */ (e).data)));
    es.addEventListener('backlog', (e) => onBacklog(JSON.parse(/** @type {MessageEvent} */ (e).data)));
    es.addEventListener('tick', (e) => {
      ingest(JSON.parse(/** @type {MessageEvent} */ (e).data));
      scheduleRender();
    });
    es.addEventListener('error', () => {
      state.connected = false;
      updateStatus();
      if (es.readyState === EventSource.CLOSED) retryTimer = window.setTimeout(connect, 5000);
    });
  }

  /** @param {Info} info */
  function onHello(info) {
    const first = state.info === null;
    state.info = info;
    state.connected = true;
    state.connects++;
    field = {};
    info.groupFields.forEach((f, i) => (field[f] = i));
    ringMax = Math.min(3600, Math.ceil(300 / info.intervalSeconds) + 60);
    $('host-name').textContent = info.host;
    document.title = `${info.host} · perfscope serve`;
    for (const b of rangeButtons()) {
      const seconds = Number(b.dataset.seconds);
      const kept = Math.max(info.rawRetentionSeconds, info.minuteRetentionSeconds);
      const ok = seconds <= 300 || (info.history && seconds <= kept);
      b.disabled = !ok;
      b.title = ok ? '' : info.history ? `serve keeps ${K.fmtNumber(kept / 86400)} days of history` : 'serve runs without history (--no-store)';
    }
    if (first) {
      hostView = newView(hostCols.length, info.intervalSeconds);
      buildCharts();
    }
    updateStatus();
  }

  /** The backlog on (re)connect: the ticks after the last one seen; a longer gap is filled from the history. */
  /** @param {Tick[]} ticks */
  function onBacklog(ticks) {
    const info = state.info;
    const before = state.lastT;
    const fresh = ticks.filter((t) => t.t / 1000 > before);
    const gap = before > 0 && fresh.length > 0 && fresh[0].t / 1000 - before > 2.5 * (info ? info.intervalSeconds : 1);
    for (const t of fresh) ingest(t);
    if (!state.ready) {
      state.ready = true;
      if (state.rangeSeconds > 300) void loadHost();
    } else if (gap && info && info.history) {
      // Ticks this viewer missed (a blip, a sleep, serve restarted): the history has what serve kept.
      void loadHost(true);
      if (state.selected !== null) void loadGroup(state.selected);
    }
    scheduleRender();
  }

  /** @param {Tick} tick */
  function ingest(tick) {
    const t = tick.t / 1000;
    if (!(t > state.lastT)) return;
    state.lastT = t;
    state.ticks++;
    latest = tick;
    const v = hostValues(tick.host);
    ring.push({ t, v });
    if (ring.length > ringMax) ring.splice(0, ring.length - ringMax);
    append(hostView, t, v);
    if (state.selected !== null) {
      const g = groupValues(rowOf(state.selected));
      groupRing.push({ t, v: g });
      if (groupRing.length > ringMax) groupRing.splice(0, groupRing.length - ringMax);
      append(groupView, t, g);
    }
  }

  // ---- history ----

  /** @param {string} url */
  async function getJson(url) {
    const r = await fetch(url, { headers: { accept: 'application/json' } });
    const body = await r.json().catch(() => null);
    if (!r.ok) throw new Error(body && body.error ? body.error : `${url}: HTTP ${r.status}`);
    return body;
  }

  function historySeconds() {
    const info = state.info;
    if (!info) return state.rangeSeconds;
    return Math.min(state.rangeSeconds, Math.max(info.rawRetentionSeconds, info.minuteRetentionSeconds));
  }

  /**
   * Where the live ticks continue a view loaded from the history: after its last row, or on the
   * minute tier after its last (closed) minute, whose ticks the history already averaged.
   * @param {View} view
   */
  function tailFrom(view) {
    if (view.x.length === 0) return -Infinity;
    const last = view.x[view.x.length - 1];
    const interval = state.info ? state.info.intervalSeconds : 1;
    return view.step > interval * 1.5 ? last + view.step : last + 1e-3;
  }

  /** @param {{ what: string, seconds: number, tier: string, rows: number }} load */
  function logLoad(load) {
    state.loads.push(load);
    if (state.loads.length > 50) state.loads.shift();
  }

  /** Rebuilds the host view for the range: the recent ticks alone, or the history plus the ticks after it. */
  async function loadHost(fromHistory = false) {
    const info = state.info;
    const token = ++loadToken;
    if (!info) return;
    if ((state.rangeSeconds <= 300 && !fromHistory) || !info.history) {
      const view = newView(hostCols.length, info.intervalSeconds);
      const from = state.lastT - state.rangeSeconds;
      for (const r of ring) if (r.t >= from) append(view, r.t, r.v);
      hostView = view;
      scheduleRender();
      return;
    }
    setNote('loading history…');
    try {
      const run = await getJson(`api/history?seconds=${historySeconds()}&top=0`);
      if (token !== loadToken) return;
      const view = viewOfRun(run, run.system, hostCols);
      const from = tailFrom(view);
      for (const r of ring) if (r.t >= from) append(view, r.t, r.v);
      hostView = view;
      logLoad({ what: 'host', seconds: historySeconds(), tier: run.meta.serve.tier, rows: run.system.timestamp.length });
      setNote(null);
      scheduleRender();
    } catch (err) {
      if (token === loadToken) setNote(`history: ${err instanceof Error ? err.message : err}`);
    }
  }

  /** The selected group's view: its history for the range, then its ticks since it was selected. */
  /** @param {string} name */
  async function loadGroup(name) {
    const info = state.info;
    const token = ++groupToken;
    if (!info) return;
    const fresh = newView(groupCols.length, info.intervalSeconds);
    for (const r of groupRing) append(fresh, r.t, r.v);
    if (!info.history) {
      groupView = fresh;
      $('group-facts').textContent = 'serve keeps no history (--no-store): these charts start now.';
      scheduleRender();
      return;
    }
    try {
      const q = new URLSearchParams({ seconds: String(historySeconds()), group: name, top: '0' });
      const run = await getJson(`api/history?${q}`);
      if (token !== groupToken || state.selected !== name) return;
      const view = viewOfRun(run, run.samples, groupCols);
      const from = tailFrom(view);
      for (const r of groupRing) if (r.t >= from) append(view, r.t, r.v);
      groupView = view;
      logLoad({ what: 'group', seconds: historySeconds(), tier: run.meta.serve.tier, rows: run.samples.timestamp.length });
      scheduleRender();
    } catch (err) {
      if (token !== groupToken) return;
      groupView = fresh;
      $('group-facts').textContent = `history: ${err instanceof Error ? err.message : err}`;
      scheduleRender();
    }
  }

  // ---- charts ----

  function windowRange() {
    const end = state.lastT;
    return { min: end - state.rangeSeconds, max: end };
  }

  /** x follows the newest tick; a zoom holds its range until double-click or "Back to live". */
  function xRange(/** @type {any} */ _u, /** @type {number} */ min, /** @type {number} */ max) {
    if (state.follow && state.lastT > 0) {
      const w = windowRange();
      return /** @type {[number, number]} */ ([w.min, w.max]);
    }
    if (state.zoom) return /** @type {[number, number]} */ ([state.zoom.min, state.zoom.max]);
    return /** @type {[number, number]} */ ([min, max]);
  }

  /**
   * A user's zoom (a drag: `bind.mouseup` stopped following first) on one chart: every chart shows
   * the same range. uPlot commits scales in a microtask, so the hook tells a zoom from a redraw by
   * the state, not by who called.
   */
  function onSetScale(/** @type {any} */ u, /** @type {string} */ key) {
    if (key !== 'x' || state.follow) return;
    const { min, max } = u.scales.x;
    if (state.zoom && state.zoom.min === min && state.zoom.max === max) return;
    state.zoom = { min, max };
    for (const c of allCharts()) if (c !== u && (c.scales.x.min !== min || c.scales.x.max !== max)) c.setScale('x', { min, max });
    $('live').hidden = false;
  }

  const bind = {
    mouseup: (/** @type {any} */ u, /** @type {any} */ _t, /** @type {(e: Event) => any} */ handler) => (/** @type {MouseEvent} */ e) => {
      if (u.select.width > 2) {
        state.follow = false;
        state.zoom = null;
      }
      return handler(e);
    },
    dblclick: () => () => {
      goLive();
      return null;
    },
  };

  function goLive() {
    state.follow = true;
    state.zoom = null;
    $('live').hidden = true;
    render();
  }

  function allCharts() {
    return state.hostCharts.concat(state.groupCharts);
  }

  /** @param {HTMLElement} container @param {Panel} panel @param {View} view */
  function makeChart(container, panel, view) {
    const box = document.createElement('div');
    box.className = 'panel';
    box.dataset.panel = panel.id;
    const h = document.createElement('h3');
    h.textContent = panel.title;
    box.appendChild(h);
    container.appendChild(box);
    const opts = K.panelOptions({
      width: Math.max(280, box.clientWidth),
      height: 170,
      unit: panel.unit,
      yLabel: panel.yLabel,
      yMax: panel.yMax,
      x: { time: true, label: 'Time', showLabel: false },
      series: panel.series.map((s) => ({ label: s.label, color: s.color, width: s.width ?? 1.4 })),
      syncKey,
      xRange,
      bind,
      idleLegend: 'latest',
      hooks: { setScale: [onSetScale] },
    });
    const u = new uPlot(opts, dataOf(panel, view), box);
    u.root.dataset.panel = panel.id;
    u.__panel = panel;
    return u;
  }

  /** @param {Panel} panel @param {View} view */
  function dataOf(panel, view) {
    return [view.x, ...panel.series.map((s) => view.cols[s.col])];
  }

  function buildCharts() {
    for (const c of state.hostCharts) c.destroy();
    const host = $('host-charts');
    host.textContent = '';
    state.hostCharts = hostPanels.map((p) => makeChart(host, p, hostView));
    buildGroupCharts();
  }

  function buildGroupCharts() {
    for (const c of state.groupCharts) c.destroy();
    const box = $('group-charts');
    box.textContent = '';
    state.groupCharts = state.selected === null ? [] : groupPanels.map((p) => makeChart(box, p, groupView));
  }

  function scheduleRender() {
    if (renderQueued || state.paused) return;
    renderQueued = true;
    requestAnimationFrame(() => {
      renderQueued = false;
      if (!state.paused) render();
    });
  }

  /** Draws the charts from the views and updates the table and the status line: once per frame at most. */
  function render() {
    const w = windowRange();
    trim(hostView, w.min);
    trim(groupView, w.min);
    for (const u of state.hostCharts) u.setData(dataOf(u.__panel, hostView));
    for (const u of state.groupCharts) u.setData(dataOf(u.__panel, groupView));
    renderTable();
    updateStatus();
    state.renders++;
  }

  // ---- the group table ----

  /** @type {Map<string, { tr: HTMLTableRowElement, cells: HTMLTableCellElement[], text: string[] }>} */
  const rows = new Map();
  const tbody = /** @type {HTMLElement} */ (document.querySelector('#groups tbody'));

  function buildHead() {
    const tr = /** @type {HTMLElement} */ (document.querySelector('#groups thead tr'));
    for (const col of tableCols) {
      const th = document.createElement('th');
      th.scope = 'col';
      if (col.key !== 'name') th.className = 'num';
      th.dataset.key = col.key;
      const b = document.createElement('button');
      b.type = 'button';
      b.textContent = col.label;
      b.addEventListener('click', () => setSort(col.key));
      th.appendChild(b);
      tr.appendChild(th);
    }
    markSort();
  }

  /** Sorts by `key`; the same key again reverses. Names sort A–Z first, numbers largest first. */
  /** @param {string} key */
  function setSort(key) {
    if (state.sort.key === key) state.sort.dir = -state.sort.dir;
    else state.sort = { key, dir: key === 'name' ? 1 : -1 };
    markSort();
    renderTable();
  }

  function markSort() {
    for (const th of document.querySelectorAll('#groups th')) {
      const el = /** @type {HTMLElement} */ (th);
      if (el.dataset.key === state.sort.key) el.setAttribute('aria-sort', state.sort.dir < 0 ? 'descending' : 'ascending');
      else el.removeAttribute('aria-sort');
    }
  }

  function renderTable() {
    if (!latest || !state.info) return;
    const keyIndex = field[state.sort.key];
    const nameIndex = field.name;
    const dir = state.sort.dir;
    const filter = state.filter.toLowerCase();
    let list = latest.groups;
    if (filter) list = list.filter((r) => String(r[nameIndex]).toLowerCase().includes(filter));
    list = list.slice().sort((a, b) => {
      const x = a[keyIndex];
      const y = b[keyIndex];
      let d;
      if (typeof x === 'string' || typeof y === 'string') d = String(x).localeCompare(String(y));
      else d = (x ?? -Infinity) === (y ?? -Infinity) ? 0 : (x ?? -Infinity) < (y ?? -Infinity) ? -1 : 1;
      return d * dir || String(a[nameIndex]).localeCompare(String(b[nameIndex]));
    });
    const shown = list.slice(0, maxRows);
    const keep = new Set();
    shown.forEach((r, pos) => {
      const name = String(r[nameIndex]);
      keep.add(name);
      let row = rows.get(name);
      if (!row) row = newRow(name);
      tableCols.forEach((col, i) => {
        const text = col.fmt(r[field[col.key]]);
        if (row.text[i] !== text) {
          row.text[i] = text;
          row.cells[i].textContent = text;
        }
      });
      // Moved only when out of place: an unchanged order touches no node.
      if (tbody.children[pos] !== row.tr) tbody.insertBefore(row.tr, tbody.children[pos] ?? null);
    });
    for (const [name, row] of rows) {
      if (keep.has(name)) continue;
      row.tr.remove();
      rows.delete(name);
    }
    const total = latest.groups.length;
    const procs = latest.groups.reduce((a, r) => a + (r[field.procs] || 0), 0);
    setText($('group-count'), `${K.fmtNumber(procs)} processes in ${K.fmtNumber(total)} groups${filter ? `, ${list.length} match` : ''}`);
    const more = $('more-groups');
    more.hidden = list.length <= maxRows;
    setText(more, list.length > maxRows ? `${list.length - maxRows} more groups not shown: narrow them with the filter.` : '');
  }

  /** @param {string} name */
  function newRow(name) {
    const tr = document.createElement('tr');
    tr.tabIndex = 0;
    tr.dataset.group = name;
    if (state.selected === name) tr.setAttribute('aria-current', 'true');
    const configured = state.info ? state.info.groupRules.some((g) => g.name === name) || state.info.pids.some((p) => `pid-${p}` === name) : false;
    if (configured) tr.classList.add('configured');
    const cells = tableCols.map(() => tr.appendChild(document.createElement('td')));
    cells[0].title = name;
    const row = { tr, cells, text: tableCols.map(() => '') };
    rows.set(name, row);
    return row;
  }

  /** @param {HTMLElement} el @param {string} text */
  function setText(el, text) {
    if (el.textContent !== text) el.textContent = text;
  }

  tbody.addEventListener('click', (e) => {
    const tr = /** @type {HTMLElement} */ (e.target).closest('tr');
    if (tr && tr.dataset.group !== undefined) selectGroup(tr.dataset.group);
  });
  tbody.addEventListener('keydown', (e) => {
    const tr = /** @type {HTMLElement} */ (e.target).closest('tr');
    if (!tr) return;
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      if (tr.dataset.group !== undefined) selectGroup(tr.dataset.group);
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const next = /** @type {HTMLElement | null} */ (e.key === 'ArrowDown' ? tr.nextElementSibling : tr.previousElementSibling);
      next?.focus();
    }
  });

  /** Shows a group's charts: its history for the range, then live. */
  /** @param {string} name */
  function selectGroup(name) {
    state.selected = name;
    for (const [n, row] of rows) {
      if (n === name) row.tr.setAttribute('aria-current', 'true');
      else row.tr.removeAttribute('aria-current');
    }
    const detail = $('group-detail');
    detail.hidden = false;
    $('group-name').textContent = name;
    $('group-facts').textContent = '';
    groupRing = [];
    groupView = newView(groupCols.length, state.info ? state.info.intervalSeconds : 1);
    buildGroupCharts();
    void loadGroup(name);
    void loadFacts(name);
    detail.scrollIntoView({ block: 'nearest' });
    scheduleRender();
  }

  /** The group's members and where it comes from, from /api/groups (as text). */
  /** @param {string} name */
  async function loadFacts(name) {
    try {
      const body = await getJson('api/groups');
      const g = body.groups.find((/** @type {any} */ x) => x.name === name);
      if (state.selected !== name || !g) return;
      const rule = state.info && state.info.groupRules.find((r) => r.name === name);
      const parts = [`${g.procs} ${g.procs === 1 ? 'process' : 'processes'}`];
      if (g.pids.length > 0) parts.push(`PID ${g.pids.slice(0, 12).join(', ')}${g.pids.length > 12 || g.procs > g.pids.length ? ', …' : ''}`);
      if (rule) parts.push(`--group ${name}=${rule.pattern}`);
      else if (g.configured) parts.push('--pid and its descendants');
      if (g.oldestStartTime) parts.push(`oldest started ${K.fmtTime(g.oldestStartTime, true)}`);
      if (g.ioUnreadable > 0) parts.push(`I/O of ${g.ioUnreadable} not readable (another user's)`);
      if (!$('group-facts').textContent) $('group-facts').textContent = parts.join(' · ');
    } catch {
      // the facts line is a nicety; the charts say what matters
    }
  }

  $('close-group').addEventListener('click', () => {
    state.selected = null;
    groupToken++;
    $('group-detail').hidden = true;
    for (const row of rows.values()) row.tr.removeAttribute('aria-current');
    groupView = newView(groupCols.length, 1);
    buildGroupCharts();
  });

  const filterInput = /** @type {HTMLInputElement} */ ($('filter'));
  filterInput.addEventListener('input', () => {
    state.filter = filterInput.value.trim();
    renderTable();
  });

  // ---- controls ----

  function rangeButtons() {
    return /** @type {HTMLButtonElement[]} */ ([...document.querySelectorAll('#ranges button')]);
  }

  /** @param {number} seconds */
  function setRange(seconds) {
    state.rangeSeconds = seconds;
    for (const b of rangeButtons()) b.setAttribute('aria-pressed', String(Number(b.dataset.seconds) === seconds));
    state.follow = true;
    state.zoom = null;
    $('live').hidden = true;
    const interval = state.info ? state.info.intervalSeconds : 1;
    hostView = newView(hostCols.length, interval);
    void loadHost();
    if (state.selected !== null) void loadGroup(state.selected);
    scheduleRender();
  }

  for (const b of rangeButtons()) b.addEventListener('click', () => setRange(Number(b.dataset.seconds)));
  $('live').addEventListener('click', goLive);

  const pauseButton = $('pause');
  function setPaused(/** @type {boolean} */ paused) {
    state.paused = paused;
    pauseButton.setAttribute('aria-pressed', String(paused));
    pauseButton.textContent = paused ? 'Resume' : 'Pause';
    if (!paused) render();
    updateStatus();
  }
  pauseButton.addEventListener('click', () => setPaused(!state.paused));

  const themeButton = $('theme');
  /** @param {string} theme @param {boolean} chosen */
  function applyTheme(theme, chosen) {
    state.theme = theme;
    K.setTheme(theme);
    themeButton.textContent = theme === 'dark' ? 'Light' : 'Dark';
    themeButton.title = `Switch to the ${theme === 'dark' ? 'light' : 'dark'} theme`;
    if (chosen) {
      try {
        localStorage.setItem('perfscope-theme', theme);
      } catch {
        // storage off: the choice lasts this page
      }
    }
    // Canvas colours come from the theme: charts are rebuilt (zoom and data are kept).
    if (state.hostCharts.length > 0) {
      buildCharts();
      render();
    }
  }
  themeButton.addEventListener('click', () => applyTheme(state.theme === 'dark' ? 'light' : 'dark', true));
  window.matchMedia?.('(prefers-color-scheme: dark)').addEventListener('change', () => {
    if (savedTheme() === null) applyTheme(K.systemTheme(), false);
  });
  function savedTheme() {
    try {
      return localStorage.getItem('perfscope-theme');
    } catch {
      return null;
    }
  }

  document.addEventListener('keydown', (e) => {
    const target = /** @type {HTMLElement} */ (e.target);
    if (e.ctrlKey || e.metaKey || e.altKey || target.tagName === 'INPUT') return;
    if (e.key === 'p') setPaused(!state.paused);
    else if (e.key === '/') {
      e.preventDefault();
      filterInput.focus();
    }
  });

  let resizeTimer = 0;
  window.addEventListener('resize', () => {
    clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(() => {
      for (const u of allCharts()) u.setSize({ width: Math.max(280, u.root.parentElement.clientWidth), height: 170 });
    }, 150);
  });

  // ---- status line ----

  /** @type {string | null} */ let note = null;
  /** @param {string | null} text */
  function setNote(text) {
    note = text;
    updateStatus();
  }

  function updateStatus() {
    const info = state.info;
    const el = $('status');
    let text;
    let mode;
    if (!state.connected) {
      mode = state.connects > 0 ? 'reconnecting' : 'connecting';
      text = state.connects > 0 ? `reconnecting…${state.lastT > 0 ? ` (last tick ${K.fmtTime(state.lastT)})` : ''}` : 'connecting…';
    } else {
      mode = state.paused ? 'paused' : 'live';
      const parts = [state.paused ? 'paused' : 'live'];
      if (info) parts.push(`every ${K.fmtNumber(info.intervalSeconds)} s`);
      const self = latest && latest.self;
      if (self && self.cpuPercent != null) parts.push(`serve ${self.cpuPercent.toFixed(1)} % CPU, ${K.fmtBytes(self.rssBytes)}`);
      if (state.lastT > 0) parts.push(K.fmtTime(state.lastT));
      text = parts.join(' · ');
    }
    if (note) text += ` · ${note}`;
    el.dataset.state = mode;
    setText($('status-text'), text);
  }

  // ---- start ----

  function main() {
    const saved = savedTheme();
    state.theme = saved === 'dark' || saved === 'light' ? saved : K.systemTheme();
    K.setTheme(state.theme);
    themeButton.textContent = state.theme === 'dark' ? 'Light' : 'Dark';
    buildHead();
    connect();
  }

  try {
    main();
  } catch (err) {
    state.error = String(err && /** @type {any} */ (err).stack ? /** @type {any} */ (err).stack : err);
    const p = document.createElement('pre');
    p.className = 'error';
    p.textContent = `perfscope: the dashboard could not start: ${err}`;
    document.body.appendChild(p);
  }
})();
