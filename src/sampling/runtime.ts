/**
 * In-process extras for the Node process perfscope runs in: event-loop delay and utilisation, V8 heap,
 * GC pauses. Event-loop delay uses a 10 ms-resolution histogram (a 1 ms one keeps the loop awake 1000
 * times a second, nodejs/node#56064); utilisation comes from libuv's own counters and costs no timer.
 */
import { monitorEventLoopDelay, performance, PerformanceObserver, type IntervalHistogram } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';

export interface RuntimeSample {
  event_loop_delay_p50_seconds: number | null;
  event_loop_delay_p99_seconds: number | null;
  event_loop_delay_max_seconds: number | null;
  event_loop_utilization: number | null;
  heap_used_bytes: number;
  heap_total_bytes: number;
  /** Sum of GC pause durations that ended during the interval, and how many. */
  gc_pause_seconds: number;
  gc_count: number;
}

export const runtimeColumns = [
  'event_loop_delay_p50_seconds',
  'event_loop_delay_p99_seconds',
  'event_loop_delay_max_seconds',
  'event_loop_utilization',
  'heap_used_bytes',
  'heap_total_bytes',
  'gc_pause_seconds',
  'gc_count',
] as const;

export class RuntimeProbe {
  private readonly histogram: IntervalHistogram;
  private elu = performance.eventLoopUtilization();
  private readonly gc: PerformanceObserver;
  private gcSeconds = 0;
  private gcCount = 0;
  private readonly resolutionNs: number;

  constructor(resolutionMs = 10) {
    this.resolutionNs = resolutionMs * 1e6;
    this.histogram = monitorEventLoopDelay({ resolution: resolutionMs });
    this.histogram.enable();
    this.gc = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        this.gcSeconds += e.duration / 1000;
        this.gcCount++;
      }
    });
    this.gc.observe({ entryTypes: ['gc'] });
  }

  /** Values for the interval since the previous call (or since construction), then resets. */
  sample(): RuntimeSample {
    const h = this.histogram;
    const has = h.count > 0;
    // The histogram records the whole timer period (an idle loop reads ~10.1 ms at resolution 10,
    // measured); the delay is what exceeds the period.
    const nsToS = (ns: number): number | null => (has ? Math.max(0, ns - this.resolutionNs) / 1e9 : null);
    const now = performance.eventLoopUtilization();
    const delta = performance.eventLoopUtilization(now, this.elu);
    this.elu = now;
    const heap = getHeapStatistics();
    const out: RuntimeSample = {
      event_loop_delay_p50_seconds: nsToS(h.percentile(50)),
      event_loop_delay_p99_seconds: nsToS(h.percentile(99)),
      event_loop_delay_max_seconds: nsToS(h.max),
      event_loop_utilization: Number.isFinite(delta.utilization) ? delta.utilization : null,
      heap_used_bytes: heap.used_heap_size,
      heap_total_bytes: heap.total_heap_size,
      gc_pause_seconds: this.gcSeconds,
      gc_count: this.gcCount,
    };
    h.reset();
    this.gcSeconds = 0;
    this.gcCount = 0;
    return out;
  }

  close(): void {
    this.histogram.disable();
    this.gc.disconnect();
  }
}
