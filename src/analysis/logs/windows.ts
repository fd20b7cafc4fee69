/**
 * Time windows of the timeline and of change detection: aligned to multiples of a "nice" width
 * (UTC epoch multiples), chosen so the time range spans about 50–120 windows: enough windows for the
 * change test (which needs 10+ on each side) and enough calls in each for a stable median.
 */
const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

/** Widths for exact mode. */
const LADDER = [S, 2 * S, 5 * S, 10 * S, 15 * S, 30 * S, M, 2 * M, 5 * M, 10 * M, 15 * M, 30 * M, H, 2 * H, 3 * H, 6 * H, 12 * H, D, 2 * D, 7 * D, 14 * D, 28 * D];

/**
 * Widths for sketch mode, each a multiple of the one before, so windows can be merged into the next
 * width as the time range grows.
 */
export const SKETCH_CHAIN = [S, 2 * S, 10 * S, 30 * S, M, 5 * M, 10 * M, 30 * M, H, 2 * H, 6 * H, 12 * H, D, 7 * D, 28 * D];

export const MAX_WINDOWS = 120;

/** The smallest ladder width giving at most `maxWindows` windows over `spanMs`. */
export function chooseWindowMs(spanMs: number, maxWindows = MAX_WINDOWS): number {
  for (const w of LADDER) if (Math.floor(spanMs / w) + 1 <= maxWindows) return w;
  return Math.ceil(spanMs / (maxWindows - 1) / D) * D;
}

export class WindowGrid {
  readonly startMs: number;
  readonly count: number;

  constructor(
    firstMs: number,
    lastMs: number,
    readonly widthMs: number,
  ) {
    this.startMs = Math.floor(firstMs / widthMs) * widthMs;
    this.count = Math.floor((lastMs - this.startMs) / widthMs) + 1;
  }

  index(timeMs: number): number {
    return Math.floor((timeMs - this.startMs) / this.widthMs);
  }

  startOf(window: number): number {
    return this.startMs + window * this.widthMs;
  }
}
