/** OpenMetrics exemplars (OpenMetrics registries only), as prom-client 15 keeps them. */
import { inspect } from 'node:util';
import { usageRangeError, usageTypeError } from '../core/errors.js';

export class Exemplar {
  constructor(
    public labelSet: Record<string, unknown> = {},
    public value: number | null = null,
    public timestamp?: number,
  ) {}

  /** The OpenMetrics limit: the label set may hold at most 128 UTF-8 characters. */
  validateExemplarLabelSet(labelSet: Record<string, unknown>): void {
    let res = '';
    for (const [k, v] of Object.entries(labelSet)) {
      if (typeof v !== 'string' && typeof v !== 'number') {
        throw usageTypeError(`Exemplar label value of "${k}" must be a string or a number, got ${typeof v === 'symbol' ? v.toString() : inspect(v)}`);
      }
      res += `${k}${v}`;
    }
    if (res.length > 128) {
      throw usageRangeError(`Label set size must be smaller than 128 UTF-8 chars: ${inspect(labelSet)}`);
    }
  }
}
