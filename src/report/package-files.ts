/**
 * Files reports and serve's dashboard need at run time that are not TypeScript: the bundled font,
 * uPlot, the chart kit, the pages' scripts and styles. Found from the package root, which is two
 * levels up from both src/report (tests via tsx) and dist/report (the published bin).
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const packageRoot = fileURLToPath(new URL('../../', import.meta.url));

/**
 * Noto Sans KR cut in two (scripts/build-font-subset.js), OFL-1.1 (assets/fonts/OFL.txt): Latin,
 * punctuation and symbols (32 KB), and the 2,350 KS X 1001 Hangul syllables with jamo (425 KB).
 */
export const fontFiles = {
  latin: join(packageRoot, 'assets', 'fonts', 'NotoSansKR-Latin-subset.ttf'),
  hangul: join(packageRoot, 'assets', 'fonts', 'NotoSansKR-Hangul-subset.ttf'),
} as const;
export const fontFamilyName = 'Noto Sans KR';

const hangulText = /[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]/;

/** The font files a text needs: the Latin one always, the Hangul one only when the text has Hangul. */
export function fontFilesFor(text: string): string[] {
  return hasHangul(text) ? [fontFiles.latin, fontFiles.hangul] : [fontFiles.latin];
}

/** True when `text` has Hangul (syllables or jamo). */
export function hasHangul(text: string): boolean {
  return hangulText.test(text);
}

const cache = new Map<string, string>();

/** A text file of the package, read once. */
export function packageText(...parts: string[]): string {
  const path = join(packageRoot, ...parts);
  let text = cache.get(path);
  if (text === undefined) {
    text = readFileSync(path, 'utf8');
    cache.set(path, text);
  }
  return text;
}

/** The directory of uPlot's browser builds (uPlot.iife.min.js, uPlot.min.css) in the installed dependency. */
export function uplotDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('uplot/package.json')), 'dist');
}

/** uPlot's minified browser build and its stylesheet, from the installed dependency. */
export function uplotFiles(): { js: string; css: string } {
  const dir = uplotDir();
  const read = (name: string): string => {
    const path = join(dir, name);
    let text = cache.get(path);
    if (text === undefined) {
      text = readFileSync(path, 'utf8');
      cache.set(path, text);
    }
    return text;
  };
  return { js: read('uPlot.iife.min.js'), css: read('uPlot.min.css') };
}
