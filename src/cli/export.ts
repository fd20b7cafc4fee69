/** `perfscope export RUN`: a stored run as the --json document or as CSV. */
import { runToCsv, runToJson, type CsvScope } from '../store/export.js';
import { runToOpenMetrics } from '../export/openmetrics.js';
import { checkOutput, storeFiles, writeOutput } from '../core/fs.js';
import { usageError } from '../core/errors.js';
import type { Command } from './command.js';
import { withCommandName } from './command.js';
import { parseFlags, stringFlag } from './args.js';
import { runIdOf, runRefHelp, storeFlagHelp, storePathOf, withStore } from './store-access.js';

const help = `Usage: perfscope export RUN [--format json|csv|openmetrics] [--scope tree|system|PID] [-o FILE] [--store PATH]

Writes a recorded run. json: the whole run (metadata, every series, processes, events) in the
format 'perfscope run --json' writes. csv: one series, a header of column names then one row per
sample; an empty cell is a value that was not measured. openmetrics: every series of the run (tree,
system, per process) with timestamps and a run_id label, for backfilling Prometheus with
'promtool tsdb create-blocks-from openmetrics FILE DATA_DIR' (docs/exporting.md).
${runRefHelp}

Options:
  --format FORMAT     json (default), csv or openmetrics
  --scope SCOPE       csv only: 'tree' (the totals, default), 'system', or a PID of the run
  -o, --output FILE   write FILE instead of stdout: atomically (complete or not at all) for a
                      regular file, through a symlink; a FIFO or device is written in place; never
                      the store itself
${storeFlagHelp}
  -h, --help          show this help

Examples:
  perfscope export 12 -o run12.json
  perfscope export last --format csv --scope system > system.csv
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
      { runRefs: true },
    );
    if (p.help) {
      io.stdout.write(`${help}\n`);
      return 0;
    }
    const format = stringFlag(p, 'format') ?? 'json';
    if (format !== 'json' && format !== 'csv' && format !== 'openmetrics') throw usageError(`export: --format must be json, csv or openmetrics, got '${format}'`);
    const rawScope = stringFlag(p, 'scope');
    if (rawScope !== undefined && format !== 'csv') throw usageError('export: --scope applies to --format csv only');
    const scope = parseScope(rawScope);
    const storePath = storePathOf(p, io, 'export');
    const output = stringFlag(p, 'output');
    // Checked before reading anything: a bad path (or the store itself, which it would overwrite) is a usage error.
    let target;
    try {
      target = output === undefined || output === '-' ? null : checkOutput(output, { protect: storeFiles(storePath) });
    } catch (err) {
      throw withCommandName('export', err);
    }
    const text = withStore(storePath, (store) => {
      const run = store.getRun(runIdOf(store, p.positionals[0], 'export'));
      return format === 'json' ? runToJson(run) : format === 'openmetrics' ? runToOpenMetrics(run) : runToCsv(run, scope);
    });
    if (target === null) io.stdout.write(text);
    else writeOutput(output!, text, target);
    return 0;
  },
};

function parseScope(raw: string | undefined): CsvScope {
  if (raw === undefined || raw === 'tree') return 'tree';
  if (raw === 'system') return 'system';
  if (/^\d+$/.test(raw) && Number(raw) > 0) return Number(raw);
  throw usageError(`export: --scope must be tree, system or a PID, got '${raw}'`);
}
