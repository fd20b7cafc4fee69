/** Axis ticks and tick labels: decimal steps for %, ms and seconds; binary units for bytes. */
import type { AxisUnit } from './chart-model.js';

/** Ticks at a 1/2/2.5/5 × 10^k step covering [0, max] (max > 0), about `count` of them. */
export function niceTicks(max: number, count = 5): { top: number; step: number; ticks: number[] } {
  const m = max > 0 && Number.isFinite(max) ? max : 1;
  const raw = m / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((f) => f * mag).find((s) => s >= raw) ?? 10 * mag;
  const top = Math.ceil(m / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let v = 0; v <= top + step * 1e-6; v += step) ticks.push(round(v, step));
  return { top, step, ticks };
}

/** Ticks for a byte scale: a 1/2/4/5/… step in the largest binary unit below max. */
export function byteTicks(max: number, count = 5): { top: number; step: number; ticks: number[] } {
  const m = max > 0 && Number.isFinite(max) ? max : 1;
  const unit = 1024 ** Math.max(0, Math.min(5, Math.floor(Math.log(m) / Math.log(1024))));
  const t = niceTicks(m / unit, count);
  return { top: t.top * unit, step: t.step * unit, ticks: t.ticks.map((v) => v * unit) };
}

export function ticksFor(unit: AxisUnit, max: number, count = 5): { top: number; step: number; ticks: number[] } {
  return unit === 'bytes' || unit === 'bytesPerSecond' ? byteTicks(max, count) : niceTicks(max, count);
}

function round(v: number, step: number): number {
  const digits = Math.max(0, -Math.floor(Math.log10(step)) + 2);
  return Number(v.toFixed(Math.min(digits, 12)));
}

const byteUnits = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];

/** A tick label: "50", "2.5", "64 MiB", "1.5 GiB/s". `step` picks the decimals. */
export function formatTick(unit: AxisUnit, v: number, step: number): string {
  if (unit === 'bytes' || unit === 'bytesPerSecond') {
    const suffix = unit === 'bytesPerSecond' ? '/s' : '';
    if (v === 0) return '0';
    const i = Math.max(0, Math.min(byteUnits.length - 1, Math.floor(Math.log(Math.max(step, 1)) / Math.log(1024))));
    const scaled = v / 1024 ** i;
    const decimals = Number.isInteger(Number(scaled.toFixed(6))) ? 0 : scaled < 10 ? 2 : 1;
    return `${Number(scaled.toFixed(decimals))} ${byteUnits[i]}${suffix}`;
  }
  return formatNumber(v, step);
}

/** A decimal number with as many decimals as `step` needs (step 2.5 -> "7.5", step 0.02 -> "0.06"). */
export function formatNumber(v: number, step: number): string {
  const text = String(Number(step.toPrecision(6)));
  const decimals = text.includes('e') ? 6 : (text.split('.')[1] ?? '').length;
  return v.toFixed(Math.min(decimals, 6));
}
