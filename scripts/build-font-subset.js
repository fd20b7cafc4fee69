#!/usr/bin/env node
// Builds the two fonts reports are drawn with, both cut from Noto Sans KR Regular (OFL-1.1, from the npm
// package @expo-google-fonts/noto-sans-kr, fetched with `npm pack`, not installed):
//   assets/fonts/NotoSansKR-Latin-subset.ttf   ASCII, Latin-1, punctuation and the symbols labels use (32 KB)
//   assets/fonts/NotoSansKR-Hangul-subset.ttf  the 2,350 Hangul syllables of KS X 1001 (the ones in common
//                                               use: every Korean label, and EUC-KR's whole repertoire)
//                                               plus compatibility jamo (425 KB)
// Reports render PNGs with resvg from these files only (no system fonts), so every machine draws the same
// picture; resvg falls back from one file to the other glyph by glyph (same family name). An all-Latin
// figure loads the 32 KB file alone: resvg re-reads the font files for each text node (resvg-js#367), so
// the small file also draws faster. Measured 2026-12-02 (this script prints the sizes): all 11,172
// syllables + Latin were 2,419,740 bytes (873 KB gzipped, two thirds of the package); the two files are
// 457 KB (213 KB gzipped). Syllables outside KS X 1001 (rare, e.g. 똠, 믜) are not drawn in PNGs; the
// HTML report falls back to the viewer's fonts for them. Hinting is dropped (resvg does not use it) and
// layout closure skipped (syllables are precomposed). One weight only: titles are drawn larger, not bold.
//
// Usage: node scripts/build-font-subset.js   (needs the devDependency subset-font and the npm registry)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TextDecoder } from 'node:util';
import { fileURLToPath } from 'node:url';
import subsetFont from 'subset-font';

const source = '@expo-google-fonts/noto-sans-kr@0.4.3';
const outDir = fileURLToPath(new URL('../assets/fonts/', import.meta.url));

function range(from, to) {
  let s = '';
  for (let c = from; c <= to; c++) s += String.fromCodePoint(c);
  return s;
}

/** The 2,350 precomposed syllables of KS X 1001 (EUC-KR rows 0xB0-0xC8, columns 0xA1-0xFE). */
function ksX1001Syllables() {
  const decoder = new TextDecoder('euc-kr');
  let s = '';
  for (let lead = 0xb0; lead <= 0xc8; lead++) {
    for (let trail = 0xa1; trail <= 0xfe; trail++) s += decoder.decode(Uint8Array.of(lead, trail));
  }
  return s;
}

const latin =
  range(0x20, 0x7e) + // ASCII
  range(0xa0, 0xff) + // Latin-1: ° ± µ × · etc.
  range(0x2010, 0x2027) + // dashes, quotes, bullet, ellipsis
  range(0x2030, 0x203a) + // per mille, primes, angle quotes
  '€₩Δμ←↑→↓↔≈≠≤≥−∞✓✗▲▼●○■□';
const hangul = range(0x3131, 0x318e) + ksX1001Syllables();

const tmp = mkdtempSync(join(tmpdir(), 'perfscope-font-'));
try {
  execFileSync('npm', ['pack', source, '--silent'], { cwd: tmp, stdio: ['ignore', 'pipe', 'inherit'] });
  const tgz = execFileSync('sh', ['-c', 'ls *.tgz'], { cwd: tmp }).toString().trim();
  execFileSync('tar', ['xzf', tgz], { cwd: tmp });
  const pkg = join(tmp, 'package');
  const input = readFileSync(join(pkg, '400Regular/NotoSansKR_400Regular.ttf'));
  for (const [name, text] of [
    ['NotoSansKR-Latin-subset.ttf', latin],
    ['NotoSansKR-Hangul-subset.ttf', hangul],
  ]) {
    const output = await subsetFont(input, text, { targetFormat: 'truetype', noHinting: true, noLayoutClosure: true });
    writeFileSync(join(outDir, name), output);
    console.log(`${name}: ${input.length} -> ${output.length} bytes`);
  }
  copyFileSync(join(pkg, 'LICENSE_FONT'), join(outDir, 'OFL.txt'));
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
