/** The N slowest calls of a pass: a bounded min-heap (one comparison per call once it is full). */
export interface SlowEntry {
  seconds: number;
  key: number;
  file: number;
  line: number;
  timeMs: number;
  /** Arrival order: ties keep the earliest. */
  seq: number;
}

export class SlowestCalls {
  private readonly heap: SlowEntry[] = [];
  private seq = 0;

  constructor(private readonly limit: number) {}

  /** The smallest duration that would still enter (offer only calls above it). */
  get threshold(): number {
    return this.heap.length < this.limit ? -Infinity : this.heap[0]!.seconds;
  }

  offer(seconds: number, key: number, file: number, line: number, timeMs: number): void {
    if (this.limit === 0) return;
    const e: SlowEntry = { seconds, key, file, line, timeMs, seq: this.seq++ };
    const h = this.heap;
    if (h.length < this.limit) {
      h.push(e);
      this.up(h.length - 1);
    } else if (seconds > h[0]!.seconds) {
      h[0] = e;
      this.down(0);
    }
  }

  /** The entries held, and how many calls were offered (the next arrival number). */
  snapshot(): { entries: SlowEntry[]; offered: number } {
    return { entries: [...this.heap], offered: this.seq };
  }

  /**
   * Takes in the slowest calls of the input's next part (`snap` of a SlowestCalls over it, keys and
   * lines already in this pass's terms): its calls arrive after every call offered here, so the
   * result is the one a single SlowestCalls offered both parts would hold.
   */
  absorb(snap: { entries: SlowEntry[]; offered: number }): void {
    const base = this.seq;
    for (const e of [...snap.entries].sort((a, b) => a.seq - b.seq)) {
      this.seq = base + e.seq;
      this.offer(e.seconds, e.key, e.file, e.line, e.timeMs);
    }
    this.seq = base + snap.offered;
  }

  /** Slowest first; equal durations in file order. */
  sorted(): SlowEntry[] {
    return [...this.heap].sort((a, b) => b.seconds - a.seconds || a.seq - b.seq);
  }

  /** min-heap order: smaller duration first, and among equals the later one (evicted first). */
  private less(a: SlowEntry, b: SlowEntry): boolean {
    return a.seconds < b.seconds || (a.seconds === b.seconds && a.seq > b.seq);
  }

  private up(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  private down(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < h.length && this.less(h[l]!, h[m]!)) m = l;
      if (r < h.length && this.less(h[r]!, h[m]!)) m = r;
      if (m === i) return;
      [h[i], h[m]] = [h[m]!, h[i]!];
      i = m;
    }
  }
}
