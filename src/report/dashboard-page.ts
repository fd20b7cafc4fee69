/**
 * serve's live dashboard: the page at `/` and where its files are. The page is static markup that
 * loads uPlot, the chart kit the HTML report also uses (assets/charts/) and the dashboard's script
 * and styles (assets/serve/), all from serve itself under /assets/; it holds no inline script or
 * style (serve's CSP is `default-src 'self'`) and no data: the script reads /api/info, /api/history
 * and the live stream, and sets every name it shows as text.
 */
import { join } from 'node:path';
import { packageRoot, uplotDir } from './package-files.js';

/** URL prefixes below /assets/ and the package directories they serve (the longest prefix wins). */
export function dashboardAssets(): { dir: string; mounts: { prefix: string; dir: string }[] } {
  return {
    dir: join(packageRoot, 'assets', 'serve'),
    mounts: [
      { prefix: '/assets/charts/', dir: join(packageRoot, 'assets', 'charts') },
      { prefix: '/assets/uplot/', dir: uplotDir() },
    ],
  };
}

/**
 * The dashboard page. URLs are relative, so serve also works behind a reverse proxy that maps it to
 * a sub-path (https://ops.example/perfscope/).
 */
export function dashboardHtml(): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="generator" content="perfscope serve">
<link rel="icon" href="assets/favicon.svg" type="image/svg+xml">
<title>perfscope serve</title>
<link rel="stylesheet" href="assets/uplot/uPlot.min.css">
<link rel="stylesheet" href="assets/charts/base.css">
<link rel="stylesheet" href="assets/dashboard.css">
<script src="assets/uplot/uPlot.iife.min.js" defer></script>
<script src="assets/charts/kit.js" defer></script>
<script src="assets/dashboard.js" defer></script>
</head>
<body>
<header class="top">
<div class="title"><h1>perfscope serve <span id="host-name" class="host"></span></h1>
<p id="status" class="status" role="status" aria-live="polite"><span class="dot"></span><span id="status-text">connecting…</span></p></div>
<div class="tools">
<div id="ranges" class="ranges" role="group" aria-label="Time range">
<button type="button" data-seconds="300" aria-pressed="true">5 min</button><button type="button" data-seconds="3600" aria-pressed="false">1 h</button><button type="button" data-seconds="86400" aria-pressed="false">24 h</button><button type="button" data-seconds="604800" aria-pressed="false">7 d</button>
</div>
<button type="button" id="live" hidden>Back to live</button>
<button type="button" id="pause" aria-pressed="false">Pause</button>
<button type="button" id="theme">Dark</button>
</div>
</header>
<main>
<section id="host-charts" class="charts" aria-label="Host charts"></section>
<section id="group-detail" class="card detail" hidden aria-labelledby="group-title">
<div class="detail-head"><h2 id="group-title">Group <span id="group-name"></span></h2><p id="group-facts" class="facts"></p><button type="button" id="close-group">Close</button></div>
<div id="group-charts" class="charts"></div>
</section>
<section class="card groups" aria-labelledby="groups-title">
<div class="table-head"><h2 id="groups-title">Process groups</h2>
<input id="filter" type="search" placeholder="Filter by name" aria-label="Filter groups by name" autocomplete="off" spellcheck="false">
<span id="group-count" class="facts"></span></div>
<table id="groups"><thead><tr></tr></thead><tbody></tbody></table>
<p id="more-groups" class="facts" hidden></p>
</section>
<p class="hint">Drag across a chart to zoom, double-click it to go back to live. Click a column to sort (again to reverse); click a group, or press Enter on it, for its history.</p>
</main>
</body>
</html>
`;
}
