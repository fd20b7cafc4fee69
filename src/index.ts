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
export { monitor, samples, withClassicColumns } from './record/monitor.js';
export type { MonitorOptions, MonitorResult, IoCounters } from './record/monitor.js';
export { Sampler, cpuShares } from './sampling/sampler.js';
export type { Sample, Row, ProcessInfo, EndReason, SamplerEnd, HostFacts, Engine } from './sampling/sampler.js';
export type { SamplerOptions } from './sampling/options.js';
export {
  treeSeries,
  processSeries,
  systemSeries,
  runtimeSeries,
  allSeries,
  columnName,
  parseColumn,
  labelSafe,
  runUnits,
  treeColumns,
  processColumns,
  systemColumns,
} from './sampling/catalogue.js';
export type {
  SeriesDecl,
  SeriesKind,
  SeriesUnit,
  SeriesScope,
  BaseUnit,
  LabelKey,
  ResolvedColumn,
  TreeColumn,
  ProcessColumn,
  SystemColumn,
  RuntimeColumn,
  TreeRow,
  ProcessRow,
  SystemRow,
  RuntimeRow,
  TreeColumns,
  ProcessColumns,
  SystemColumns,
  ColumnOf,
} from './sampling/catalogue.js';
export { sampleSeries } from './sampling/sample-series.js';
export type { SeriesValue } from './sampling/sample-series.js';
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

// record
export { recordCommand } from './record/record-command.js';
export type { RecordCommandOptions, CommandRecordResult, StoppedBy } from './record/record-command.js';
export { recordProcess } from './record/record-process.js';
export type { RecordProcessOptions, ProcessRecordResult } from './record/record-process.js';
export type { RecordOptions } from './record/options.js';
export type { RecordResult } from './record/session.js';
export type { StoreOutcome } from './record/store-sink.js';
export type { RunOutputsSpec, OutputKind, OutputResult } from './record/outputs.js';
export type { RecordNote, NoteListener } from './record/notes.js';
export type { CommandExit, Leftover } from './record/spawn.js';
export type { StatusStream } from './record/status-line.js';
export { RunRecorder } from './record/recorder.js';

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

// export: remote_write, OTLP, OpenMetrics backfill
export { startRemoteWrite } from './export/remote-write.js';
export type { RemoteWrite, RemoteWriteOptions, RemoteWriteStatus, RemoteWriteStopResult } from './export/remote-write.js';
export { startOtlpExport } from './export/otlp-export.js';
export type { OtlpExport, OtlpExportOptions, OtlpExportStatus, OtlpProtocol } from './export/otlp-export.js';
export type { Temporality } from './export/otlp-encoding.js';
export type { ExportAuth } from './export/options.js';
export { registrySource } from './export/registry-source.js';
export { combineSources } from './export/series.js';
export type {
  SeriesSource,
  Collection,
  MetricFamily,
  ValueFamily,
  HistogramFamily,
  SummaryFamily,
  ValuePoint,
  HistogramPoint,
  SummaryPoint,
  FlatSample,
  Labels,
} from './export/series.js';
export { runToOpenMetrics } from './export/openmetrics.js';

// agent: perfscope serve (docs/serve.md)
export { startServe } from './agent/serve.js';
export type { ServeOptions, ServeHandle } from './agent/serve.js';
export type { ServeRemoteWriteOptions, ServeOtlpOptions, ServeExports } from './agent/exports.js';
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

// log analysis (`perfscope logs analyze`)
export { analyzeLogs } from './analysis/logs/analyze.js';
export type { AnalyzeLogsOptions } from './analysis/logs/options.js';
export type {
  LogAnalysis,
  GroupStats,
  SlowCall,
  Change,
  Pattern,
  MalformedSummary,
  MalformedExample,
  InputSummary,
  QuantileMethod,
  Timeline,
  TimelineSeries,
  Distribution,
} from './analysis/logs/result.js';
export type { LogFormat, KeyKind } from './logs/parse/log-parser.js';
export { renderLogsHtml } from './report/logs-html.js';
export type { LogsHtmlOptions } from './report/logs-html.js';
export { LogHistogram } from './analysis/log-histogram.js';
export { Drain } from './analysis/drain.js';
export type { DrainOptions, DrainCluster } from './analysis/drain.js';
