/**
 * Timestamps for log lines, cached per second: the part up to the seconds is built once a second, so a
 * line costs a subtraction and a pad, not a Date and a time-zone conversion.
 */
const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`);
const pad3 = (n: number): string => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : `${n}`);

export class TimestampFormatter {
  private second = NaN;
  private prefix = '';

  /** `prefixOf` renders the start of a second up to its separator before the milliseconds. */
  constructor(
    private readonly prefixOf: (secondStart: Date) => string,
    private readonly suffix = '',
  ) {}

  format(epochMs: number): string {
    const second = Math.floor(epochMs / 1000);
    if (second !== this.second) {
      this.prefix = this.prefixOf(new Date(second * 1000));
      this.second = second;
    }
    return `${this.prefix}${pad3(epochMs - second * 1000)}${this.suffix}`;
  }
}

/** ISO 8601 UTC with milliseconds, `Date#toISOString`'s shape (ECS `@timestamp`). */
export class IsoTimestampFormatter extends TimestampFormatter {
  constructor() {
    super((d) => d.toISOString().slice(0, -4), 'Z');
  }
}

/** Python's default `asctime`: local time, `YYYY-MM-DD HH:MM:SS,mmm`. */
export class AsctimeFormatter extends TimestampFormatter {
  constructor() {
    super(
      (d) =>
        `${d.getFullYear()}-${pad2(d.getMonth() + 1)}-${pad2(d.getDate())} ` +
        `${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())},`,
    );
  }
}
