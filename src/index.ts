/**
 * perfscope's public API. Every export is listed by name (no `export *`): what is not here is internal.
 */

// core
export { PerfscopeError, ExitCode } from './core/errors.js';
export type { PerfscopeErrorCode } from './core/errors.js';
export type { Clock, TimerHandle } from './core/clock.js';
export { systemClock, FakeClock } from './core/clock.js';
export type { RunData, RunMeta, RunEvent, RunEventKind, ProcessSeries, SeriesColumns } from './core/run-data.js';

// sampling
export { monitor, samples, withClassicColumns } from './sampling/monitor.js';
export type { MonitorOptions, MonitorResult, IoCounters } from './sampling/monitor.js';
export { Sampler, cpuShares } from './sampling/sampler.js';
export type { Sample, Row, ProcessInfo, EndReason, SamplerEnd, HostFacts } from './sampling/sampler.js';
export type { SamplerOptions } from './sampling/options.js';
export { RunRecorder } from './sampling/recorder.js';
export { DeadlineScheduler } from './sampling/scheduler.js';
export type { TickInfo, SchedulerOptions } from './sampling/scheduler.js';
export { ProcessReader } from './sampling/process.js';
export { SystemReader } from './sampling/system.js';
export { readCgroupLimits } from './sampling/cgroup.js';
export { scanProcesses, descendantsOf, readCmdline } from './sampling/tree.js';
export type {
  ProcessSnapshot,
  ProcessIo,
  SystemSnapshot,
  CpuTimes,
  DiskCounters,
  NetCounters,
  CgroupLimits,
  ProcEntry,
  ProcfsOptions,
  Unavailable,
} from './sampling/types.js';

export { ProcessTable } from './sampling/process-table.js';
export type { ProcessRecord, ProcessTableOptions, ProcessTableUpdate, ProcessTableStats } from './sampling/process-table.js';

// store
export { RunStore, RunWriter, defaultStorePath } from './store/store.js';
export { runToJson, runToCsv } from './store/export.js';
export { readRunFile } from './store/run-file.js';

// metrics
export {
  Registry,
  register,
  Counter,
  BoundCounter,
  Gauge,
  BoundGauge,
  Histogram,
  BoundHistogram,
  Summary,
  BoundSummary,
  Pushgateway,
  AggregatorRegistry,
  AggregatorFactory,
  aggregators,
  serveWorkerMetrics,
  collectDefaultMetrics,
  defaultMetricNames,
  linearBuckets,
  exponentialBuckets,
  DEFAULT_BUCKETS,
  DEFAULT_PERCENTILES,
  DEFAULT_CARDINALITY_LIMIT,
  OVERFLOW_LABEL,
  SUMMARY_RELATIVE_ACCURACY,
  Exemplar,
  prometheusContentType,
  openMetricsContentType,
  validateMetricName,
  validateLabelName,
} from './metrics/index.js';
export type {
  MetricsOptions,
  RegistryMetric,
  CounterConfiguration,
  GaugeConfiguration,
  HistogramConfiguration,
  SummaryConfiguration,
  MetricConfiguration,
  MetricObjectWithValues,
  MetricValue,
  MetricType,
  LabelValue,
  LabelValues,
  Aggregator,
  OverflowPolicy,
  PushgatewayOptions,
  PushParameters,
  PushResult,
  DefaultMetricsCollectorConfiguration,
  AggregateOptions,
  AggregatorFunction,
} from './metrics/index.js';
export { startMetricsServer, metricsHandler, negotiate } from './server/metrics-server.js';
export type { MetricsServer, MetricsServerOptions, MetricsHandlerOptions, MetricsAuth } from './server/metrics-server.js';

// agent: perfscope serve (docs/serve.md)
export { startServe } from './agent/serve.js';
export type { ServeOptions, ServeHandle } from './agent/serve.js';
export { Agent } from './agent/agent.js';
export type { AgentInfo, GroupRow, TickReport } from './agent/agent.js';
export type { AgentOptions } from './agent/options.js';
export { RecentWindow, rateOf } from './agent/recent.js';
export type { SeriesSelector, RangeOptions, SeriesRange, SeriesPoint } from './agent/recent.js';
export { serveSeries } from './agent/series.js';
export type { SeriesDef } from './agent/series.js';
export { grafanaDashboard } from './agent/grafana-dashboard.js';
export type { GrafanaDashboardOptions } from './agent/grafana-dashboard.js';

// report
export { visualizePerformanceData, renderReport, reportFormat } from './report/visualize.js';
export type { VisualizeOptions, ReportFormat } from './report/visualize.js';
export { buildChartModel } from './report/chart-model.js';
export type { ChartModel, ChartOptions, ChartRun, ChartPanel, ChartSeries, ChartMarker } from './report/chart-model.js';
export { renderSvg } from './report/svg.js';
export type { SvgOptions } from './report/svg.js';
export { svgToPng } from './report/png.js';
export type { PngOptions } from './report/png.js';
export { renderHtml } from './report/html.js';
export type { HtmlOptions } from './report/html.js';
export { m4 } from './report/m4.js';
export type { Lang } from './report/i18n.js';

// timing
export { timed } from './timing/timed.js';
export type { TimedOptions, TimedDecorator, AnyFunction } from './timing/timed.js';
export { measure } from './timing/measure.js';
export type { MeasureOptions } from './timing/measure.js';
export { functionHistogram, FUNCTION_DURATION_METRIC, FUNCTION_DURATION_BUCKETS } from './timing/function-histogram.js';

// logs
export { createPerformanceLog } from './logs/performance-log.js';
export type {
  PerformanceLog,
  PerformanceLogOptions,
  PerformanceLogFormat,
  PerformanceLogLevel,
  PinoLikeLogger,
  CallLog,
} from './logs/performance-log.js';
export { asctime } from './logs/text-format.js';
export { ECS_VERSION } from './logs/ecs.js';
