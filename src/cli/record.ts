/**
 * What `perfscope run` and `perfscope watch` share on the CLI side: the recording flags, their
 * translation into RecordOptions, and the printing of notes, the summary and where the run went.
 * The recording itself is the library's (src/record/).
 */
import { ExitCode, usageError, type ExitCodeValue } from '../core/errors.js';
import type { RecordNote } from '../record/notes.js';
import type { RecordOptions } from '../record/options.js';
import type { RecordResult } from '../record/session.js';
import { defaultStorePath } from '../store/store.js';
import { durationFlag, stringFlag, type FlagSpec, type Parsed } from './args.js';
import type { CliIo } from './command.js';
import { renderSummary } from './summary.js';
import { terminalSafe } from './terminal-text.js';

export const recordFlags: FlagSpec = {
  interval: { type: 'string', short: 'i' },
  duration: { type: 'string', short: 'd' },
  json: { type: 'string' },
  csv: { type: 'string' },
  quiet: { type: 'boolean', short: 'q' },
  'no-children': { type: 'boolean' },
  'no-system': { type: 'boolean' },
  precise: { type: 'boolean' },
  smaps: { type: 'boolean' },
  store: { type: 'string' },
  'no-store': { type: 'boolean' },
  plot: { type: 'string' },
  html: { type: 'string' },
};

export const recordFlagsHelp = `Recording options:
  -i, --interval SECONDS  sampling period (default 1; 0.01 to 86400; ms/s/m/h suffixes accepted)
  -d, --duration SECONDS  stop sampling after this long
      --json FILE         write the run as JSON (columns; see docs/run-format.md)
      --csv FILE          write the tree totals as CSV, one row per sample
  -q, --quiet             no live status line, no notes and no summary (warnings still print)
      --no-children       sample only the process itself, not its descendants
      --no-system         do not sample system-wide CPU, memory, disks and network
      --precise           CPU time from per-thread schedstat (ns) instead of 10 ms ticks:
                          about ±0.6 instead of ±6 points per sample at 10 Hz, ~1.5x the read cost
      --smaps             also record USS and PSS (reads smaps_rollup; ~30x the cost of a sample)
      --store PATH        the run store (default $PERFSCOPE_STORE or ~/.local/share/perfscope/runs.db)
      --no-store          do not keep the run in the store
      --plot FILE.png     draw the run as a PNG (or .svg) figure at the end ('perfscope report' for more)
      --html FILE.html    write the interactive HTML report at the end

Output files are checked before anything starts (exit 2 if one cannot be written), written at the
end each on its own (atomically for regular files; '-' is standard output), and never the store.`;

export interface RecordSettings {
  options: RecordOptions;
  quiet: boolean;
}

/** Flags -> RecordOptions (store, outputs, status line, notes printed as they come). */
export function recordSettings(command: string, p: Parsed, io: CliIo): RecordSettings {
  const intervalMs = durationFlag(command, p, 'interval', 10, 86_400_000) ?? 1000;
  const durationMs = durationFlag(command, p, 'duration');
  const quiet = p.values.quiet === true;
  const outputs: NonNullable<RecordOptions['outputs']> = {};
  for (const kind of ['json', 'csv', 'plot', 'html'] as const) {
    const path = stringFlag(p, kind);
    if (path === '') throw usageError(`${command}: --${kind} needs a file name`);
    if (path !== undefined) outputs[kind] = path;
  }
  const store = stringFlag(p, 'store');
  if (store === '') throw usageError(`${command}: --store needs a file name`);
  const options: RecordOptions = {
    intervalMs,
    children: p.values['no-children'] !== true,
    system: p.values['no-system'] !== true,
    precise: p.values.precise === true,
    smaps: p.values.smaps === true,
    store: p.values['no-store'] === true ? false : (store ?? defaultStorePath(io.env)),
    outputs,
    status: quiet || io.env.CI === 'true' ? null : io.stderr,
    onNote: (n) => printNote(io, n, quiet),
  };
  if (durationMs !== undefined) options.durationMs = durationMs;
  return { options, quiet };
}

/** Prints a note as `perfscope: note: ...`; with --quiet only warnings and errors. */
export function printNote(io: CliIo, n: RecordNote, quiet: boolean): void {
  if (quiet && n.level === 'note') return;
  const text = n.level === 'error' ? n.message : `${n.level}: ${n.message}`;
  io.stderr.write(`perfscope: ${terminalSafe(text)}\n`);
}

/** After a recording: one line per output that failed, the summary, and where the run went. */
export function printRecordResult(io: CliIo, result: RecordResult, quiet: boolean): void {
  for (const o of result.outputs) {
    if (o.error !== null) io.stderr.write(`perfscope: ${terminalSafe(o.error.message)}\n`);
  }
  if (quiet) return;
  io.stderr.write(`${renderSummary(result.run)}\n`);
  const id = result.store?.runId ?? null;
  const stored = id === null ? null : `stored as run ${id}${result.store?.complete === false ? ' (incomplete, see above)' : ''}`;
  const where = [stored, ...result.outputs.filter((o) => o.error === null).map((o) => (o.path === '-' ? 'stdout' : o.path))];
  const list = where.filter((w) => w !== null).join(', ');
  if (list) io.stderr.write(`perfscope: ${terminalSafe(list)}\n`);
}

/**
 * The exit code for what went wrong on perfscope's side of a recording, after the command's own status:
 * 8 when the sampler failed, 74 when an output file could not be written, else 0. A store fault costs
 * no exit code (the store is a convenience; one line says what it lacks).
 */
export function recordingExitCode(result: RecordResult): ExitCodeValue {
  if (result.samplerError !== null) return ExitCode.samplerFailed;
  if (result.outputs.some((o) => o.error !== null)) return ExitCode.io;
  return ExitCode.ok;
}
