/** serve's exposition: both formats, NaN left out, escaped labels, the per-tick cache and the registry's text. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { ExpositionCache, renderSeries } from '../../src/agent/exposition.js';
import { SeriesSet } from '../../src/agent/series-set.js';
import { serveSeries as S } from '../../src/agent/series.js';
import { Counter, Gauge, Registry } from '../../src/metrics/index.js';

function fixture() {
  const set = new SeriesSet();
  const cpu = set.add(S.groupCpuSeconds, { groupname: 'a "quoted"\\name\nx', mode: 'user' }, 'group:x');
  const procs = set.add(S.groupNumProcs, { groupname: 'a "quoted"\\name\nx' }, 'group:x');
  const load = set.add(S.load1, {}, 'host');
  set.values[cpu] = 1.5;
  set.values[procs] = 2;
  set.values[load] = NaN; // not read this tick
  return { set, cpu };
}

test('text 0.0.4: HELP/TYPE per family, label values escaped, NaN series left out', () => {
  const { set } = fixture();
  const text = renderSeries(set, 'text');
  assert.equal(
    text,
    [
      '# HELP namedprocess_namegroup_num_procs number of processes in this group',
      '# TYPE namedprocess_namegroup_num_procs gauge',
      'namedprocess_namegroup_num_procs{groupname="a \\"quoted\\"\\\\name\\nx"} 2',
      '# HELP namedprocess_namegroup_cpu_seconds_total Cpu user usage in seconds',
      '# TYPE namedprocess_namegroup_cpu_seconds_total counter',
      'namedprocess_namegroup_cpu_seconds_total{groupname="a \\"quoted\\"\\\\name\\nx",mode="user"} 1.5',
      '',
    ].join('\n'),
  );
});

test('OpenMetrics: counter families without _total, samples with it, one # EOF after the registry', async () => {
  const { set } = fixture();
  const registry = new Registry();
  new Counter({ name: 'self_ticks_total', help: 'ticks', registers: [registry] }).inc(3);
  const cache = new ExpositionCache(set, registry);
  const body = (await cache.get('openmetrics', false)).toString();
  assert.match(body, /^# TYPE namedprocess_namegroup_cpu_seconds counter$/m);
  assert.match(body, /^namedprocess_namegroup_cpu_seconds_total\{.*\} 1\.5$/m);
  assert.match(body, /^self_ticks_total 3$/m);
  assert.equal(body.match(/# EOF/g)?.length, 1);
  assert.ok(body.endsWith('# EOF\n'));
  if (existsSync('/usr/bin/promtool')) {
    const text = (await cache.get('text', false)).toString();
    const r = spawnSync('/usr/bin/promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stdout + r.stderr);
  }
});

test('the cache: one build per tick and format; gzip of the same body; invalidate() rebuilds', async () => {
  const { set, cpu } = fixture();
  const cache = new ExpositionCache(set, new Registry());
  const a = await cache.get('text', false);
  assert.equal(await cache.get('text', false), a, 'same Buffer until the next tick');
  assert.equal(gunzipSync(await cache.get('text', true)).toString(), a.toString());
  assert.equal(cache.builds, 1);
  set.values[cpu] = 2.5;
  cache.invalidate();
  assert.match((await cache.get('text', false)).toString(), /mode="user"\} 2\.5/);
  assert.equal(cache.builds, 2);
});

test('prepare(): builds after a tick only the bodies scraped within eagerWithinMs, the same bytes a scrape builds', async () => {
  const { set, cpu } = fixture();
  const registry = new Registry();
  new Counter({ name: 'self_ticks_total', help: 'ticks', registers: [registry] }).inc(3);
  let nowMs = 0;
  const cache = new ExpositionCache(set, registry, { eagerWithinMs: 3000, nowMs: () => nowMs });
  cache.prepare(); // nobody scraped yet: nothing built
  assert.equal(cache.builds, 0);
  await cache.get('text', true); // the first scrape builds its body itself
  assert.deepEqual([cache.builds, cache.eagerBuilds], [1, 0]);

  // The next tick: built by prepare(), gzipped too (that is what was scraped); the scrape builds nothing.
  nowMs = 1000;
  set.values[cpu] = 2.5;
  cache.invalidate();
  cache.prepare();
  assert.deepEqual([cache.builds, cache.eagerBuilds], [2, 1]);
  const eager = await cache.get('text', true);
  const eagerPlain = await cache.get('text', false);
  assert.equal(cache.builds, 2, 'the scrape found the body built');
  const lazy = new ExpositionCache(set, registry);
  assert.deepEqual(eagerPlain, await lazy.get('text', false), 'the same bytes as a body built on the scrape');
  assert.deepEqual(eager, await lazy.get('text', true), 'the same gzip bytes');
  assert.match(gunzipSync(eager).toString(), /mode="user"\} 2\.5/);

  // OpenMetrics was never asked for: not built; text scraped 3.5 s ago (> eagerWithinMs): not built either.
  nowMs = 4500;
  cache.invalidate();
  cache.prepare();
  assert.deepEqual([cache.builds, cache.eagerBuilds], [2, 1]);
  await cache.get('openmetrics', false);
  assert.deepEqual([cache.builds, cache.eagerBuilds], [3, 1], 'after a pause the scrape builds again (the lazy path)');
});

test("prepare(): the registry's text is re-rendered after a tick when due, for a format ever scraped, never on a scrape", async () => {
  const { set } = fixture();
  const registry = new Registry();
  let renders = 0;
  new Gauge({
    name: 'self_renders',
    help: 'registry renders',
    registers: [registry],
    collect() {
      this.set(++renders);
    },
  });
  let nowMs = 0;
  const cache = new ExpositionCache(set, registry, { registryEveryMs: 10_000, eagerWithinMs: 3000, nowMs: () => nowMs });
  await cache.get('text', false); // first scrape: renders the registry (nothing cached yet)
  assert.equal(renders, 1);
  // A slow scraper (every 15 s: never "recent"): the render due at 10 s happens in prepare(), after a tick.
  nowMs = 11_000;
  cache.invalidate();
  cache.prepare();
  await new Promise((r) => setImmediate(r));
  assert.equal(renders, 2, 'rendered after the tick');
  assert.equal(cache.eagerBuilds, 0, 'no body built for a scraper that is not recent');
  nowMs = 15_000;
  const body = (await cache.get('text', false)).toString();
  assert.equal(renders, 2, 'the scrape did not render the registry');
  assert.match(body, /^self_renders 2$/m);
});
