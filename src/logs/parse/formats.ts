/** The parsers by format name, and format detection from the first lines of an input. */
import { EcsParser } from './ecs-parser.js';
import type { LogFormat, LogParser } from './log-parser.js';
import { logFormats } from './log-parser.js';
import { NginxParser } from './nginx-parser.js';
import { CALL, MALFORMED, OTHER, ParsedLine } from './parsed-line.js';
import { PinoParser } from './pino-parser.js';
import { TextParser } from './text-parser.js';

export function createParser(format: LogFormat): LogParser {
  switch (format) {
    case 'text':
      return new TextParser();
    case 'ecs':
      return new EcsParser();
    case 'pino':
      return new PinoParser();
    case 'nginx':
      return new NginxParser();
  }
}

export function isLogFormat(name: string): name is LogFormat {
  return (logFormats as readonly string[]).includes(name);
}

/** How well each format reads a sample of lines. */
export interface Detection {
  /** The best format, or null when no format reads a single line as a call or a line of its own. */
  format: LogFormat | null;
  /** Per format: lines read as calls, as other lines of the format, and not read. */
  scores: Record<LogFormat, { calls: number; other: number; malformed: number }>;
}

/**
 * Picks the format that reads the most of `lines` as timed calls (then as well-formed lines). JSON
 * lines are told apart by their fields: a pino-http line is well-formed ECS-ish JSON too, but only the
 * pino parser finds its duration (`responseTime`). Blank lines do not count.
 */
export function detectFormat(lines: readonly Buffer[]): Detection {
  const out = new ParsedLine();
  const scores = {} as Detection['scores'];
  let best: LogFormat | null = null;
  let bestScore = 0;
  for (const format of logFormats) {
    const parser = createParser(format);
    const s = { calls: 0, other: 0, malformed: 0 };
    for (const line of lines) {
      if (line.length === 0) continue;
      const r = parser.parse(line, 0, line.length, out);
      if (r === CALL) s.calls++;
      else if (r === OTHER) s.other++;
      else if (r === MALFORMED) s.malformed++;
    }
    scores[format] = s;
    // calls weigh most; "other" lines break ties (a log of only warnings is still that format)
    const score = s.calls * 2 + s.other;
    if (score > bestScore) {
      best = format;
      bestScore = score;
    }
  }
  return { format: best, scores };
}
