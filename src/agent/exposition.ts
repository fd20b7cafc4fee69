/**
 * serve's /metrics body: the catalogue series (host and groups) in Prometheus text 0.0.4 or
 * OpenMetrics 1.0, then serve's own registry (process and Node metrics, self-metrics). Built at most
 * once per tick and format, on the first scrape after the tick, and gzipped at most once too: every
 * further scrape of that tick is a cached Buffer (research bar: p95 ≤ 5 ms; BENCHMARKS.md "serve").
 * Measured on this host (~650 series): render 0.35 ms, gzip level 1 0.74 ms (level 6: 2.1 ms for 12 %
 * fewer bytes), the registry's default metrics ~1.8 ms: so the registry's text is re-rendered at most
 * every `registryEveryMs` (default 10 s; serve's own figures need no 1 s freshness), and gzip runs
 * synchronously (no thread-pool hop, no extra malloc arena per pool thread).
 */
import { gzipSync } from 'node:zlib';
import { escapeHelp, escapeHelpOpenMetrics, formatValue } from '../metrics/validation.js';
import type { Registry } from '../metrics/registry.js';
import { seriesCatalogue, type SeriesDef } from './series.js';
import type { SeriesInfo, SeriesSet } from './series-set.js';

export type ExpositionFormat = 'text' | 'openmetrics';

/**
 * The catalogue families with their live series, in catalogue order: what /metrics shows, and what
 * serve's exporters send (series-source.ts), so both name, type and label a series the same way.
 */
export function catalogueFamilies(set: SeriesSet): { def: SeriesDef; series: SeriesInfo[] }[] {
  const by = new Map<SeriesDef, SeriesInfo[]>();
  for (const def of seriesCatalogue) by.set(def, []);
  for (const s of set.series) if (s.live) by.get(s.def)?.push(s);
  return [...by.entries()].map(([def, series]) => ({ def, series }));
}

/** Renders the catalogue series of `set` (NaN values are left out: no reading this tick). */
export function renderSeries(set: SeriesSet, format: ExpositionFormat, index = catalogueFamilies(set)): string {
  const om = format === 'openmetrics';
  const v = set.values;
  let out = '';
  for (const { def, series } of index) {
    let body = '';
    for (const s of series) {
      const x = v[s.index]!;
      if (x !== x) continue;
      body += `${def.name}${s.labelText} ${formatValue(x)}\n`;
    }
    if (body === '') continue;
    const family = om && def.type === 'counter' ? def.name.replace(/_total$/, '') : def.name;
    out += `# HELP ${family} ${om ? escapeHelpOpenMetrics(def.help) : escapeHelp(def.help)}\n# TYPE ${family} ${def.type}\n${body}`;
  }
  return out;
}

interface Entry {
  plain: Promise<Buffer> | null;
  gzipped: Promise<Buffer> | null;
}

interface RegistryText {
  text: string;
  atMs: number;
}

/** The per-tick cache of the exposition; `invalidate()` on every tick. */
export class ExpositionCache {
  private readonly set: SeriesSet;
  private readonly registry: Registry;
  private entries: Record<ExpositionFormat, Entry> = { text: { plain: null, gzipped: null }, openmetrics: { plain: null, gzipped: null } };
  private index: ReturnType<typeof catalogueFamilies> | null = null;
  private indexVersion = -1;
  private readonly registryText: Record<ExpositionFormat, RegistryText | null> = { text: null, openmetrics: null };
  private readonly registryEveryMs: number;
  /** Bodies built since start (a scrape that found the cache warm builds nothing). */
  builds = 0;

  constructor(set: SeriesSet, registry: Registry, registryEveryMs = 10_000) {
    this.set = set;
    this.registry = registry;
    this.registryEveryMs = registryEveryMs;
  }

  invalidate(): void {
    this.entries = { text: { plain: null, gzipped: null }, openmetrics: { plain: null, gzipped: null } };
  }

  /** The body for `format`, gzipped when asked; built on first use after a tick. */
  get(format: ExpositionFormat, gzipped: boolean): Promise<Buffer> {
    const e = this.entries[format];
    e.plain ??= this.build(format);
    if (!gzipped) return e.plain;
    e.gzipped ??= e.plain.then((b) => gzipSync(b, { level: 1 }));
    return e.gzipped;
  }

  private async build(format: ExpositionFormat): Promise<Buffer> {
    this.builds++;
    if (this.index === null || this.indexVersion !== this.set.version) {
      this.index = catalogueFamilies(this.set);
      this.indexVersion = this.set.version;
    }
    // Rendered synchronously from this tick's values before the registry's await can let a tick in.
    const own = renderSeries(this.set, format, this.index);
    const now = performance.now();
    let cached = this.registryText[format];
    if (cached === null || now - cached.atMs >= this.registryEveryMs) {
      let text = await this.registry.metrics({ openMetrics: format === 'openmetrics' });
      if (format === 'openmetrics') text = text.replace(/# EOF\n$/, '');
      cached = this.registryText[format] = { text, atMs: now };
    }
    return Buffer.from(format === 'openmetrics' ? `${own}${cached.text}# EOF\n` : `${own}\n${cached.text}`, 'utf8');
  }
}
