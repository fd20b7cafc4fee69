/**
 * M4 reduction (Jugel et al., VLDB 2014): per pixel column keep the first, minimum, maximum and last
 * point. A line drawn through those points covers the same pixels as one through every point, so a
 * one-sample spike survives. LTTB, tried on the same 1M-sample run, dropped about twice as many
 * per-column peaks (bench/report.bench.ts measures both). null and NaN are gaps:
 * the first missing point after a measured one is kept, so a line breaks where the data does.
 */

export type Column = ArrayLike<number | null>;

const isGap = (v: number | null | undefined): boolean => v == null || v !== v;

/**
 * Marks in `keep` (length x.length) the indexes M4 keeps for `y` over `columns` equal columns of
 * [x0, x1]. `x` is ascending. Points outside [x0, x1] are not kept.
 */
export function m4Mark(x: ArrayLike<number>, y: Column, x0: number, x1: number, columns: number, keep: Uint8Array): void {
  const n = Math.min(x.length, y.length);
  if (n === 0 || columns < 1) return;
  const span = x1 - x0;
  const scale = span > 0 ? columns / span : 0;
  let col = -1;
  let first = -1;
  let last = -1;
  let minI = -1;
  let maxI = -1;
  let minV = 0;
  let maxV = 0;
  let inGap = true;
  const flush = (): void => {
    if (first < 0) return;
    keep[first] = 1;
    keep[minI] = 1;
    keep[maxI] = 1;
    keep[last] = 1;
    first = -1;
  };
  for (let i = 0; i < n; i++) {
    const xi = x[i]!;
    if (xi < x0 || xi > x1) continue;
    let c = Math.floor((xi - x0) * scale);
    if (c >= columns) c = columns - 1;
    if (c !== col) {
      flush();
      col = c;
    }
    const v = y[i];
    if (isGap(v)) {
      if (!inGap) {
        flush();
        keep[i] = 1;
        inGap = true;
      }
      continue;
    }
    inGap = false;
    const value = v as number;
    if (first < 0) {
      first = minI = maxI = last = i;
      minV = maxV = value;
    } else {
      if (value < minV) {
        minV = value;
        minI = i;
      } else if (value > maxV) {
        maxV = value;
        maxI = i;
      }
      last = i;
    }
  }
  flush();
}

/** The kept indexes of a mark array, ascending. */
export function keptIndexes(keep: Uint8Array): Uint32Array {
  let count = 0;
  for (let i = 0; i < keep.length; i++) count += keep[i]!;
  const out = new Uint32Array(count);
  let j = 0;
  for (let i = 0; i < keep.length; i++) if (keep[i] === 1) out[j++] = i;
  return out;
}

/** A reduced series: x and y (NaN = gap), as long as the number of kept points. */
export interface Reduced {
  x: Float64Array;
  y: Float64Array;
}

/** M4 of one series over [x0, x1] in `columns` columns (at most 4 points per column, plus gap points). */
export function m4(x: ArrayLike<number>, y: Column, x0: number, x1: number, columns: number): Reduced {
  const keep = new Uint8Array(Math.min(x.length, y.length));
  m4Mark(x, y, x0, x1, columns, keep);
  const idx = keptIndexes(keep);
  const rx = new Float64Array(idx.length);
  const ry = new Float64Array(idx.length);
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k]!;
    rx[k] = x[i]!;
    const v = y[i];
    ry[k] = isGap(v) ? NaN : (v as number);
  }
  return { x: rx, y: ry };
}

/**
 * The indexes to keep so that every series of `ys` (all aligned with `x`) keeps its M4 points: the
 * union of each series' M4. Used where series must share one x array (uPlot in the HTML report).
 */
export function m4Union(x: ArrayLike<number>, ys: readonly Column[], x0: number, x1: number, columns: number): Uint32Array {
  const keep = new Uint8Array(x.length);
  for (const y of ys) m4Mark(x, y, x0, x1, columns, keep);
  return keptIndexes(keep);
}
