/**
 * One Elastic Common Schema (ECS) JSON object per line, for a timed call. Key order and shape follow
 * the ECS logging spec and `@elastic/ecs-pino-format`: `@timestamp`, `log.level`, `message` and
 * `ecs.version` as dotted top-level keys first, the rest nested:
 *
 *   {"@timestamp":"2026-11-24T08:50:59.123Z","log.level":"info","message":"function f took 0.123456 s",
 *    "ecs.version":"8.10.0","event":{"kind":"event","action":"function.call","duration":123456000,
 *    "outcome":"success"},"log":{"logger":"performance_monitor","origin":{"function":"f"}},
 *    "process":{"pid":4242},"host":{"hostname":"app-1"}}
 *
 * `event.duration` is integer nanoseconds (ECS `long`); `event.outcome` uses ECS's allowed values
 * (`success` | `failure`); failures add `error.type`, `error.message` and `error.stack_trace`.
 * Filebeat's ndjson parser needs `expand_keys: true` to merge the dotted keys (docs/timing.md).
 * Strings are capped as in the text format (`maxMessageChars`) and written with `jsonString`, so a
 * line is one line for every reader.
 */
export { IsoTimestampFormatter } from './timestamp.js';
import { capText, DEFAULT_MAX_MESSAGE_CHARS, errorParts, type CallMessages } from './text-format.js';

export const ECS_VERSION = '8.10.0';

export interface EcsIdentity {
  loggerName: string;
  pid: number;
  hostname: string;
  serviceName?: string | undefined;
}

// JSON.stringify leaves these raw (valid JSON), but line splitters (Python's splitlines(), some
// JavaScript readers) break lines at U+0085, U+2028 and U+2029, and terminals act on C1 controls.
const JSON_UNSAFE = /[\u007f-\u009f\u2028\u2029]/;
const JSON_UNSAFE_ALL = /[\u007f-\u009f\u2028\u2029]/g;

/** A JSON string literal that is one line for every reader: JSON.stringify plus \uXXXX for DEL, C1, U+2028/9. */
export function jsonString(s: string): string {
  const json = JSON.stringify(s);
  return JSON_UNSAFE.test(json) ? json.replace(JSON_UNSAFE_ALL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : json;
}

/** Builds the lines of one timed function; the constant parts are serialized once. */
export class EcsLineBuilder {
  private readonly head: string;
  private readonly tailOk: string;
  private readonly tailFailed: string;
  /** `"message":"function f took ` and `s"` as JSON fragments around the seconds. */
  private readonly okOpen: string;
  private readonly okClose: string;

  constructor(
    fn: string,
    id: EcsIdentity,
    messages: Pick<CallMessages, 'okPrefix' | 'okSuffix'>,
    private readonly maxChars = DEFAULT_MAX_MESSAGE_CHARS,
  ) {
    const logPart = `"log":{"logger":${jsonString(id.loggerName)},"origin":{"function":${jsonString(capText(fn, maxChars))}}}`;
    const rest =
      `,"process":{"pid":${id.pid}},"host":{"hostname":${jsonString(id.hostname)}}` +
      (id.serviceName === undefined ? '' : `,"service":{"name":${jsonString(id.serviceName)}}`);
    this.head = `,"ecs.version":"${ECS_VERSION}","event":{"kind":"event","action":"function.call","duration":`;
    this.tailOk = `,"outcome":"success"},${logPart}${rest}}\n`;
    this.tailFailed = `,"outcome":"failure"},${logPart}${rest}`;
    const prefix = jsonString(messages.okPrefix);
    this.okOpen = `,"log.level":"info","message":${prefix.slice(0, -1)}`;
    this.okClose = `${jsonString(messages.okSuffix).slice(1)}`;
  }

  /** A success line; `secondsText` is the seconds as the message prints them (formatSeconds). */
  success(timestamp: string, secondsText: string, durationNs: number): string {
    return `{"@timestamp":"${timestamp}"${this.okOpen}${secondsText}${this.okClose}${this.head}${durationNs}${this.tailOk}`;
  }

  failure(timestamp: string, message: string, durationNs: number, error: unknown): string {
    const { type, message: errorMessage, stack } = errorParts(error);
    const max = this.maxChars;
    const errorPart =
      `,"error":{"type":${jsonString(capText(type, max))},"message":${jsonString(capText(errorMessage, max))}` +
      (stack === undefined ? '}' : `,"stack_trace":${jsonString(capText(stack, max))}}`);
    return (
      `{"@timestamp":"${timestamp}","log.level":"error","message":${jsonString(message)}` +
      `${this.head}${durationNs}${this.tailFailed}${errorPart}}\n`
    );
  }
}

/** Seconds to ECS `event.duration`: integer nanoseconds (exact in a double up to ~104 days). */
export function durationNs(seconds: number): number {
  return Math.round(seconds * 1e9);
}
