/**
 * A metric's collected data as prom-client's `get()` reports it: what registries, aggregation and
 * exporters read. Kept apart from the Metric class so the registry, which holds metrics, and the
 * metric, which registers itself, do not import each other.
 */

export type LabelValue = string | number;
/** Label values by label name; a missing label renders as absent, like prom-client. */
export type LabelValues<T extends string = string> = Partial<Record<T, LabelValue>>;
export type Aggregator = 'omit' | 'sum' | 'first' | 'min' | 'max' | 'average';
export type MetricType = 'counter' | 'gauge' | 'histogram' | 'summary';

/** One sample as prom-client's `get()` reports it. */
export interface MetricValue {
  value: number;
  labels: Record<string, LabelValue>;
  metricName?: string;
  exemplar?: unknown;
}

export interface MetricObjectWithValues {
  name: string;
  help: string;
  type: MetricType;
  values: MetricValue[];
  aggregator: Aggregator;
}
