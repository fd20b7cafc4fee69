/** `perfscope report RUN [RUN2]`: charts (PNG, SVG) and the HTML report of a recorded run, or two overlaid. */
import { basename } from 'node:path';
import type { RunData } from '../core/run-data.js';
import { ExitCode, PerfscopeError, usageError } from '../core/errors.js';
import { checkOutput, storeFiles, writeOutput, type OutputTarget } from '../core/fs.js';
import { readRunFile } from '../store/run-file.js';
import { RunStore, isRunRef } from '../store/store.js';
import type { ChartRun } from '../report/chart-model.js';
import { isLang } from '../report/i18n.js';
import { renderReport, reportFormat, type ReportFormat } from '../report/visualize.js';
import type { Command } from './command.js';
import { withCommandName } from './command.js';
import { parseFlags, stringFlag } from './args.js';
import { storePathOf } from './store-access.js';
import { terminalSafe } from './terminal-text.js';

const help = `Usage: perfscope report RUN [RUN2] [--png FILE] [--svg FILE] [--html FILE] [options]

Draws a recorded run: CPU %, memory (% and bytes), I/O rate and event-loop delay when recorded,
per-process lines for a process tree, and markers for process start/exit and missed samples, on one
time axis. PNG and SVG are the static figure; HTML is one self-contained file (no network) with
synced zoom, a crosshair, series toggles, the summary table and the run's metadata.
With RUN2, both runs are overlaid from t = 0 (the second dashed) and the summary compares them.

RUN is a file written by 'perfscope run --json' (or 'perfscope export'), or a stored run: its id
from 'perfscope ls', 'last', or -1, -2, ... (the most recent runs; ./12 is a file named 12).

Options:
  --png FILE         write the figure as PNG
  --svg FILE         write the figure as SVG
  --html FILE        write the interactive HTML report
  --lang en|ko       label language (default en; ko: CPU 사용량 (%), 메모리 사용량 (%), 시간 (초))
  --title TEXT       figure and page title (default: perfscope: <command>)
  --scale N          PNG pixel density, 1 to 4 (default 1; 2 for HiDPI screens)
  --store PATH       the store file for run ids (default: $PERFSCOPE_STORE, else
                     $XDG_DATA_HOME/perfscope/runs.db, else ~/.local/share/perfscope/runs.db)
  -h, --help         show this help

Every output path is checked before anything is drawn (a file name must end in its format's
extension; '-' is standard output; never the store). Files are written atomically (complete or
not at all), each on its own: one that fails is one line (exit 74) and the others are written.

Examples:
  perfscope run --json app.json -- node app.js
  perfscope report app.json --png performance_monitoring.png --html report.html
  perfscope report last --html last.html --lang ko
  perfscope report before.json after.json --html compare.html --title "before vs after"`;

export const reportCommand: Command = {
  name: 'report',
  summary: 'draw a run as PNG/SVG charts or an HTML report; two runs overlaid',
  help,
  async run(args, io) {
    const p = parseFlags(
      'report',
      args,
      {
        png: { type: 'string' },
        svg: { type: 'string' },
        html: { type: 'string' },
        lang: { type: 'string' },
        title: { type: 'string' },
        scale: { type: 'string' },
        store: { type: 'string' },
      },
      2,
      { runRefs: true },
    );
    if (p.help) {
      io.stdout.write(`${help}\n`);
      return 0;
    }
    if (p.positionals.length === 0) throw usageError("report: missing RUN (a --json file, a run id, 'last' or -1; see 'perfscope report --help')");
    const lang = stringFlag(p, 'lang') ?? 'en';
    if (!isLang(lang)) throw usageError(`report: --lang must be en or ko, got '${lang}'`);
    const rawScale = stringFlag(p, 'scale');
    const scale = rawScale === undefined ? 1 : Number(rawScale);
    if (!(scale >= 1 && scale <= 4)) throw usageError(`report: --scale must be a number from 1 to 4, got '${rawScale}'`);
    const title = stringFlag(p, 'title');
    const storePath = storePathOf(p, io, 'report');
    const outputs: { format: ReportFormat; file: string; target: OutputTarget }[] = [];
    for (const f of ['png', 'svg', 'html'] as const) {
      const file = stringFlag(p, f);
      if (file === '') throw usageError(`report: --${f} needs a file name`);
      if (file === undefined) continue;
      let target: OutputTarget;
      try {
        target = checkOutput(file, { protect: storeFiles(storePath) });
      } catch (err) {
        throw withCommandName('report', err);
      }
      // A name says what it holds: PNG bytes in x.jpg would be a lie (a FIFO, a device or '-' has no name to honour).
      if (target.kind === 'file' && reportFormat(file) !== f) {
        throw usageError(`report: --${f} needs a .${f} file name, got '${file}'`);
      }
      const twin = outputs.find((o) => JSON.stringify(o.target) === JSON.stringify(target));
      if (twin !== undefined) throw usageError(`report: --${twin.format} and --${f} name the same file '${file}'`);
      outputs.push({ format: f, file, target });
    }
    if (outputs.length === 0) throw usageError("report: nothing to write: give --png FILE, --svg FILE and/or --html FILE (see 'perfscope report --help')");

    const runs = loadRuns(p.positionals, storePath);
    let failed = false;
    for (const o of outputs) {
      try {
        const body = renderReport(runs.length === 1 ? runs[0]!.data : runs, o.format, { lang, scale, ...(title !== undefined ? { title } : {}) });
        writeOutput(o.file, body, o.target);
        io.stderr.write(`perfscope: wrote ${terminalSafe(o.file === '-' ? 'stdout' : o.file)}\n`);
      } catch (err) {
        // One output failing (a full disk, a renderer error) costs only itself; the others are written.
        failed = true;
        const message = err instanceof PerfscopeError ? err.message : `cannot write ${o.file}: ${(err instanceof Error ? err.message : String(err)).split('\n')[0]}`;
        io.stderr.write(`perfscope: ${terminalSafe(message)}\n`);
      }
    }
    return failed ? ExitCode.io : ExitCode.ok;
  },
};

function loadRuns(refs: string[], storePath: string): ChartRun[] {
  const stored = refs.filter(isRunRef);
  let store: RunStore | null = null;
  try {
    if (stored.length > 0) store = RunStore.open({ path: storePath, readonly: true });
    const runs = refs.map((ref): ChartRun => {
      if (!isRunRef(ref)) return { name: basename(ref).replace(/\.json$/i, ''), data: readRunFile(ref) };
      const id = store!.resolveRef(ref);
      const data: RunData = store!.getRun(id);
      return { name: `run ${id}`, data };
    });
    if (runs.length === 2 && runs[0]!.name === runs[1]!.name) {
      runs[0]!.name += ' (A)';
      runs[1]!.name += ' (B)';
    }
    return runs;
  } finally {
    store?.close();
  }
}
