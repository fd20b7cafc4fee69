/**
 * What remote_write and OTLP share in sending: capped exponential backoff with jitter, and
 * `RetryingSender`, what both senders are: a collection of the source every interval (never two at
 * once), and one background loop sending one request at a time, in order, with a wakeable wait when
 * there is nothing to send and between retries, the failed/recovered bookkeeping and fault lines, and
 * a stop bounded by a deadline. What is queued, and what a send means for it (a disk queue's batch, an
 * in-memory request), stays in each sender; the hot paths (flattening, encoding, queueing) do not pass
 * through here.
 */
import { RateLimitedLog } from '../core/rate-limited-log.js';
import type { BoundCounter } from '../metrics/counter.js';
import { agentFor, post, type PostTarget, type PostVerdict } from './http-post.js';
import type { Collection, SeriesSource } from './series.js';

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

export function errText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export type SenderState = 'idle' | 'sending' | 'backoff' | 'stopped';

type RetryVerdict = Extract<PostVerdict, { verdict: 'retry' }>;

/** What a sender's resolved options hold for the loop (remote_write's and OTLP's both do). */
export interface SenderOptions {
  readonly url: URL;
  readonly headers: Record<string, string>;
  readonly timeoutMs: number;
  readonly backoff: BackoffOptions;
  /** Where fault lines go (rate-limited to one per kind a minute). */
  readonly log: (line: string) => void;
  /** What `collectNow()` collects. */
  readonly source: SeriesSource;
}

export abstract class RetryingSender {
  protected readonly name: string;
  protected readonly target: PostTarget;
  protected readonly backoff: BackoffOptions;
  protected readonly log: RateLimitedLog;
  /** Stop asked: send what is queued, then end. */
  protected stopping = false;
  /** Stopped: the deadline passed, or the loop ended. */
  protected stopped = false;
  /** Points or samples in requests that failed and were retried, since start. */
  protected failed = 0;
  /** The last fault (send, queue or collection), or null. */
  protected lastError: string | null = null;
  private state: SenderState = 'idle';
  private failing = false;
  private readonly failedMetric: BoundCounter;
  private readonly abort = new AbortController();
  private wakeIdle: (() => void) | undefined;
  private wakeSleep: (() => void) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private loop: Promise<void> = Promise.resolve();
  private readonly source: SeriesSource;
  private collecting: Promise<void> | undefined;

  /**
   * `name` starts every line (e.g. `perfscope otlp 127.0.0.1:4318/v1/metrics`); `failedMetric` is the
   * self-metric of points or samples in requests that failed and are retried.
   */
  constructor(name: string, o: SenderOptions, failedMetric: BoundCounter) {
    this.name = name;
    this.target = { url: o.url, headers: o.headers, timeoutMs: o.timeoutMs, agent: agentFor(o.url) };
    this.backoff = o.backoff;
    this.log = new RateLimitedLog(o.log, 60_000);
    this.failedMetric = failedMetric;
    this.source = o.source;
  }

  /** The loop: sends until stopped (faults are lines, never rejections). */
  protected abstract run(): Promise<void>;

  /** Queues what a collection holds (a collection that failed is a fault line and never gets here). */
  protected abstract take(c: Collection): Promise<void> | void;

  /** Starts the loop, and a collection every `intervalMs` (0: never); call at the end of the constructor. */
  protected startSending(intervalMs: number): void {
    if (intervalMs > 0) {
      this.timer = setInterval(() => void this.collectNow(), intervalMs);
      this.timer.unref();
    }
    // run() handles its own faults; reaching the catch is a bug, reported rather than thrown at the app
    this.loop = this.run().catch((err: unknown) => this.fault('internal', `${this.name}: sender stopped by an internal error: ${String(err)}`));
  }

  /**
   * Collects the source once now and hands the collection to `take()`. A collection slower than the
   * interval is not stacked: the running one is awaited. Nothing once stopping.
   */
  protected collectNow(): Promise<void> {
    if (this.stopped || this.stopping) return Promise.resolve();
    this.collecting ??= this.collectOnce().finally(() => (this.collecting = undefined));
    return this.collecting;
  }

  private async collectOnce(): Promise<void> {
    let c: Collection;
    try {
      c = await this.source.collect();
    } catch (err) {
      this.fault('collect', `${this.name}: collection failed: ${errText(err)}`);
      return;
    }
    if (this.stopped) return;
    for (const e of c.errors) this.fault('collect', `${this.name}: ${e.message}`);
    await this.take(c);
  }

  protected get currentState(): SenderState {
    return this.stopped ? 'stopped' : this.state;
  }

  /** Records `line` as the last fault and logs it (rate-limited per `kind`). */
  protected fault(kind: string, line: string): void {
    this.lastError = line;
    this.log.line(kind, line);
  }

  /** Waits, idle, until `wake()` (something was queued) or the stop. */
  protected async idle(): Promise<void> {
    this.state = 'idle';
    await new Promise<void>((resolve) => (this.wakeIdle = resolve));
    this.wakeIdle = undefined;
  }

  /** Something was queued: an idle loop goes on. */
  protected wake(): void {
    this.wakeIdle?.();
  }

  /** Waits `ms`, or less when the stop's deadline passes. */
  protected sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        this.wakeSleep = undefined;
        resolve();
      }, ms);
      t.unref();
      this.wakeSleep = () => {
        clearTimeout(t);
        this.wakeSleep = undefined;
        resolve();
      };
    });
  }

  /**
   * POSTs `body` (holding `count` points or samples) until the receiver settles it, backing off between
   * attempts; resolves to the verdict, 'sent' or 'drop', or null once stopped. After each failed attempt
   * `giveUp(v, attempt)` may end the retries (it does what giving up means and returns true: the retry
   * verdict is then returned); else `retryLine(v, delayMs)` is logged and the sender waits.
   */
  protected async deliver(
    body: Uint8Array,
    count: number,
    retryLine: (v: RetryVerdict, delayMs: number) => string,
    giveUp: (v: RetryVerdict, attempt: number) => boolean = () => false,
  ): Promise<PostVerdict | null> {
    for (let attempt = 0; ; attempt++) {
      this.state = 'sending';
      const v = await post(this.target, body, this.abort.signal);
      if (this.stopped) return null;
      if (v.verdict !== 'retry') return v;
      this.failed += count;
      this.failedMetric.inc(count);
      this.failing = true;
      if (giveUp(v, attempt)) return v;
      const delay = backoffDelayMs(attempt, this.backoff, v.retryAfterMs);
      this.fault('retry', retryLine(v, delay));
      this.state = 'backoff';
      await this.sleep(delay);
      if (this.stopped) return null;
    }
  }

  /** A request was accepted: after failures, one line saying so (`line` is made only then). */
  protected recovered(line: () => string): void {
    if (!this.failing) return;
    this.failing = false;
    this.log.always('recovered', line());
  }

  /**
   * The shared part of stop(): no more collections but, with `finalCollect`, a last one (else the one
   * running, if any) within `timeoutMs`; the loop sends what is queued until then; past it the request
   * in flight is aborted and the loop ends. Resolves once the loop has ended, with the sender stopped
   * and its connection closed.
   */
  protected async halt(timeoutMs: number, finalCollect: boolean): Promise<void> {
    if (this.timer !== undefined) clearInterval(this.timer);
    const deadline = setTimeout(() => {
      this.stopped = true;
      this.abort.abort();
      this.wakeSleep?.();
      this.wakeIdle?.();
    }, timeoutMs);
    // a source that never answers must not hold stop() past its deadline
    const expired = new Promise<void>((resolve) => {
      const t = setTimeout(resolve, timeoutMs);
      t.unref();
    });
    await Promise.race([finalCollect ? this.collectNow() : (this.collecting ?? Promise.resolve()), expired]);
    this.stopping = true;
    this.wakeIdle?.();
    await this.loop;
    clearTimeout(deadline);
    this.stopped = true;
    this.state = 'stopped';
    this.target.agent.destroy();
  }
}
