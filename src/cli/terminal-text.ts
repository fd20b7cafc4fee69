/**
 * Text from a run (command lines, process names, host names: any byte a user or a hostile process put
 * there) made safe for a terminal: control characters are shown as escapes, never sent, so an ESC or
 * OSC sequence in a stored command line cannot retitle, clear or recolour the terminal.
 */

// C0 controls but TAB, DEL, C1 controls, and the Unicode line/paragraph separators some terminals honour.
// eslint-disable-next-line no-control-regex
const control = /[\u0000-\u0008\u000a-\u001f\u007f-\u009f\u2028\u2029]/g;

/** `text` with every control character (but TAB) written as \xNN or \uNNNN. */
export function terminalSafe(text: string): string {
  return text.replace(control, escapeChar);
}

/** Whether `text` holds a character terminalSafe would escape. */
export function hasControl(text: string): boolean {
  control.lastIndex = 0;
  const found = control.test(text);
  control.lastIndex = 0;
  return found;
}

function escapeChar(c: string): string {
  const code = c.charCodeAt(0);
  if (code === 0x0a) return '\\n';
  if (code === 0x0d) return '\\r';
  if (code === 0x1b) return '\\e';
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}
