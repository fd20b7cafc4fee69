/**
 * Change points in a per-window series (a key's median latency or error rate per time window),
 * reported only when large and sustained, so steady data gives none:
 *
 * 1. Significant: the split of the windows into before/after with the largest Mann–Whitney z between
 *    the two sides' window values (ranks with ties averaged and the tie correction; at least
 *    `minWindowsPerSide` windows with a value on each side), and |z| >= `minZ` (4: p < 1e-4 for one
 *    split; a shift of the median must show in most windows, not in a few outliers).
 * 2. Large: the metric over *all calls* before and after the split (the exact median, the error
 *    rate) differ by the caller's rule (median: a factor of at least 1.5 either way).
 * 3. Sustained: at least 80 % of the windows on each side lie on their side of the midpoint between
 *    before and after (geometric for ratios).
 *
 * The splits are found first by significance alone, each side searched again (binary segmentation), so
 * a slowdown that recovers gives two; then every split is judged against its neighbouring segments
 * (large, sustained). At most `maxChanges` per series. With ~100 windows, a change needs roughly 14+
 * windows on its side (1/7 of the time range) to reach z 4 when the two sides do not overlap at all.
 */

export interface ShiftTest {
  /** Index (into the values given) of the first value after the split. */
  split: number;
  z: number;
}

/** The split of time-ordered `values` with the largest |Mann–Whitney z|, or null (too few, all tied). */
export function bestSplit(values: ArrayLike<number>, minSide: number): ShiftTest | null {
  const n = values.length;
  if (n < 2 * minSide || minSide < 1) return null;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a]! - values[b]!);
  const ranks = new Float64Array(n);
  let ties = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && values[order[j + 1]!] === values[order[i]!]) j++;
    const avg = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]!] = avg;
    const t = j - i + 1;
    ties += t * t * t - t;
    i = j + 1;
  }
  const tieFactor = n + 1 - ties / (n * (n - 1));
  if (!(tieFactor > 0)) return null;
  let best: ShiftTest | null = null;
  let rankSum = 0;
  for (let k = 1; k < n; k++) {
    rankSum += ranks[k - 1]!;
    if (k < minSide || n - k < minSide) continue;
    const nL = k;
    const nR = n - k;
    const u = rankSum - (nL * (nL + 1)) / 2;
    const sd = Math.sqrt(((nL * nR) / 12) * tieFactor);
    const z = (u - (nL * nR) / 2) / sd;
    if (best === null || Math.abs(z) > Math.abs(best.z)) best = { split: k, z };
  }
  return best;
}

export interface ChangePointOptions {
  /** Windows with a value needed on each side (default 10). */
  minWindowsPerSide?: number;
  /** |z| needed (default 4). */
  minZ?: number;
  /** Share of windows on their side of the midpoint (default 0.8). */
  minSustained?: number;
  /** Changes per series at most (default 3). */
  maxChanges?: number;
}

export interface ChangeRule {
  /** The metric over all calls of windows [from, to), or null when there are none. */
  over(from: number, to: number): number | null;
  /** Whether before → after is a large change. */
  large(before: number, after: number): boolean;
  /** The value between before and after that separates the two sides. */
  midpoint(before: number, after: number): number;
}

export interface DetectedChange {
  /** Index of the first window after the change. */
  window: number;
  before: number;
  after: number;
  z: number;
  /** Share of windows on their side of the midpoint (the smaller of the two sides). */
  sustained: number;
}

/** Change points of `values` (one per window, NaN where a window has too few calls), chronological. */
export function findChanges(values: ArrayLike<number>, rule: ChangeRule, options: ChangePointOptions = {}): DetectedChange[] {
  const minSide = options.minWindowsPerSide ?? 10;
  const minZ = options.minZ ?? 4;
  const minSustained = options.minSustained ?? 0.8;
  const maxChanges = options.maxChanges ?? 3;
  // 1. segment by significance alone: a slowdown that recovers is two splits, and the first split
  //    of the whole range (low | mixed) is only significant, not large; its halves then split cleanly
  const splits: { window: number; z: number }[] = [];
  const segment = (from: number, to: number): void => {
    if (splits.length >= 2 * maxChanges + 2) return;
    const idx: number[] = [];
    for (let w = from; w < to; w++) if (values[w] === values[w]) idx.push(w);
    const test = bestSplit(idx.map((w) => values[w]!), minSide);
    if (test === null || Math.abs(test.z) < minZ) return;
    const window = idx[test.split]!;
    splits.push({ window, z: test.z });
    segment(from, window);
    segment(window, to);
  };
  segment(0, values.length);
  splits.sort((a, b) => a.window - b.window);
  // each split placed again between its neighbours (the first split of a mixed range can sit off)
  for (let i = 0; i < splits.length; i++) {
    const from = i === 0 ? 0 : splits[i - 1]!.window;
    const to = i === splits.length - 1 ? values.length : splits[i + 1]!.window;
    const idx: number[] = [];
    for (let w = from; w < to; w++) if (values[w] === values[w]) idx.push(w);
    const test = bestSplit(idx.map((w) => values[w]!), Math.min(minSide, Math.floor(idx.length / 2)));
    if (test !== null && Math.abs(test.z) >= minZ) splits[i] = { window: idx[test.split]!, z: test.z };
  }
  // 2. each split against its neighbouring segments: large and sustained, or not reported
  const found: DetectedChange[] = [];
  for (let i = 0; i < splits.length && found.length < maxChanges; i++) {
    const from = i === 0 ? 0 : splits[i - 1]!.window;
    const window = splits[i]!.window;
    const to = i === splits.length - 1 ? values.length : splits[i + 1]!.window;
    const before = rule.over(from, window);
    const after = rule.over(window, to);
    if (before === null || after === null || !rule.large(before, after)) continue;
    const mid = rule.midpoint(before, after);
    const up = after > before;
    let left = 0;
    let leftN = 0;
    let right = 0;
    let rightN = 0;
    for (let w = from; w < to; w++) {
      const v = values[w]!;
      if (v !== v) continue;
      if (w < window) {
        leftN++;
        if (up ? v < mid : v > mid) left++;
      } else {
        rightN++;
        if (up ? v > mid : v < mid) right++;
      }
    }
    const sustained = Math.min(left / leftN, right / rightN);
    if (!(sustained >= minSustained)) continue;
    found.push({ window, before, after, z: splits[i]!.z, sustained });
  }
  return found;
}
