/** What the store commands share: the --store flag, opening the store to read, and run references. */
import { RunStore, defaultStorePath } from '../store/store.js';
import { usageError } from '../core/errors.js';
import { stringFlag, type Parsed } from './args.js';
import type { CliIo } from './command.js';

export const storeFlagHelp = `  --store PATH   the store file (default: $PERFSCOPE_STORE, else $XDG_DATA_HOME/perfscope/runs.db,
                 else ~/.local/share/perfscope/runs.db)`;

export const runRefHelp = `RUN is a run id from 'perfscope ls', 'last' (the most recent run), or -1, -2, ... (the most
recent, the one before, ...).`;

/** The store path from --store, else the default for `io.env`. */
export function storePathOf(p: Parsed, io: CliIo, command: string): string {
  const path = stringFlag(p, 'store');
  if (path === '') throw usageError(`${command}: --store needs a file name`);
  return path ?? defaultStorePath(io.env);
}

/** Opens the store read-only for `fn` (works on a read-only store file or directory), and closes it. */
export function withStore<T>(path: string, fn: (store: RunStore) => T): T {
  const store = RunStore.open({ path, readonly: true });
  try {
    return fn(store);
  } finally {
    store.close();
  }
}

/** The run `ref` names (an id, `last`, `-N`), or a usage error saying what a reference is. */
export function runIdOf(store: RunStore, ref: string | undefined, command: string): number {
  if (ref === undefined) throw usageError(`${command}: missing RUN (a run id, 'last' or -1, -2, ...; see 'perfscope ${command} --help')`);
  if (!/^(last|-?\d+)$/.test(ref) || ref === '0' || ref === '-0') {
    throw usageError(`${command}: RUN must be a run id, 'last' or -1, -2, ..., got '${ref}'`);
  }
  return store.resolveRef(ref);
}
