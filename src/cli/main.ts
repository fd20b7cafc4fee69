/** The perfscope CLI: dispatches to a command, prints user errors as one line, returns the exit code. */
import { ExitCode, PerfscopeError } from '../core/errors.js';
import { version } from '../core/version.js';
import type { CliIo, Command } from './command.js';
import { processIo } from './command.js';
import { commands } from './commands.js';
import { printDoctor } from './doctor.js';

function topHelp(): string {
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

export async function main(argv: string[], io: CliIo = processIo()): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    const target = name === 'help' ? commands.find((c) => c.name === rest[0]) : undefined;
    io.stdout.write(`${target ? target.help : topHelp()}\n`);
    return name === undefined ? ExitCode.usage : ExitCode.ok;
  }
  if (name === '--version' || name === '-V') {
    // --verbose: the version and what this installation can do (perfscope doctor)
    if (rest.includes('--verbose') || rest.includes('-v')) return printDoctor(io);
    io.stdout.write(`${version}\n`);
    return ExitCode.ok;
  }
  const command: Command | undefined = commands.find((c) => c.name === name);
  if (!command) {
    io.stderr.write(`perfscope: unknown command '${name}' (commands: ${commands.map((c) => c.name).join(', ')})\n`);
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
