/** What every CLI command is: a name, a help text, and a run function that returns the exit code. */
import { PerfscopeError } from '../core/errors.js';

/** A usage error from the library, prefixed with the command's name (`run: --json: ...`); anything else as it is. */
export function withCommandName(command: string, err: unknown): unknown {
  if (!(err instanceof PerfscopeError) || err.code !== 'EUSAGE' || err.message.startsWith(`${command}: `)) return err;
  return new PerfscopeError('EUSAGE', `${command}: ${err.message}`, { cause: err.cause });
}

export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  env: NodeJS.ProcessEnv;
}

export interface Command {
  name: string;
  /** One line for `perfscope --help`. */
  summary: string;
  /** Full `--help` text of the command. */
  help: string;
  /** Runs the command. Throws PerfscopeError for user errors (main prints them); returns the exit code. */
  run(args: string[], io: CliIo): Promise<number>;
}

export const processIo = (): CliIo => ({ stdout: process.stdout, stderr: process.stderr, env: process.env });
