/**
 * The `logs analyze` HTML report in headless Chromium: charts drawn, offline, no console errors, key
 * selection, themes, and hostile key names (HTML and script in function names and routes) shown as text.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { analyzeLogs } from '../../src/analysis/logs/analyze.js';
import { renderLogsHtml } from '../../src/report/logs-html.js';
import { AsctimeFormatter, textLine } from '../../src/logs/text-format.js';
import { generateLog } from '../fixtures/logs/generate.js';
import { browserUnavailable, launchChromium } from '../helpers/browser.js';

const skip = browserUnavailable();
let context: BrowserContext;
let close: () => Promise<void>;
const dir = mkdtempSync(join(tmpdir(), 'perfscope-logs-html-'));

before(async () => {
  if (skip) return;
  ({ context, close } = await launchChromium());
});
after(async () => {
  if (!skip) await close();
  rmSync(dir, { recursive: true, force: true });
});

const HOSTILE_FN = `<img src=x onerror="window.__pwned=1">`;
const HOSTILE_FN2 = `</script><script>window.__pwned=2</script>`;

/** A generated text log plus calls of functions with hostile and Korean names. */
function hostileTextLog(): string {
  const { bytes } = generateLog('text', { seed: 21, lines: 4000, malformedShare: 0.01 });
  const ts = new AsctimeFormatter();
  const t0 = Date.UTC(2026, 10, 24, 17, 30);
  const extra: string[] = [];
  for (let i = 0; i < 40; i++) {
    extra.push(textLine(ts.format(t0 + i * 1000), 'performance_monitor', 'INFO', `function ${HOSTILE_FN} took 0.0${(i % 9) + 1}0000 s`));
    extra.push(textLine(ts.format(t0 + i * 1000 + 1), 'performance_monitor', 'ERROR', `function ${HOSTILE_FN2} failed after 0.500000 s: Error: <b>bold</b> & "quoted"`));
    extra.push(textLine(ts.format(t0 + i * 1000 + 2), 'performance_monitor', 'INFO', `함수 주문_조회 실행 시간: 0.00${(i % 9) + 1}000초`));
  }
  return bytes.toString('utf8') + extra.join('');
}

async function open(html: string, name: string): Promise<{ page: Page; errors: string[]; requests: string[] }> {
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
  page.on('dialog', (d) => {
    errors.push(`dialog: ${d.message()}`);
    void d.dismiss();
  });
  await page.goto(`file://${file}`);
  await page.waitForFunction('window.__perfscope !== undefined && (window.__perfscope.ready || window.__perfscope.error !== null)', null, { timeout: 30_000 });
  assert.equal(await page.evaluate('window.__perfscope.error'), null);
  return { page, errors, requests };
}

/** Painted pixels per chart. */
function charts(page: Page): Promise<{ panel: string; painted: number; series: string[] }[]> {
  return page.evaluate(`window.__perfscope.charts.map((u) => {
    const c = u.ctx.canvas;
    const px = u.ctx.getImageData(0, 0, c.width, c.height).data;
    let painted = 0;
    for (let i = 3; i < px.length; i += 4) if (px[i] > 0) painted++;
    return { panel: u.root.dataset.panel, painted, series: u.series.slice(1).map((s) => s.label) };
  })`);
}

test('logs report: offline, no errors, three charts drawn, key selection and themes', { skip, timeout: 90_000 }, async () => {
  const file = join(dir, 'app.log');
  writeFileSync(file, hostileTextLog());
  const analysis = await analyzeLogs({ files: [file], top: 0 });
  assert.equal(analysis.changes.length, 1);
  const html = renderLogsHtml(analysis);
  assert.ok(!/(src|href)="https?:/.test(html), 'no external resources');
  assert.ok(html.includes('@font-face'), 'Hangul keys embed the font subset');
  const { page, errors, requests } = await open(html, 'logs.html');
  assert.deepEqual(requests.filter((u) => !u.startsWith('file:') && !u.startsWith('data:') && !u.startsWith('blob:')), [], 'no network');

  let drawn = await charts(page);
  assert.deepEqual(drawn.map((c) => c.panel).sort(), ['distribution', 'errors', 'latency']);
  for (const c of drawn) assert.ok(c.painted > 3000, `${c.panel} painted: ${c.painted} px`);
  // the latency chart starts on the key that changed, and its change is marked
  assert.equal(await page.locator('#key-select option:checked').textContent(), 'get_order');
  assert.equal(await page.locator('#groups tbody tr').count(), analysis.groupCount);
  assert.equal(await page.locator('#changes tbody tr').count(), 1);
  assert.equal(await page.locator('#patterns tbody tr').count(), analysis.patterns.length);
  assert.match((await page.locator('#overview').textContent())!, /Malformed lines\s*\d+ \(/);

  // clicking a row of the table selects that key for the latency chart
  await page.locator('#groups tbody tr', { hasText: 'checkout' }).first().click();
  assert.equal(await page.locator('#key-select option:checked').textContent(), 'checkout');
  drawn = await charts(page);
  assert.ok(drawn.find((c) => c.panel === 'latency')!.painted > 3000);

  // dark theme redraws every chart
  const bg = (): Promise<string> => page.evaluate('getComputedStyle(document.body).backgroundColor');
  const light = await bg();
  await page.click('#toggle-theme');
  assert.notEqual(await bg(), light);
  drawn = await charts(page);
  assert.equal(drawn.length, 3);
  for (const c of drawn) assert.ok(c.painted > 3000, `${c.panel} redrawn`);
  assert.deepEqual(errors, []);
});

test('hostile key names are shown as text, never run as markup or script', { skip, timeout: 90_000 }, async () => {
  const file = join(dir, 'hostile.log');
  writeFileSync(file, hostileTextLog());
  const nginx = join(dir, 'hostile-access.log');
  const evil = `/api/%3Cx%3E/<svg/onload=window.__pwned=3>`;
  writeFileSync(
    nginx,
    Array.from({ length: 30 }, (_, i) => `10.0.0.1 - - [24/Nov/2026:17:00:${String(i).padStart(2, '0')} +0000] "GET ${evil} HTTP/1.1" 200 12 "-" "<script>x</script>" 0.0${i % 9}1\n`).join(''),
  );
  for (const [name, html, keys] of [
    ['hostile-text.html', renderLogsHtml(await analyzeLogs({ files: [file], top: 0 })), [HOSTILE_FN, HOSTILE_FN2, '주문_조회']],
    ['hostile-nginx.html', renderLogsHtml(await analyzeLogs({ files: [nginx] })), [`GET ${evil}`]],
  ] as const) {
    const { page, errors } = await open(html, name);
    const table = (await page.locator('#groups').textContent())!;
    const options = await page.locator('#key-select option').allTextContents();
    for (const key of keys) {
      assert.ok(table.includes(key), `${key} shown as text in the table`);
      assert.ok(options.includes(key), `${key} shown as text in the key list`);
    }
    assert.equal(await page.evaluate('window.__pwned'), undefined, 'no injected script ran');
    assert.equal(await page.locator('img, svg[onload], b').count(), 0, 'no injected element');
    for (const c of await charts(page)) assert.ok(c.painted > 1000, `${name} ${c.panel} drawn`);
    assert.deepEqual(errors, []);
  }
});
