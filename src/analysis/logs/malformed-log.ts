/** Malformed lines: every one counted by kind, the first ones kept with their text and line number. */
import { printable, printableBytes } from '../../logs/parse/malformed.js';
import { malformedKinds, type MalformedKind } from '../../logs/parse/parsed-line.js';
import type { MalformedExample, MalformedSummary } from './result.js';

const MAX_EXAMPLES = 20;
const MAX_LINES = 1000;

interface Example {
  file: number;
  line: number;
  kind: MalformedKind;
  reason: string;
  text: string;
}

/** A MalformedLog's content as plain data (to post to another thread). */
export interface MalformedSnapshot {
  count: number;
  kinds: Record<MalformedKind, number>;
  examples: Example[];
  lines: { file: number; line: number }[];
}

export class MalformedLog {
  count = 0;
  private readonly kinds = Object.fromEntries(malformedKinds.map((k) => [k, 0])) as Record<MalformedKind, number>;
  private readonly examples: Example[] = [];
  private readonly lines: { file: number; line: number }[] = [];

  snapshot(): MalformedSnapshot {
    return { count: this.count, kinds: this.kinds, examples: this.examples, lines: this.lines };
  }

  /**
   * Adds the malformed lines of the input's next part; `lineOffset(file)`: lines of that file before the
   * part (its line numbers count from the part's start).
   */
  absorb(snap: MalformedSnapshot, lineOffset: (file: number) => number): void {
    this.count += snap.count;
    for (const k of malformedKinds) this.kinds[k] += snap.kinds[k];
    for (const l of snap.lines) {
      if (this.lines.length >= MAX_LINES) break;
      this.lines.push({ file: l.file, line: l.line + lineOffset(l.file) });
    }
    for (const e of snap.examples) {
      if (this.examples.length >= MAX_EXAMPLES) break;
      this.examples.push({ ...e, line: e.line + lineOffset(e.file) });
    }
  }

  add(file: number, line: number, kind: MalformedKind, reason: string, buf: Uint8Array, start: number, end: number): void {
    this.count++;
    this.kinds[kind]++;
    if (this.lines.length < MAX_LINES) this.lines.push({ file, line });
    if (this.examples.length < MAX_EXAMPLES) this.examples.push({ file, line, kind, reason, text: kind === 'binary' ? printableBytes(buf, start, end) : printable(buf, start, end) });
  }

  summary(fileNames: readonly string[]): MalformedSummary {
    const several = fileNames.length > 1;
    const examples: MalformedExample[] = this.examples.map((e) => ({ file: fileNames[e.file]!, line: e.line, kind: e.kind, reason: e.reason, text: e.text }));
    return {
      count: this.count,
      kinds: { ...this.kinds },
      examples,
      lines: this.lines.map((l) => (several ? `${fileNames[l.file]}:${l.line}` : l.line)),
    };
  }
}
