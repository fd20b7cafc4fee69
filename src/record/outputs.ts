/**
 * The files a recording writes at its end (`--json`, `--csv`, `--plot`, `--html`): every path checked
 * before the recording starts (an hour of recording must not end in "no such directory"), and each
 * written on its own, so one that fails (a full disk, a renderer error) costs only itself.
 */
import { PerfscopeError, usageError } from '../core/errors.js';
import { checkOutput, storeFiles, writeOutput, type OutputTarget } from '../core/fs.js';
import type { RunData } from '../core/run-data.js';
import { renderReport, reportFormat, type ReportFormat } from '../report/visualize.js';
import { runToCsv, runToJson } from '../store/export.js';

/** What to write, by kind: a path each (`-` is standard output). */
export interface RunOutputsSpec {
  /** The run as JSON (docs/run-format.md). */
  json?: string;
  /** The tree totals as CSV, one row per sample. */
  csv?: string;
  /** The figure, as PNG or SVG by the file's extension (PNG for `-`, a FIFO or a device). */
  plot?: string;
  /** The interactive HTML report. */
  html?: string;
}

export type OutputKind = keyof RunOutputsSpec;

/** An output checked and ready to be written. */
export interface PlannedOutput {
  kind: OutputKind;
  path: string;
  format: 'json' | 'csv' | ReportFormat;
  target: OutputTarget;
}

/** How one output fared: `error` is null when it was written. */
export interface OutputResult {
  kind: OutputKind;
  path: string;
  error: PerfscopeError | null;
}

const order: readonly OutputKind[] = ['json', 'csv', 'plot', 'html'];

/**
 * Checks every output path (see core/fs checkOutput) and that no two outputs, and no output and the run
 * store, are one file. Throws PerfscopeError('EUSAGE') naming the flag and the problem.
 */
export function checkOutputs(spec: RunOutputsSpec, options: { storePath?: string | null } = {}): PlannedOutput[] {
  const planned: PlannedOutput[] = [];
  const protect = options.storePath ? storeFiles(options.storePath) : [];
  for (const kind of order) {
    const path = spec[kind];
    if (path === undefined) continue;
    if (path === '') throw usageError(`--${kind} needs a file name`);
    let target: OutputTarget;
    try {
      target = checkOutput(path, { protect });
    } catch (err) {
      throw err instanceof PerfscopeError ? usageError(`--${kind}: ${err.message}`) : err;
    }
    const format = formatOf(kind, path, target);
    const twin = planned.find((p) => sameTarget(p.target, target));
    if (twin !== undefined) throw usageError(`--${twin.kind} and --${kind} name the same file '${path}'`);
    planned.push({ kind, path, format, target });
  }
  return planned;
}

function formatOf(kind: OutputKind, path: string, target: OutputTarget): PlannedOutput['format'] {
  if (kind === 'json' || kind === 'csv') return kind;
  const byName = reportFormat(path);
  const named = target.kind === 'file';
  if (kind === 'plot') {
    if (byName === 'png' || byName === 'svg') return byName;
    if (!named && byName === null) return 'png';
    throw usageError(`--plot needs a .png or .svg file name, got '${path}'`);
  }
  if (byName === 'html' || (!named && byName === null)) return 'html';
  throw usageError(`--html needs a .html file name, got '${path}'`);
}

function sameTarget(a: OutputTarget, b: OutputTarget): boolean {
  if (a.kind === 'fd' && b.kind === 'fd') return a.fd === b.fd;
  if (a.kind !== 'fd' && b.kind !== 'fd') return a.path === b.path;
  return false;
}

/**
 * Writes each output, each on its own: a failure (PerfscopeError 'EIO', one line) is recorded in its
 * result and the others are still written.
 */
export function writeOutputs(run: RunData, planned: readonly PlannedOutput[]): OutputResult[] {
  return planned.map((p) => {
    try {
      writeOutput(p.path, render(run, p.format), p.target);
      return { kind: p.kind, path: p.path, error: null };
    } catch (err) {
      return { kind: p.kind, path: p.path, error: asOutputError(p.path, err) };
    }
  });
}

function render(run: RunData, format: PlannedOutput['format']): string | Buffer {
  if (format === 'json') return runToJson(run);
  if (format === 'csv') return runToCsv(run);
  return renderReport(run, format);
}

/** A failure as one line: ours as they are, anything else (a renderer's exception) by its first line. */
function asOutputError(path: string, err: unknown): PerfscopeError {
  if (err instanceof PerfscopeError) return err;
  const first = (err instanceof Error ? err.message : String(err)).split('\n')[0]!.trim();
  return new PerfscopeError('EIO', `cannot write ${path}: ${first || 'the renderer failed'}`, { cause: err });
}
