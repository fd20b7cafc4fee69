/**
 * Reading an exposition back: Prometheus text 0.0.4 and OpenMetrics 1.0 text into families of samples.
 * What `perfscope/testing` compares registries with, and what a scraper of other apps' /metrics reads.
 *
 * Accepted: `# HELP` (escapes `\\`, `\n`, and `\"` in OpenMetrics), `# TYPE`, `# UNIT`, other `#` lines
 * as comments (text format), `# EOF`; samples `name{label="value",...} value [timestamp]` with label
 * values escaped as `\\`, `\"`, `\n`; values as Go's ParseFloat reads them plus `Nan` (prom-client's
 * spelling); an OpenMetrics exemplar after ` # ` is read and set aside. A sample belongs to the family
 * declared before it when its name is the family's name or that name plus a suffix of the type
 * (`_total`, `_created`, `_bucket`, `_count`, `_sum`, `_info`, `_gcount`, `_gsum`); any other sample
 * opens an untyped family. A malformed line is a PerfscopeError EBADDATA naming the line.
 */
import { PerfscopeError } from '../core/errors.js';

export interface ParsedSample {
  /** The sample's own name (`http_requests_total`, `latency_seconds_bucket`). */
  name: string;
  labels: Record<string, string>;
  value: number;
  /** As written: milliseconds in text 0.0.4, seconds in OpenMetrics. */
  timestamp?: number;
}

export interface ParsedFamily {
  /** The family name (for an OpenMetrics counter, without `_total`). */
  name: string;
  /** As declared by `# TYPE`, or `untyped` when none was. */
  type: string;
  /** The unescaped HELP text, or undefined when there was none. */
  help: string | undefined;
  unit: string | undefined;
  samples: ParsedSample[];
}

const SUFFIXES = ['_total', '_created', '_bucket', '_count', '_sum', '_info', '_gcount', '_gsum'];
const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;

function bad(line: number, why: string, text: string): PerfscopeError {
  return new PerfscopeError('EBADDATA', `exposition line ${line}: ${why}: ${JSON.stringify(text.length > 120 ? `${text.slice(0, 120)}…` : text)}`);
}

const FLOAT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** A sample value or timestamp as the formats write them (Go's ParseFloat, plus `Nan`); undefined if not a number. */
export function parseValue(token: string): number | undefined {
  switch (token) {
    case 'NaN':
    case 'Nan':
    case 'nan':
      return NaN;
    case '+Inf':
    case 'Inf':
    case '+inf':
    case 'inf':
      return Infinity;
    case '-Inf':
    case '-inf':
      return -Infinity;
  }
  return FLOAT.test(token) ? Number(token) : undefined;
}

function unescapeHelp(s: string, openMetrics: boolean): string {
  return s.replace(/\\(\\|n|")/g, (m, c: string) => (c === 'n' ? '\n' : c === '"' && !openMetrics ? m : c));
}

/** Parses `{a="x",b="y"}` starting at `text[i] === '{'`; returns the labels and the index after `}`. */
function parseLabels(text: string, start: number, lineNo: number): { labels: Record<string, string>; end: number } {
  const labels: Record<string, string> = {};
  let i = start + 1;
  for (;;) {
    while (text[i] === ' ' || text[i] === '\t') i++;
    if (text[i] === '}') return { labels, end: i + 1 };
    const m = LABEL_NAME.exec(text.slice(i));
    if (m === null) throw bad(lineNo, 'a label name was expected', text);
    const name = m[0];
    i += name.length;
    while (text[i] === ' ' || text[i] === '\t') i++;
    if (text[i] !== '=') throw bad(lineNo, `"=" was expected after label ${name}`, text);
    i++;
    while (text[i] === ' ' || text[i] === '\t') i++;
    if (text[i] !== '"') throw bad(lineNo, `a quoted value was expected for label ${name}`, text);
    i++;
    let value = '';
    for (;;) {
      const c = text[i];
      if (c === undefined) throw bad(lineNo, `the value of label ${name} is not closed`, text);
      if (c === '"') break;
      if (c === '\\') {
        const e = text[i + 1];
        if (e === 'n') value += '\n';
        else if (e === '\\' || e === '"') value += e;
        else throw bad(lineNo, `unknown escape \\${e ?? ''} in label ${name}`, text);
        i += 2;
        continue;
      }
      value += c;
      i++;
    }
    i++;
    if (Object.hasOwn(labels, name)) throw bad(lineNo, `label ${name} is given twice`, text);
    labels[name] = value;
    while (text[i] === ' ' || text[i] === '\t') i++;
    if (text[i] === ',') i++;
    else if (text[i] !== '}') throw bad(lineNo, '"," or "}" was expected after a label', text);
  }
}

/** Parses an exposition; `openMetrics` (default: when the text ends with `# EOF`) selects OpenMetrics' HELP escapes and exemplars. */
export function parseExposition(text: string, options: { openMetrics?: boolean } = {}): ParsedFamily[] {
  const openMetrics = options.openMetrics ?? /(^|\n)# EOF\n?$/.test(text);
  const families: ParsedFamily[] = [];
  const byName = new Map<string, ParsedFamily>();
  let current: ParsedFamily | undefined;
  const family = (name: string): ParsedFamily => {
    let f = byName.get(name);
    if (f === undefined) {
      f = { name, type: 'untyped', help: undefined, unit: undefined, samples: [] };
      byName.set(name, f);
      families.push(f);
    }
    return f;
  };
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.replace(/\r$/, '');
    const lineNo = n + 1;
    if (line.trim() === '') continue;
    if (line.startsWith('#')) {
      const m = /^#\s+(HELP|TYPE|UNIT)\s+([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\s(.*))?$/.exec(line);
      if (m === null) {
        if (line === '# EOF') break;
        if (openMetrics) throw bad(lineNo, 'OpenMetrics allows no comment lines', line);
        continue;
      }
      const [, keyword, name, rest = ''] = m;
      current = family(name!);
      if (keyword === 'HELP') current.help = unescapeHelp(rest, openMetrics);
      else if (keyword === 'TYPE') current.type = rest.trim();
      else current.unit = rest.trim();
      continue;
    }
    const nm = NAME.exec(line);
    if (nm === null) throw bad(lineNo, 'a metric name was expected', line);
    const name = nm[0];
    let i = name.length;
    let labels: Record<string, string> = {};
    while (line[i] === ' ' || line[i] === '\t') i++;
    if (line[i] === '{') ({ labels, end: i } = parseLabels(line, i, lineNo));
    let rest = line.slice(i).trim();
    if (openMetrics) {
      const ex = rest.indexOf(' # ');
      if (ex !== -1) rest = rest.slice(0, ex).trim(); // an exemplar: set aside
    }
    const tokens = rest.split(/[ \t]+/);
    if (tokens.length < 1 || tokens.length > 2 || tokens[0] === '') throw bad(lineNo, 'a value (and at most a timestamp) was expected', line);
    const value = parseValue(tokens[0]!);
    if (value === undefined) throw bad(lineNo, `${JSON.stringify(tokens[0])} is not a number`, line);
    const sample: ParsedSample = { name, labels, value };
    if (tokens[1] !== undefined) {
      const ts = parseValue(tokens[1]);
      if (ts === undefined || !Number.isFinite(ts)) throw bad(lineNo, `${JSON.stringify(tokens[1])} is not a timestamp`, line);
      sample.timestamp = ts;
    }
    const owner =
      current !== undefined && (name === current.name || (name.startsWith(current.name) && SUFFIXES.includes(name.slice(current.name.length))))
        ? current
        : (current = family(name));
    owner.samples.push(sample);
  }
  return families;
}
