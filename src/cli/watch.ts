/** `perfscope watch PID`: attach to a running process (and its children) until it exits, --duration, or Ctrl-C. */
import { recordProcess } from '../record/record-process.js';
import { parseFlags, positiveInt } from './args.js';
import type { Command } from './command.js';
import { printRecordResult, recordFlags, recordFlagsHelp, recordingExitCode, recordSettings } from './record.js';
import { withCommandName } from './command.js';

const help = `Usage: perfscope watch [options] PID

Samples a running process and its descendants until it exits, --duration passes, or you press
Ctrl-C (the process itself is left alone), then prints a summary. Counters (CPU seconds, I/O
bytes) count from the moment perfscope attached.

${recordFlagsHelp}

Examples:
  perfscope watch 1234
  perfscope watch -i 0.5 -d 60 --json web.json $(pgrep -o nginx)

Exit codes: 0 done; 2 bad options or an output path that cannot be written; 3 no such process
(no run is kept); 4 process not readable (permissions); 8 sampling failed mid-run (the run is
kept up to the fault); 74 an output file could not be written.`;

export const watchCommand: Command = {
  name: 'watch',
  summary: 'attach to a running PID and record it until it exits or --duration',
  help,
  async run(args, io) {
    const p = parseFlags('watch', args, recordFlags, 1);
    if (p.help) {
      io.stdout.write(`${help}\n`);
      return 0;
    }
    const pid = positiveInt('watch', 'PID', p.positionals[0]);
    const { options, quiet } = recordSettings('watch', p, io);
    const stop = new AbortController();
    const onSignal = (): void => stop.abort();
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
    try {
      const result = await recordProcess({ ...options, pid, signal: stop.signal });
      printRecordResult(io, result, quiet);
      return recordingExitCode(result);
    } catch (err) {
      throw withCommandName('watch', err);
    } finally {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
    }
  },
};
