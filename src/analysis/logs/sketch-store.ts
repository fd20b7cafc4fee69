/**
 * Sketch mode: once the calls no longer fit the memory budget, every key keeps a LogHistogram of all
 * its durations and one per time window (with the window's call and error counts). Windows start at the
 * finest width of SKETCH_CHAIN that fits the range seen so far and are merged into the next width of
 * the chain whenever the range grows past 240 windows, so memory stays O(keys × windows).
 */
import { LogHistogram } from '../log-histogram.js';
import { SKETCH_CHAIN } from './windows.js';

export const SKETCH_RELATIVE_ERROR = 0.01;
const MAX_SKETCH_WINDOWS = 240;

export interface SketchCell {
  h: LogHistogram;
  count: number;
  errors: number;
}

export class SketchStore {
  /** Per key: every duration (count, sum, min and max in it are exact). */
  readonly totals: LogHistogram[] = [];
  readonly errors: number[] = [];
  readonly warnings: number[] = [];
  readonly cells: Map<number, SketchCell>[] = [];
  private chain = 0;
  private minWindow = Infinity;
  private maxWindow = -Infinity;

  /** `spanMs`: the time range seen so far (picks the first width). */
  constructor(spanMs: number) {
    while (this.chain < SKETCH_CHAIN.length - 1 && spanMs / SKETCH_CHAIN[this.chain]! > MAX_SKETCH_WINDOWS / 2) this.chain++;
  }

  get widthMs(): number {
    return SKETCH_CHAIN[this.chain]!;
  }

  /** First and last window index (absolute: time / width), or null when no call had a time. */
  get windowRange(): { first: number; last: number } | null {
    return this.minWindow <= this.maxWindow ? { first: this.minWindow, last: this.maxWindow } : null;
  }

  add(key: number, seconds: number, timeMs: number, failed: boolean, warned: boolean): void {
    while (key >= this.totals.length) {
      this.totals.push(new LogHistogram(SKETCH_RELATIVE_ERROR));
      this.errors.push(0);
      this.warnings.push(0);
      this.cells.push(new Map());
    }
    this.totals[key]!.add(seconds);
    if (failed) this.errors[key]!++;
    else if (warned) this.warnings[key]!++;
    if (timeMs !== timeMs) return;
    let w = Math.floor(timeMs / this.widthMs);
    if (w < this.minWindow) this.minWindow = w;
    if (w > this.maxWindow) this.maxWindow = w;
    if (this.maxWindow - this.minWindow >= MAX_SKETCH_WINDOWS && this.chain < SKETCH_CHAIN.length - 1) {
      this.coarsen();
      w = Math.floor(timeMs / this.widthMs);
    }
    const cells = this.cells[key]!;
    let cell = cells.get(w);
    if (!cell) cells.set(w, (cell = { h: new LogHistogram(SKETCH_RELATIVE_ERROR), count: 0, errors: 0 }));
    cell.h.add(seconds);
    cell.count++;
    if (failed) cell.errors++;
  }

  /** Bytes held, roughly. */
  get bytes(): number {
    let b = 0;
    for (const t of this.totals) b += t.bytes;
    for (const m of this.cells) for (const c of m.values()) b += c.h.bytes + 64;
    return b;
  }

  private coarsen(): void {
    while (this.maxWindow - this.minWindow >= MAX_SKETCH_WINDOWS && this.chain < SKETCH_CHAIN.length - 1) {
      const factor = SKETCH_CHAIN[this.chain + 1]! / SKETCH_CHAIN[this.chain]!;
      this.chain++;
      this.minWindow = Math.floor(this.minWindow / factor);
      this.maxWindow = Math.floor(this.maxWindow / factor);
      for (let k = 0; k < this.cells.length; k++) {
        const merged = new Map<number, SketchCell>();
        for (const [w, cell] of this.cells[k]!) {
          const nw = Math.floor(w / factor);
          const into = merged.get(nw);
          if (!into) merged.set(nw, cell);
          else {
            into.h.merge(cell.h);
            into.count += cell.count;
            into.errors += cell.errors;
          }
        }
        this.cells[k] = merged;
      }
    }
  }
}
