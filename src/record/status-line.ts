/**
 * The live status line of a recording (`perfscope 12.0 s  CPU 98.2 %  RSS 41.3 MiB  procs 3`), redrawn
 * in place on a terminal at most 4 times a second and erased at the end.
 */
import { fstatSync } from 'node:fs';
import { formatBytes, formatPercent, formatSeconds } from '../core/units.js';
import type { Sample } from '../sampling/sampler.js';

/** A stream the line can be drawn on (process.stderr, typically). */
export interface StatusStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
  fd?: number;
}

export class StatusLine {
  private lastDrawMs = -Infinity;
  private drawn = false;
  constructor(private readonly out: StatusStream) {}

  update(s: Sample): void {
    const now = performance.now();
    if (now - this.lastDrawMs < 250) return;
    this.lastDrawMs = now;
    const t = s.tree;
    const line = `perfscope ${formatSeconds(s.t)}  CPU ${formatPercent(t.cpu_percent)}  RSS ${formatBytes(t.rss_bytes)}  procs ${t.num_procs ?? '-'}`;
    const width = this.out.columns || 80;
    this.out.write(`\r\x1b[2K${line.slice(0, width - 1)}`);
    this.drawn = true;
  }

  /** Erases the line (nothing when it was never drawn). */
  clear(): void {
    if (this.drawn) this.out.write('\r\x1b[2K');
    this.drawn = false;
  }
}

/**
 * Whether a live line may be drawn on `out` while a command writes to `commandFds` (the descriptors it
 * inherited, e.g. [1] for its stdout): only on a terminal that none of them is. A command writing to
 * the same terminal would land on the status line ("…procs 1line 0") and the next redraw would erase
 * what it wrote; there the command's own output shows that it runs.
 */
export function statusLineFits(out: StatusStream, commandFds: readonly number[]): boolean {
  if (out.isTTY !== true) return false;
  const terminal = deviceOf(out.fd ?? 2);
  if (terminal === null) return false;
  return commandFds.every((fd) => deviceOf(fd) !== terminal);
}

/** The terminal device behind `fd` (its rdev), or null when it is not a character device. */
function deviceOf(fd: number): number | null {
  try {
    const st = fstatSync(fd);
    return st.isCharacterDevice() ? st.rdev : null;
  } catch {
    return null;
  }
}
