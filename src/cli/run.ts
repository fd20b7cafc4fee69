/** `perfscope run [options] -- CMD [ARGS...]`: start a command, record it and its children, return its exit code. */
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import { PerfscopeError, isErrno, usageError } from '../core/errors.js';
import { ProcessReader } from '../sampling/process.js';
import { Sampler } from '../sampling/sampler.js';
import { parseFlags } from './args.js';
import type { Command } from './command.js';
import { RecordSession, recordFlags, recordFlagsHelp, recordSettings } from './record.js';

const help = `Usage: perfscope run [options] -- CMD [ARGS...]

Starts CMD (stdio passed through), samples it and all its descendants until it exits, prints a
summary and exits with CMD's exit code (128+N if it died of signal N). SIGINT, SIGTERM and SIGHUP
are passed on to CMD; a second one kills it. With --duration, CMD gets SIGTERM when the time is up
(SIGKILL 5 s later if it is still running).

${recordFlagsHelp}

Examples:
  perfscope run -- node examples/cpu-intensive-task/index.js
  perfscope run -i 0.1 --json run.json -- make -j2
  perfscope run --precise -i 0.1 -d 30 -- ./server --port 8080

Exit codes: CMD's own; 2 bad options; 126 CMD not executable; 127 CMD not found.`;

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
    const settings = recordSettings('run', p);
    if (cmd.length === 0) throw usageError("run: no command given (usage: perfscope run [options] -- CMD [ARGS...])");

    // Our own children's CPU (cutime/cstime) before the command: the difference at its exit is the
    // exact CPU time of the whole tree that was waited for, as /usr/bin/time reports it.
    const self = new ProcessReader(process.pid);
    const before = self.read();
    const child = await spawnCommand(cmd);
    const pid = child.pid!;
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
      child.on('exit', (code, signal) => resolve({ code, signal }));
    });

    let sampler: Sampler;
    try {
      sampler = new Sampler({ ...settings.sampler, keepAlive: true, pid, counters: 'zero' });
    } catch (err) {
      child.kill('SIGKILL');
      throw err;
    }
    const session = new RecordSession(settings, sampler, cmd, io);
    let forwarded = 0;
    const forward = (sig: NodeJS.Signals): void => {
      forwarded++;
      child.kill(forwarded > 1 ? 'SIGKILL' : sig);
    };
    const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
    for (const s of signals) process.on(s, forward);
    try {
      try {
        sampler.start();
      } catch (err) {
        // The command exited before its first sample (e.g. `true`): still report it.
        if (!(err instanceof PerfscopeError && err.code === 'ENOPROC')) throw err;
      }
      // --duration ends the recording; the command is then asked to stop (SIGTERM, SIGKILL after 5 s).
      void sampler.done.then(({ reason }) => {
        if (reason !== 'duration' || child.exitCode !== null || child.signalCode !== null) return;
        child.kill('SIGTERM');
        setTimeout(() => child.kill('SIGKILL'), 5000).unref();
      });
      const result = await exited;
      sampler.stop('process-exited');
      const after = self.read();
      self.close();
      const exitCode = result.code ?? 128 + (result.signal ? (constants.signals[result.signal] ?? 0) : 0);
      const patch: Parameters<RecordSession['finish']>[0] = { exitCode, signal: result.signal, endedAtMs: Date.now() };
      if (before && after) {
        patch.childCpu = {
          userSeconds: after.childrenUserSeconds - before.childrenUserSeconds,
          systemSeconds: after.childrenSystemSeconds - before.childrenSystemSeconds,
        };
      }
      session.finish(patch);
      return exitCode;
    } finally {
      for (const s of signals) process.off(s, forward);
    }
  },
};

/** Spawns CMD with inherited stdio; ENOENT -> exit 127, EACCES -> 126, as shells do. */
function spawnCommand(cmd: string[]): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd[0]!, cmd.slice(1), { stdio: 'inherit' });
    if (child.pid !== undefined) {
      resolve(child);
      return;
    }
    child.once('error', (err) => {
      if (isErrno(err, 'ENOENT')) reject(new PerfscopeError('ENOCMD', `run: command not found: ${cmd[0]}`));
      else if (isErrno(err, 'EACCES', 'EISDIR', 'ENOEXEC')) reject(new PerfscopeError('ENOEXEC', `run: cannot execute ${cmd[0]}: ${err.code === 'EISDIR' ? 'is a directory' : 'permission denied'}`));
      else reject(new PerfscopeError('ENOEXEC', `run: cannot start ${cmd[0]}: ${err.message}`));
    });
  });
}
