/** Retry pacing and fault reporting shared by the exporters: capped exponential backoff with jitter, rate-limited log lines. */

export interface BackoffOptions {
  readonly minBackoffMs: number;
  readonly maxBackoffMs: number;
  /** A Retry-After longer than this is cut to it (a receiver asking for an hour should not stop us for an hour). */
  readonly maxRetryAfterMs: number;
}

/**
 * The wait before retry number `attempt` (0 for the first retry): min·2^attempt capped at max, then a
 * uniformly random point in its upper half ("equal jitter"), so senders that failed together spread out
 * but never retry sooner than half the nominal delay. A Retry-After from the receiver wins when longer.
 */
export function backoffDelayMs(attempt: number, o: BackoffOptions, retryAfterMs: number | null, random: () => number = Math.random): number {
  const nominal = Math.min(o.maxBackoffMs, o.minBackoffMs * 2 ** Math.min(attempt, 30));
  const jittered = nominal / 2 + random() * (nominal / 2);
  if (retryAfterMs === null) return Math.round(jittered);
  return Math.round(Math.min(o.maxRetryAfterMs, Math.max(jittered, retryAfterMs)));
}

/** Writes a line now and then: the first of a kind at once, then at most one per `intervalMs` with a count of those held back. */
export class RateLimitedLog {
  private readonly last = new Map<string, { atMs: number; held: number }>();

  constructor(
    private readonly write: (line: string) => void,
    private readonly intervalMs: number,
    private readonly nowMs: () => number = Date.now,
  ) {}

  /** Logs `line` unless a line of the same `kind` was logged less than the interval ago. */
  line(kind: string, line: string): void {
    const now = this.nowMs();
    const prev = this.last.get(kind);
    if (prev !== undefined && now - prev.atMs < this.intervalMs) {
      prev.held++;
      return;
    }
    const held = prev?.held ?? 0;
    this.last.set(kind, { atMs: now, held: 0 });
    this.write(held > 0 ? `${line} (${held} similar since the last report)` : line);
  }

  /** Logs `line` regardless of the limit (recoveries, shutdown summaries); resets the kind's count. */
  always(kind: string, line: string): void {
    this.last.delete(kind);
    this.write(line);
  }
}

/** The default sink: one line on stderr. */
export function stderrLine(line: string): void {
  process.stderr.write(`${line}\n`);
}
