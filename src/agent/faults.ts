/**
 * Faults of a long-running agent: every one is counted (the counts become self-metrics) and printed
 * as one line, at most one line per kind per `everyMs` (with how many were held back), so a fault that
 * repeats every second neither floods the log nor goes unseen. Nothing here throws.
 */

/**
 * Where faults come from; each is a label value of `perfscope_serve_faults_total{kind}`. `remote_write`
 * and `otlp` are the exporters' (`--remote-write`, `--otlp`): a receiver that fails or rejects.
 */
export type FaultKind = 'proc' | 'host' | 'filesystem' | 'store' | 'viewer' | 'http' | 'tick' | 'remote_write' | 'otlp';

export const faultKinds: readonly FaultKind[] = ['proc', 'host', 'filesystem', 'store', 'viewer', 'http', 'tick', 'remote_write', 'otlp'];

export class Faults {
  readonly counts = new Map<FaultKind, number>(faultKinds.map((k) => [k, 0]));
  private readonly lastLineMs = new Map<FaultKind, number>();
  private readonly held = new Map<FaultKind, number>();
  private readonly log: (line: string) => void;
  private readonly everyMs: number;
  private readonly nowMs: () => number;
  private readonly onFault: ((kind: FaultKind) => void) | undefined;

  /** `onFault` is called once per fault counted (the agent turns it into `perfscope_serve_faults_total`). */
  constructor(log: (line: string) => void, everyMs = 60_000, nowMs: () => number = () => performance.now(), onFault?: (kind: FaultKind) => void) {
    this.log = log;
    this.everyMs = everyMs;
    this.nowMs = nowMs;
    this.onFault = onFault;
  }

  report(kind: FaultKind, message: string): void {
    this.count(kind);
    const now = this.nowMs();
    const last = this.lastLineMs.get(kind);
    if (last !== undefined && now - last < this.everyMs) {
      this.held.set(kind, (this.held.get(kind) ?? 0) + 1);
      return;
    }
    const held = this.held.get(kind) ?? 0;
    this.held.set(kind, 0);
    this.lastLineMs.set(kind, now);
    try {
      this.log(`perfscope serve: ${kind}: ${oneLine(message)}${held > 0 ? ` (${held} more ${kind} fault${held === 1 ? '' : 's'} since the last line)` : ''}`);
    } catch {
      // a broken log must not take the agent down
    }
  }

  /**
   * A fault line from a part that limits its own lines already (the exporters write at most one per
   * fault kind and destination a minute, with how many they held back): counted and written as is,
   * without this class's limit on top, so one destination's fault never hides another's.
   */
  reportLimited(kind: FaultKind, message: string): void {
    this.count(kind);
    this.write(`perfscope serve: ${kind}: ${oneLine(message)}`);
  }

  /** An informational line of a part (an exporter resuming its queue, a receiver answering again): written, not counted. */
  note(kind: FaultKind, message: string): void {
    this.write(`perfscope serve: ${kind}: ${oneLine(message)}`);
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
      this.log(line);
    } catch {
      // a broken log must not take the agent down
    }
  }

  total(kind: FaultKind): number {
    return this.counts.get(kind) ?? 0;
  }
}

function oneLine(s: string): string {
  // Process names and paths are untrusted: no control characters reach the terminal.
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
