/**
 * serve's series as an exporter source (export/series.ts), so `--remote-write` and `--otlp` send what
 * /metrics shows: the catalogue series of the series set (host under node_exporter's names, groups
 * under process-exporter's), read through the same family index as the exposition (exposition.ts:
 * names, types and label sets are never listed twice), followed by serve's own registry (process and
 * Node.js metrics, self-metrics, the exporters' own metrics).
 *
 * Times: every point carries the wall time of the tick it was read at, in whole ms (/api/groups' `t`). Counters carry when counting
 * began, for OTLP's start time: a host counter present at serve's first tick counts since boot (the
 * kernel's totals: `node_boot_time_seconds`); a series that appears later (a new disk or interface, a
 * new group), or comes back after it was retired, counts from the tick it appeared at; a group's
 * counters start at zero when serve first sees the group (see "Counters never go back" in docs/serve.md).
 */
import { combineSources, type Collection, type MetricFamily, type SeriesSource, type ValuePoint } from '../export/series.js';
import { registrySource, type RegistryLike } from '../export/registry-source.js';
import { catalogueFamilies } from './exposition.js';
import type { SeriesDef, SeriesUnit } from './series.js';
import type { SeriesSet } from './series-set.js';

/** UCUM units for OTLP (`Metric.unit`); counts, loads and flags are dimensionless and left without one. */
const ucum: Record<SeriesUnit, string> = { seconds: 's', bytes: 'By', timestamp_seconds: 's', count: '', load: '', flag: '' };

/** The catalogue series of a SeriesSet as metric families; `noteTick()` after every tick keeps the start times. */
export class SeriesSetSource implements SeriesSource {
  private readonly set: SeriesSet;
  /** Per slot: epoch ms since which its counter counts; NaN while the slot is not live. */
  private startMs = new Float64Array(256).fill(NaN);
  private seenVersion = -1;
  private ticks = 0;
  private tickMs = NaN;
  private index: ReturnType<typeof catalogueFamilies> | null = null;
  private indexVersion = -1;

  constructor(set: SeriesSet) {
    this.set = set;
  }

  /**
   * Records the tick just taken (its wall time, and the host's boot time in epoch ms): slots that
   * became live since the last tick get their start time. Costs nothing while no series comes or goes.
   */
  noteTick(tickWallMs: number, bootMs: number): void {
    // whole ms, as /api/groups' `t` shows the tick (remote_write carries ms; OTLP then agrees with it)
    const wallMs = Math.round(tickWallMs);
    const first = this.ticks === 0;
    this.ticks++;
    this.tickMs = wallMs;
    if (this.set.version === this.seenVersion) return;
    this.seenVersion = this.set.version;
    const series = this.set.series;
    if (series.length > this.startMs.length) {
      const grown = new Float64Array(Math.max(series.length, this.startMs.length * 2)).fill(NaN);
      grown.set(this.startMs);
      this.startMs = grown;
    }
    const start = this.startMs;
    for (const s of series) {
      if (!s.live) start[s.index] = NaN;
      else if (start[s.index] !== start[s.index]) start[s.index] = first && s.def.scope === 'host' && bootMs > 0 ? bootMs : wallMs;
    }
  }

  /** The last tick's values (NaN, i.e. not read this tick, left out, as /metrics does). Synchronous. */
  collect(): Collection {
    const set = this.set;
    if (this.index === null || this.indexVersion !== set.version) {
      this.index = catalogueFamilies(set);
      this.indexVersion = set.version;
    }
    const t = this.tickMs === this.tickMs ? this.tickMs : Date.now();
    const v = set.values;
    const start = this.startMs;
    const families: MetricFamily[] = [];
    for (const { def, series } of this.index) {
      const points: ValuePoint[] = [];
      for (const s of series) {
        const x = v[s.index]!;
        if (x !== x) continue;
        const st = start[s.index];
        points.push({ labels: s.labels, value: x, timestampMs: t, startTimeMs: st !== undefined && st === st ? st : t });
      }
      if (points.length > 0) families.push(family(def, points));
    }
    return { families, timestampMs: t, startTimeMs: t, errors: [] };
  }
}

function family(def: SeriesDef, points: ValuePoint[]): MetricFamily {
  const unit = ucum[def.unit];
  return unit === '' ? { name: def.name, help: def.help, type: def.type, points } : { name: def.name, help: def.help, unit, type: def.type, points };
}

/** What serveSource reads of an agent (structural, so tests can drive it without sampling a host). */
export interface SourceAgent {
  readonly set: SeriesSet;
  readonly registry: RegistryLike;
  /** The last tick: its index and wall time, or null before the first. */
  readonly lastTick: { readonly index: number; readonly wallMs: number } | null;
}

export interface ServeSource extends SeriesSource {
  /** Call after every tick, before any exporter collects it. */
  noteTick(wallMs: number, bootMs: number): void;
}

/**
 * Everything serve's /metrics shows, as one source: the catalogue series, then the registry. The
 * registry's points are stamped with the tick's time too (they are read right after it). One
 * collection per tick, shared by every exporter that collects at that tick (each destination's
 * queue gets the same samples; the registry is read once).
 */
export function serveSource(agent: SourceAgent): ServeSource {
  const series = new SeriesSetSource(agent.set);
  const registry = registrySource(agent.registry);
  let stampMs = NaN;
  const registryAtTick: SeriesSource = {
    collect: async () => {
      const t = stampMs;
      const c = await registry.collect();
      return t === t ? { ...c, timestampMs: t } : c;
    },
  };
  const combined = combineSources([series, registryAtTick]);
  let cached: { tick: number; collection: Promise<Collection> } | null = null;
  return {
    noteTick: (wallMs, bootMs) => series.noteTick(wallMs, bootMs),
    collect(): Promise<Collection> {
      const tick = agent.lastTick;
      const index = tick?.index ?? -1;
      if (cached !== null && cached.tick === index) return cached.collection;
      stampMs = tick === null ? NaN : Math.round(tick.wallMs);
      // both parts are read now, synchronously up to the registry's first await: one tick's values
      cached = { tick: index, collection: Promise.resolve(combined.collect()) };
      return cached.collection;
    },
  };
}
