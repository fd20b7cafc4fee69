/** `perfscope prune --older-than AGE`: remove the runs that started before a given age. */
import { existsSync } from 'node:fs';
import { RunStore } from '../store/store.js';
import { usageError } from '../core/errors.js';
import type { Command } from './command.js';
import { durationFlag, parseFlags, stringFlag } from './args.js';
import { storePathOf } from './store-access.js';

const help = `Usage: perfscope prune --older-than AGE [--dry-run] [--store PATH]

Removes every run that started more than AGE ago (runs still being recorded are kept). AGE is a
number with a unit: s, m, h, d (days) or w (weeks), e.g. 30d.

Options:
  --older-than AGE   the age past which runs go (required)
  --dry-run          list what would be removed, remove nothing
  --store PATH       the store file (default: $PERFSCOPE_STORE, else
                     $XDG_DATA_HOME/perfscope/runs.db, else ~/.local/share/perfscope/runs.db)
  -h, --help         show this help

Examples:
  perfscope prune --older-than 30d
  perfscope prune --older-than 12h --dry-run`;

export const pruneCommand: Command = {
  name: 'prune',
  summary: 'remove the runs older than an age',
  help,
  async run(args, io) {
    const p = parseFlags('prune', args, { store: { type: 'string' }, 'older-than': { type: 'string' }, 'dry-run': { type: 'boolean' } }, 0);
    if (p.help) {
      io.stdout.write(`${help}\n`);
      return 0;
    }
    const ageMs = durationFlag('prune', p, 'older-than');
    if (ageMs === undefined) throw usageError("prune: give --older-than AGE (e.g. 30d; see 'perfscope prune --help')");
    const path = storePathOf(p, io, 'prune');
    if (!existsSync(path)) {
      io.stdout.write(`nothing to prune (the store ${path} does not exist)\n`);
      return 0;
    }
    const dryRun = p.values['dry-run'] === true;
    const cutoffMs = Date.now() - ageMs;
    const store = RunStore.open({ path, readonly: dryRun });
    try {
      const old = store.listRuns().filter((r) => r.startedAtMs < cutoffMs && r.status !== 'recording');
      const age = stringFlag(p, 'older-than')!;
      if (old.length === 0) {
        io.stdout.write(`no runs started more than ${age} ago\n`);
        return 0;
      }
      const ids = old.map((r) => r.id);
      if (!dryRun) store.deleteRuns(ids);
      io.stdout.write(`${dryRun ? 'would remove' : 'removed'} ${ids.length} run${ids.length === 1 ? '' : 's'} started more than ${age} ago: ${ids.join(', ')}\n`);
    } finally {
      store.close();
    }
    return 0;
  },
};
