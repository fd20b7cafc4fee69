/** The metrics library: prom-client's API, faster, plus bound handles, cardinality limits and more. */
export { Registry, globalRegistry as register, type MetricsOptions, type RegistryMetric } from './registry.js';
export { Counter, BoundCounter, type CounterConfiguration, type IncreaseWithExemplar } from './counter.js';
export { Gauge, BoundGauge, type GaugeConfiguration } from './gauge.js';
export { Histogram, BoundHistogram, type HistogramConfiguration, type ObserveWithExemplar } from './histogram.js';
export { Summary, BoundSummary, DEFAULT_PERCENTILES, type SummaryConfiguration } from './summary.js';
export { DEFAULT_CARDINALITY_LIMIT, OVERFLOW_LABEL, type MetricConfiguration, type OverflowPolicy } from './metric.js';
export type { Aggregator, LabelValue, LabelValues, MetricObjectWithValues, MetricType, MetricValue } from './metric-data.js';
export { DEFAULT_BUCKETS, exponentialBuckets, linearBuckets } from './buckets.js';
export { Exemplar } from './exemplar.js';
export { OPENMETRICS_CONTENT_TYPE as openMetricsContentType, PROMETHEUS_CONTENT_TYPE as prometheusContentType } from './exposition.js';
export { validateMetricName, validateLabelName } from './validation.js';
export { RELATIVE_ACCURACY as SUMMARY_RELATIVE_ACCURACY } from './quantiles.js';
export { Pushgateway, type PushgatewayOptions, type PushParameters, type PushResult } from './pushgateway.js';
export {
  collectDefaultMetrics,
  defaultMetricNames,
  type DefaultMetricsCollectorConfiguration,
} from './default-metrics/index.js';
export {
  AggregatorFactory,
  AggregatorRegistry,
  aggregators,
  serveWorkerMetrics,
  type AggregateOptions,
  type AggregatorFunction,
} from './aggregate.js';
