/**
 * The command table, in the order `perfscope --help` lists them. Each command's module is imported
 * only when that command runs (or when the top help lists every summary): `perfscope logs analyze`
 * loaded every command's modules (store, sampling, server, report) for ~70 ms before it read a byte.
 */
import type { Command } from './command.js';

const loaders: readonly (readonly [string, () => Promise<Command>])[] = [
  ['run', async () => (await import('./run.js')).runCommand],
  ['watch', async () => (await import('./watch.js')).watchCommand],
  ['ls', async () => (await import('./ls.js')).lsCommand],
  ['show', async () => (await import('./show.js')).showCommand],
  ['export', async () => (await import('./export.js')).exportCommand],
  ['report', async () => (await import('./report.js')).reportCommand],
  ['rm', async () => (await import('./rm.js')).rmCommand],
  ['prune', async () => (await import('./prune.js')).pruneCommand],
  ['serve', async () => (await import('./serve.js')).serveCommand],
  ['prometheus-config', async () => (await import('./prometheus-config.js')).prometheusConfigCommand],
  ['grafana-dashboard', async () => (await import('./grafana-dashboard.js')).grafanaDashboardCommand],
  ['logs', async () => (await import('./logs.js')).logsCommand],
  ['doctor', async () => (await import('./doctor.js')).doctorCommand],
];

/** The command names, in the order of the top help. */
export const commandNames: readonly string[] = loaders.map(([name]) => name);

/** The command named `name` (its module loaded now), or undefined. */
export async function loadCommand(name: string | undefined): Promise<Command | undefined> {
  const entry = loaders.find(([n]) => n === name);
  return entry ? entry[1]() : undefined;
}

/** Every command, in order (loads every module: for the top help). */
export async function loadCommands(): Promise<Command[]> {
  return Promise.all(loaders.map(([, load]) => load()));
}
