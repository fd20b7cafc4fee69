/**
 * Interleaved, shuffled rounds: every method runs once per round, in a fresh random order, so slow
 * drifts of the machine (other jobs, CPU pressure) hit all methods alike and every ratio can be
 * taken against a reference measured in the same round. The order comes from a seeded PRNG so a run
 * can be repeated with `--seed`.
 */

/** mulberry32: a small, fast 32-bit PRNG; good enough for shuffling, not for anything else. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Fisher–Yates shuffle into a new array. */
export function shuffle<T>(items: readonly T[], random: () => number): T[] {
  const out = items.slice();
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

export interface Slot<T> {
  round: number;
  item: T;
}

/** `rounds` rounds of all `items`, each round in its own shuffled order. */
export function interleave<T>(items: readonly T[], rounds: number, random: () => number): Slot<T>[] {
  const out: Slot<T>[] = [];
  for (let round = 0; round < rounds; round++) {
    for (const item of shuffle(items, random)) out.push({ round, item });
  }
  return out;
}

/**
 * Per-round ratios of `value(method)` to `value(reference)`: only rounds where both were measured.
 * `byRound` maps round → method → value.
 */
export function ratiosToReference(
  byRound: ReadonlyMap<number, ReadonlyMap<string, number>>,
  method: string,
  reference: string,
): number[] {
  const out: number[] = [];
  for (const values of byRound.values()) {
    const v = values.get(method);
    const r = values.get(reference);
    if (v !== undefined && r !== undefined && r > 0) out.push(v / r);
  }
  return out;
}
