/** `perfscope rm RUN...`: remove recorded runs from the store. */
import { RunStore } from '../store/store.js';
import { usageError } from '../core/errors.js';
import type { Command } from './command.js';
import { parseFlags } from './args.js';
import { runIdOf, runRefHelp, storeFlagHelp, storePathOf } from './store-access.js';

const help = `Usage: perfscope rm RUN... [--force] [--store PATH]

Removes runs from the store, all or none. ${runRefHelp}
A run still being recorded is refused unless --force (its recorder would then fail to write).
The space is reused by later runs.

Options:
  --force        also remove runs whose recorder is still running
${storeFlagHelp}
  -h, --help     show this help

Examples:
  perfscope rm 3 4
  perfscope rm last`;

export const rmCommand: Command = {
  name: 'rm',
  summary: 'remove recorded runs from the store',
  help,
  async run(args, io) {
    const p = parseFlags('rm', args, { store: { type: 'string' }, force: { type: 'boolean' } }, Infinity, { runRefs: true });
    if (p.help) {
      io.stdout.write(`${help}\n`);
      return 0;
    }
    if (p.positionals.length === 0) throw usageError("rm: missing RUN (a run id, 'last' or -1, -2, ...; see 'perfscope rm --help')");
    const store = RunStore.open({ path: storePathOf(p, io, 'rm') });
    try {
      // Every reference is resolved before anything is removed: `rm -1 -2` names the two latest runs.
      const ids = [...new Set(p.positionals.map((ref) => runIdOf(store, ref, 'rm')))];
      store.deleteRuns(ids, { force: p.values.force === true });
      io.stdout.write(`removed run${ids.length === 1 ? '' : 's'} ${ids.join(', ')}\n`);
    } finally {
      store.close();
    }
    return 0;
  },
};
