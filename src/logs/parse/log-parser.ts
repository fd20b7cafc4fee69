/** The contract every log format's parser meets, and the formats there are. */
import type { KeyCache } from './key-cache.js';
import type { ParseResult, ParsedLine } from './parsed-line.js';

export const logFormats = ['text', 'ecs', 'pino', 'nginx'] as const;
export type LogFormat = (typeof logFormats)[number];

/** What a call is keyed by: the timed function, or `METHOD /route`. */
export type KeyKind = 'function' | 'route';

export interface LogParser {
  readonly format: LogFormat;
  /** The key its lines carry unless told otherwise. */
  readonly defaultKey: KeyKind;
  /** The keys it can give (`text`: function only; `nginx`: route only). */
  readonly keyKinds: readonly KeyKind[];
  /** Function names seen, by id (`ParsedLine.fn`). */
  readonly functions: KeyCache;
  /** HTTP methods seen, by id (`ParsedLine.method`). */
  readonly methods: KeyCache;
  /**
   * Reads `buf[start, end)` (one line, no newline) into `out` (reset first) and says what it was.
   * Never throws on any input.
   */
  parse(buf: Buffer, start: number, end: number, out: ParsedLine): ParseResult;
}
