/**
 * Stability, not speed: `perfscope serve` for 60 s with 50 live-stream viewers (47 stream clients and
 * 3 real dashboards in headless Chromium, when it is installed) and 10 /metrics scrapes a second.
 * Memory must stay bounded (the RSS at the end is within a few MiB of the RSS once every viewer was
 * connected), every scrape answered, every viewer fed and none dropped. No timing assertion.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseExposition, startServe, valueOf } from '../helpers/serve.js';
import { tempDir } from './engines.js';
import { sqliteEngine } from '../../src/store/sqlite.js';
import { browserUnavailable, launchChromium } from '../helpers/browser.js';

const MiB = 1024 * 1024;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function rssOf(pid: number): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) * 1024;
}

test('60 s with 50 stream viewers and 10 scrapes a second: bounded memory, every scrape answered, no viewer dropped', { skip: sqliteEngine() === null ? 'no SQLite engine' : false, timeout: 180_000 }, async () => {
  const d = tempDir('perfscope-serve-stab-');
  const s = await startServe(['--store', join(d, 'serve.db')]);
  const pid = s.child.pid!;
  const abort = new AbortController();
  // A few real dashboards among the viewers: the page's requests (history, groups) on top of the stream.
  const pages = browserUnavailable() ? 0 : 3;
  const browser = pages > 0 ? await launchChromium() : null;
  const pageErrors: string[] = [];
  const dashboards = await Promise.all(
    Array.from({ length: pages }, async () => {
      const page = await browser!.context.newPage();
      page.on('pageerror', (e) => pageErrors.push(String(e)));
      page.on('console', (m) => void (m.type() === 'error' && pageErrors.push(m.text())));
      await page.goto(s.url);
      return page;
    }),
  );
  const ticksSeen = new Array<number>(50 - pages).fill(0);
  const viewers = ticksSeen.map(async (_, i) => {
    const res = await fetch(`${s.url}api/stream`, { signal: abort.signal });
    const reader = res.body!.getReader();
    const dec = new TextDecoder();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        ticksSeen[i]! += (dec.decode(value, { stream: true }).match(/event: tick/g) ?? []).length;
      }
    } catch {
      // aborted at the end
    }
  });
  let scrapes = 0;
  let failed = 0;
  let scraping = true;
  const scraper = (async () => {
    while (scraping) {
      const started = performance.now();
      await Promise.all(
        Array.from({ length: 10 }, async () => {
          const r = await fetch(`${s.url}metrics`, { headers: { 'accept-encoding': 'gzip' } }).catch(() => null);
          if (r?.ok) await r.arrayBuffer();
          else failed++;
          scrapes++;
        }),
      );
      await sleep(Math.max(0, 1000 - (performance.now() - started)));
    }
  })();
  // One dashboard looks at a group's history and the 1 h range, as a user would.
  if (dashboards[0]) {
    await dashboards[0].click('#groups tbody tr:first-child');
    await dashboards[0].click('#ranges button[data-seconds="3600"]');
  }
  await sleep(15_000);
  const rssEarly = rssOf(pid);
  await sleep(45_000);
  const rssLate = rssOf(pid);
  scraping = false;
  await scraper;
  const m = parseExposition(await (await fetch(`${s.url}metrics`)).text());
  const pageTicks = await Promise.all(dashboards.map((p) => p.evaluate('window.__perfscope.ticks') as Promise<number>));
  await browser?.close();
  abort.abort();
  await Promise.all(viewers);
  assert.equal(await s.stop(), 0);
  assert.equal(failed, 0, `${failed} of ${scrapes} scrapes failed`);
  assert.ok(scrapes >= 300, `${scrapes} scrapes`);
  assert.equal(valueOf(m, 'perfscope_serve_viewers_dropped_total'), 0, 'no viewer was dropped');
  assert.equal(valueOf(m, 'perfscope_serve_viewers'), 50);
  assert.ok(ticksSeen.every((n) => n > 0), `every viewer got ticks: ${ticksSeen.join(' ')}`);
  assert.ok(pageTicks.every((n) => n >= 50), `every dashboard kept receiving ticks: ${pageTicks.join(' ')}`);
  assert.deepEqual(pageErrors, [], 'no dashboard error');
  // Bounded: what 45 s more of viewers and scrapes added (history chunks, rings filling) stays small.
  assert.ok(rssLate - rssEarly < 24 * MiB, `RSS ${Math.round(rssEarly / MiB)} MiB at 15 s, ${Math.round(rssLate / MiB)} MiB at 60 s`);
  assert.ok(rssLate < 200 * MiB, `RSS ${Math.round(rssLate / MiB)} MiB`);
});
