/** Malformed lines: every one counted by kind, the first ones kept with their text and line number. */
import { printable, printableBytes } from '../../logs/parse/malformed.js';
import { malformedKinds, type MalformedKind } from '../../logs/parse/parsed-line.js';
import type { MalformedExample, MalformedSummary } from './result.js';

const MAX_EXAMPLES = 20;
const MAX_LINES = 1000;

export class MalformedLog {
  count = 0;
  private readonly kinds = Object.fromEntries(malformedKinds.map((k) => [k, 0])) as Record<MalformedKind, number>;
  private readonly examples: { file: number; line: number; kind: MalformedKind; reason: string; text: string }[] = [];
  private readonly lines: { file: number; line: number }[] = [];

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
