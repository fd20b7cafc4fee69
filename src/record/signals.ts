/**
 * Passing this process's SIGINT, SIGTERM and SIGHUP on to a recorded command while it runs, as a shell
 * would: the first one is forwarded (the command decides how to end), a second one kills it, and so does
 * a first one once perfscope has asked the command to stop (--duration): the user is in a hurry.
 */
import type { CommandProcess } from './spawn.js';

export const forwardedSignals: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * Installed before the command is spawned, so no signal falls in the window between the spawn and the
 * handlers (the default action would kill perfscope and orphan the command): one that comes before
 * attach() is passed on as soon as the command exists.
 *
 * In a terminal's foreground (the command shares this process's group) a first SIGINT is not sent
 * again: the terminal's Ctrl-C has reached the whole group already, and a command that is sent two
 * SIGINTs may take the second as "quit now".
 */
export class SignalForwarder {
  private command: CommandProcess | null = null;
  private readonly pending: NodeJS.Signals[] = [];
  private received = 0;
  private readonly handler = (sig: NodeJS.Signals): void => this.onSignal(sig);

  /** `onSignal` hears each signal first. */
  constructor(private readonly heard: (sig: NodeJS.Signals) => void = () => {}) {
    for (const s of forwardedSignals) process.on(s, this.handler);
  }

  /** The command to pass signals to from now on (and those that came before it). */
  attach(command: CommandProcess): void {
    this.command = command;
    for (const sig of this.pending.splice(0)) this.forward(sig);
  }

  /** Removes the handlers. */
  dispose(): void {
    for (const s of forwardedSignals) process.off(s, this.handler);
  }

  private onSignal(sig: NodeJS.Signals): void {
    this.heard(sig);
    if (this.command === null) this.pending.push(sig);
    else this.forward(sig);
  }

  private forward(sig: NodeJS.Signals): void {
    const command = this.command!;
    this.received++;
    if (this.received > 1 || command.stopping) command.signal('SIGKILL');
    else if (command.ownGroup || sig !== 'SIGINT') command.signal(sig);
  }
}
