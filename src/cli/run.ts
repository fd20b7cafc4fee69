/** `perfscope run [options] -- CMD [ARGS...]`: start a command, record it and its children, return its exit code. */
import { ExitCode, usageError } from '../core/errors.js';
import { recordCommand, type CommandRecordResult } from '../record/record-command.js';
import { parseFlags } from './args.js';
import type { Command } from './command.js';
import { printRecordResult, recordFlags, recordFlagsHelp, recordingExitCode, recordSettings } from './record.js';
import { withCommandName } from './command.js';

const help = `Usage: perfscope run [options] -- CMD [ARGS...]

Starts CMD (stdio passed through) in a process group of its own, samples it and all its
descendants until it exits, prints a summary and exits with CMD's exit code (128+N if it died of
signal N). SIGINT, SIGTERM and SIGHUP are passed on to CMD's group; a second one kills it. What CMD
leaves running when it exits is stopped (SIGTERM, SIGKILL 1 s later). With --duration, CMD's group
gets SIGTERM when the time is up (SIGKILL 5 s later if it is still running).

${recordFlagsHelp}

Examples:
  perfscope run -- node examples/cpu-intensive-task/index.js
  perfscope run -i 0.1 --json run.json -- make -j2
  perfscope run --precise -i 0.1 -d 30 -- ./server --port 8080

Exit codes: CMD's own when it ends by itself (or on a signal passed on), and then, if that is 0:
8 when sampling failed mid-run, 74 when an output file could not be written. 0 when --duration
ended the recording (perfscope stopped CMD; its own status is in the summary and the run), like
timeout(1)'s 124 but for a recording that did what it was asked. 2 bad options, an output path
that cannot be written or an argument that is not valid UTF-8 (nothing is run); 126 CMD not
executable; 127 CMD not found. A run store that cannot be written costs no exit code: one line
says what the store lacks.`;

/** Splits `[options] -- CMD ARGS` (the `--` may be left out when CMD does not start with '-'). */
function splitCommand(args: string[]): { own: string[]; cmd: string[] } {
  const dd = args.indexOf('--');
  if (dd >= 0) return { own: args.slice(0, dd), cmd: args.slice(dd + 1) };
  let i = 0;
  while (i < args.length) {
    const a = args[i]!;
    if (!a.startsWith('-') || a === '-') break;
    const name = a.replace(/^--?/, '').split('=')[0]!;
    const spec = Object.entries(recordFlags).find(([long, s]) => long === name || s.short === name)?.[1];
    i += spec?.type === 'string' && !a.includes('=') ? 2 : 1;
  }
  return { own: args.slice(0, i), cmd: args.slice(i) };
}

/**
 * perfscope's exit code for a recorded command: the command's status, except 0 when --duration ended
 * it; then, when that is 0, 8 for a sampler fault or 74 for an output that could not be written.
 */
export function runExitCode(result: CommandRecordResult): number {
  const own = result.stoppedBy === 'duration' ? ExitCode.ok : result.exit.status;
  return own !== 0 ? own : recordingExitCode(result);
}

export const runCommand: Command = {
  name: 'run',
  summary: 'run a command and record its CPU, memory and I/O (children included)',
  help,
  async run(args, io) {
    const { own, cmd } = splitCommand(args);
    const p = parseFlags('run', own, recordFlags, 0);
    if (p.help) {
      io.stdout.write(`${help}\n`);
      return 0;
    }
    const { options, quiet } = recordSettings('run', p, io);
    if (cmd.length === 0) throw usageError('run: no command given (usage: perfscope run [options] -- CMD [ARGS...])');
    if (cmd[0] === '') throw usageError("run: the command name is empty (an empty argument '' after --)");
    let result: CommandRecordResult;
    try {
      result = await recordCommand({ ...options, command: cmd, forwardSignals: true });
    } catch (err) {
      throw withCommandName('run', err);
    }
    printRecordResult(io, result, quiet);
    return runExitCode(result);
  },
};
