/** `perfscope ls`: the runs in the store, one line each. */
import { existsSync } from 'node:fs';
import { RunStore, defaultStorePath, type RunSummaryRow } from '../store/store.js';
import { formatSeconds } from '../core/units.js';
import type { Command } from './command.js';
import { parseFlags, stringFlag } from './args.js';
import { exitStatus, shellJoin } from './summary.js';

const help = `Usage: perfscope ls [--store PATH]

Lists the recorded runs: id, start time (UTC), duration, samples, exit status, state and command.
State is 'finished', 'recording' (its recorder is still running) or 'interrupted' (the recorder
died before finishing; the run holds every sample up to about one second before that).

Options:
  --store PATH   the store file (default: $PERFSCOPE_STORE, else $XDG_DATA_HOME/perfscope/runs.db,
                 else ~/.local/share/perfscope/runs.db)
  -h, --help     show this help

Example:
  perfscope ls --store ./bench-runs.db`;

export const lsCommand: Command = {
  name: 'ls',
  summary: 'list the recorded runs in the store',
  help,
  async run(args, io) {
    const p = parseFlags('ls', args, { store: { type: 'string' } }, 0);
    if (p.help) {
      io.stdout.write(`${help}\n`);
      return 0;
    }
    const path = stringFlag(p, 'store') ?? defaultStorePath(io.env);
    if (!existsSync(path)) {
      // Nothing recorded yet is not an error for a listing.
      io.stdout.write(`no runs yet (the store ${path} does not exist; 'perfscope run' creates it)\n`);
      return 0;
    }
    const store = RunStore.open({ path, readonly: true });
    try {
      const runs = store.listRuns();
      io.stdout.write(runs.length === 0 ? `no runs in ${store.path}\n` : `${renderRunList(runs)}\n`);
    } finally {
      store.close();
    }
    return 0;
  },
};

/** The `ls` table: a header and one aligned line per run. */
export function renderRunList(runs: RunSummaryRow[]): string {
  const header = ['ID', 'STARTED (UTC)', 'DURATION', 'SAMPLES', 'EXIT', 'STATE', 'COMMAND'];
  const rows = runs.map((r) => [
    String(r.id),
    r.startedAt.replace('T', ' ').replace(/\.\d+Z$|Z$/, ''),
    formatSeconds(r.durationSeconds),
    String(r.sampleCount),
    exitStatus(r.exitCode, r.signal),
    r.status,
    r.command === null ? `PID ${r.pid} (watched)` : shellJoin(r.command),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const right = new Set([0, 2, 3]);
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : right.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ');
  return [line(header), ...rows.map(line)].join('\n');
}
