/** The HTML report in headless Chromium: drawn, zoom synced, toggles, summary, themes, offline. */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { renderHtml } from '../../src/report/html.js';
import { summarizeRun } from '../../src/analysis/run-summary.js';
import { formatPercent } from '../../src/core/units.js';
import { browserUnavailable, launchChromium } from '../helpers/browser.js';
import { syntheticRun } from '../helpers/synthetic-run.js';

const skip = browserUnavailable();
let context: BrowserContext;
let close: () => Promise<void>;
const dir = mkdtempSync(join(tmpdir(), 'perfscope-html-'));

before(async () => {
  if (skip) return;
  ({ context, close } = await launchChromium());
});
after(async () => {
  if (!skip) await close();
  rmSync(dir, { recursive: true, force: true });
});

interface Opened {
  page: Page;
  errors: string[];
  requests: string[];
}

async function open(html: string, name: string): Promise<Opened> {
  const file = join(dir, name);
  writeFileSync(file, html);
  const page = await context.newPage();
  await page.setViewportSize({ width: 1280, height: 1000 });
  const errors: string[] = [];
  const requests: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(`file://${file}`);
  // Page code as strings: this file is type-checked without the DOM library.
  await page.waitForFunction('window.__perfscope !== undefined && (window.__perfscope.ready || window.__perfscope.error !== null)', null, { timeout: 30_000 });
  const error = await page.evaluate('window.__perfscope.error');
  assert.equal(error, null);
  return { page, errors, requests };
}

/** Per chart: x scale, whether each series is shown, and painted pixels on its canvas. */
function chartState(page: Page): Promise<{ min: number; max: number; shown: boolean[]; painted: number; panel: string }[]> {
  return page.evaluate(`window.__perfscope.charts.map((u) => {
    const c = u.ctx.canvas;
    const px = u.ctx.getImageData(0, 0, c.width, c.height).data;
    let painted = 0;
    for (let i = 3; i < px.length; i += 4) if (px[i] > 0) painted++;
    return { min: u.scales.x.min, max: u.scales.x.max, shown: u.series.slice(1).map((x) => x.show), painted, panel: u.root.dataset.panel };
  })`);
}

test('report opens offline with no errors, every panel drawn; zoom is synced; toggles, summary, theme', { skip, timeout: 90_000 }, async () => {
  const run = syntheticRun({ samples: 3600, children: true, loopDelay: true, missed: [1800] });
  const html = renderHtml(run, { title: 'Report <test> & "quotes"' });
  assert.ok(!/(src|href)="https?:/.test(html), 'no external resources');
  assert.ok(html.includes('Report &lt;test&gt; &amp; &quot;quotes&quot;'));
  const { page, errors, requests } = await open(html, 'one.html');
  assert.deepEqual(requests.filter((u) => !u.startsWith('file:') && !u.startsWith('data:') && !u.startsWith('blob:')), [], 'no network');

  let charts = await chartState(page);
  assert.deepEqual(charts.map((c) => c.panel), ['cpu', 'memory', 'io', 'loop']);
  for (const c of charts) assert.ok(c.painted > 5000, `${c.panel} canvas painted: ${c.painted} px`);
  const full = charts[0]!;

  // Drag across the middle of the CPU chart: every panel zooms to the same x range.
  const over = page.locator('.uplot').first().locator('.u-over');
  const box = (await over.boundingBox())!;
  await page.mouse.move(box.x + box.width * 0.3, box.y + box.height / 2);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 5 });
  await page.mouse.move(box.x + box.width * 0.6, box.y + box.height / 2, { steps: 5 });
  await page.mouse.up();
  charts = await chartState(page);
  const z = charts[0]!;
  assert.ok(z.max - z.min < (full.max - full.min) * 0.5, `zoomed: ${z.min}..${z.max} of ${full.min}..${full.max}`);
  assert.ok(z.min > full.min + (full.max - full.min) * 0.2);
  for (const c of charts) {
    assert.equal(c.min, z.min, `${c.panel} synced`);
    assert.equal(c.max, z.max, `${c.panel} synced`);
  }

  // Clicking a legend entry hides that series.
  await page.locator('.uplot').first().locator('.u-legend .u-series').nth(1).click();
  charts = await chartState(page);
  assert.equal(charts[0]!.shown[0], false, 'total CPU hidden');
  assert.equal(charts[0]!.shown[1], true);

  // The summary table shows the numbers computed from the raw samples.
  const expected = summarizeRun(run);
  const mean = await page.locator('#summary tr[data-key="cpu-mean"] td').first().textContent();
  assert.equal(mean, formatPercent(expected.cpuPercent.mean));
  assert.equal(await page.locator('#summary tr[data-key="samples"] td').first().textContent(), '3600');
  assert.match((await page.locator('#meta').textContent())!, /node app\.js/);

  // Dark theme: the page and the charts change; zoom and hidden series are kept.
  const bg = (): Promise<string> => page.evaluate('getComputedStyle(document.body).backgroundColor');
  const before = await bg();
  const theme = await page.evaluate('document.documentElement.dataset.theme');
  await page.click('#toggle-theme');
  assert.notEqual(await page.evaluate('document.documentElement.dataset.theme'), theme);
  assert.notEqual(await bg(), before);
  charts = await chartState(page);
  assert.equal(charts.length, 4);
  assert.equal(charts[0]!.min, z.min, 'zoom kept across the theme switch');
  assert.equal(charts[0]!.shown[0], false, 'hidden series kept');
  for (const c of charts) assert.ok(c.painted > 2000, `${c.panel} redrawn`);

  // Reset zoom.
  await page.click('#reset-zoom');
  charts = await chartState(page);
  for (const c of charts) assert.ok(c.max - c.min >= (full.max - full.min) * 0.99);

  await page.screenshot({ path: join(dir, 'shot.png'), fullPage: true });
  assert.deepEqual(errors, []);
  await page.close();
});

test('two runs overlaid, Korean labels; a long run is packed small', { skip, timeout: 90_000 }, async () => {
  const a = syntheticRun({ samples: 1200 });
  const b = syntheticRun({ samples: 2400, intervalSeconds: 0.05 });
  const html = renderHtml([{ name: 'before', data: a }, { name: 'after', data: b }], { lang: 'ko' });
  assert.ok(html.includes('<th>Δ</th>'), 'delta column');
  const { page, errors } = await open(html, 'two.html');
  const charts = await chartState(page);
  assert.equal(charts.length, 3);
  const labels = await page.locator('.uplot').first().locator('.u-legend').textContent();
  assert.match(labels!, /before: 전체/);
  assert.match(labels!, /after: 전체/);
  assert.match((await page.locator('h3').first().textContent())!, /CPU 사용량/);
  // Korean pages carry their own Hangul glyphs (this machine may have no Korean font at all).
  assert.deepEqual(await page.evaluate('[...document.fonts].map((f) => f.family + " " + f.status)'), ['perfscope-ko loaded']);
  for (const c of charts) assert.ok(c.painted > 3000);
  assert.deepEqual(errors, []);
  await page.close();
});

test('only pages with Hangul embed the font, cut to the characters they use', () => {
  const en = renderHtml(syntheticRun({ samples: 100 }));
  assert.ok(!en.includes('perfscope-ko;') && !en.includes('font/ttf'));
  const ko = renderHtml(syntheticRun({ samples: 100 }), { lang: 'ko' });
  const font = /data:font\/ttf;base64,([A-Za-z0-9+/=]+)/.exec(ko);
  assert.ok(font, 'embedded');
  const bytes = Buffer.from(font[1]!, 'base64').length;
  assert.ok(bytes < 250_000, `subset, not the 2.4 MB file: ${bytes} bytes`);
});

test('HTML of a one-hour 10 Hz run stays under 2 MB', () => {
  const html = renderHtml(syntheticRun({ samples: 36_000, children: true }));
  assert.ok(html.length < 2_000_000, `${html.length} bytes`);
});
