/**
 * Faults of a long-running agent: every one is counted (the counts become self-metrics) and printed
 * as one line through core's RateLimitedLog (the exporters' too): at most one line per kind per
 * `everyMs`, with how many were held back. Nothing here throws.
 */
import { RateLimitedLog, terminalSafe } from '../core/rate-limited-log.js';

/**
 * Where faults come from; each is a label value of `perfscope_serve_faults_total{kind}`. `remote_write`
 * and `otlp` are the exporters' (`--remote-write`, `--otlp`): a receiver that fails or rejects.
 */
export type FaultKind = 'proc' | 'host' | 'filesystem' | 'store' | 'viewer' | 'http' | 'tick' | 'remote_write' | 'otlp';

export const faultKinds: readonly FaultKind[] = ['proc', 'host', 'filesystem', 'store', 'viewer', 'http', 'tick', 'remote_write', 'otlp'];

export class Faults {
  readonly counts = new Map<FaultKind, number>(faultKinds.map((k) => [k, 0]));
  private readonly lines: RateLimitedLog;
  private readonly log: (line: string) => void;
  private readonly onFault: ((kind: FaultKind) => void) | undefined;

  /** `onFault` is called once per fault counted (the agent turns it into `perfscope_serve_faults_total`). */
  constructor(log: (line: string) => void, everyMs = 60_000, nowMs?: () => number, onFault?: (kind: FaultKind) => void) {
    this.log = log;
    this.lines = new RateLimitedLog(log, everyMs, nowMs);
    this.onFault = onFault;
  }

  report(kind: FaultKind, message: string): void {
    this.count(kind);
    this.lines.line(kind, `perfscope serve: ${kind}: ${message}`);
  }

  /**
   * A fault line from a part that limits its own lines already (the exporters write at most one per
   * fault kind and destination a minute, with how many they held back): counted and written as is,
   * without this class's limit on top, so one destination's fault never hides another's.
   */
  reportLimited(kind: FaultKind, message: string): void {
    this.count(kind);
    this.write(`perfscope serve: ${kind}: ${message}`);
  }

  /** An informational line of a part (an exporter resuming its queue, a receiver answering again): written, not counted. */
  note(kind: FaultKind, message: string): void {
    this.write(`perfscope serve: ${kind}: ${message}`);
  }

  total(kind: FaultKind): number {
    return this.counts.get(kind) ?? 0;
  }

  private count(kind: FaultKind): void {
    this.counts.set(kind, (this.counts.get(kind) ?? 0) + 1);
    try {
      this.onFault?.(kind);
    } catch {
      // counting must not take the agent down
    }
  }

  private write(line: string): void {
    try {
      this.log(terminalSafe(line));
    } catch {
      // a broken log must not take the agent down
    }
  }
}
