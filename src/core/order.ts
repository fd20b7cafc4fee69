/**
 * Text order without ICU. `String.prototype.localeCompare` (and `toLocaleString`, `Intl.*`) page in
 * ICU's collation and locale data from Node's executable on first use: measured here, the first
 * `localeCompare` of a process adds 4.4 MiB of resident memory (3.9 MiB of it the executable's read-only
 * data) and the first `toLocaleString` another 6.3 MiB, for good. A long-running agent that only needs a
 * stable, deterministic order of names sorts by UTF-16 code units instead (eslint.config.js forbids the
 * locale functions in the layers `perfscope serve` loads).
 */

/** Orders two strings by UTF-16 code units, as `Array.prototype.sort` does by default: -1, 0 or 1. */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
