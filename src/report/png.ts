/**
 * SVG -> PNG with resvg, from the bundled fonts only (no system fonts), so the picture is the same on
 * every machine. resvg drops text silently when no font matches; here the bundled family always matches.
 *
 * resvg (a native addon) is loaded at the first PNG, not when perfscope is imported: loading it cost
 * every `import 'perfscope'` about 30 ms (BENCHMARKS.md, "Import"), for a feature most imports never use.
 */
import { createRequire } from 'node:module';
import type { Resvg as ResvgClass } from '@resvg/resvg-js';
import { fontFamilyName, fontFilesFor } from './package-files.js';

export interface PngOptions {
  /** Pixel density: 1 = the SVG's size, 2 = twice as wide and tall (HiDPI); default 1. */
  scale?: number;
}

let Resvg: typeof ResvgClass | undefined;

/** Rasterizes an SVG written by renderSvg (or any SVG whose text uses the bundled family). */
export function svgToPng(svg: string, options: PngOptions = {}): Buffer {
  const scale = options.scale ?? 1;
  Resvg ??= (createRequire(import.meta.url)('@resvg/resvg-js') as { Resvg: typeof ResvgClass }).Resvg;
  const resvg = new Resvg(svg, {
    background: '#ffffff',
    fitTo: scale === 1 ? { mode: 'original' } : { mode: 'zoom', value: scale },
    font: { fontFiles: fontFilesFor(svg), loadSystemFonts: false, defaultFontFamily: fontFamilyName, sansSerifFamily: fontFamilyName },
    logLevel: 'off',
  });
  return resvg.render().asPng();
}
