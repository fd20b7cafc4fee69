/**
 * collectDefaultMetrics(): prom-client's default set (same names, help texts and labels), with CPU time
 * counted from process start and an event-loop lag that measures the loop, not the scrape.
 */
import { usageTypeError } from '../../core/errors.js';
import { isLabelObject } from '../metric.js';
import { activeHandles, activeRequests, metricNames as handleNames } from './active-handles.js';
import { activeResources, metricNames as resourceNames } from './active-resources.js';
import type { DefaultMetricsConfig } from './common.js';
import { eventLoop, metricNames as eventLoopNames } from './event-loop.js';
import { maxFileDescriptors, metricNames as fdNames, openFileDescriptors } from './file-descriptors.js';
import { eventLoopUtilization, metricNames as eluNames } from './event-loop-utilization.js';
import { gc, metricNames as gcNames } from './gc.js';
import { heapMetricNames, heapSize, heapSpaceMetricNames, heapSpaces } from './heap.js';
import { processCpu, metricNames as cpuNames } from './process-cpu.js';
import { processMemory, metricNames as memoryNames } from './process-memory.js';
import { processStartTime, metricNames as startNames } from './process-start-time.js';
import { nodeVersion, metricNames as versionNames } from './version.js';

export type { DefaultMetricsConfig as DefaultMetricsCollectorConfiguration } from './common.js';

const collectors: Record<string, (c: DefaultMetricsConfig) => void> = {
  processCpuTotal: processCpu,
  processStartTime,
  osMemoryHeap: processMemory,
  processOpenFileDescriptors: openFileDescriptors,
  processMaxFileDescriptors: maxFileDescriptors,
  eventLoopLag: eventLoop,
  eventLoopUtilization,
  processResources: activeResources,
  processHandles: activeHandles,
  processRequests: activeRequests,
  heapSizeAndUsed: heapSize,
  heapSpacesSizeAndUsed: heapSpaces,
  version: nodeVersion,
  gc,
};

/** Names of the collectors (prom-client's `collectDefaultMetrics.metricsList`). */
export const metricsList = Object.keys(collectors);

/** Every metric name the default collectors may register (without prefix). */
export const defaultMetricNames: readonly string[] = [
  ...cpuNames,
  ...startNames,
  ...memoryNames,
  ...fdNames,
  ...eventLoopNames,
  ...eluNames,
  ...resourceNames,
  ...handleNames,
  ...heapMetricNames,
  ...heapSpaceMetricNames,
  ...versionNames,
  ...gcNames,
];

/** Registers the default process and Node.js runtime metrics in `config.register` (default registry). */
export function collectDefaultMetrics(config?: DefaultMetricsConfig | null): void {
  if (config !== null && config !== undefined && !isLabelObject(config)) {
    throw usageTypeError('config must be null, undefined, or an object');
  }
  const c: DefaultMetricsConfig = { eventLoopMonitoringPrecision: 10, ...config };
  for (const collect of Object.values(collectors)) collect(c);
}
collectDefaultMetrics.metricsList = metricsList;
