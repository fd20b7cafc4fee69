/**
 * serve's live dashboard in real headless Chromium against a real `perfscope serve --port 0`: charts
 * drawn and moving, the group table sorted by a clicked column (mouse and keyboard), a group's history,
 * the time-range picker on the longer tiers, pause, themes, process names holding HTML shown as text
 * and never run, no request to any host but serve, no console error; a restart of serve on the same
 * port (the page reconnects and fills the gap from the history); basic auth answered by the browser.
 * No timing assertions: waits are for states, with generous limits.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import { browserUnavailable, launchChromium } from '../helpers/browser.js';
import { startServe, type ServeProcess } from '../helpers/serve.js';
import { freePort, tempDir } from './engines.js';
import { sqliteEngine } from '../../src/store/sqlite.js';

const skip = browserUnavailable() || (sqliteEngine() === null ? 'no SQLite engine' : false);
const workloads = fileURLToPath(new URL('../fixtures/workloads/', import.meta.url));
/** A comm holds 15 bytes: the process names itself `<img src=x onerror=alert(1)>`, its group is the first 15. */
const evilTitle = '<img src=x onerror=alert(1)>';
const evilComm = evilTitle.slice(0, 15);
/** A configured group's name is user-given, but shown the same way (no '=': it ends NAME in NAME=REGEX). */
const evilGroup = '<script>alert(2)</script><b>x</b>';
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

let dir: string;
let serve: ServeProcess;
let origin: string;
let context: BrowserContext;
let closeBrowser: () => Promise<void>;
const children: ChildProcess[] = [];
let burner: ChildProcess;
/** The burner's own CPU time when serve started: ground truth for its group's history. */
let burnerFrom: { tMs: number; cpuSeconds: number };

/** utime + stime of a process (/proc/PID/stat, clock ticks of 1/100 s), in seconds. */
function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

function child(args: string[]): Promise<ChildProcess> {
  const c = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  children.push(c);
  return new Promise((resolve, reject) => {
    c.stdout!.once('data', () => resolve(c));
    c.once('exit', (code) => reject(new Error(`workload exited early (${code})`)));
  });
}

before(async () => {
  if (skip) return;
  dir = tempDir('perfscope-dashboard-');
  // An odd duration marks this burner: other tests on the machine run burn.js too.
  burner = await child([`${workloads}burn.js`, '0.5', '907']);
  await child(['-e', `process.title = ${JSON.stringify(evilTitle)}; process.stdout.write('ready\\n'); setInterval(() => {}, 1000);`]);
  serve = await startServe(['--store', join(dir, 'serve.db'), '--group', 'burner=burn\\.js 0\\.5 907', '--group', `${evilGroup}=^never-matches-a-process$`]);
  origin = new URL(serve.url).origin;
  burnerFrom = { tMs: Date.now(), cpuSeconds: cpuSecondsOf(burner.pid!) };
  ({ context, close: closeBrowser } = await launchChromium());
});

after(async () => {
  if (skip) return;
  await closeBrowser?.();
  const code = await serve?.stop();
  for (const c of children) c.kill('SIGKILL');
  assert.equal(code, 0, serve?.stderr());
});

interface Opened {
  page: Page;
  errors: string[];
  requests: string[];
  dialogs: string[];
}

/** Opens the dashboard and waits until the stream delivered and the charts were drawn. */
async function open(ctx: BrowserContext, url: string): Promise<Opened> {
  const page = await ctx.newPage();
  await page.setViewportSize({ width: 1400, height: 1000 });
  const errors: string[] = [];
  const requests: string[] = [];
  const dialogs: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('request', (r) => requests.push(r.url()));
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  const response = await page.goto(url);
  assert.equal(response?.status(), 200);
  // Page code as strings: this file is type-checked without the DOM library.
  await until(page, 'window.__perfscope && window.__perfscope.ready && window.__perfscope.renders > 0 && window.__perfscope.hostCharts.length === 5', 30_000);
  assert.equal(await page.evaluate('window.__perfscope.error'), null);
  return { page, errors, requests, dialogs };
}

/** Per chart: its panel, painted pixels on its canvas, how many points, the newest x, the x range. */
function charts(page: Page, which: 'hostCharts' | 'groupCharts'): Promise<{ panel: string; painted: number; points: number; lastX: number; min: number; max: number; data: (number | null)[][] }[]> {
  return page.evaluate(`window.__perfscope.${which}.map((u) => {
    const c = u.ctx.canvas;
    const px = u.ctx.getImageData(0, 0, c.width, c.height).data;
    let painted = 0;
    for (let i = 3; i < px.length; i += 4) if (px[i] > 0) painted++;
    const x = u.data[0];
    return { panel: u.root.dataset.panel, painted, points: x.length, lastX: x[x.length - 1], min: u.scales.x.min, max: u.scales.x.max, data: u.data.map((d) => Array.from(d)) };
  })`);
}

/** A checksum of every host chart's pixels. */
function canvasSums(page: Page): Promise<number[]> {
  return page.evaluate(`window.__perfscope.hostCharts.map((u) => {
    const px = u.ctx.getImageData(0, 0, u.ctx.canvas.width, u.ctx.canvas.height).data;
    let h = 0;
    for (let i = 0; i < px.length; i++) h = (h * 31 + px[i]) >>> 0;
    return h;
  })`);
}

/** The table as shown: the group names and one column's cell texts, top to bottom. */
function table(page: Page, key: string): Promise<{ names: string[]; cells: string[]; sort: string | null }> {
  return page.evaluate(`(() => {
    const keys = [...document.querySelectorAll('#groups thead th')].map((th) => th.dataset.key);
    const i = keys.indexOf(${JSON.stringify(key)});
    const rows = [...document.querySelectorAll('#groups tbody tr')];
    const th = document.querySelector('#groups thead th[data-key=${JSON.stringify(key)}]');
    return { names: rows.map((r) => r.dataset.group), cells: rows.map((r) => r.children[i].textContent), sort: th.getAttribute('aria-sort') };
  })()`);
}

/**
 * Polls a page expression until it is truthy. (Playwright's waitForFunction evaluates strings with
 * eval in the page, which the dashboard's CSP forbids, as it should.)
 */
async function until(page: Page, expression: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await page.evaluate(expression)) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${expression}`);
    await sleep(100);
  }
}

const numberOf = (text: string): number => (text === '–' ? -Infinity : Number(text.replace(/,/g, '')));

function assertOnlyServe(requests: string[], base: string): void {
  const foreign = requests.filter((u) => !u.startsWith(`${base}/`));
  assert.deepEqual(foreign, [], 'every request goes to serve itself');
}

test('the dashboard draws host charts from the stream, values move, every request goes to serve, no console error', { skip, timeout: 90_000 }, async () => {
  const page0 = await fetch(serve.url);
  assert.match(page0.headers.get('content-security-policy') ?? '', /^default-src 'self';/);
  const html = await page0.text();
  assert.doesNotMatch(html, /<script>|<style>|\sstyle=|\son[a-z]+=/i, 'no inline script, style or handler');
  const { page, errors, requests } = await open(context, serve.url);
  const first = await charts(page, 'hostCharts');
  assert.deepEqual(first.map((c) => c.panel), ['cpu', 'memory', 'load', 'disk', 'net']);
  for (const c of first) assert.ok(c.painted > 1000, `${c.panel} canvas painted: ${c.painted} px`);
  const memory = first.find((c) => c.panel === 'memory')!;
  assert.ok(memory.data[1]!.some((v) => v !== null && v > 0), 'memory used has values');
  await until(page, `window.__perfscope.hostCharts[0].data[0].at(-1) >= ${first[0]!.lastX + 2}`, 20_000);
  const later = await charts(page, 'hostCharts');
  assert.ok(later[0]!.points > first[0]!.points || later[0]!.lastX > first[0]!.lastX, 'the CPU chart moved');
  assert.ok(later[0]!.max > first[0]!.max, 'the window follows the newest tick');
  const status = await page.locator('#status-text').textContent();
  assert.match(status!, /^live · every 1 s · serve \d+(\.\d)? % CPU, [\d.]+ MiB · \d\d:\d\d:\d\d$/);
  assert.equal(await page.locator('#host-name').textContent(), (await (await fetch(`${serve.url}api/info`)).json() as { host: string }).host);
  assertOnlyServe(requests, origin);
  assert.ok(requests.some((u) => u.endsWith('/api/stream')), 'one stream');
  assert.equal(requests.filter((u) => u.includes('/api/stream')).length, 1, 'one stream per viewer');
  assert.ok(requests.some((u) => u.endsWith('/assets/uplot/uPlot.iife.min.js')) && requests.some((u) => u.endsWith('/assets/charts/kit.js')));
  assert.deepEqual(errors, []);
  await page.close();
});

test('the group table sorts by a clicked column, both ways, and by keyboard', { skip, timeout: 60_000 }, async () => {
  const { page, errors } = await open(context, serve.url);
  let t = await table(page, 'cpuPercent');
  assert.equal(t.sort, 'descending', 'busiest first by default');
  assert.ok(t.names.includes('burner'));
  await page.click('#groups thead th[data-key="procs"] button');
  t = await table(page, 'procs');
  assert.equal(t.sort, 'descending');
  const procs = t.cells.map(numberOf);
  assert.ok(procs.length > 3);
  assert.deepEqual(procs, [...procs].sort((a, b) => b - a), `by processes, most first: ${t.cells.join(' ')}`);
  await page.click('#groups thead th[data-key="procs"] button');
  t = await table(page, 'procs');
  assert.equal(t.sort, 'ascending');
  const up = t.cells.map(numberOf);
  assert.deepEqual(up, [...up].sort((a, b) => a - b), 'again: fewest first');
  // Keyboard: Tab to the header's button, Enter.
  await page.focus('#groups thead th[data-key="name"] button');
  await page.keyboard.press('Enter');
  t = await table(page, 'name');
  assert.equal(t.sort, 'ascending');
  assert.deepEqual(t.names, [...t.names].sort((a, b) => a.localeCompare(b)), 'names A-Z');
  // The order holds across ticks, and the table is updated in place: a group keeps its row element
  // (marked here) from tick to tick instead of the table being rebuilt.
  await page.evaluate(`for (const tr of document.querySelectorAll('#groups tbody tr')) tr.__mark = tr.dataset.group`);
  await until(page, `window.__perfscope.renders > ${await page.evaluate('window.__perfscope.renders')} + 1`, 15_000);
  const again = await table(page, 'name');
  assert.deepEqual(again.names, [...again.names].sort((a, b) => a.localeCompare(b)));
  const kept = (await page.evaluate(`[...document.querySelectorAll('#groups tbody tr')].filter((tr) => tr.__mark === tr.dataset.group).length`)) as number;
  const stayed = again.names.filter((n) => t.names.includes(n)).length;
  assert.equal(kept, stayed, 'every group still listed kept its row element');
  assert.deepEqual(errors, []);
  await page.close();
});

test("clicking a group shows its history charts; the range picker loads the longer tiers", { skip, timeout: 90_000 }, async () => {
  const { page, errors, requests } = await open(context, serve.url);
  await page.click('#groups tbody tr[data-group="burner"]');
  assert.equal(await page.locator('#group-detail').isVisible(), true);
  assert.equal(await page.locator('#group-name').textContent(), 'burner');
  await until(page, 'window.__perfscope.loads.some((l) => l.what === "group") && window.__perfscope.groupCharts.length === 4 && window.__perfscope.groupCharts[0].data[0].length >= 3', 20_000);
  assert.ok(requests.some((u) => /\/api\/history\?seconds=300&group=burner&top=0$/.test(u)), 'the group history is asked for');
  const g = await charts(page, 'groupCharts');
  assert.deepEqual(g.map((c) => c.panel), ['group-cpu', 'group-memory', 'group-io', 'group-counts']);
  for (const c of g) assert.ok(c.painted > 1000, `${c.panel} painted`);
  // Ground truth: the burner's own CPU time since serve started, against the mean of the chart's
  // per-tick values over the same span (equal intervals: the mean of the rates is the overall rate).
  const truth = ((cpuSecondsOf(burner.pid!) - burnerFrom.cpuSeconds) / ((Date.now() - burnerFrom.tMs) / 1000)) * 100;
  const xs = g[0]!.data[0]!;
  const cpu = g[0]!.data[1]!.filter((v, i): v is number => v !== null && xs[i]! > burnerFrom.tMs / 1000 + 1.5);
  const mean = cpu.reduce((a, v) => a + v, 0) / cpu.length;
  assert.ok(cpu.length >= 3 && Math.abs(mean - truth) < 12, `the burner's CPU in its history chart: mean ${mean.toFixed(1)} % of a core over ${cpu.length} ticks; its own /proc/PID/stat: ${truth.toFixed(1)} %`);
  assert.match((await page.locator('#group-facts').textContent())!, /^1 process · PID \d+ · --group burner=burn\\.js 0\\.5 907 · oldest started /);

  // 1 h: the raw tier; 24 h: the minute tier. The x axis spans the range.
  await page.click('#ranges button[data-seconds="3600"]');
  await until(page, 'window.__perfscope.loads.some((l) => l.what === "host" && l.seconds === 3600)', 20_000);
  assert.equal(await page.getAttribute('#ranges button[data-seconds="3600"]', 'aria-pressed'), 'true');
  await page.click('#ranges button[data-seconds="86400"]');
  await until(page, 'window.__perfscope.loads.some((l) => l.what === "host" && l.seconds === 86400) && window.__perfscope.loads.some((l) => l.what === "group" && l.seconds === 86400)', 20_000);
  const loads = (await page.evaluate('window.__perfscope.loads')) as { what: string; seconds: number; tier: string }[];
  assert.equal(loads.find((l) => l.what === 'host' && l.seconds === 3600)!.tier, 'raw');
  assert.equal(loads.find((l) => l.what === 'host' && l.seconds === 86400)!.tier, 'minute');
  assert.equal(loads.find((l) => l.what === 'group' && l.seconds === 86400)!.tier, 'minute');
  assert.ok(requests.some((u) => u.endsWith('/api/history?seconds=86400&top=0')));
  await until(page, `window.__perfscope.renders > ${await page.evaluate('window.__perfscope.renders')}`, 10_000);
  const day = await charts(page, 'hostCharts');
  assert.ok(Math.abs(day[0]!.max - day[0]!.min - 86400) < 1, `the x axis spans 24 h: ${day[0]!.max - day[0]!.min} s`);
  assert.ok(day[0]!.points >= 1, 'the live ticks are merged into the minute view');
  await page.click('#ranges button[data-seconds="300"]');
  await page.click('#close-group');
  assert.equal(await page.locator('#group-detail').isVisible(), false);
  assertOnlyServe(requests, origin);
  assert.deepEqual(errors, []);
  await page.close();
});

test('pause stops the charts and the table; resume catches up; the theme toggles and charts are redrawn', { skip, timeout: 60_000 }, async () => {
  const { page, errors } = await open(context, serve.url);
  await page.click('#pause');
  assert.equal(await page.getAttribute('#pause', 'aria-pressed'), 'true');
  assert.match((await page.locator('#status-text').textContent())!, /^paused/);
  const frozen = { charts: await charts(page, 'hostCharts'), pixels: await canvasSums(page), table: await table(page, 'cpuPercent'), renders: await page.evaluate('window.__perfscope.renders'), ticks: (await page.evaluate('window.__perfscope.ticks')) as number };
  await until(page, `window.__perfscope.ticks >= ${frozen.ticks + 3}`, 20_000);
  assert.equal(await page.evaluate('window.__perfscope.renders'), frozen.renders, 'no redraw while paused');
  const still = await charts(page, 'hostCharts');
  assert.deepEqual(still.map((c) => c.max), frozen.charts.map((c) => c.max), 'the charts did not move');
  assert.deepEqual(await canvasSums(page), frozen.pixels, 'not a pixel changed');
  assert.deepEqual((await table(page, 'cpuPercent')).cells, frozen.table.cells, 'the table did not change');
  await page.click('#pause');
  await until(page, `window.__perfscope.renders > ${frozen.renders as number}`, 10_000);
  const resumed = await charts(page, 'hostCharts');
  // Three ticks arrived while paused: about 3 s (ticks keep to a 1 s grid, give or take a few ms).
  assert.ok(resumed[0]!.max >= frozen.charts[0]!.max + 2.5, `resume draws the ticks that arrived meanwhile: ${resumed[0]!.max - frozen.charts[0]!.max} s`);

  const bg = (): Promise<string> => page.evaluate('getComputedStyle(document.body).backgroundColor');
  const theme = await page.evaluate('document.documentElement.dataset.theme');
  const before = await bg();
  await page.click('#theme');
  assert.notEqual(await page.evaluate('document.documentElement.dataset.theme'), theme);
  assert.notEqual(await bg(), before);
  const redrawn = await charts(page, 'hostCharts');
  assert.equal(redrawn.length, 5);
  for (const c of redrawn) assert.ok(c.painted > 1000, `${c.panel} redrawn in the other theme`);
  await page.click('#theme');
  assert.equal(await page.evaluate('document.documentElement.dataset.theme'), theme);
  assert.deepEqual(errors, []);
  await page.close();
});

test('process and group names holding HTML are shown as text and run nothing', { skip, timeout: 60_000 }, async () => {
  const { page, errors, requests, dialogs } = await open(context, serve.url);
  const names = (await table(page, 'name')).names;
  assert.ok(names.includes(evilComm), `the comm group ${JSON.stringify(evilComm)} is listed`);
  assert.ok(names.includes(evilGroup), 'the configured group is listed');
  const cellText = (name: string): Promise<string> => page.evaluate(`[...document.querySelectorAll('#groups tbody tr')].find((r) => r.dataset.group === ${JSON.stringify(name)}).children[0].textContent`);
  assert.equal(await cellText(evilComm), evilComm);
  assert.equal(await cellText(evilGroup), evilGroup);
  await page.evaluate(`[...document.querySelectorAll('#groups tbody tr')].find((r) => r.dataset.group === ${JSON.stringify(evilGroup)}).click()`);
  assert.equal(await page.locator('#group-name').textContent(), evilGroup);
  await until(page, 'window.__perfscope.loads.some((l) => l.what === "group")', 20_000);
  await sleep(1500);
  assert.equal(await page.locator('img, script:not([src]), #groups b, #group-detail b').count(), 0, 'no element was made from a name');
  assert.deepEqual(dialogs, [], 'no script ran');
  assert.ok(!requests.some((u) => new URL(u).pathname === '/x'), 'no image was requested');
  assert.deepEqual(errors, []);
  await page.close();
});

test('after serve restarts on the same port the page reconnects and fills the gap from the history', { skip, timeout: 120_000 }, async () => {
  const port = await freePort();
  const store = join(dir, 'restart.db');
  let s = await startServe(['--port', String(port), '--store', store]);
  const { page, errors, requests } = await open(context, s.url);
  await until(page, 'window.__perfscope.ticks >= 3', 20_000);
  const lastBefore = (await page.evaluate('window.__perfscope.lastT')) as number;
  assert.equal(await s.stop(), 0);
  await until(page, '!window.__perfscope.connected', 20_000);
  assert.match((await page.locator('#status-text').textContent())!, /^reconnecting…/);
  await sleep(3000); // a gap of a few ticks
  s = await startServe(['--port', String(port), '--store', store]);
  try {
    await until(page, `window.__perfscope.connected && window.__perfscope.connects === 2 && window.__perfscope.lastT > ${lastBefore + 1}`, 30_000);
    // The gap is filled from /api/history: one more host load, then lines broken where serve was down.
    await until(page, 'window.__perfscope.loads.some((l) => l.what === "host" && l.tier === "raw")', 20_000);
    await until(page, `window.__perfscope.hostCharts[0].data[0].at(-1) > ${lastBefore + 2}`, 20_000);
    const cpu = (await charts(page, 'hostCharts'))[0]!;
    const x = cpu.data[0]!;
    const gapAt = cpu.data[1]!.findIndex((v, i) => v === null && x[i]! > lastBefore - 1 && x[i]! < lastBefore + 30);
    assert.ok(gapAt >= 0, 'a null row breaks the line where serve was down');
    assert.ok(x.some((t) => t! <= lastBefore) && x.some((t) => t! > lastBefore + 2), 'ticks from before and after the restart');
    assert.equal(requests.filter((u) => u.includes('/api/stream')).length >= 2, true, 'the stream was opened again');
    assert.match((await page.locator('#status-text').textContent())!, /^live/);
    assertOnlyServe(requests, new URL(s.url).origin);
    // The browser's own failed reconnection attempts while serve was down are all it logged.
    assert.deepEqual(errors.filter((e) => !/ERR_CONNECTION_REFUSED|Failed to load resource/.test(e)), []);
  } finally {
    await page.close();
    assert.equal(await s.stop(), 0);
  }
});

test('with --auth-file the browser gets in with basic credentials; without them it gets 401', { skip, timeout: 90_000 }, async () => {
  const authFile = join(dir, 'auth');
  writeFileSync(authFile, 'ops:dash-board-pass\n');
  chmodSync(authFile, 0o600);
  const s = await startServe(['--auth-file', authFile, '--no-store']);
  const withAuth = await launchChromium({ httpCredentials: { username: 'ops', password: 'dash-board-pass' } });
  try {
    const { page, errors, requests } = await open(withAuth.context, s.url);
    await until(page, 'window.__perfscope.ticks >= 2 && window.__perfscope.connected', 20_000);
    for (const c of await charts(page, 'hostCharts')) assert.ok(c.painted > 1000, `${c.panel} painted`);
    // Without a history the longer ranges are off, and say why.
    assert.equal(await page.isDisabled('#ranges button[data-seconds="3600"]'), true);
    assert.match((await page.getAttribute('#ranges button[data-seconds="3600"]', 'title'))!, /--no-store/);
    assertOnlyServe(requests, new URL(s.url).origin);
    assert.deepEqual(errors, []);
    await page.close();
    // A browser without them: the challenge is refused (Chromium ends the navigation on the 401).
    const anonymous = await context.newPage();
    const r = await anonymous.goto(s.url).catch((err: unknown) => err as Error);
    if (r instanceof Error) assert.match(r.message, /ERR_INVALID_AUTH_CREDENTIALS/);
    else assert.equal(r?.status(), 401);
    await anonymous.close();
    assert.equal((await fetch(s.url)).status, 401);
  } finally {
    await withAuth.close();
    assert.equal(await s.stop(), 0);
  }
});
