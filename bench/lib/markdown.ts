/** Markdown tables and number formatting for bench reports. */
import type { Spread } from './stats.js';

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]): string => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

/** Three significant digits, no exponent, thin grouping for large values: 0.634, 63.4, 1234, 612 345. */
export function num(x: number): string {
  if (!Number.isFinite(x)) return '—';
  const a = Math.abs(x);
  if (a >= 1000) return Math.round(x).toLocaleString('en-US').replace(/,/g, ' ');
  if (a >= 100) return x.toFixed(0);
  if (a >= 10) return x.toFixed(1);
  if (a >= 1) return x.toFixed(2);
  if (a === 0) return '0';
  return x.toPrecision(2);
}

/** "median [min–max]". */
export function spreadText(s: Spread, fmt: (x: number) => string = num): string {
  if (s.n === 0) return '—';
  if (s.n === 1) return fmt(s.median);
  return `${fmt(s.median)} [${fmt(s.min)}–${fmt(s.max)}]`;
}

/** A ratio: "0.63×" style with spread. */
export function ratioText(s: Spread): string {
  return spreadText(s, (x) => `${num(x)}×`);
}
