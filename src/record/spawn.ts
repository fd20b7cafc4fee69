/**
 * Starting the command of a recording and ending it, with its whole tree: the command runs in a process
 * group of its own, so a signal reaches its descendants too (`sh -c 'sleep 31; true'` leaves no
 * `sleep`), and what it leaves behind when it exits is stopped.
 *
 * One exception, for terminals: when this process is in the foreground of a terminal, the command stays
 * in this process's group (a group of its own would be stopped by SIGTTIN on its first read from the
 * terminal, as `timeout --foreground` explains). There the terminal's Ctrl-C reaches the whole group
 * already, and signals perfscope sends reach the command's descendants by walking the tree in /proc.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { statSync } from 'node:fs';
import { constants } from 'node:os';
import { delimiter, join, resolve } from 'node:path';
import { PerfscopeError, errnoWordsOf, isErrno, usageError } from '../core/errors.js';
import { descendantsOf, scanProcesses } from '../sampling/tree.js';
import { commOf, exitedOrGone, groupMembers, inTerminalForeground, processGroupOf, startTimeTicks } from './process-group.js';

export interface SpawnOptions {
  /** Working directory of the command; default this process's. */
  cwd?: string;
  /** Environment of the command; default this process's. */
  env?: NodeJS.ProcessEnv;
  /** 'inherit' (default): the command shares this process's stdin, stdout and stderr. */
  stdio?: 'inherit' | 'ignore';
  /**
   * Whether the command gets a process group (and session) of its own. 'auto' (default): yes, unless
   * this process is in the foreground of a terminal (see the module comment).
   */
  processGroup?: 'auto' | boolean;
  /** Injected for tests. */
  procRoot?: string;
}

/** How the command ended. */
export interface CommandExit {
  /** Its exit code, or null when a signal ended it. */
  code: number | null;
  signal: NodeJS.Signals | null;
  /** As a shell reports it: the code, or 128 + N for signal N. */
  status: number;
  /** Wall-clock time (epoch ms) when its exit was seen. */
  endedAtMs: number;
}

/** A process the command left running when it exited. */
export interface Leftover {
  pid: number;
  comm: string;
}

/**
 * A started command. Signals go to its group (or, in a terminal's foreground, to its tree); all calls
 * are safe after it exited (they reach what is left, or nothing).
 */
export class CommandProcess {
  readonly pid: number;
  /** Whether the command has a process group of its own (see SpawnOptions.processGroup). */
  readonly ownGroup: boolean;
  /** Resolves when the command has exited (never rejects). */
  readonly exited: Promise<CommandExit>;
  private exitInfo: CommandExit | null = null;
  /** Descendants seen while it ran (PID -> start time), for tree-mode signals after it exited. */
  private readonly known = new Map<number, number>();
  private killTimer: NodeJS.Timeout | null = null;
  /** The process group the command is in: its own PID, or (terminal foreground) this process's group. */
  private readonly groupId: number | null;

  /** @internal Use spawnCommand. */
  constructor(
    private readonly child: ChildProcess,
    ownGroup: boolean,
    private readonly procRoot: string,
  ) {
    this.pid = child.pid!;
    this.ownGroup = ownGroup;
    this.groupId = ownGroup ? this.pid : processGroupOf('self', procRoot);
    this.exited = new Promise((resolveExit) => {
      child.once('exit', (code, signal) => {
        const status = code ?? 128 + (signal ? (constants.signals[signal] ?? 0) : 0);
        this.exitInfo = { code, signal, status, endedAtMs: Date.now() };
        if (this.killTimer !== null) clearTimeout(this.killTimer);
        resolveExit(this.exitInfo);
      });
    });
  }

  /** Whether stop() was called: the command was asked to end (SIGTERM) and gets SIGKILL after the grace. */
  get stopping(): boolean {
    return this.killTimer !== null;
  }

  /** How it ended, or null while it runs. */
  get exit(): CommandExit | null {
    return this.exitInfo;
  }

  /** Notes a descendant (e.g. from the Sampler's 'process-start'), so it is signalled even once orphaned. */
  remember(pid: number, startTicks?: number): void {
    const ticks = startTicks ?? startTimeTicks(pid, this.procRoot);
    if (ticks !== null && pid !== this.pid) this.known.set(pid, ticks);
  }

  /** Sends `sig` to the command and every process of its group (or tree). */
  signal(sig: NodeJS.Signals): void {
    if (this.ownGroup) {
      // While the command has not been reaped its PID holds the group id, so the group cannot be another's.
      if (this.exitInfo === null) tryKill(-this.pid, sig);
      else if (groupMembers(this.pid, this.procRoot).length > 0) tryKill(-this.pid, sig);
      return;
    }
    // The tree first: once the command has the signal it may exit and orphan its children.
    const tree = this.tree();
    if (this.exitInfo === null) tryKill(this.pid, sig);
    for (const pid of tree) tryKill(pid, sig);
  }

  /** Asks the command to stop: SIGTERM now, SIGKILL after `graceMs` if it is still running. */
  stop(graceMs: number): void {
    if (this.exitInfo !== null) return;
    this.signal('SIGTERM');
    if (this.killTimer === null) {
      this.killTimer = setTimeout(() => this.signal('SIGKILL'), graceMs);
      this.killTimer.unref();
    }
  }

  /** The processes still running that belong to the command (after it exited: what it left behind). */
  leftovers(): Leftover[] {
    const pids = this.ownGroup ? groupMembers(this.pid, this.procRoot).filter((p) => p !== this.pid) : this.tree();
    return pids.map((pid) => ({ pid, comm: commOf(pid, this.procRoot) }));
  }

  /**
   * After the command exited: stops what it left running (SIGTERM, then SIGKILL after `graceMs`) and
   * returns those processes. Processes that start a session of their own (daemons) are not its.
   */
  async stopLeftovers(graceMs: number): Promise<Leftover[]> {
    const left = this.leftovers();
    if (left.length === 0) return left;
    this.signal('SIGTERM');
    const deadline = Date.now() + graceMs;
    while (Date.now() < deadline && left.some((p) => !exitedOrGone(p.pid, this.procRoot))) {
      await new Promise((r) => setTimeout(r, 20));
    }
    if (left.some((p) => !exitedOrGone(p.pid, this.procRoot))) this.signal('SIGKILL');
    return left;
  }

  /**
   * Tree mode: live descendants in the command's process group (a fresh scan while the command runs,
   * plus those remembered). A descendant that made a group or session of its own (a daemon) is not
   * the command's to stop, as in group mode.
   */
  private tree(): number[] {
    if (this.exitInfo === null) {
      try {
        const entries = scanProcesses(this.procRoot);
        const byPid = new Map(entries.map((e) => [e.pid, e.startTimeTicks]));
        for (const pid of descendantsOf(this.pid, entries)) this.known.set(pid, byPid.get(pid)!);
      } catch {
        // An unlistable /proc leaves the remembered descendants.
      }
    }
    const live: number[] = [];
    for (const [pid, ticks] of this.known) {
      if (startTimeTicks(pid, this.procRoot) !== ticks || exitedOrGone(pid, this.procRoot)) this.known.delete(pid);
      else if (processGroupOf(pid, this.procRoot) === this.groupId) live.push(pid);
    }
    return live;
  }
}

function tryKill(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // ESRCH: already gone. EPERM: it changed credentials (setuid); nothing more we may do.
  }
}

/**
 * Starts `command` (argv; no shell). Rejects with PerfscopeError: EUSAGE for an empty command name or
 * an argument holding a NUL byte, ENOCMD (exit 127) when it is not found, ENOEXEC (exit 126) when it
 * cannot be executed (a directory, no permission, not an executable format).
 */
export function spawnCommand(command: readonly string[], options: SpawnOptions = {}): Promise<CommandProcess> {
  if (!Array.isArray(command) || !command.every((a) => typeof a === 'string')) {
    return Promise.reject(usageError(`the command must be an array of strings, got ${JSON.stringify(command)}`));
  }
  const name = command[0];
  if (name === undefined) return Promise.reject(usageError('no command given'));
  if (name === '') return Promise.reject(usageError("the command name is empty (an empty argument '' after --)"));
  const nul = command.findIndex((a) => a.includes('\0'));
  if (nul >= 0) return Promise.reject(usageError(`argument ${nul + 1} of the command holds a NUL byte, which no command line can carry`));
  const procRoot = options.procRoot ?? '/proc';
  const ownGroup = options.processGroup === 'auto' || options.processGroup === undefined ? !inTerminalForeground(procRoot) : options.processGroup;
  return new Promise((resolveSpawn, reject) => {
    let child: ChildProcess;
    try {
      child = spawn(name, command.slice(1), {
        stdio: options.stdio ?? 'inherit',
        cwd: options.cwd,
        env: options.env,
        // detached: setsid(), a new session and process group led by the command.
        detached: ownGroup,
      });
    } catch (err) {
      reject(new PerfscopeError('ENOEXEC', `cannot start ${name}: ${errnoWordsOf(err)}`, { cause: err }));
      return;
    }
    if (child.pid !== undefined) {
      resolveSpawn(new CommandProcess(child, ownGroup, procRoot));
      return;
    }
    child.once('error', (err) => reject(spawnError(name, err, options)));
  });
}

/** The error for a command that could not be started, in a shell's terms (127 not found, 126 not executable). */
function spawnError(name: string, err: Error, options: SpawnOptions): PerfscopeError {
  const cwd = options.cwd ?? process.cwd();
  if (isErrno(err, 'ENOENT')) {
    if (options.cwd !== undefined && !isDir(options.cwd)) return new PerfscopeError('ENOEXEC', `cannot start ${name}: no such directory ${options.cwd}`, { cause: err });
    return new PerfscopeError('ENOCMD', `command not found: ${name}`, { cause: err });
  }
  if (isErrno(err, 'EACCES', 'EISDIR', 'EPERM')) {
    const path = locate(name, options.env ?? process.env, cwd);
    const why = path !== null && isDir(path) ? 'is a directory' : errnoWordsOf(err);
    return new PerfscopeError('ENOEXEC', `cannot execute ${name}: ${why}`, { cause: err });
  }
  return new PerfscopeError('ENOEXEC', `cannot execute ${name}: ${errnoWordsOf(err)}`, { cause: err });
}

/** Where `name` would be found as execvp looks (a path as is, else the first PATH entry that has it). */
function locate(name: string, env: NodeJS.ProcessEnv, cwd: string): string | null {
  if (name.includes('/')) return resolve(cwd, name);
  for (const dir of (env.PATH ?? '/usr/local/bin:/usr/bin:/bin').split(delimiter)) {
    const p = resolve(cwd, join(dir || '.', name));
    try {
      statSync(p);
      return p;
    } catch {
      // Not in this entry.
    }
  }
  return null;
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}
