/** What every CLI command is: a name, a help text, and a run function that returns the exit code. */
import { readFileSync } from 'node:fs';
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
  /** The arguments as the kernel passed them (bytes), to find those that are not UTF-8; absent in tests. */
  argBytes?: (count: number) => Buffer[] | null;
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

export const processIo = (): CliIo => ({ stdout: process.stdout, stderr: process.stderr, env: process.env, argBytes: lastArgBytes });

/** The last `count` arguments of this process from /proc/self/cmdline (NUL-separated bytes), or null. */
function lastArgBytes(count: number): Buffer[] | null {
  let raw: Buffer;
  try {
    raw = readFileSync('/proc/self/cmdline');
  } catch {
    return null;
  }
  const parts: Buffer[] = [];
  let start = 0;
  for (let i = 0; i < raw.length; i++) {
    if (raw[i] === 0) {
      parts.push(raw.subarray(start, i));
      start = i + 1;
    }
  }
  return count === 0 ? [] : parts.slice(-count);
}
