/**
 * The bound handle of an observing metric (histogram, summary): `metric.labels(...)` returns one, and
 * its `observe()` does no label lookup. The series is resolved on first use and again after it was
 * removed, reset or expired (`dead`).
 */
import type { LabelValues, SeriesBase } from './metric.js';
import { startClock, timeCall } from './timer.js';

/** What a bound handle needs of its metric. */
export interface ObservingMetric<T extends string, S extends SeriesBase> {
  resolve(labels: Record<string, unknown>): S;
  checkValue(v: unknown): asserts v is number;
  record(s: S, v: number): void;
  observe(labels: LabelValues<T>, value: number): void;
}

export class BoundObserver<T extends string, S extends SeriesBase> {
  private s: S;
  constructor(
    private readonly metric: ObservingMetric<T, S>,
    private readonly labelValues: Record<string, unknown>,
    detached: S,
  ) {
    this.s = detached;
  }

  observe(value: number): void {
    let s = this.s;
    if (s.dead) s = this.s = this.metric.resolve(this.labelValues);
    this.metric.checkValue(value);
    this.metric.record(s, value);
  }

  startTimer(): (endLabels?: LabelValues<T>) => number {
    return startClock<LabelValues<T>>((seconds, endLabels) => {
      if (endLabels === undefined) this.observe(seconds);
      else this.metric.observe({ ...(this.labelValues as LabelValues<T>), ...endLabels }, seconds);
    });
  }

  time<R>(fn: () => R): R {
    return timeCall(fn, (seconds) => this.observe(seconds));
  }
}
