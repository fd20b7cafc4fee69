/**
 * Passing this process's SIGINT, SIGTERM and SIGHUP on to a recorded command while it runs, as a shell
 * would: the first one is forwarded (the command decides how to end), a second one kills it, and so does
 * a first one once perfscope has asked the command to stop (--duration): the user is in a hurry.
 */
import type { CommandProcess } from './spawn.js';

export const forwardedSignals: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * Installs the handlers; returns the function that removes them. `onSignal` hears each signal first.
 * In a terminal's foreground (the command shares this process's group) a first SIGINT is not sent
 * again: the terminal's Ctrl-C has reached the whole group already, and a command that is sent two
 * SIGINTs may take the second as "quit now".
 */
export function forwardSignals(command: CommandProcess, onSignal: (sig: NodeJS.Signals) => void = () => {}): () => void {
  let received = 0;
  const handler = (sig: NodeJS.Signals): void => {
    received++;
    onSignal(sig);
    if (received > 1 || command.stopping) command.signal('SIGKILL');
    else if (command.ownGroup || sig !== 'SIGINT') command.signal(sig);
  };
  for (const s of forwardedSignals) process.on(s, handler);
  return () => {
    for (const s of forwardedSignals) process.off(s, handler);
  };
}
