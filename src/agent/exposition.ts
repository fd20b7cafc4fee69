/**
 * serve's /metrics body: the catalogue series (host and groups) in Prometheus text 0.0.4 or
 * OpenMetrics 1.0, then serve's own registry (process and Node metrics, self-metrics). Built at most
 * once per tick and format, on the first scrape after the tick, and gzipped at most once too: every
 * further scrape of that tick is a cached Buffer (research bar: p95 ≤ 5 ms; BENCHMARKS.md "serve").
 */
import { gzip } from 'node:zlib';
import { promisify } from 'node:util';
import { escapeHelp, escapeHelpOpenMetrics, formatValue } from '../metrics/validation.js';
import type { Registry } from '../metrics/registry.js';
import { seriesCatalogue, type SeriesDef } from './series.js';
import type { SeriesInfo, SeriesSet } from './series-set.js';

const gzipAsync = promisify(gzip);

export type ExpositionFormat = 'text' | 'openmetrics';

/** The catalogue families with their live series, in catalogue order. */
function families(set: SeriesSet): { def: SeriesDef; series: SeriesInfo[] }[] {
  const by = new Map<SeriesDef, SeriesInfo[]>();
  for (const def of seriesCatalogue) by.set(def, []);
  for (const s of set.series) if (s.live) by.get(s.def)?.push(s);
  return [...by.entries()].map(([def, series]) => ({ def, series }));
}

/** Renders the catalogue series of `set` (NaN values are left out: no reading this tick). */
export function renderSeries(set: SeriesSet, format: ExpositionFormat, index = families(set)): string {
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

/** The per-tick cache of the exposition; `invalidate()` on every tick. */
export class ExpositionCache {
  private readonly set: SeriesSet;
  private readonly registry: Registry;
  private entries: Record<ExpositionFormat, Entry> = { text: { plain: null, gzipped: null }, openmetrics: { plain: null, gzipped: null } };
  private index: ReturnType<typeof families> | null = null;
  private indexVersion = -1;
  /** Bodies built since start (a scrape that found the cache warm builds nothing). */
  builds = 0;

  constructor(set: SeriesSet, registry: Registry) {
    this.set = set;
    this.registry = registry;
  }

  invalidate(): void {
    this.entries = { text: { plain: null, gzipped: null }, openmetrics: { plain: null, gzipped: null } };
  }

  /** The body for `format`, gzipped when asked; built on first use after a tick. */
  get(format: ExpositionFormat, gzipped: boolean): Promise<Buffer> {
    const e = this.entries[format];
    e.plain ??= this.build(format);
    if (!gzipped) return e.plain;
    // Level 1: measured ~6x faster than the default 6 on this body for a few per cent more bytes.
    e.gzipped ??= e.plain.then((b) => gzipAsync(b, { level: 1 }));
    return e.gzipped;
  }

  private async build(format: ExpositionFormat): Promise<Buffer> {
    this.builds++;
    if (this.index === null || this.indexVersion !== this.set.version) {
      this.index = families(this.set);
      this.indexVersion = this.set.version;
    }
    // Rendered synchronously from this tick's values before the registry's await can let a tick in.
    const own = renderSeries(this.set, format, this.index);
    let rest = await this.registry.metrics({ openMetrics: format === 'openmetrics' });
    if (format === 'openmetrics') rest = rest.replace(/# EOF\n$/, '');
    return Buffer.from(format === 'openmetrics' ? `${own}${rest}# EOF\n` : `${own}\n${rest}`, 'utf8');
  }
}
