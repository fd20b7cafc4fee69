/**
 * Fault lines of long-running parts (serve's agent, the exporters): the first line of a kind at once,
 * then at most one per interval with how many were held back, so a fault that repeats every second
 * neither floods the log nor goes unseen. Lines are made safe for a terminal (they carry process
 * names, paths and receivers' answers: untrusted text), and nothing here throws.
 */

export class RateLimitedLog {
  private readonly last = new Map<string, { atMs: number; held: number }>();

  /**
   * `write` gets each line; `intervalMs` is the least time between two lines of one kind; `nowMs` a
   * monotonic clock in ms (tests pass a fake one).
   */
  constructor(
    private readonly write: (line: string) => void,
    private readonly intervalMs: number,
    private readonly nowMs: () => number = () => performance.now(),
  ) {}

  /** Writes `line` unless a line of the same `kind` was written less than the interval ago (then counts it). */
  line(kind: string, line: string): void {
    const now = this.nowMs();
    const prev = this.last.get(kind);
    if (prev !== undefined && now - prev.atMs < this.intervalMs) {
      prev.held++;
      return;
    }
    const held = prev?.held ?? 0;
    this.last.set(kind, { atMs: now, held: 0 });
    this.emit(held > 0 ? `${line} (${held} similar since the last report)` : line);
  }

  /** Writes `line` regardless of the limit (recoveries, shutdown summaries); resets the kind's count. */
  always(kind: string, line: string): void {
    this.last.delete(kind);
    this.emit(line);
  }

  private emit(line: string): void {
    try {
      this.write(terminalSafe(line));
    } catch {
      // a broken log must not take down what it reports on
    }
  }
}

/** Control characters (line breaks, escapes) as `\xNN`, so one fault is one line and cannot drive the terminal. */
export function terminalSafe(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
