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
 */
export { IsoTimestampFormatter } from './timestamp.js';
import { errorParts } from './text-format.js';

export const ECS_VERSION = '8.10.0';

export interface EcsIdentity {
  loggerName: string;
  pid: number;
  hostname: string;
  serviceName?: string | undefined;
}

/** Builds the lines of one timed function; the constant parts are serialized once. */
export class EcsLineBuilder {
  private readonly head: string;
  private readonly tailOk: string;
  private readonly tailFailed: string;

  constructor(fn: string, id: EcsIdentity) {
    const logPart = `"log":{"logger":${JSON.stringify(id.loggerName)},"origin":{"function":${JSON.stringify(fn)}}}`;
    const rest =
      `,"process":{"pid":${id.pid}},"host":{"hostname":${JSON.stringify(id.hostname)}}` +
      (id.serviceName === undefined ? '' : `,"service":{"name":${JSON.stringify(id.serviceName)}}`);
    this.head = `,"ecs.version":"${ECS_VERSION}","event":{"kind":"event","action":"function.call","duration":`;
    this.tailOk = `,"outcome":"success"},${logPart}${rest}}\n`;
    this.tailFailed = `,"outcome":"failure"},${logPart}${rest}`;
  }

  success(timestamp: string, message: string, durationNs: number): string {
    return `{"@timestamp":"${timestamp}","log.level":"info","message":${JSON.stringify(message)}${this.head}${durationNs}${this.tailOk}`;
  }

  failure(timestamp: string, message: string, durationNs: number, error: unknown): string {
    const { type, message: errorMessage, stack } = errorParts(error);
    const errorPart =
      `,"error":{"type":${JSON.stringify(type)},"message":${JSON.stringify(errorMessage)}` +
      (stack === undefined ? '}' : `,"stack_trace":${JSON.stringify(stack)}}`);
    return (
      `{"@timestamp":"${timestamp}","log.level":"error","message":${JSON.stringify(message)}` +
      `${this.head}${durationNs}${this.tailFailed}${errorPart}}\n`
    );
  }
}

/** Seconds to ECS `event.duration`: integer nanoseconds (exact in a double up to ~104 days). */
export function durationNs(seconds: number): number {
  return Math.round(seconds * 1e9);
}
