#!/usr/bin/env node
// Builds assets/fonts/NotoSansKR-Regular-subset.ttf: Noto Sans KR (OFL-1.1, from the npm package
// @expo-google-fonts/noto-sans-kr, fetched with `npm pack`, not installed) cut down to what chart labels
// need: all 11,172 Hangul syllables, compatibility jamo, Latin-1, common punctuation and symbols.
// Reports render PNGs with resvg from these files only (no system fonts), so every machine draws the same
// picture. The full TTFs are 6.2 MB each; resvg re-reads the font file for each text node (resvg-js#367),
// so a subset is also faster (~0.8 ms per label for 1.7 MB vs ~19 ms for a 19 MB CJK collection).
// Hinting is dropped (resvg does not use it) and layout closure skipped (syllables are precomposed):
// 6.19 MB -> 2.42 MB. One weight only: titles are drawn larger, not bold (matplotlib's default too),
// which keeps the package 2.4 MB lighter.
//
// Usage: node scripts/build-font-subset.js   (needs the devDependency subset-font and network to npm)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import subsetFont from 'subset-font';

const source = '@expo-google-fonts/noto-sans-kr@0.4.3';
const outDir = fileURLToPath(new URL('../assets/fonts/', import.meta.url));

function range(from, to) {
  let s = '';
  for (let c = from; c <= to; c++) s += String.fromCodePoint(c);
  return s;
}

const text =
  range(0x20, 0x7e) + // ASCII
  range(0xa0, 0xff) + // Latin-1: ° ± µ × · etc.
  range(0x2010, 0x2027) + // dashes, quotes, bullet, ellipsis
  range(0x2030, 0x203a) + // per mille, primes, angle quotes
  '€₩Δμ←↑→↓↔≈≠≤≥−∞✓✗▲▼●○■□' +
  range(0x3131, 0x318e) + // Hangul compatibility jamo
  range(0xac00, 0xd7a3); // all Hangul syllables

const tmp = mkdtempSync(join(tmpdir(), 'perfscope-font-'));
try {
  execFileSync('npm', ['pack', source, '--silent'], { cwd: tmp, stdio: ['ignore', 'pipe', 'inherit'] });
  const tgz = execFileSync('sh', ['-c', 'ls *.tgz'], { cwd: tmp }).toString().trim();
  execFileSync('tar', ['xzf', tgz], { cwd: tmp });
  const pkg = join(tmp, 'package');
  for (const [weight, name] of [
    ['400Regular/NotoSansKR_400Regular.ttf', 'NotoSansKR-Regular-subset.ttf'],
  ]) {
    const input = readFileSync(join(pkg, weight));
    const output = await subsetFont(input, text, { targetFormat: 'truetype', noHinting: true, noLayoutClosure: true });
    writeFileSync(join(outDir, name), output);
    console.log(`${name}: ${input.length} -> ${output.length} bytes`);
  }
  copyFileSync(join(pkg, 'LICENSE_FONT'), join(outDir, 'OFL.txt'));
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
