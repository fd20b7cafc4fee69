/** The command table, in the order `perfscope --help` lists them. */
import type { Command } from './command.js';

export const commands: Command[] = [];
