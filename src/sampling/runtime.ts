/**
 * In-process extras for the Node process perfscope runs in: event-loop delay and utilisation, V8 heap,
 * GC pauses. Event-loop delay is probed every 10 ms (a 1 ms probe keeps the loop awake 1000 times a
 * second, nodejs/node#56064); utilisation comes from libuv's own counters and costs no timer.
 */
import { performance, PerformanceObserver } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import { LoopDelayProbe } from '../core/loop-delay.js';
import { runtimeSeries, type RuntimeColumn, type RuntimeRow } from './catalogue.js';

/** Runtime columns that always have a value. */
type Always<K extends RuntimeColumn> = { [P in K]: number };

/** The runtime columns of the tree row, as the catalogue declares them (runtimeSeries). */
export type RuntimeSample = RuntimeRow & Always<'heap_used_bytes' | 'heap_total_bytes' | 'gc_pause_seconds' | 'gc_count'>;

/** The runtime column names, in declaration order. */
export const runtimeColumns = Object.keys(runtimeSeries) as RuntimeColumn[];

export class RuntimeProbe {
  private readonly delay: LoopDelayProbe;
  private elu = performance.eventLoopUtilization();
  private readonly gc: PerformanceObserver;
  private gcSeconds = 0;
  private gcCount = 0;

  constructor(resolutionMs = 10) {
    this.delay = new LoopDelayProbe(resolutionMs);
    this.delay.start();
    this.gc = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        this.gcSeconds += e.duration / 1000;
        this.gcCount++;
      }
    });
    this.gc.observe({ entryTypes: ['gc'] });
  }

  /** Values for the interval since the previous call (or since construction), then resets. GC figures are per interval. */
  sample(): RuntimeSample {
    const d = this.delay.take();
    const now = performance.eventLoopUtilization();
    const delta = performance.eventLoopUtilization(now, this.elu);
    this.elu = now;
    const heap = getHeapStatistics();
    const out: RuntimeSample = {
      event_loop_delay_p50_seconds: d?.p50Seconds ?? null,
      event_loop_delay_p99_seconds: d?.p99Seconds ?? null,
      event_loop_delay_max_seconds: d?.maxSeconds ?? null,
      event_loop_utilization: Number.isFinite(delta.utilization) ? delta.utilization : null,
      heap_used_bytes: heap.used_heap_size,
      heap_total_bytes: heap.total_heap_size,
      gc_pause_seconds: this.gcSeconds,
      gc_count: this.gcCount,
    };
    this.gcSeconds = 0;
    this.gcCount = 0;
    return out;
  }

  close(): void {
    this.delay.stop();
    this.gc.disconnect();
  }
}
