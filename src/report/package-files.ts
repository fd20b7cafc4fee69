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

/** Noto Sans KR cut to Hangul + Latin (scripts/build-font-subset.js), OFL-1.1 (assets/fonts/OFL.txt). */
export const fontFile = join(packageRoot, 'assets', 'fonts', 'NotoSansKR-Regular-subset.ttf');
export const fontFamilyName = 'Noto Sans KR';

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
