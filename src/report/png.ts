/**
 * SVG -> PNG with resvg, from the bundled font only (no system fonts), so the picture is the same on
 * every machine. resvg drops text silently when no font matches; here the one family always matches.
 */
import { Resvg } from '@resvg/resvg-js';
import { fontFamilyName, fontFile } from './package-files.js';

export interface PngOptions {
  /** Pixel density: 1 = the SVG's size, 2 = twice as wide and tall (HiDPI); default 1. */
  scale?: number;
}

/** Rasterizes an SVG written by renderSvg (or any SVG whose text uses the bundled family). */
export function svgToPng(svg: string, options: PngOptions = {}): Buffer {
  const scale = options.scale ?? 1;
  const resvg = new Resvg(svg, {
    background: '#ffffff',
    fitTo: scale === 1 ? { mode: 'original' } : { mode: 'zoom', value: scale },
    font: { fontFiles: [fontFile], loadSystemFonts: false, defaultFontFamily: fontFamilyName, sansSerifFamily: fontFamilyName },
    logLevel: 'off',
  });
  return resvg.render().asPng();
}
