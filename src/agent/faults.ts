/**
 * Faults of a long-running agent: every one is counted (the counts become self-metrics) and printed
 * as one line through core's RateLimitedLog (the exporters' too): at most one line per kind per
 * `everyMs`, with how many were held back. Nothing here throws.
 */
import { RateLimitedLog } from '../core/rate-limited-log.js';

/** Where faults come from; each is a label value of `perfscope_serve_faults_total{kind}`. */
export type FaultKind = 'proc' | 'host' | 'filesystem' | 'store' | 'viewer' | 'http' | 'tick';

export const faultKinds: readonly FaultKind[] = ['proc', 'host', 'filesystem', 'store', 'viewer', 'http', 'tick'];

export class Faults {
  readonly counts = new Map<FaultKind, number>(faultKinds.map((k) => [k, 0]));
  private readonly lines: RateLimitedLog;

  constructor(log: (line: string) => void, everyMs = 60_000, nowMs?: () => number) {
    this.lines = new RateLimitedLog(log, everyMs, nowMs);
  }

  report(kind: FaultKind, message: string): void {
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
    this.lines.line(kind, `perfscope serve: ${kind}: ${message}`);
  }

  total(kind: FaultKind): number {
    return this.counts.get(kind) ?? 0;
  }
}
