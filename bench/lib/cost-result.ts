/** What a cost worker (cost-worker.ts or psutil_cost.py) prints: one JSON line. */
export interface CostResult {
  method: string;
  /** Timed snapshots. */
  n: number;
  /** CPU per snapshot, own + reaped children, µs. */
  cpuUsPerSnapshot: number;
  /** The children's part of it (commands the method spawned), µs. */
  childrenCpuUsPerSnapshot: number;
  /** Median wall time of one snapshot, µs. */
  wallP50Us: number;
}

/** What a monitor child (monitor.ts or psutil_monitor.py) prints when sent SIGTERM. */
export interface MonitorResult {
  monitor: string;
  /**
   * One entry per tick: [CLOCK_MONOTONIC ms when it ran, ms late versus its deadline, deadlines
   * skipped just before it (the tick could not run before the next one was due)].
   */
  ticks: [number, number, number][];
}
