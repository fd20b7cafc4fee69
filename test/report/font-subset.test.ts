import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Resvg } from '@resvg/resvg-js';
import { subsetTtf } from '../../src/report/font-subset.js';
import { fontFiles } from '../../src/report/package-files.js';
import { darkPixels, decodePng } from '../helpers/png.js';

function draw(font: Buffer, text: string): number {
  const dir = mkdtempSync(join(tmpdir(), 'perfscope-font-'));
  const file = join(dir, 'f.ttf');
  writeFileSync(file, font);
  try {
    return drawWith(file, text);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function drawWith(file: string, text: string): number {
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="300" height="50"><rect width="100%" height="100%" fill="#fff"/><text x="5" y="35" font-size="26" font-family="Noto Sans KR">${text}</text></svg>`;
  const img = decodePng(new Resvg(svg, { font: { fontFiles: [file], loadSystemFonts: false, defaultFontFamily: 'Noto Sans KR' }, logLevel: 'off' }).render().asPng());
  return darkPixels(img, 0, 0, img.width, img.height);
}

test('the subset keeps the glyphs asked for, drops the rest, and stays a valid font', () => {
  const full = readFileSync(fontFiles.hangul);
  const sub = subsetTtf(full, '메모리 사용량');
  assert.ok(sub.length < full.length / 10, `${sub.length} bytes`);
  assert.ok(draw(sub, '메모리') > 100, 'kept glyphs draw');
  assert.ok(draw(sub, '시간') < 5, 'other glyphs are empty');
  assert.ok(Math.abs(draw(sub, '메모리') - draw(full, '메모리')) < 20, 'same outlines as the full font');
});
