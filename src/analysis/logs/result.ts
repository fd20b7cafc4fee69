/**
 * What `analyzeLogs` returns, and what `perfscope logs analyze --json` prints (docs/logs.md). All
 * durations in seconds, times as ISO 8601 UTC strings.
 */
import type { KeyKind, LogFormat } from '../../logs/parse/log-parser.js';
import type { MalformedKind } from '../../logs/parse/parsed-line.js';

export interface InputSummary {
  file: string;
  bytes: number;
  gzip: boolean;
  lines: number;
  /** Why reading stopped early (a truncated gzip file, a read error); the lines before count. */
  error: string | null;
}

export interface MalformedExample {
  file: string;
  line: number;
  kind: MalformedKind;
  reason: string;
  /** The line (printable: control characters escaped, cut to 200 characters). */
  text: string;
}

export interface MalformedSummary {
  count: number;
  kinds: Record<MalformedKind, number>;
  /** The first malformed lines with their text (up to 20). */
  examples: MalformedExample[];
  /** Line numbers of the first malformed lines (up to 1,000), as `file:line` when several files were read. */
  lines: (number | string)[];
}

export type QuantileMethod =
  | { method: 'exact' }
  | { method: 'sketch'; relativeError: number; reason: string };

export interface GroupStats {
  key: string;
  count: number;
  errors: number;
  warnings: number;
  errorRate: number;
  mean: number;
  p50: number;
  p90: number;
  p95: number;
  p99: number;
  max: number;
  sum: number;
  /** This key's share of the time spent in all calls. */
  share: number;
}

export interface SlowCall {
  key: string;
  seconds: number;
  file: string;
  line: number;
  timestamp: string | null;
}

export interface Change {
  key: string;
  metric: 'p50' | 'errorRate';
  before: number;
  after: number;
  /** after / before; null when before is 0. */
  factor: number | null;
  /** Start of the first window after the change. */
  at: string;
  /** The Mann–Whitney z of the window values on either side. */
  z: number;
}

export interface Pattern {
  template: string;
  count: number;
  level: 'WARNING' | 'ERROR';
  example: string;
  /** Keys of the calls whose messages it came from (up to 20; lines that are not calls add none). */
  keys: string[];
  firstSeen: string | null;
  lastSeen: string | null;
}

export interface TimelineSeries {
  key: string;
  count: number[];
  errors: number[];
  /** Per window; null where the key had no call. */
  p50: (number | null)[];
  p95: (number | null)[];
  p99: (number | null)[];
}

export interface Timeline {
  windowSeconds: number;
  /** Start of each window, seconds since the epoch. */
  starts: number[];
  series: TimelineSeries[];
}

export interface Distribution {
  /** Bucket upper bounds in seconds (log-spaced, 5 per decade); a call falls in the first bucket whose bound is >= its duration. */
  bounds: number[];
  series: { key: string; counts: number[] }[];
}

export interface LogAnalysis {
  /** The format read; null when no supported format reads the first lines (every line is then malformed). */
  format: LogFormat | null;
  key: KeyKind;
  inputs: InputSummary[];
  lines: number;
  /** Timed calls analysed. */
  records: number;
  /** Well-formed lines that are not timed calls (blank lines, other messages; their warnings and errors still feed `patterns`). */
  other: number;
  /** Calls left out by --since/--until (or without a time when a range is given). */
  outsideTimeRange: number;
  malformed: MalformedSummary;
  quantiles: QuantileMethod;
  timeRange: { start: string; end: string } | null;
  /** Distinct keys before `top` cut the list. */
  groupCount: number;
  /** For route keys: distinct request paths (query strings dropped) that became `groupCount` routes. */
  distinctPaths: number | null;
  groups: GroupStats[];
  slowest: SlowCall[];
  changes: Change[];
  patterns: Pattern[];
  /** Warning/error messages not in any pattern (the template cap was reached). */
  unclusteredMessages: number;
  timeline: Timeline | null;
  distribution: Distribution;
  /** Things worth knowing about the run: inputs cut short, an undetected format, a key that does not apply. */
  notes: string[];
}
