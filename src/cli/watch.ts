/** `perfscope watch PID`: attach to a running process (and its children) until it exits, --duration, or Ctrl-C. */
import { ExitCode } from '../core/errors.js';
import { samplerFault } from '../sampling/monitor.js';
import { Sampler, type SamplerEnd } from '../sampling/sampler.js';
import { parseFlags, positiveInt } from './args.js';
import type { Command } from './command.js';
import { RecordSession, recordFlags, recordFlagsHelp, recordSettings } from './record.js';

const help = `Usage: perfscope watch [options] PID

Samples a running process and its descendants until it exits, --duration passes, or you press
Ctrl-C (the process itself is left alone), then prints a summary. Counters (CPU seconds, I/O
bytes) count from the moment perfscope attached.

${recordFlagsHelp}

Examples:
  perfscope watch 1234
  perfscope watch -i 0.5 -d 60 --json web.json $(pgrep -o nginx)

Exit codes: 0 done; 2 bad options; 3 no such process; 4 process not readable (permissions);
8 sampling failed mid-run (the run is kept up to the fault).`;

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
    const settings = recordSettings('watch', p);
    const sampler = new Sampler({ ...settings.sampler, keepAlive: true, pid, counters: 'first' });
    const session = new RecordSession(settings, sampler, null, io);
    const stop = (): void => sampler.stop('stopped');
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    let end: SamplerEnd;
    try {
      sampler.start();
      end = await sampler.done;
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
    session.finish({ endedAtMs: Date.now() });
    if (end.error === null) return 0;
    // The run is kept up to the fault; the fault is one line and its own exit code.
    io.stderr.write(`perfscope: ${samplerFault(end.error).message}\n`);
    return ExitCode.samplerFailed;
  },
};
