import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { buildChartModel } from '../../src/report/chart-model.js';
import { renderSvg } from '../../src/report/svg.js';
import { svgToPng } from '../../src/report/png.js';
import { fontFiles, fontFilesFor } from '../../src/report/package-files.js';
import { labelsFor } from '../../src/report/i18n.js';
import { colouredPixels, darkPixels, decodePng } from '../helpers/png.js';
import { syntheticRun } from '../helpers/synthetic-run.js';

for (const lang of ['en', 'ko'] as const) {
  test(`PNG (${lang}): size, title drawn (resvg drops text silently without a font), lines in the plots`, () => {
    const svg = renderSvg(buildChartModel(syntheticRun({ samples: 3600, children: true }), { lang, title: lang === 'ko' ? '성능 모니터링 결과' : 'Performance monitoring' }));
    const png = svgToPng(svg);
    const img = decodePng(png);
    const height = Number(/height="(\d+)"/.exec(svg)![1]);
    assert.equal(img.width, 1200);
    assert.equal(img.height, height);
    // Title band (centered, y 14..42): text pixels must be there.
    const title = darkPixels(img, 300, 12, 900, 44);
    assert.ok(title > 400, `title text drawn: ${title} dark pixels`);
    // Axis title of the first panel (rotated, x 8..28) and the x label at the bottom.
    assert.ok(darkPixels(img, 6, 110, 30, 320) > 80, 'y-axis title drawn');
    assert.ok(darkPixels(img, 450, img.height - 30, 750, img.height - 8) > 60, 'x-axis title drawn');
    // Coloured series pixels inside the first plot.
    assert.ok(colouredPixels(img, 100, 100, 1090, 320) > 2000, 'series lines drawn');
    // Mostly white background: not a blank or black image.
    assert.ok(darkPixels(img, 0, 0, img.width, img.height) < img.width * img.height * 0.2);
  });
}

test('PNG at scale 2 is twice the size', () => {
  const svg = renderSvg(buildChartModel(syntheticRun({ samples: 100 })));
  const img = decodePng(svgToPng(svg, { scale: 2 }));
  assert.equal(img.width, 2400);
});

test('1,000,000 samples render to SVG and PNG without running out of memory, spike kept', { timeout: 120_000 }, () => {
  const run = syntheticRun({ samples: 1_000_000, intervalSeconds: 0.01, spike: { index: 777_777, cpuPercent: 390 } });
  const t0 = performance.now();
  const model = buildChartModel(run);
  const svg = renderSvg(model);
  const png = svgToPng(svg);
  const ms = performance.now() - t0;
  assert.ok(ms < 60_000, `does not hang: ${ms.toFixed(0)} ms`);
  assert.ok(svg.length < 2_000_000, `SVG bounded by pixel columns: ${svg.length} bytes`);
  // The y axis reaches the spike: a tick of at least 390 % is labelled.
  const ticks = [...svg.matchAll(/text-anchor="end" fill="#262626">(\d+)</g)].map((m) => Number(m[1]));
  assert.ok(Math.max(...ticks) >= 390, `CPU axis covers the spike: ${Math.max(...ticks)}`);
  const img = decodePng(png);
  // The CPU plot spans y 98..318 for 0..500 %: the noise stays below ~110 % (y > 270), so coloured
  // pixels in y 100..186 (above 300 %) can only be the spike.
  const spike = colouredPixels(img, 100, 100, 1090, 186);
  assert.ok(spike > 20 && spike < 400, `the spike is drawn, as one thin line: ${spike} pixels`);
});

test('fonts: every character of the Korean labels is drawn from the bundled files; a Latin figure loads the small file only', () => {
  const ko = labelsFor('ko');
  const text = Object.values(ko).map((v) => (typeof v === 'function' ? `${v(3 as never)}` : v)).join(' ');
  const svgOf = (s: string) => `<svg xmlns="http://www.w3.org/2000/svg" width="60" height="60"><rect width="100%" height="100%" fill="#fff"/><text x="5" y="45" font-size="40" font-family="Noto Sans KR">${s}</text></svg>`;
  const missing = [...new Set(text)].filter((ch) => ch.trim() !== '' && darkPixels(decodePng(svgToPng(svgOf(ch))), 0, 0, 60, 60) === 0);
  assert.deepEqual(missing, [], 'characters drawn as nothing');
  assert.deepEqual(fontFilesFor(renderSvg(buildChartModel(syntheticRun({ samples: 10 })))), [fontFiles.latin]);
  assert.deepEqual(fontFilesFor(renderSvg(buildChartModel(syntheticRun({ samples: 10 }), { lang: 'ko' }))), [fontFiles.latin, fontFiles.hangul]);
  assert.ok(statSync(fontFiles.latin).size < 64 * 1024, 'the Latin file stays small');
});

test('resvg is loaded by the first PNG, not by importing perfscope', () => {
  const index = JSON.stringify(new URL('../../src/index.ts', import.meta.url).href);
  const script = `
    import { createRequire } from 'node:module';
    const require = createRequire(import.meta.url);
    const loaded = () => Object.keys(require.cache).some((k) => k.includes('resvg'));
    const { svgToPng } = await import(${index});
    const atImport = loaded();
    const png = svgToPng('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>');
    console.log(JSON.stringify({ atImport, afterPng: loaded(), png: png.subarray(1, 4).toString() }));`;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), { atImport: false, afterPng: true, png: 'PNG' });
});
