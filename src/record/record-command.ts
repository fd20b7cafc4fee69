/**
 * recordCommand(): what `perfscope run` does, as a library call. Starts a command (its stdio shared by
 * default), samples it and its descendants until it exits, keeps the run in the store, writes the
 * outputs, and resolves to the run with the command's exit status.
 */
import { PerfscopeError, usageError } from '../core/errors.js';
import type { RunMeta } from '../core/run-data.js';
import { Sampler } from '../sampling/sampler.js';
import { childrenUsage } from './children-usage.js';
import { resolveRecordOptions, type RecordOptions } from './options.js';
import { checkOutputs } from './outputs.js';
import { RecordSession, type RecordResult } from './session.js';
import { SignalForwarder } from './signals.js';
import { spawnCommand, type CommandExit, type CommandProcess, type Leftover } from './spawn.js';
import { statusLineFits } from './status-line.js';

export interface RecordCommandOptions extends RecordOptions {
  /** The command and its arguments (no shell: `['sh', '-c', '...']` for one). */
  command: readonly string[];
  /** Working directory and environment of the command; default this process's. */
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** 'inherit' (default): the command shares this process's stdin, stdout and stderr. */
  stdio?: 'inherit' | 'ignore';
  /**
   * While the command runs, pass this process's SIGINT, SIGTERM and SIGHUP on to it (its process group);
   * a second one kills it. For a CLI; default false (a library leaves process signals alone).
   */
  forwardSignals?: boolean;
  /** When perfscope stops the command (durationMs, `signal`), SIGKILL follows SIGTERM after this long; default 5000 ms. */
  killAfterMs?: number;
  /** Called once the command runs, before its first sample. */
  onStart?: (info: { pid: number; processGroup: boolean }) => void;
}

/** Who ended the command, when perfscope did: durationMs, a forwarded signal, or the AbortSignal. */
export type StoppedBy = NonNullable<RunMeta['stoppedBy']>;

export interface CommandRecordResult extends RecordResult {
  /** How the command ended (exit code or signal, and its status as a shell reports it). */
  exit: CommandExit;
  /** null when the command ended by itself. */
  stoppedBy: StoppedBy | null;
  /** Processes the command left running when it exited, which were then stopped. */
  leftovers: Leftover[];
}

/** Time given to what a command leaves behind between SIGTERM and SIGKILL. */
const leftoverGraceMs = 1000;

/**
 * Records a command. Rejects (and runs nothing) on bad options or output paths (EUSAGE); rejects when
 * the command cannot be started (ENOCMD, ENOEXEC). Everything after the start resolves: a sampler
 * fault, a store fault and a failed output are in the result, and the command's status is kept.
 */
export async function recordCommand(options: RecordCommandOptions): Promise<CommandRecordResult> {
  const o = resolveRecordOptions(options);
  if (!Array.isArray(options.command)) throw usageError(`command must be an array of strings (argv), got ${JSON.stringify(options.command)}`);
  const command = [...options.command];
  const killAfterMs = options.killAfterMs ?? 5000;
  if (typeof killAfterMs !== 'number' || !(killAfterMs >= 0)) throw usageError(`killAfterMs must be a number of ms >= 0, got ${String(options.killAfterMs)}`);
  const planned = checkOutputs(o.outputs, { storePath: o.storePath });
  const session = new RecordSession(o, planned);
  const before = childrenUsage();
  // The run starts here, just before the spawn: the wall time is the command's whole life (the store
  // opened above; the sampler's setup below), as /usr/bin/time counts it from fork to wait.
  let stoppedBy: StoppedBy | null = null;
  const forwarder = options.forwardSignals === true ? new SignalForwarder(() => (stoppedBy ??= 'signal')) : null;
  const startedAtMs = Date.now();
  let child: CommandProcess;
  try {
    child = await spawnCommand(command, { cwd: options.cwd, env: options.env, stdio: options.stdio ?? 'inherit', procRoot: o.sampler.procRoot });
  } catch (err) {
    forwarder?.dispose();
    session.abandon();
    throw err;
  }
  forwarder?.attach(child);
  options.onStart?.({ pid: child.pid, processGroup: child.ownGroup });
  let sampler: Sampler;
  try {
    sampler = new Sampler({ ...o.sampler, keepAlive: true, pid: child.pid, counters: 'zero' });
  } catch (err) {
    child.signal('SIGKILL');
    await child.exited;
    forwarder?.dispose();
    session.abandon();
    throw err;
  }
  const inherits = (options.stdio ?? 'inherit') === 'inherit';
  session.attach(sampler, command, startedAtMs, o.status !== null && statusLineFits(o.status, inherits ? [1] : []));
  sampler.on('process-start', (p: { pid: number }) => child.remember(p.pid));

  const stop = (by: StoppedBy): void => {
    if (child.exit !== null) return;
    stoppedBy ??= by;
    child.stop(killAfterMs);
  };
  const onAbort = (): void => stop('abort');
  o.signal?.addEventListener('abort', onAbort, { once: true });
  let exit: CommandExit;
  let leftovers: Leftover[];
  try {
    try {
      sampler.start();
    } catch (err) {
      // The command exited before its first sample (e.g. `true`): still report it.
      if (!(err instanceof PerfscopeError && err.code === 'ENOPROC')) {
        child.signal('SIGKILL');
        await child.exited;
        session.abandon();
        throw err;
      }
    }
    if (o.signal?.aborted) onAbort();
    // durationMs ends the sampling; the command is then asked to stop (SIGTERM, SIGKILL after killAfterMs).
    void sampler.done.then(({ reason }) => {
      if (reason === 'duration') stop('duration');
    });
    exit = await child.exited;
    sampler.stop('process-exited');
    leftovers = await child.stopLeftovers(leftoverGraceMs);
  } finally {
    forwarder?.dispose();
    o.signal?.removeEventListener('abort', onAbort);
  }
  if (leftovers.length > 0) {
    const names = leftovers.map((p) => `${p.pid} (${p.comm})`).join(', ');
    session.note('note', `stopped ${leftovers.length} process${leftovers.length === 1 ? '' : 'es'} the command left running: ${names}`);
  }
  const patch: Partial<RunMeta> = { exitCode: exit.status, signal: exit.signal, endedAtMs: exit.endedAtMs };
  if (stoppedBy !== null) patch.stoppedBy = stoppedBy;
  const after = childrenUsage();
  if (before !== null && after !== null && before.source === after.source) {
    patch.childCpu = { userSeconds: after.userSeconds - before.userSeconds, systemSeconds: after.systemSeconds - before.systemSeconds };
    // ru_maxrss is a maximum over every child ever waited for: it names this command's peak only when it grew.
    if (after.maxRssBytes !== null && before.maxRssBytes !== null && after.maxRssBytes > before.maxRssBytes) patch.childMaxRssBytes = after.maxRssBytes;
  }
  const result = await session.finish(patch);
  return { ...result, exit, stoppedBy, leftovers };
}
