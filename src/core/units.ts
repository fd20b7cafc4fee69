/** Formatting of quantities for people; machine outputs keep base units (seconds, bytes). */

const byteUnits = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes == null || !Number.isFinite(bytes)) return '-';
  let v = Math.abs(bytes);
  let i = 0;
  while (v >= 1024 && i < byteUnits.length - 1) {
    v /= 1024;
    i++;
  }
  const sign = bytes < 0 ? '-' : '';
  return `${sign}${i === 0 ? v.toFixed(0) : v.toFixed(v >= 100 ? 0 : v >= 10 ? 1 : 2)} ${byteUnits[i]}`;
}

export function formatSeconds(seconds: number | null | undefined): string {
  if (seconds == null || !Number.isFinite(seconds)) return '-';
  if (seconds === 0) return '0 s';
  if (seconds < 1e-3) return `${(seconds * 1e6).toFixed(0)} µs`;
  if (seconds < 1) return `${(seconds * 1e3).toFixed(1)} ms`;
  if (seconds < 120) return `${seconds.toFixed(2)} s`;
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return h > 0 ? `${h}h${String(m).padStart(2, '0')}m${s.toFixed(0).padStart(2, '0')}s` : `${m}m${s.toFixed(1).padStart(4, '0')}s`;
}

export function formatPercent(p: number | null | undefined, digits = 1): string {
  if (p == null || !Number.isFinite(p)) return '-';
  return `${p.toFixed(digits)} %`;
}

/**
 * Parses a duration given by a user: a bare number is seconds; suffixes ms, s, m, h, d (days) and w
 * (weeks) are accepted. Returns milliseconds, or null when the text is not a positive finite duration.
 */
export function parseDurationMs(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d*)?|\.\d+)(?:e([+-]?\d+))?\s*(ms|s|m|h|d|w)?\s*$/i.exec(text);
  if (!m) return null;
  const base = Number(`${m[1]}${m[2] !== undefined ? `e${m[2]}` : ''}`);
  const unit = (m[3] ?? 's').toLowerCase();
  const factors: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
  const factor = factors[unit]!;
  const ms = base * factor;
  return Number.isFinite(ms) && ms > 0 ? ms : null;
}
