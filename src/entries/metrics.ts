/**
 * `perfscope/metrics`: the metrics library (prom-client's API and perfscope's additions) and the server
 * that exposes it, without the sampler, store and report code of the main entry. The same names from
 * `import` and `require` (test/package/exports.test.ts checks it, and that nothing of the metrics
 * layer's own index is missing here).
 */
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
} from '../metrics/index.js';
export type {
  MetricsOptions,
  RegistryMetric,
  CounterConfiguration,
  IncreaseWithExemplar,
  GaugeConfiguration,
  HistogramConfiguration,
  ObserveWithExemplar,
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
} from '../metrics/index.js';
export { startMetricsServer, metricsHandler, negotiate } from '../server/metrics-server.js';
export type { MetricsServer, MetricsServerOptions, MetricsHandlerOptions, MetricsAuth } from '../server/metrics-server.js';
