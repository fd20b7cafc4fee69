/** The command table, in the order `perfscope --help` lists them. */
import type { Command } from './command.js';
import { doctorCommand } from './doctor.js';
import { exportCommand } from './export.js';
import { grafanaDashboardCommand } from './grafana-dashboard.js';
import { logsCommand } from './logs.js';
import { lsCommand } from './ls.js';
import { pruneCommand } from './prune.js';
import { prometheusConfigCommand } from './prometheus-config.js';
import { reportCommand } from './report.js';
import { rmCommand } from './rm.js';
import { runCommand } from './run.js';
import { serveCommand } from './serve.js';
import { showCommand } from './show.js';
import { watchCommand } from './watch.js';

export const commands: Command[] = [runCommand, watchCommand, lsCommand, showCommand, exportCommand, reportCommand, rmCommand, pruneCommand, serveCommand, prometheusConfigCommand, grafanaDashboardCommand, logsCommand, doctorCommand];
