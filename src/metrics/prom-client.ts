/**
 * `perfscope/prom-client`: a drop-in for `prom-client` 15.1.3. The default export (and, from CommonJS,
 * `module.exports`) has prom-client's shape, so migrating is one changed import or require.
 */
import { AggregatorRegistry, aggregators } from './aggregate.js';
import { exponentialBuckets, linearBuckets } from './buckets.js';
import { Counter } from './counter.js';
import { collectDefaultMetrics } from './default-metrics/index.js';
import { OPENMETRICS_CONTENT_TYPE, PROMETHEUS_CONTENT_TYPE } from './exposition.js';
import { Gauge } from './gauge.js';
import { Histogram } from './histogram.js';
import { Pushgateway } from './pushgateway.js';
import { globalRegistry, Registry } from './registry.js';
import { Summary } from './summary.js';
import { validateMetricName } from './validation.js';

export interface PromClient {
  register: Registry;
  Registry: typeof Registry;
  contentType: string;
  prometheusContentType: typeof PROMETHEUS_CONTENT_TYPE;
  openMetricsContentType: typeof OPENMETRICS_CONTENT_TYPE;
  validateMetricName: typeof validateMetricName;
  Counter: typeof Counter;
  Gauge: typeof Gauge;
  Histogram: typeof Histogram;
  Summary: typeof Summary;
  Pushgateway: typeof Pushgateway;
  linearBuckets: typeof linearBuckets;
  exponentialBuckets: typeof exponentialBuckets;
  collectDefaultMetrics: typeof collectDefaultMetrics;
  aggregators: typeof aggregators;
  AggregatorRegistry: typeof AggregatorRegistry;
}

const promClient = {
  register: globalRegistry,
  Registry,
  prometheusContentType: PROMETHEUS_CONTENT_TYPE,
  openMetricsContentType: OPENMETRICS_CONTENT_TYPE,
  validateMetricName,
  Counter,
  Gauge,
  Histogram,
  Summary,
  Pushgateway,
  linearBuckets,
  exponentialBuckets,
  collectDefaultMetrics,
  aggregators,
  AggregatorRegistry,
} as PromClient;

// prom-client: `contentType` reads and sets the default registry's content type
Object.defineProperty(promClient, 'contentType', {
  configurable: false,
  enumerable: true,
  get: () => globalRegistry.contentType,
  set: (value: string) => globalRegistry.setContentType(value),
});

export default promClient;
export {
  AggregatorRegistry,
  aggregators,
  collectDefaultMetrics,
  Counter,
  exponentialBuckets,
  Gauge,
  Histogram,
  linearBuckets,
  OPENMETRICS_CONTENT_TYPE as openMetricsContentType,
  PROMETHEUS_CONTENT_TYPE as prometheusContentType,
  Pushgateway,
  globalRegistry as register,
  Registry,
  Summary,
  validateMetricName,
};
