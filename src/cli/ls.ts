/** `perfscope ls`: the runs in the store, one line each (or as JSON). */
import { existsSync } from 'node:fs';
import type { RunSummaryRow } from '../store/store.js';
import { formatSeconds } from '../core/units.js';
import type { Command } from './command.js';
import { parseFlags } from './args.js';
import { storeFlagHelp, storePathOf, withStore } from './store-access.js';
import { exitStatus, shellJoin } from './summary.js';
import { terminalSafe } from './terminal-text.js';

const help = `Usage: perfscope ls [--json] [--store PATH]

Lists the recorded runs: id, start time (UTC), duration, samples, exit status, state and command.
State is 'finished', 'recording' (its recorder is still running) or 'interrupted' (the recorder
died before finishing; the run holds every sample up to about one second before that). Control
characters in stored command lines are shown escaped ($'...'), never sent to the terminal.

Options:
  --json         one JSON array of the runs (id, startedAt, startedAtMs, command, pid, host,
                 durationSeconds, sampleCount, exitCode, signal, status), oldest first
${storeFlagHelp}
  -h, --help     show this help

Examples:
  perfscope ls --store ./bench-runs.db
  perfscope ls --json | jq '.[] | select(.status == "interrupted") | .id'`;

export const lsCommand: Command = {
  name: 'ls',
  summary: 'list the recorded runs in the store',
  help,
  async run(args, io) {
    const p = parseFlags('ls', args, { store: { type: 'string' }, json: { type: 'boolean' } }, 0);
    if (p.help) {
      io.stdout.write(`${help}\n`);
      return 0;
    }
    const path = storePathOf(p, io, 'ls');
    const json = p.values.json === true;
    if (!existsSync(path)) {
      // Nothing recorded yet is not an error for a listing.
      io.stdout.write(json ? '[]\n' : `no runs yet (the store ${terminalSafe(path)} does not exist; 'perfscope run' creates it)\n`);
      return 0;
    }
    const runs = withStore(path, (store) => store.listRuns());
    if (json) io.stdout.write(`${JSON.stringify(runs, null, 2)}\n`);
    else io.stdout.write(runs.length === 0 ? `no runs in ${terminalSafe(path)}\n` : `${renderRunList(runs)}\n`);
    return 0;
  },
};

/** The `ls` table: a header and one aligned line per run. */
export function renderRunList(runs: RunSummaryRow[]): string {
  const header = ['ID', 'STARTED (UTC)', 'DURATION', 'SAMPLES', 'EXIT', 'STATE', 'COMMAND'];
  const rows = runs.map((r) => [
    String(r.id),
    terminalSafe(r.startedAt.replace('T', ' ').replace(/\.\d+Z$|Z$/, '')),
    formatSeconds(r.durationSeconds),
    String(r.sampleCount),
    terminalSafe(exitStatus(r.exitCode, r.signal)),
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
