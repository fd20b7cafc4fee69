/**
 * serve's /metrics body: the catalogue series (host and groups) in Prometheus text 0.0.4 or
 * OpenMetrics 1.0, then serve's own registry (process and Node metrics, self-metrics). Built at most
 * once per tick and format, and gzipped at most once too: every scrape is then a cached Buffer
 * (research bar: p95 ≤ 5 ms; BENCHMARKS.md "serve"). A body (format, gzip or not) scraped within the
 * last `eagerWithinMs` is built right after the tick (`prepare()`), off the scrape path; the first
 * scrape of a body, or the first after a pause, builds it itself.
 * Measured on this host (~650 series): render 0.35 ms, gzip level 1 0.74 ms (level 6: 2.1 ms for 12 %
 * fewer bytes), the registry's default metrics ~1.8 ms: so the registry's text is re-rendered at most
 * every `registryEveryMs` (default 10 s; serve's own figures need no 1 s freshness), by `prepare()`
 * when its bodies are scraped, and gzip runs synchronously (no thread-pool hop, no extra malloc arena
 * per pool thread).
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

const formats: readonly ExpositionFormat[] = ['text', 'openmetrics'];

export interface ExpositionCacheOptions {
  /** How long the registry's text is reused, ms (default 10 s). */
  registryEveryMs?: number;
  /** A body scraped this recently (ms) is built by `prepare()` right after each tick (default 3 s; 0: never). */
  eagerWithinMs?: number;
  /** Monotonic clock, ms (default performance.now). */
  nowMs?: () => number;
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
  private readonly registryRenders: Record<ExpositionFormat, Promise<string> | null> = { text: null, openmetrics: null };
  private readonly registryEveryMs: number;
  private readonly eagerWithinMs: number;
  private readonly nowMs: () => number;
  /** When each body was last asked for (-Infinity: never). */
  private readonly askedAtMs: Record<ExpositionFormat, { plain: number; gzipped: number }> = {
    text: { plain: -Infinity, gzipped: -Infinity },
    openmetrics: { plain: -Infinity, gzipped: -Infinity },
  };
  /** Bodies built since start (a scrape that found the cache warm builds nothing). */
  builds = 0;
  /** Of them, built by `prepare()` after a tick rather than by a scrape. */
  eagerBuilds = 0;

  constructor(set: SeriesSet, registry: Registry, options: ExpositionCacheOptions = {}) {
    this.set = set;
    this.registry = registry;
    this.registryEveryMs = options.registryEveryMs ?? 10_000;
    this.eagerWithinMs = options.eagerWithinMs ?? 3_000;
    this.nowMs = options.nowMs ?? (() => performance.now());
  }

  /** Drops the bodies: call on every tick, once the series set holds the tick's values. */
  invalidate(): void {
    this.entries = { text: { plain: null, gzipped: null }, openmetrics: { plain: null, gzipped: null } };
  }

  /**
   * Call after a tick, after `invalidate()`: re-renders the registry's text when it is due for every
   * format ever scraped (so that render never runs on a scrape, however slow the scraper), and builds
   * each body scraped within the last `eagerWithinMs`, so those scrapes only write a Buffer.
   * Synchronous but for a registry render (then the bodies follow it); never throws: a build that
   * fails is dropped, and the next scrape builds the body itself and receives the error.
   */
  prepare(): void {
    const now = this.nowMs();
    for (const format of formats) {
      const asked = this.askedAtMs[format];
      if (asked.plain === -Infinity && asked.gzipped === -Infinity) continue;
      const registryText = this.registryTextOf(format);
      if (typeof registryText !== 'string') registryText.catch(() => undefined); // the scrape that waits on it sees the error
      const gzipped = now - asked.gzipped <= this.eagerWithinMs;
      if (!gzipped && now - asked.plain > this.eagerWithinMs) continue;
      const e = this.entries[format];
      if (e.plain === null) {
        this.eagerBuilds++;
        const plain = (e.plain = this.build(format));
        plain.catch(() => {
          if (e.plain === plain) e.plain = e.gzipped = null;
        });
      }
      if (gzipped) this.gzipped(e).catch(() => undefined); // handled above: the entry is dropped
    }
  }

  /** The body for `format`, gzipped when asked: built by `prepare()`, or here on first use after a tick. */
  get(format: ExpositionFormat, gzipped: boolean): Promise<Buffer> {
    this.askedAtMs[format][gzipped ? 'gzipped' : 'plain'] = this.nowMs();
    const e = this.entries[format];
    e.plain ??= this.build(format);
    return gzipped ? this.gzipped(e) : e.plain;
  }

  private gzipped(e: Entry): Promise<Buffer> {
    e.gzipped ??= e.plain!.then((b) => gzipSync(b, { level: 1 }));
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
    const current = this.registryTextOf(format);
    const registryText = typeof current === 'string' ? current : await current;
    return Buffer.from(format === 'openmetrics' ? `${own}${registryText}# EOF\n` : `${own}\n${registryText}`, 'utf8');
  }

  /** The registry's text for `format`: the cached one while fresh, else the render under way or a new one. */
  private registryTextOf(format: ExpositionFormat): string | Promise<string> {
    const cached = this.registryText[format];
    const now = this.nowMs();
    if (cached !== null && now - cached.atMs < this.registryEveryMs) return cached.text;
    return (this.registryRenders[format] ??= this.renderRegistry(format, now));
  }

  private async renderRegistry(format: ExpositionFormat, now: number): Promise<string> {
    try {
      let text = await this.registry.metrics({ openMetrics: format === 'openmetrics' });
      if (format === 'openmetrics') text = text.replace(/# EOF\n$/, '');
      this.registryText[format] = { text, atMs: now };
      return text;
    } finally {
      this.registryRenders[format] = null;
    }
  }
}
