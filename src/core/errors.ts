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
  /** The sampler failed mid-run (a /proc read error, the sampling thread died): the run holds what came before. */
  samplerFailed: 8,
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
  | 'ENOCMD'
  | 'ESAMPLER';

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
  ESAMPLER: ExitCode.samplerFailed,
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

/**
 * What an errno code means to a user, in words: one table for every layer (psutil's `wrap_exceptions`
 * idea), so messages do not drift apart between the samplers, the store, outputs and logs.
 */
const errnoWords: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a parent is not a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EISDIR: 'is a directory',
  ENOSPC: 'no space left on device',
  EDQUOT: 'disk quota exceeded',
  EFBIG: 'file too large',
  EROFS: 'read-only file system',
  EIO: 'input/output error',
  EEXIST: 'already exists',
  EMFILE: 'too many open files',
  ENFILE: 'too many open files in the system',
  ESRCH: 'no such process',
  EBUSY: 'resource busy',
  ELOOP: 'too many levels of symbolic links',
  ENAMETOOLONG: 'file name too long',
  ENXIO: 'no reader on the other end',
  EPIPE: 'broken pipe',
  EAGAIN: 'resource temporarily unavailable',
  ENOEXEC: 'not an executable format',
};

/** The words for an errno error (`permission denied`), or its message when the code is not a known errno. */
export function errnoWordsOf(err: unknown): string {
  if (isErrno(err)) return errnoWords[err.code as string] ?? (err.code as string);
  return err instanceof Error ? err.message : String(err);
}

/**
 * The PerfscopeError for an errno error met while doing `action` (e.g. `cannot read /proc/stat`):
 * "`action`: words", the errno error kept as `cause`. Something missing is ENOTFOUND (or `gone`, e.g.
 * ENOPROC for a process's files), a permission problem EACCESS, anything else EIO. A PerfscopeError
 * passes through unchanged.
 */
export function fromErrno(err: unknown, action: string, options: { gone?: PerfscopeErrorCode } = {}): PerfscopeError {
  if (err instanceof PerfscopeError) return err;
  let code: PerfscopeErrorCode = 'EIO';
  if (isErrno(err, 'ENOENT', 'ENOTDIR', 'ESRCH')) code = options.gone ?? 'ENOTFOUND';
  else if (isErrno(err, 'EACCES', 'EPERM')) code = 'EACCESS';
  return new PerfscopeError(code, `${action}: ${errnoWordsOf(err)}`, { cause: err });
}
