/** The command table, in the order `perfscope --help` lists them. */
import type { Command } from './command.js';
import { exportCommand } from './export.js';
import { lsCommand } from './ls.js';
import { showCommand } from './show.js';

export const commands: Command[] = [lsCommand, showCommand, exportCommand];
