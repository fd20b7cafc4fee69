/**
 * visualizePerformanceData: the classic flow's second step (monitor, then visualize). Writes a PNG,
 * SVG or HTML report of what `monitor()` returned (or any RunData), by the file's extension.
 */
import { extname } from 'node:path';
import type { RunData } from '../core/run-data.js';
import { PerfscopeError } from '../core/errors.js';
import { writeOutput } from '../core/fs.js';
import { buildChartModel, type ChartRun } from './chart-model.js';
import { renderHtml } from './html.js';
import type { Lang } from './i18n.js';
import { svgToPng } from './png.js';
import { renderSvg } from './svg.js';

export type ReportFormat = 'png' | 'svg' | 'html';

export interface VisualizeOptions {
  /** Where to write; the extension (.png, .svg, .html/.htm) picks the format. */
  file: string;
  /** Label language; default 'en'. */
  lang?: Lang;
  /** Figure / page title; default "perfscope: <command>". */
  title?: string;
  /** PNG pixel density (2 for HiDPI); default 1. */
  scale?: number;
}

/** The format a report file name asks for, or null when its extension is none of ours. */
export function reportFormat(file: string): ReportFormat | null {
  const ext = extname(file).toLowerCase();
  if (ext === '.png') return 'png';
  if (ext === '.svg') return 'svg';
  if (ext === '.html' || ext === '.htm') return 'html';
  return null;
}

/** Renders a report of one run (or two overlaid) in `format`, without writing it. */
export function renderReport(input: RunData | ChartRun[], format: ReportFormat, options: Omit<VisualizeOptions, 'file'> = {}): string | Buffer {
  const chart = { ...(options.lang ? { lang: options.lang } : {}), ...(options.title !== undefined ? { title: options.title } : {}) };
  if (format === 'html') return renderHtml(input, chart);
  const svg = renderSvg(buildChartModel(input, chart));
  return format === 'svg' ? svg : svgToPng(svg, options.scale !== undefined ? { scale: options.scale } : {});
}

/**
 * Writes a chart of `data` (what `monitor()` resolved to, a `--json` run, or a stored run) to
 * `options.file`: atomically for a regular file (through a symlink), in place for a FIFO or device. Unknown extension: PerfscopeError('EUSAGE'); write failures: 'EIO'.
 * Returns the format written.
 */
export function visualizePerformanceData(data: RunData, options: VisualizeOptions): ReportFormat {
  const format = reportFormat(options.file);
  if (format === null) {
    throw new PerfscopeError('EUSAGE', `cannot tell the report format of '${options.file}': use a .png, .svg or .html file name`);
  }
  writeOutput(options.file, renderReport(data, format, options));
  return format;
}
