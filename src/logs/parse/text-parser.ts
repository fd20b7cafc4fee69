/**
 * The text performance log (src/logs/text-format.ts writes it): Python logging's
 * `asctime - name - LEVEL - message`, where a timed call reads
 *
 *   function NAME took 0.123456 s                       (success; WARNING lines may add `: message`)
 *   function NAME failed after 0.123456 s: Type: msg    (failure)
 *   함수 NAME 실행 시간: 0.123456초                         (lang 'ko')
 *   함수 NAME 실행 실패 (0.123456초 후): Type: msg
 *
 * Messages stay on one line (the writer escapes newlines as a literal `\n`), so a line is a record.
 * Other messages of the layout are well-formed lines that are not calls; their WARNING/ERROR messages
 * still feed pattern mining. A line starting `function NAME` without a usable duration is malformed.
 */
import { DataViews, Finder, Needle, bytesOf, endsWith, matchAt, parseDecimal } from './bytes.js';
import { KeyCache } from './key-cache.js';
import type { KeyKind, LogParser } from './log-parser.js';
import { classify } from './malformed.js';
import { CALL, ERROR, INFO, OTHER, WARN, type Level, type ParseResult, type ParsedLine } from './parsed-line.js';
import { AsctimeReader } from './timestamps.js';

const SEP = bytesOf(' - ');
const FUNCTION = bytesOf('function ');
const TOOK = bytesOf(' took ');
const FAILED = bytesOf(' failed after ');
const SECONDS_END = bytesOf(' s');
const SECONDS_COLON = bytesOf(' s: ');
const KO_FUNCTION = bytesOf('함수 ');
const KO_TOOK = bytesOf(' 실행 시간: ');
const KO_FAILED = bytesOf(' 실행 실패 (');
const KO_SECONDS = bytesOf('초');
const KO_SECONDS_COLON = bytesOf('초: ');
const KO_FAILED_END = bytesOf('초 후): ');
const KO_FAILED_END_BARE = bytesOf('초 후)');

/** Line heads kept: the levels of one logger, a few loggers. */
const MAX_HEADS = 6;

const LEVEL_WORDS: [Uint8Array, Level][] = [
  [bytesOf('INFO'), INFO],
  [bytesOf('WARNING'), WARN],
  [bytesOf('ERROR'), ERROR],
  [bytesOf('DEBUG'), INFO],
  [bytesOf('CRITICAL'), ERROR],
  [bytesOf('WARN'), WARN],
  [bytesOf('FATAL'), ERROR],
];

/** Start of the `[0-9.]` run that ends at `end` (end itself when there is none). */
function numberStartBefore(buf: Uint8Array, start: number, end: number): number {
  let i = end;
  while (i > start) {
    const c = buf[i - 1]!;
    if ((c >= 48 && c <= 57) || c === 46) i--;
    else break;
  }
  return i;
}

function numberEndAfter(buf: Uint8Array, pos: number, end: number): number {
  let i = pos;
  while (i < end) {
    const c = buf[i]!;
    if ((c >= 48 && c <= 57) || c === 46) i++;
    else break;
  }
  return i;
}

export class TextParser implements LogParser {
  readonly format = 'text' as const;
  readonly defaultKey: KeyKind = 'function';
  readonly keyKinds: readonly KeyKind[] = ['function'];
  readonly functions = new KeyCache();
  readonly methods = new KeyCache(16);
  private readonly time = new AsctimeReader();
  private readonly sep = new Finder(SEP);
  private readonly took = new Finder(TOOK);
  private readonly failedAfter = new Finder(FAILED);
  private readonly koTook = new Finder(KO_TOOK);
  private readonly koFailed = new Finder(KO_FAILED);
  private readonly views = new DataViews();
  /** Heads of call lines seen (` - name - LEVEL - function `), compared whole before anything else. */
  private readonly heads: { needle: Needle; level: Level; korean: boolean }[] = [];
  /** The last logger name (with its trailing ` - `), tried first. */
  private lastName: Uint8Array = new Uint8Array(0);

  parse(buf: Buffer, start: number, end: number, out: ParsedLine): ParseResult {
    out.reset();
    if (end - start < AsctimeReader.length + 3) {
      if (end === start) return OTHER;
      return out.malformed(classify(buf, start, end, 'foreign'), 'not a line of the text layout');
    }
    const t = this.time.read(buf, start);
    if (t !== t) return out.malformed(classify(buf, start, end, 'foreign'), 'no asctime timestamp at the start');
    out.timeMs = t;
    let p = start + AsctimeReader.length;
    // the head of the line (` - name - LEVEL - function `) is one of a few seen before: one comparison
    const dv = this.views.of(buf);
    const heads = this.heads;
    for (let k = 0; k < heads.length; k++) {
      const h = heads[k]!;
      if (h.needle.at(dv, buf, p, end)) {
        out.level = h.level;
        out.failed = h.level === ERROR;
        const nameStart = p + h.needle.length;
        return h.korean ? this.korean(buf, start, nameStart, end, out) : this.english(buf, start, nameStart, end, out);
      }
    }
    if (!matchAt(buf, p, end, SEP)) return out.malformed(classify(buf, start, end, 'foreign'), "no ' - ' after the timestamp");
    p += 3;
    // logger name, then ` - LEVEL - `; the name itself may contain ' - '
    let msg = -1;
    const last = this.lastName;
    if (last.length > 0 && matchAt(buf, p, end, last)) msg = this.levelThenMessage(buf, p + last.length - 3, end, out);
    if (msg < 0) {
      let q = p;
      for (;;) {
        q = this.sep.find(buf, q, end);
        if (q < 0) return out.malformed(classify(buf, start, end, 'truncated'), 'no level');
        msg = this.levelThenMessage(buf, q, end, out);
        if (msg >= 0) {
          this.lastName = new Uint8Array(buf.subarray(p, q + 3));
          break;
        }
        q++;
      }
    }
    if (matchAt(buf, msg, end, FUNCTION)) {
      this.remember(buf, p - 3, msg + FUNCTION.length, out.level, false);
      return this.english(buf, start, msg + FUNCTION.length, end, out);
    }
    if (matchAt(buf, msg, end, KO_FUNCTION)) {
      this.remember(buf, p - 3, msg + KO_FUNCTION.length, out.level, true);
      return this.korean(buf, start, msg + KO_FUNCTION.length, end, out);
    }
    if (out.level >= WARN) out.message = buf.toString('utf8', msg, end);
    return OTHER;
  }

  /** Keeps the head `buf[from, to)` of a call line for the fast comparison (a few, newest first). */
  private remember(buf: Uint8Array, from: number, to: number, level: Level, korean: boolean): void {
    const needle = new Needle(buf.subarray(from, to));
    this.heads.unshift({ needle, level, korean });
    if (this.heads.length > MAX_HEADS) this.heads.pop();
  }

  /** At `q` (a ` - `): the level and the ` - ` after it; returns where the message starts, or -1. */
  private levelThenMessage(buf: Uint8Array, q: number, end: number, out: ParsedLine): number {
    const p = q + 3;
    for (const [word, level] of LEVEL_WORDS) {
      if (matchAt(buf, p, end, word) && matchAt(buf, p + word.length, end, SEP)) {
        out.level = level;
        out.failed = level === ERROR;
        return p + word.length + 3;
      }
    }
    return -1;
  }

  private english(buf: Buffer, lineStart: number, nameStart: number, end: number, out: ParsedLine): ParseResult {
    // The common line, `function NAME took 0.123456 s`, read from its end (a name may contain ' took ').
    if (endsWith(buf, nameStart, end, SECONDS_END)) {
      const numEnd = end - SECONDS_END.length;
      const numStart = numberStartBefore(buf, nameStart, numEnd);
      const took = numStart - TOOK.length;
      if (numStart < numEnd && took > nameStart && matchAt(buf, took, end, TOOK)) {
        return this.call(buf, lineStart, nameStart, took, numStart, numEnd, end, end, out);
      }
    }
    const tookAt = this.took.find(buf, nameStart, end);
    const failedAt = this.failedAfter.find(buf, nameStart, end);
    const candidates = [tookAt, failedAt].filter((i) => i > nameStart && i < end).sort((a, b) => a - b);
    for (const at of candidates) {
      const failure = at === failedAt;
      const numStart = at + (failure ? FAILED.length : TOOK.length);
      const numEnd = numberEndAfter(buf, numStart, end);
      if (numEnd === end - SECONDS_END.length && matchAt(buf, numEnd, end, SECONDS_END)) {
        if (failure) out.failed = true;
        return this.call(buf, lineStart, nameStart, at, numStart, numEnd, end, end, out);
      }
      if (matchAt(buf, numEnd, end, SECONDS_COLON)) {
        if (failure) out.failed = true;
        return this.call(buf, lineStart, nameStart, at, numStart, numEnd, numEnd + SECONDS_COLON.length, end, out);
      }
    }
    return this.noDuration(buf, lineStart, candidates, end, out, (at) => at + (at === failedAt ? FAILED.length : TOOK.length));
  }

  private korean(buf: Buffer, lineStart: number, nameStart: number, end: number, out: ParsedLine): ParseResult {
    if (endsWith(buf, nameStart, end, KO_SECONDS)) {
      const numEnd = end - KO_SECONDS.length;
      const numStart = numberStartBefore(buf, nameStart, numEnd);
      const took = numStart - KO_TOOK.length;
      if (numStart < numEnd && took > nameStart && matchAt(buf, took, end, KO_TOOK)) {
        return this.call(buf, lineStart, nameStart, took, numStart, numEnd, end, end, out);
      }
    }
    const tookAt = this.koTook.find(buf, nameStart, end);
    const failedAt = this.koFailed.find(buf, nameStart, end);
    const candidates = [tookAt, failedAt].filter((i) => i > nameStart && i < end).sort((a, b) => a - b);
    for (const at of candidates) {
      const failure = at === failedAt;
      const numStart = at + (failure ? KO_FAILED.length : KO_TOOK.length);
      const numEnd = numberEndAfter(buf, numStart, end);
      if (failure) {
        if (matchAt(buf, numEnd, end, KO_FAILED_END)) {
          out.failed = true;
          return this.call(buf, lineStart, nameStart, at, numStart, numEnd, numEnd + KO_FAILED_END.length, end, out);
        }
        if (numEnd + KO_FAILED_END_BARE.length === end && matchAt(buf, numEnd, end, KO_FAILED_END_BARE)) {
          out.failed = true;
          return this.call(buf, lineStart, nameStart, at, numStart, numEnd, end, end, out);
        }
      } else {
        if (numEnd + KO_SECONDS.length === end && matchAt(buf, numEnd, end, KO_SECONDS)) {
          return this.call(buf, lineStart, nameStart, at, numStart, numEnd, end, end, out);
        }
        if (matchAt(buf, numEnd, end, KO_SECONDS_COLON)) {
          return this.call(buf, lineStart, nameStart, at, numStart, numEnd, numEnd + KO_SECONDS_COLON.length, end, out);
        }
      }
    }
    return this.noDuration(buf, lineStart, candidates, end, out, (at) => at + (at === failedAt ? KO_FAILED.length : KO_TOOK.length));
  }

  /** A call line whose duration is missing (cut off: `truncated`) or not a number (`bad-value`). */
  private noDuration(
    buf: Buffer,
    lineStart: number,
    candidates: number[],
    end: number,
    out: ParsedLine,
    valueStart: (at: number) => number,
  ): ParseResult {
    for (const at of candidates) {
      const vs = valueStart(at);
      const rest = buf.toString('utf8', vs, end);
      const m = /^(\S*?)\s?(초|s)(\s|$|:|\))/.exec(rest);
      if (m && m[1] !== '') {
        return out.malformed(classify(buf, lineStart, end, 'bad-value'), `duration '${m[1]}' is not a usable number of seconds`);
      }
    }
    return out.malformed(classify(buf, lineStart, end, 'truncated'), 'a timed call without its duration');
  }

  private call(
    buf: Buffer,
    lineStart: number,
    nameStart: number,
    nameEnd: number,
    numStart: number,
    numEnd: number,
    messageStart: number,
    end: number,
    out: ParsedLine,
  ): ParseResult {
    const seconds = parseDecimal(buf, numStart, numEnd);
    if (!(seconds >= 0 && seconds < Infinity)) {
      return out.malformed(classify(buf, lineStart, end, 'bad-value'), `duration '${buf.toString('latin1', numStart, numEnd)}' is not a usable number of seconds`);
    }
    out.seconds = seconds;
    out.fn = this.functions.intern(buf, nameStart, nameEnd);
    if (out.level >= WARN || out.failed) out.message = messageStart < end ? buf.toString('utf8', messageStart, end) : null;
    return CALL;
  }
}
