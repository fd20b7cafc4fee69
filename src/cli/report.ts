/** `perfscope report RUN [RUN2]`: charts (PNG, SVG) and the HTML report of a recorded run, or two overlaid. */
import { basename } from 'node:path';
import type { RunData } from '../core/run-data.js';
import { PerfscopeError, usageError } from '../core/errors.js';
import { writeFileAtomic } from '../core/fs.js';
import { readRunFile } from '../store/run-file.js';
import { RunStore, defaultStorePath } from '../store/store.js';
import type { ChartRun } from '../report/chart-model.js';
import { isLang } from '../report/i18n.js';
import { renderReport, type ReportFormat } from '../report/visualize.js';
import type { Command } from './command.js';
import { parseFlags, stringFlag } from './args.js';

const help = `Usage: perfscope report RUN [RUN2] [--png FILE] [--svg FILE] [--html FILE] [options]

Draws a recorded run: CPU %, memory (% and bytes), I/O rate and event-loop delay when recorded,
per-process lines for a process tree, and markers for process start/exit and missed samples, on one
time axis. PNG and SVG are the static figure; HTML is one self-contained file (no network) with
synced zoom, a crosshair, series toggles, the summary table and the run's metadata.
With RUN2, both runs are overlaid from t = 0 (the second dashed) and the summary compares them.

RUN is a file written by 'perfscope run --json' (or 'perfscope export'), or a stored run: its id
from 'perfscope ls', or 'last'.

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

Files are written atomically: complete or not at all.

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
    );
    if (p.help) {
      io.stdout.write(`${help}\n`);
      return 0;
    }
    if (p.positionals.length === 0) throw usageError("report: missing RUN (a --json file, a run id or 'last'; see 'perfscope report --help')");
    const outputs: [ReportFormat, string][] = [];
    for (const f of ['png', 'svg', 'html'] as const) {
      const file = stringFlag(p, f);
      if (file === '') throw usageError(`report: --${f} needs a file name`);
      if (file !== undefined) outputs.push([f, file]);
    }
    if (outputs.length === 0) throw usageError("report: nothing to write: give --png FILE, --svg FILE and/or --html FILE (see 'perfscope report --help')");
    const lang = stringFlag(p, 'lang') ?? 'en';
    if (!isLang(lang)) throw usageError(`report: --lang must be en or ko, got '${lang}'`);
    const rawScale = stringFlag(p, 'scale');
    const scale = rawScale === undefined ? 1 : Number(rawScale);
    if (!(scale >= 1 && scale <= 4)) throw usageError(`report: --scale must be a number from 1 to 4, got '${rawScale}'`);
    const title = stringFlag(p, 'title');

    const runs = loadRuns(p.positionals, stringFlag(p, 'store') ?? defaultStorePath(io.env));
    // Render everything before writing anything: a failure leaves no partial set of files.
    const rendered = outputs.map(([format, file]) => ({
      file,
      body: renderReport(runs.length === 1 ? runs[0]!.data : runs, format, { lang, scale, ...(title !== undefined ? { title } : {}) }),
    }));
    for (const r of rendered) {
      writeFileAtomic(r.file, r.body);
      io.stderr.write(`perfscope: wrote ${r.file}\n`);
    }
    return 0;
  },
};

function loadRuns(refs: string[], storePath: string): ChartRun[] {
  const stored = refs.filter(isStoreRef);
  let store: RunStore | null = null;
  try {
    if (stored.length > 0) store = RunStore.open({ path: storePath, readonly: true });
    const runs = refs.map((ref): ChartRun => {
      if (!isStoreRef(ref)) return { name: basename(ref).replace(/\.json$/i, ''), data: readRunFile(ref) };
      const id = ref === 'last' ? lastRunId(store!) : Number(ref);
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

/** A run id or 'last' means the store; anything else is a file (write ./12 for a file named 12). */
function isStoreRef(ref: string): boolean {
  return ref === 'last' || /^\d+$/.test(ref);
}

function lastRunId(store: RunStore): number {
  const runs = store.listRuns();
  const last = runs[runs.length - 1];
  if (!last) throw new PerfscopeError('ENOTFOUND', `no runs in ${store.path} yet`);
  return last.id;
}
