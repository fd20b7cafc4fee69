/** `perfscope export RUN`: a stored run as the --json document or as CSV. */
import { RunStore, defaultStorePath } from '../store/store.js';
import { runToCsv, runToJson, type CsvScope } from '../store/export.js';
import { runToOpenMetrics } from '../export/openmetrics.js';
import { writeFileAtomic } from '../core/fs.js';
import { usageError } from '../core/errors.js';
import type { Command } from './command.js';
import { parseFlags, positiveInt, stringFlag } from './args.js';

const help = `Usage: perfscope export RUN [--format json|csv|openmetrics] [--scope tree|system|PID] [-o FILE] [--store PATH]

Writes a recorded run. json: the whole run (metadata, every series, processes, events) in the
format 'perfscope run --json' writes. csv: one series, a header of column names then one row per
sample; an empty cell is a value that was not measured. openmetrics: every series of the run (tree,
system, per process) with timestamps and a run_id label, for backfilling Prometheus with
'promtool tsdb create-blocks-from openmetrics FILE DATA_DIR' (docs/exporting.md).

Options:
  --format FORMAT     json (default), csv or openmetrics
  --scope SCOPE       csv only: 'tree' (the totals, default), 'system', or a PID of the run
  -o, --output FILE   write FILE (atomically: complete or not at all) instead of stdout
  --store PATH        the store file (default: $PERFSCOPE_STORE, else $XDG_DATA_HOME/perfscope/runs.db,
                      else ~/.local/share/perfscope/runs.db)
  -h, --help          show this help

Examples:
  perfscope export 12 -o run12.json
  perfscope export 12 --format csv --scope system > system.csv
  perfscope export 12 --format openmetrics -o run12.om && promtool tsdb create-blocks-from openmetrics run12.om data/`;

export const exportCommand: Command = {
  name: 'export',
  summary: 'write a recorded run as JSON, CSV or OpenMetrics',
  help,
  async run(args, io) {
    const p = parseFlags(
      'export',
      args,
      { format: { type: 'string' }, scope: { type: 'string' }, output: { type: 'string', short: 'o' }, store: { type: 'string' } },
      1,
    );
    if (p.help) {
      io.stdout.write(`${help}\n`);
      return 0;
    }
    const id = positiveInt('export', 'run id', p.positionals[0]);
    const format = stringFlag(p, 'format') ?? 'json';
    if (format !== 'json' && format !== 'csv' && format !== 'openmetrics') throw usageError(`export: --format must be json, csv or openmetrics, got '${format}'`);
    const rawScope = stringFlag(p, 'scope');
    if (rawScope !== undefined && format !== 'csv') throw usageError('export: --scope applies to --format csv only');
    const scope = parseScope(rawScope);
    const output = stringFlag(p, 'output');
    const store = RunStore.open({ path: stringFlag(p, 'store') ?? defaultStorePath(io.env), readonly: true });
    let text: string;
    try {
      const run = store.getRun(id);
      text = format === 'json' ? runToJson(run) : format === 'openmetrics' ? runToOpenMetrics(run) : runToCsv(run, scope);
    } finally {
      store.close();
    }
    if (output === undefined || output === '-') io.stdout.write(text);
    else writeFileAtomic(output, text);
    return 0;
  },
};

function parseScope(raw: string | undefined): CsvScope {
  if (raw === undefined || raw === 'tree') return 'tree';
  if (raw === 'system') return 'system';
  if (/^\d+$/.test(raw) && Number(raw) > 0) return Number(raw);
  throw usageError(`export: --scope must be tree, system or a PID, got '${raw}'`);
}
