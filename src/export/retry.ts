/** Retry pacing shared by the exporters: capped exponential backoff with jitter; their fault lines' default sink. */

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

/** The default sink: one line on stderr. */
export function stderrLine(line: string): void {
  process.stderr.write(`${line}\n`);
}
