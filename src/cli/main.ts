/** The perfscope CLI: dispatches to a command, prints user errors as one line, returns the exit code. */
import { ExitCode, PerfscopeError, errnoWordsOf, isErrno } from '../core/errors.js';
import { version } from '../core/version.js';
import type { CliIo, Command } from './command.js';
import { processIo } from './command.js';
import { commandNames, loadCommand, loadCommands } from './commands.js';

async function topHelp(): Promise<string> {
  const commands = await loadCommands();
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    `perfscope ${version}: performance monitoring for Node.js and any Linux process`,
    '',
    'Usage: perfscope <command> [options]',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    "Run 'perfscope <command> --help' for a command's options; 'perfscope --version --verbose' (or",
    "'perfscope doctor') checks this installation.",
  ].join('\n');
}

/**
 * Runs the CLI and returns its exit code. A failing standard output (a full disk, a closed pipe) or
 * standard error never crashes it with an unhandled 'error': what was lost on stdout is one line on
 * stderr and exit 74 unless the command already failed (a reader that stopped reading, EPIPE, is not
 * an error); a failing stderr costs nothing (there is nowhere left to say it).
 */
export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  let stdoutError: unknown = null;
  io.stdout.on('error', (err: unknown) => {
    stdoutError ??= err;
  });
  io.stderr.on('error', () => {});
  const code = await dispatch(argv, io);
  // A file's or a pipe's write error is emitted after the write returned: let it arrive first.
  await new Promise((resolve) => setImmediate(resolve));
  if (stdoutError === null || isErrno(stdoutError, 'EPIPE') || code !== ExitCode.ok) return code;
  io.stderr.write(`perfscope: cannot write to standard output: ${errnoWordsOf(stdoutError)}\n`);
  return ExitCode.io;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Node hands a program its arguments as UTF-8 text, replacing bytes that are not UTF-8 with U+FFFD: a
 * file name or an argument for the command would silently change. Such an argument is refused (exit 2)
 * rather than passed on altered. Returns the message, or null when every argument is UTF-8.
 */
function nonUtf8Argument(argv: string[], io: CliIo): string | null {
  if (!argv.some((a) => a.includes('\ufffd'))) return null;
  const raw = io.argBytes?.(argv.length);
  if (!raw || raw.length !== argv.length) return null;
  for (const [i, bytes] of raw.entries()) {
    try {
      utf8.decode(bytes);
    } catch {
      const shown = [...bytes.subarray(0, 24)].map((b) => b.toString(16).padStart(2, '0')).join(' ');
      return `argument ${i + 1} is not valid UTF-8 (bytes ${shown}${bytes.length > 24 ? ' ...' : ''}): perfscope passes arguments on as UTF-8 text, so it would reach the command or the file system altered; rename the file, or run the command from a script file`;
    }
  }
  return null;
}

async function dispatch(argv: string[], io: CliIo): Promise<number> {
  const bad = nonUtf8Argument(argv, io);
  if (bad !== null) {
    io.stderr.write(`perfscope: ${bad}\n`);
    return ExitCode.usage;
  }
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const target = name === 'help' ? await loadCommand(rest[0]) : undefined;
    io.stdout.write(`${target ? target.help : await topHelp()}\n`);
    return name === undefined ? ExitCode.usage : ExitCode.ok;
  }
  if (name === '--version' || name === '-V') {
    // --verbose: the version and what this installation can do (perfscope doctor)
    if (rest.includes('--verbose') || rest.includes('-v')) {
      const { printDoctor } = await import('./doctor.js');
      return printDoctor(io);
    }
    io.stdout.write(`${version}\n`);
    return ExitCode.ok;
  }
  const command: Command | undefined = await loadCommand(name);
  if (!command) {
    io.stderr.write(`perfscope: unknown command '${name}' (commands: ${commandNames.join(', ')})\n`);
    return ExitCode.usage;
  }
  if (rest[0] === '--help' || rest[0] === '-h') {
    io.stdout.write(`${command.help}\n`);
    return ExitCode.ok;
  }
  try {
    return await command.run(rest, io);
  } catch (err) {
    if (err instanceof PerfscopeError) {
      io.stderr.write(`perfscope: ${err.message}\n`);
      return err.exitCode;
    }
    throw err;
  }
}
