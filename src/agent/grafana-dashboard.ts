/**
 * A Grafana dashboard for `perfscope serve` (`perfscope grafana-dashboard`): the classic dashboard
 * JSON model at schema version 42 (what Grafana 12.3 and later write; older versions import it as is,
 * newer ones migrate it), for the Import screen or provisioning. A `datasource` variable of type
 * datasource (Prometheus), `job` and `instance` from serve's own series, a multi-value `groupname`
 * variable; host panels (CPU per mode, memory, load, disks, network, filesystems), process-group
 * panels and serve's own cost. Every query names only series serve exports, taken from its series
 * catalogue (series.ts) and self-metrics, so the dashboard cannot drift from /metrics.
 */
import { serveSeries as S } from './series.js';

export interface GrafanaDashboardOptions {
  /** Dashboard title (default "perfscope serve"). */
  title?: string;
  /** Dashboard uid: re-importing the same uid replaces the dashboard (default "perfscope-serve"). */
  uid?: string;
}

/** The schema version Grafana 12.3+ writes for classic dashboards. */
export const grafanaSchemaVersion = 42;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };

const ds: Obj = { type: 'prometheus', uid: '${datasource}' };
/** Every query is scoped to the chosen serve. */
const sel = 'job="$job", instance="$instance"';
const groups = `${sel}, groupname=~"$groupname"`;

/** serve's own series (self-metrics and its process metrics), by the names /metrics uses. */
const self = {
  ticks: 'perfscope_serve_ticks_total',
  missed: 'perfscope_serve_missed_deadlines_total',
  tickDuration: 'perfscope_serve_tick_duration_seconds_bucket',
  faults: 'perfscope_serve_faults_total',
  viewers: 'perfscope_serve_viewers',
  processes: 'perfscope_serve_processes',
  cpu: 'process_cpu_seconds_total',
  rss: 'process_resident_memory_bytes',
  start: 'process_start_time_seconds',
} as const;

interface Target {
  expr: string;
  legend?: string;
  instant?: boolean;
}

interface PanelSpec {
  title: string;
  description: string;
  unit: string;
  targets: Target[];
  w: number;
  h: number;
  min?: number;
  max?: number;
  stack?: boolean;
  decimals?: number;
}

/** Lays panels out on Grafana's 24-column grid, left to right, rows top to bottom. */
class Layout {
  private x = 0;
  private y = 0;
  private rowHeight = 0;
  private id = 0;
  readonly panels: Obj[] = [];

  row(title: string): void {
    this.newLine();
    this.panels.push({ type: 'row', title, collapsed: false, id: ++this.id, gridPos: { h: 1, w: 24, x: 0, y: this.y }, panels: [] });
    this.y += 1;
  }

  add(panel: Obj, w: number, h: number): void {
    if (this.x + w > 24) this.newLine();
    this.panels.push({ id: ++this.id, gridPos: { h, w, x: this.x, y: this.y }, ...panel });
    this.x += w;
    this.rowHeight = Math.max(this.rowHeight, h);
  }

  private newLine(): void {
    if (this.x === 0) return;
    this.y += this.rowHeight;
    this.x = 0;
    this.rowHeight = 0;
  }
}

function targets(list: Target[]): Json[] {
  return list.map((t, i) => ({
    refId: String.fromCharCode(65 + i),
    datasource: ds,
    editorMode: 'code',
    expr: t.expr,
    legendFormat: t.legend ?? '__auto',
    range: !t.instant,
    instant: t.instant === true,
  }));
}

function defaults(p: PanelSpec, custom: Obj | null): Obj {
  const d: Obj = { unit: p.unit, color: { mode: 'palette-classic' } };
  if (p.min !== undefined) d.min = p.min;
  if (p.max !== undefined) d.max = p.max;
  if (p.decimals !== undefined) d.decimals = p.decimals;
  if (custom !== null) d.custom = custom;
  return d;
}

function timeseries(p: PanelSpec): Obj {
  return {
    type: 'timeseries',
    title: p.title,
    description: p.description,
    datasource: ds,
    fieldConfig: {
      defaults: defaults(p, {
        drawStyle: 'line',
        lineWidth: 1,
        fillOpacity: p.stack ? 25 : 8,
        gradientMode: 'none',
        showPoints: 'never',
        spanNulls: false,
        axisSoftMin: 0,
        stacking: { mode: p.stack ? 'normal' : 'none', group: 'A' },
      }),
      overrides: [],
    },
    options: {
      legend: { displayMode: 'table', placement: 'bottom', showLegend: true, calcs: ['mean', 'max', 'lastNotNull'] },
      tooltip: { mode: 'multi', sort: 'desc' },
    },
    targets: targets(p.targets),
  };
}

function stat(p: PanelSpec, thresholds: [number, number] | null): Obj {
  const steps: Json[] = [{ color: 'green', value: null }];
  if (thresholds) steps.push({ color: 'orange', value: thresholds[0] }, { color: 'red', value: thresholds[1] });
  return {
    type: 'stat',
    title: p.title,
    description: p.description,
    datasource: ds,
    fieldConfig: { defaults: { ...defaults(p, null), color: { mode: 'thresholds' }, thresholds: { mode: 'absolute', steps } }, overrides: [] },
    options: {
      reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
      colorMode: 'value',
      graphMode: 'area',
      justifyMode: 'auto',
      orientation: 'auto',
      textMode: 'auto',
      wideLayout: true,
      showPercentChange: false,
    },
    targets: targets(p.targets),
  };
}

function bars(p: PanelSpec): Obj {
  return {
    type: 'bargauge',
    title: p.title,
    description: p.description,
    datasource: ds,
    fieldConfig: {
      defaults: { ...defaults(p, null), color: { mode: 'thresholds' }, thresholds: { mode: 'absolute', steps: [{ color: 'green', value: null }, { color: 'orange', value: p.max === 100 ? 80 : 0.8 }, { color: 'red', value: p.max === 100 ? 90 : 0.9 }] } },
      overrides: [],
    },
    options: {
      orientation: 'horizontal',
      displayMode: 'gradient',
      valueMode: 'color',
      showUnfilled: true,
      namePlacement: 'left',
      sizing: 'auto',
      minVizHeight: 16,
      maxVizHeight: 300,
      reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
    },
    targets: targets(p.targets),
  };
}

function queryVariable(name: string, label: string, query: string, o: { multi?: boolean; refresh?: number } = {}): Obj {
  return {
    type: 'query',
    name,
    label,
    datasource: ds,
    definition: query,
    query: { qryType: 1, query, refId: 'PrometheusVariableQueryEditor-VariableQuery' },
    refresh: o.refresh ?? 1,
    sort: 1,
    regex: '',
    hide: 0,
    multi: o.multi === true,
    includeAll: o.multi === true,
    ...(o.multi ? { allValue: '.+', current: { text: ['All'], value: ['$__all'] } } : { current: {} }),
    options: [],
  };
}

/** The dashboard as a JSON value (stringify it to write the file). */
export function grafanaDashboard(options: GrafanaDashboardOptions = {}): Obj {
  const L = new Layout();
  const rate = (name: string, extra = sel): string => `rate(${name}{${extra}}[$__rate_interval])`;
  const cpuCount = `count(${S.cpuSeconds.name}{${sel}, mode="idle"})`;

  L.row('Host');
  L.add(stat({ title: 'CPU busy', description: 'Share of all CPUs not idle nor waiting for I/O.', unit: 'percent', min: 0, max: 100, decimals: 1, w: 4, h: 4, targets: [{ expr: `100 * (1 - sum(${rate(S.cpuSeconds.name, `${sel}, mode=~"idle|iowait"`)}) / ${cpuCount})` }] }, [80, 95]), 4, 4);
  L.add(stat({ title: 'Memory used', description: 'MemTotal − MemAvailable, share of MemTotal.', unit: 'percent', min: 0, max: 100, decimals: 1, w: 4, h: 4, targets: [{ expr: `100 * (1 - ${S.memAvailable.name}{${sel}} / ${S.memTotal.name}{${sel}})` }] }, [80, 95]), 4, 4);
  L.add(stat({ title: 'Load (1 min) per CPU', description: 'node_load1 divided by the number of CPUs.', unit: 'none', decimals: 2, w: 4, h: 4, targets: [{ expr: `${S.load1.name}{${sel}} / scalar(${cpuCount})` }] }, [1, 2]), 4, 4);
  L.add(stat({ title: 'Swap used', description: 'SwapTotal − SwapFree.', unit: 'bytes', w: 4, h: 4, targets: [{ expr: `${S.swapTotal.name}{${sel}} - ${S.swapFree.name}{${sel}}` }] }, null), 4, 4);
  L.add(stat({ title: 'Root filesystem used', description: 'Share of / that non-root users cannot use any more.', unit: 'percent', min: 0, max: 100, decimals: 1, w: 4, h: 4, targets: [{ expr: `100 * (1 - ${S.fsAvail.name}{${sel}, mountpoint="/"} / ${S.fsSize.name}{${sel}, mountpoint="/"})` }] }, [80, 90]), 4, 4);
  L.add(stat({ title: 'Uptime', description: 'Since the host booted.', unit: 's', decimals: 0, w: 4, h: 4, targets: [{ expr: `time() - ${S.bootTime.name}{${sel}}` }] }, null), 4, 4);

  L.add(timeseries({ title: 'CPU by mode', description: 'Share of all CPUs in each mode (idle left out), stacked: the top is the busy share.', unit: 'percent', min: 0, stack: true, w: 12, h: 8, targets: [{ expr: `100 * sum by (mode) (${rate(S.cpuSeconds.name, `${sel}, mode!="idle"`)}) / scalar(${cpuCount})`, legend: '{{mode}}' }] }), 12, 8);
  L.add(timeseries({ title: 'Memory', description: 'Used is MemTotal − MemAvailable (what the kernel could not hand out without swapping).', unit: 'bytes', min: 0, w: 12, h: 8, targets: [
    { expr: `${S.memTotal.name}{${sel}} - ${S.memAvailable.name}{${sel}}`, legend: 'used' },
    { expr: `${S.memCached.name}{${sel}} + ${S.memBuffers.name}{${sel}}`, legend: 'cache and buffers' },
    { expr: `${S.memFree.name}{${sel}}`, legend: 'free' },
    { expr: `${S.swapTotal.name}{${sel}} - ${S.swapFree.name}{${sel}}`, legend: 'swap used' },
  ] }), 12, 8);
  L.add(timeseries({ title: 'Load average', description: 'Runnable and uninterruptible tasks, averaged by the kernel; compare with the CPU count.', unit: 'none', min: 0, w: 8, h: 8, targets: [
    { expr: `${S.load1.name}{${sel}}`, legend: '1 min' },
    { expr: `${S.load5.name}{${sel}}`, legend: '5 min' },
    { expr: `${S.load15.name}{${sel}}`, legend: '15 min' },
    { expr: cpuCount, legend: 'CPUs' },
  ] }), 8, 8);
  L.add(timeseries({ title: 'Disk I/O', description: 'Bytes read and written per second, per whole disk.', unit: 'binBps', min: 0, w: 8, h: 8, targets: [
    { expr: rate(S.diskReadBytes.name), legend: '{{device}} read' },
    { expr: rate(S.diskWrittenBytes.name), legend: '{{device}} written' },
  ] }), 8, 8);
  L.add(timeseries({ title: 'Network', description: 'Bytes received and sent per second, per interface (not lo).', unit: 'binBps', min: 0, w: 8, h: 8, targets: [
    { expr: rate(S.netReceiveBytes.name), legend: '{{device}} received' },
    { expr: rate(S.netTransmitBytes.name), legend: '{{device}} sent' },
  ] }), 8, 8);
  L.add(bars({ title: 'Filesystems used', description: 'Share of each filesystem that non-root users cannot use any more.', unit: 'percent', min: 0, max: 100, w: 12, h: 8, targets: [{ expr: `100 * (1 - ${S.fsAvail.name}{${sel}} / ${S.fsSize.name}{${sel}})`, legend: '{{mountpoint}}', instant: true }] }), 12, 8);
  L.add(timeseries({ title: 'Processes and context switches', description: 'Runnable and blocked (waiting for I/O) processes, and context switches in thousands per second.', unit: 'none', min: 0, w: 12, h: 8, targets: [
    { expr: `${S.procsRunning.name}{${sel}}`, legend: 'running' },
    { expr: `${S.procsBlocked.name}{${sel}}`, legend: 'blocked' },
    { expr: `${rate(S.contextSwitches.name)} / 1000`, legend: 'context switches (thousands/s)' },
  ] }), 12, 8);

  L.row('Process groups: $groupname');
  L.add(bars({ title: 'Busiest groups now', description: 'CPU of the ten busiest groups, % of one core (100 = one full core).', unit: 'percent', min: 0, w: 8, h: 10, targets: [{ expr: `topk(10, 100 * sum by (groupname) (${rate(S.groupCpuSeconds.name, groups)}))`, legend: '{{groupname}}', instant: true }] }), 8, 10);
  L.add(timeseries({ title: 'CPU by group', description: 'user + system, % of one core (100 = one full core; a group can use more).', unit: 'percent', min: 0, w: 16, h: 10, targets: [{ expr: `100 * sum by (groupname) (${rate(S.groupCpuSeconds.name, groups)})`, legend: '{{groupname}}' }] }), 16, 10);
  L.add(timeseries({ title: 'Resident memory by group', description: 'Σ VmRSS of the members.', unit: 'bytes', min: 0, w: 12, h: 8, targets: [{ expr: `${S.groupMemory.name}{${groups}, memtype="resident"}`, legend: '{{groupname}}' }] }), 12, 8);
  L.add(timeseries({ title: 'Swapped memory by group', description: 'Σ VmSwap of the members.', unit: 'bytes', min: 0, w: 12, h: 8, targets: [{ expr: `${S.groupMemory.name}{${groups}, memtype="swapped"}`, legend: '{{groupname}}' }] }), 12, 8);
  L.add(timeseries({ title: 'Storage read by group', description: 'Bytes read from storage per second (/proc/PID/io read_bytes).', unit: 'binBps', min: 0, w: 12, h: 8, targets: [{ expr: rate(S.groupReadBytes.name, groups), legend: '{{groupname}}' }] }), 12, 8);
  L.add(timeseries({ title: 'Storage written by group', description: 'Bytes written to storage per second (/proc/PID/io write_bytes).', unit: 'binBps', min: 0, w: 12, h: 8, targets: [{ expr: rate(S.groupWriteBytes.name, groups), legend: '{{groupname}}' }] }), 12, 8);
  L.add(timeseries({ title: 'Processes by group', description: 'Live members.', unit: 'none', min: 0, decimals: 0, w: 8, h: 8, targets: [{ expr: `${S.groupNumProcs.name}{${groups}}`, legend: '{{groupname}}' }] }), 8, 8);
  L.add(timeseries({ title: 'Threads by group', description: 'Σ threads of the members.', unit: 'none', min: 0, decimals: 0, w: 8, h: 8, targets: [{ expr: `${S.groupNumThreads.name}{${groups}}`, legend: '{{groupname}}' }] }), 8, 8);
  L.add(timeseries({ title: 'Open file descriptors by group', description: 'Σ open fds of the members (another user\'s processes are readable only when serve runs as root).', unit: 'none', min: 0, decimals: 0, w: 8, h: 8, targets: [{ expr: `${S.groupOpenFds.name}{${groups}}`, legend: '{{groupname}}' }] }), 8, 8);
  L.add(timeseries({ title: 'Major page faults by group', description: 'Faults that read from storage, per second.', unit: 'ops', min: 0, w: 12, h: 8, targets: [{ expr: rate(S.groupMajorFaults.name, groups), legend: '{{groupname}}' }] }), 12, 8);
  L.add(timeseries({ title: 'Context switches by group', description: 'Voluntary (waiting) and non-voluntary (preempted) switches per second.', unit: 'ops', min: 0, w: 12, h: 8, targets: [{ expr: `sum by (groupname, ctxswitchtype) (${rate(S.groupContextSwitches.name, groups)})`, legend: '{{groupname}} {{ctxswitchtype}}' }] }), 12, 8);

  L.row('perfscope serve itself');
  L.add(timeseries({ title: 'serve CPU', description: "serve's own CPU, all its threads, % of one core.", unit: 'percent', min: 0, w: 8, h: 8, targets: [{ expr: `100 * ${rate(self.cpu)}`, legend: 'CPU % of one core' }] }), 8, 8);
  L.add(timeseries({ title: 'serve resident memory', description: "serve's RSS.", unit: 'bytes', min: 0, w: 8, h: 8, targets: [{ expr: `${self.rss}{${sel}}`, legend: 'RSS' }] }), 8, 8);
  L.add(timeseries({ title: 'Tick duration (p99) and missed ticks', description: 'Wall time of one sampling tick, 99th percentile; deadlines skipped per minute.', unit: 's', min: 0, w: 8, h: 8, targets: [
    { expr: `histogram_quantile(0.99, sum by (le) (${rate(self.tickDuration)}))`, legend: 'p99 tick' },
    { expr: `60 * ${rate(self.missed)}`, legend: 'missed per minute' },
  ] }), 8, 8);
  L.add(timeseries({ title: 'Faults by kind', description: 'Faults serve met (each also a line on its stderr); 0 is the normal state.', unit: 'none', min: 0, w: 12, h: 8, targets: [{ expr: `increase(${self.faults}{${sel}}[$__rate_interval])`, legend: '{{kind}}' }] }), 12, 8);
  L.add(timeseries({ title: 'Processes sampled and dashboard viewers', description: 'Processes in the table; live-stream viewers connected.', unit: 'none', min: 0, w: 12, h: 8, targets: [
    { expr: `${self.processes}{${sel}}`, legend: 'processes' },
    { expr: `${self.viewers}{${sel}}`, legend: 'viewers' },
  ] }), 12, 8);

  return {
    __requires: [
      { type: 'grafana', id: 'grafana', name: 'Grafana', version: '10.0.0' },
      { type: 'datasource', id: 'prometheus', name: 'Prometheus', version: '1.0.0' },
      { type: 'panel', id: 'timeseries', name: 'Time series', version: '' },
      { type: 'panel', id: 'stat', name: 'Stat', version: '' },
      { type: 'panel', id: 'bargauge', name: 'Bar gauge', version: '' },
    ],
    annotations: {
      list: [
        { builtIn: 1, datasource: { type: 'grafana', uid: '-- Grafana --' }, enable: true, hide: true, iconColor: 'rgba(0, 211, 255, 1)', name: 'Annotations & Alerts', type: 'dashboard' },
        { datasource: ds, enable: true, hide: false, iconColor: 'orange', name: 'serve restarts', expr: `changes(${self.start}{${sel}}[$__interval]) > 0`, step: '60s', titleFormat: 'perfscope serve restarted', textFormat: '{{instance}}', useValueForTime: false },
      ],
    },
    description: 'One host and its process groups as perfscope serve exports them (node_exporter and process-exporter names). Made by `perfscope grafana-dashboard`.',
    editable: true,
    fiscalYearStartMonth: 0,
    graphTooltip: 1,
    id: null,
    links: [],
    panels: L.panels,
    refresh: '30s',
    schemaVersion: grafanaSchemaVersion,
    tags: ['perfscope', 'node', 'processes'],
    templating: {
      list: [
        { type: 'datasource', name: 'datasource', label: 'Data source', query: 'prometheus', current: {}, hide: 0, includeAll: false, multi: false, options: [], refresh: 1, regex: '' },
        queryVariable('job', 'Job', `label_values(${self.ticks}, job)`),
        queryVariable('instance', 'Instance', `label_values(${self.ticks}{job="$job"}, instance)`),
        queryVariable('groupname', 'Group', `label_values(${S.groupNumProcs.name}{${sel}}, groupname)`, { multi: true, refresh: 2 }),
      ],
    },
    time: { from: 'now-6h', to: 'now' },
    timepicker: {},
    timezone: 'browser',
    title: options.title ?? 'perfscope serve',
    uid: options.uid ?? 'perfscope-serve',
    version: 1,
    weekStart: '',
  };
}
