/**
 * The live series of an agent: one slot per (catalogue entry, label values), with the current value.
 * Producers resolve a slot once (when a device or group appears) and write numbers into `values` on
 * every tick; consumers (the /metrics renderer, the recent window, the history writer, the stream)
 * read the same slots. Slots are never reused: a retired series keeps its index, so rings and chunks
 * never confuse two series.
 */
import { escapeLabelValue } from '../metrics/validation.js';
import type { SeriesDef } from './series.js';

/** Which part of the history a series is stored with: `host`, or `group:<name>` (one block per group). */
export type Block = string;

export interface SeriesInfo {
  readonly index: number;
  readonly def: SeriesDef;
  readonly labels: Readonly<Record<string, string>>;
  readonly block: Block;
  /** `name{k="v",...}` with label values escaped, keys in the def's order: the series' identity. */
  readonly key: string;
  /** The `{k="v",...}` part ('' without labels), ready for the exposition. */
  readonly labelText: string;
  live: boolean;
}

export class SeriesSet {
  readonly series: SeriesInfo[] = [];
  /** Current value per slot; NaN = no value this tick (a retired series, a counter not readable). */
  values = new Float64Array(256);
  /** Bumped whenever a series is added or retired, so consumers can rebuild their indexes. */
  version = 0;
  private readonly byKey = new Map<string, SeriesInfo>();

  /** The slot of (def, labels), created (live, value NaN) if new, revived if retired. */
  add(def: SeriesDef, labels: Record<string, string>, block: Block): number {
    const labelText = renderLabels(def, labels);
    const key = def.name + labelText;
    const known = this.byKey.get(key);
    if (known !== undefined) {
      if (!known.live) {
        known.live = true;
        this.version++;
      }
      return known.index;
    }
    const index = this.series.length;
    if (index === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[index] = NaN;
    const info: SeriesInfo = { index, def, labels: { ...labels }, block, key, labelText, live: true };
    this.series.push(info);
    this.byKey.set(key, info);
    this.version++;
    return index;
  }

  /** Marks a slot retired: no longer exposed; its value becomes NaN. */
  retire(index: number): void {
    const info = this.series[index];
    if (info === undefined || !info.live) return;
    info.live = false;
    this.values[index] = NaN;
    this.version++;
  }

  get size(): number {
    return this.series.length;
  }

  byKeyOf(key: string): SeriesInfo | undefined {
    return this.byKey.get(key);
  }
}

/** `{a="x",b="y"}` in the def's label order, values escaped for the text formats; '' without labels. */
export function renderLabels(def: SeriesDef, labels: Record<string, string>): string {
  if (def.labels.length === 0) return '';
  let out = '{';
  for (let i = 0; i < def.labels.length; i++) {
    const k = def.labels[i]!;
    const v = labels[k];
    if (v === undefined) throw new Error(`series ${def.name} needs label ${k}`);
    out += `${i === 0 ? '' : ','}${k}="${escapeLabelValue(v)}"`;
  }
  return `${out}}`;
}
