/**
 * The `native: true` engine, owner's side: the native thread (native.ts) re-reads the readers' kept-open
 * files on each deadline, and this replays the captured ticks in order through the Sampler's ordinary
 * tick code (each slot is fed its captured text just before the parse that reads it), once a batch is
 * waiting and on stop.
 */
import { NativeTicker, loadNative, type CaptureSlot, type NativeTick } from './native.js';
import { batchMs } from './sample.js';
import type { TickInfo } from './scheduler.js';

/** The Sampler as the replay sees it. */
export interface ReplayTarget {
  /** Runs one tick; a throw is a fault (passed to `fail`, which ends the run at that tick). */
  tick(tick: TickInfo): void;
  fail(err: unknown): void;
  isEnded(): boolean;
}

export interface NativeReplayOptions {
  /** The files to re-read (every reader's captureSlots()), in the order the tick parses them. */
  slots: CaptureSlot[];
  intervalMs: number;
  /** Deadline 0 on the caller's monotonic clock (performance.now()). */
  t0Ms: number;
  durationMs: number | null;
  keepAlive: boolean;
}

/** A running native engine. Owned by one Sampler; stop() is final. */
export class NativeReplay {
  /** The wall time of the native tick being replayed (its read time), else null. */
  wallMs: number | null = null;
  /** Missed deadlines reported by the native thread. */
  missed = 0;
  /** True while ticks are replayed: a stop() from inside one ends the run at that tick. */
  private replaying = false;
  private stopped = false;

  private constructor(
    private readonly target: ReplayTarget,
    private readonly slots: CaptureSlot[],
    private readonly ticker: NativeTicker,
  ) {}

  /**
   * Starts the native thread on deadlines 1, 2, ...; the caller then runs tick 0 with `firstTick()`.
   * Null (nothing started) when the addon is not there or the thread cannot start: the caller ticks on
   * the event loop instead.
   */
  static start(target: ReplayTarget, o: NativeReplayOptions): NativeReplay | null {
    const addon = loadNative();
    if (addon === null) return null;
    let replay: NativeReplay | null = null;
    let ticker: NativeTicker;
    try {
      ticker = new NativeTicker(addon, {
        slots: o.slots,
        intervalMs: o.intervalMs,
        t0Ms: o.t0Ms,
        firstIndex: 1,
        lastIndex: o.durationMs === null ? null : Math.max(1, Math.ceil((o.durationMs - 0.5) / o.intervalMs)),
        batchTicks: Math.max(1, Math.round(batchMs / o.intervalMs)),
        keepAlive: o.keepAlive,
        onReady: () => replay?.drain(),
      });
    } catch {
      return null;
    }
    replay = new NativeReplay(target, o.slots, ticker);
    return replay;
  }

  /** Stops the thread; from outside a replayed tick, first replays what it read before the stop. */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.ticker.stop();
    // An outside stop() delivers what the thread read before it; one from inside a replayed tick
    // (duration, exit, error) ends the run at that tick.
    if (!this.replaying) this.replay(this.ticker.drain().ticks);
  }

  /** Tick 0 at `t0`, live (nothing fed yet); a failure ends the run as a failed tick does. */
  firstTick(t0: number): void {
    this.replaying = true;
    try {
      this.target.tick({ index: 0, deadlineMs: t0, actualMs: t0, missed: 0 });
    } catch (err) {
      this.target.fail(err);
    } finally {
      this.replaying = false;
    }
  }

  /** A batch is waiting: parse its ticks here, in order, as ordinary ticks. */
  private drain(): void {
    const ticker = this.ticker;
    if (this.stopped || this.target.isEnded()) return;
    let batch: ReturnType<NativeTicker['drain']>;
    try {
      batch = ticker.drain();
    } catch (err) {
      this.target.fail(err);
      return;
    }
    this.replay(batch.ticks);
    if (!batch.ended || this.target.isEnded()) return;
    // The thread stops by itself only at the last deadline or when the process is gone, and the replay
    // of that tick ends the run. Not ended yet: the last batch is still in the thread (no memory for a
    // fresh one when it ended); joined, it comes with drain(). Still not ended: a fault.
    ticker.stop();
    this.replay(ticker.drain().ticks);
    if (!this.target.isEnded()) this.target.fail(new Error('the native ticker stopped before the run ended (out of memory?)'));
  }

  private replay(ticks: NativeTick[]): void {
    const slots = this.slots;
    this.replaying = true;
    try {
      for (let k = 0; k < ticks.length; k++) {
        const row = ticks[k]!;
        if (this.target.isEnded()) return;
        for (let i = 0; i < slots.length; i++) slots[i]!.feed(row[5 + i]!);
        // Indexed, not destructured: array destructuring runs the iterator protocol on every tick.
        const missed = row[4];
        this.missed += missed;
        this.wallMs = row[3];
        this.target.tick({ index: row[0], deadlineMs: row[1], actualMs: row[2], missed });
      }
    } catch (err) {
      this.target.fail(err); // still `replaying`: the run ends at this tick
    } finally {
      this.replaying = false;
      this.wallMs = null;
    }
  }
}
