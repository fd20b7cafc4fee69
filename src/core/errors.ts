/**
 * Errors perfscope raises on purpose. Every one carries a stable `code` and the process exit code the
 * CLI uses for it, so callers can branch on `err.code` and the CLI can print one line, no stack.
 */

/** Exit codes of the CLI, one per kind of failure (sysexits-like where one fits). */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  noSuchProcess: 3,
  accessDenied: 4,
  notFound: 5,
  badData: 6,
  unsupported: 7,
  io: 74,
  internal: 70,
  notExecutable: 126,
  commandNotFound: 127,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export type PerfscopeErrorCode =
  | 'EUSAGE'
  | 'ENOPROC'
  | 'EACCESS'
  | 'ENOTFOUND'
  | 'EBADDATA'
  | 'EUNSUPPORTED'
  | 'EIO'
  | 'ENOEXEC'
  | 'ENOCMD';

const exitFor: Record<PerfscopeErrorCode, ExitCodeValue> = {
  EUSAGE: ExitCode.usage,
  ENOPROC: ExitCode.noSuchProcess,
  EACCESS: ExitCode.accessDenied,
  ENOTFOUND: ExitCode.notFound,
  EBADDATA: ExitCode.badData,
  EUNSUPPORTED: ExitCode.unsupported,
  EIO: ExitCode.io,
  ENOEXEC: ExitCode.notExecutable,
  ENOCMD: ExitCode.commandNotFound,
};

/** A user-facing error: the message is complete and printable as is. */
export class PerfscopeError extends Error {
  readonly code: PerfscopeErrorCode;
  readonly exitCode: ExitCodeValue;
  constructor(code: PerfscopeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PerfscopeError';
    this.code = code;
    this.exitCode = exitFor[code];
  }
}

export const usageError = (message: string): PerfscopeError => new PerfscopeError('EUSAGE', message);

/** True for an errno-style error from node:fs / node:child_process with the given code(s). */
export function isErrno(err: unknown, ...codes: string[]): err is NodeJS.ErrnoException {
  return (
    typeof err === 'object' &&
    err !== null &&
    typeof (err as NodeJS.ErrnoException).code === 'string' &&
    (codes.length === 0 || codes.includes((err as NodeJS.ErrnoException).code as string))
  );
}
