/**
 * What `perfscope run` and `perfscope watch` share: recording flags, the store, the live status line,
 * the summary at the end and the --json/--csv outputs.
 */
import { PerfscopeError, usageError } from '../core/errors.js';
import { formatBytes, formatPercent, formatSeconds } from '../core/units.js';
import type { RunData, RunMeta } from '../core/run-data.js';
import { writeFileAtomic } from '../core/fs.js';
import { runToCsv, runToJson } from '../store/export.js';
import { RunStore } from '../store/store.js';
import type { SamplerOptions } from '../sampling/options.js';
import { ProcessReader } from '../sampling/process.js';
import type { Unavailable } from '../sampling/types.js';
import { RunRecorder, type RunSink } from '../record/recorder.js';
import type { Sample, Sampler } from '../sampling/sampler.js';
import { durationFlag, stringFlag, type FlagSpec, type Parsed } from './args.js';
import type { CliIo } from './command.js';
import { renderSummary } from './summary.js';
import { reportFormat, visualizePerformanceData } from '../report/visualize.js';

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
  -q, --quiet             no live status line and no summary
      --no-children       sample only the process itself, not its descendants
      --no-system         do not sample system-wide CPU, memory, disks and network
      --precise           CPU time from per-thread schedstat (ns) instead of 10 ms ticks:
                          about ±0.6 instead of ±6 points per sample at 10 Hz, ~1.5x the read cost
      --smaps             also record USS and PSS (reads smaps_rollup; ~30x the cost of a sample)
      --store PATH        the run store (default $PERFSCOPE_STORE or ~/.local/share/perfscope/runs.db)
      --no-store          do not keep the run in the store
      --plot FILE.png     draw the run as a PNG (or .svg) figure at the end ('perfscope report' for more)
      --html FILE.html    write the interactive HTML report at the end`;

export interface RecordSettings {
  sampler: SamplerOptions;
  json: string | undefined;
  csv: string | undefined;
  quiet: boolean;
  store: string | undefined;
  noStore: boolean;
  plot: string | undefined;
  html: string | undefined;
}

export function recordSettings(command: string, p: Parsed): RecordSettings {
  const intervalMs = durationFlag(command, p, 'interval', 10, 86_400_000) ?? 1000;
  const durationMs = durationFlag(command, p, 'duration');
  const json = stringFlag(p, 'json');
  const csv = stringFlag(p, 'csv');
  if (json !== undefined && json === csv) throw usageError(`${command}: --json and --csv name the same file '${json}'`);
  const plot = stringFlag(p, 'plot');
  const html = stringFlag(p, 'html');
  if (plot !== undefined && reportFormat(plot) !== 'png' && reportFormat(plot) !== 'svg') throw usageError(`${command}: --plot needs a .png or .svg file name, got '${plot}'`);
  if (html !== undefined && reportFormat(html) !== 'html') throw usageError(`${command}: --html needs a .html file name, got '${html}'`);
  return {
    sampler: {
      intervalMs,
      durationMs,
      children: p.values['no-children'] !== true,
      system: p.values['no-system'] !== true,
      precise: p.values.precise === true,
      smaps: p.values.smaps === true,
    },
    json,
    csv,
    quiet: p.values.quiet === true,
    store: stringFlag(p, 'store'),
    noStore: p.values['no-store'] === true,
    plot,
    html,
  };
}

/** A recording in progress: recorder, optional store writer, status line. */
export class RecordSession {
  readonly recorder: RunRecorder;
  private readonly store: RunStore | null;
  private readonly status: StatusLine | null;

  constructor(
    private readonly settings: RecordSettings,
    readonly sampler: Sampler,
    command: string[] | null,
    private readonly io: CliIo,
  ) {
    let store: RunStore | null = null;
    if (!settings.noStore) {
      try {
        store = RunStore.open(settings.store === undefined ? {} : { path: settings.store });
      } catch (err) {
        // The store is a convenience: a broken one must not cost the user the measurement.
        const why = err instanceof Error ? err.message : String(err);
        io.stderr.write(`perfscope: warning: not keeping this run in the store: ${why}\n`);
      }
    }
    this.store = store;
    this.recorder = new RunRecorder(sampler, { command, sink: null });
    if (store) {
      const sink: RunSink = store.createRun(this.recorder.meta);
      this.recorder.attachSink(sink);
    }
    const tty = io.stderr.isTTY === true && !settings.quiet && io.env.CI !== 'true';
    this.status = tty ? new StatusLine(io.stderr) : null;
    if (this.status) sampler.on('sample', (s: Sample) => this.status!.update(s));
    if (!settings.quiet) sampler.once('sample', (s: Sample) => this.explainMissing(s));
  }

  /**
   * Says once, at the first sample, why a column the user expects stays empty (I/O counters and fd
   * counts of another user's process need ptrace access), instead of a silent "-" in the summary.
   */
  private explainMissing(s: Sample): void {
    const fields: [keyof Sample['tree'], string, string][] = [
      ['io_read_bytes', 'io', 'I/O counters'],
      ['num_fds', 'numFds', 'open fd counts'],
    ];
    const missing = fields.filter(([column]) => s.tree[column] === null);
    if (missing.length === 0) return;
    let reasons: Readonly<Record<string, Unavailable>> = {};
    try {
      const reader = new ProcessReader(this.sampler.options.pid, { procRoot: this.sampler.options.procRoot });
      reasons = reader.read()?.unavailable ?? {};
      reader.close();
    } catch {
      // Gone already: nothing more precise to say than that the column is empty.
    }
    for (const [, key, what] of missing) {
      this.io.stderr.write(`perfscope: note: ${what} not recorded: ${reasons[key]?.reason ?? 'not readable for this process'}\n`);
    }
  }

  /** Ends the recording: store finish, outputs written atomically, summary printed. Returns the run. */
  finish(patch: Partial<RunMeta>): RunData {
    this.status?.clear();
    const run = this.recorder.finish(patch);
    this.store?.close();
    const { json, csv } = this.settings;
    if (json !== undefined) writeFileAtomic(json, runToJson(run));
    if (csv !== undefined) writeFileAtomic(csv, runToCsv(run));
    const { plot, html } = this.settings;
    // After --json/--csv: a drawing problem must not cost the user the measurement.
    if (plot !== undefined) visualizePerformanceData(run, { file: plot });
    if (html !== undefined) visualizePerformanceData(run, { file: html });
    if (!this.settings.quiet) {
      this.io.stderr.write(`${renderSummary(run)}\n`);
      const where = [run.meta.id !== null ? `stored as run ${run.meta.id}` : null, json, csv, plot, html].filter(Boolean).join(', ');
      if (where) this.io.stderr.write(`perfscope: ${where}\n`);
    }
    return run;
  }
}

/** One status line on a TTY, redrawn at most 4 times a second. */
class StatusLine {
  private lastDraw = 0;
  constructor(private readonly out: CliIo['stderr']) {}

  update(s: Sample): void {
    const now = performance.now();
    if (now - this.lastDraw < 250) return;
    this.lastDraw = now;
    const t = s.tree;
    const line = `perfscope ${formatSeconds(s.t)}  CPU ${formatPercent(t.cpu_percent)}  RSS ${formatBytes(t.rss_bytes)}  procs ${t.num_procs ?? '-'}`;
    const width = this.out.columns || 80;
    this.out.write(`\r\x1b[2K${line.slice(0, width - 1)}`);
  }

  clear(): void {
    this.out.write('\r\x1b[2K');
  }
}

/** A PerfscopeError for a run that could not start, with the exit code the user expects. */
export function notFoundCommand(cmd: string): PerfscopeError {
  return new PerfscopeError('ENOCMD', `command not found: ${cmd}`);
}
