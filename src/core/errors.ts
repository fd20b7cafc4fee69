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

const plainInstanceOf = Function.prototype[Symbol.hasInstance] as (this: unknown, value: unknown) => boolean;

/**
 * A user-facing error: the message is complete and printable as is.
 *
 * `err instanceof PerfscopeError` also holds for {@link PerfscopeTypeError} and
 * {@link PerfscopeRangeError}: usage errors of the metrics classes that keep prom-client's error class
 * (`TypeError` for a bad value, `RangeError` for an oversized exemplar) so code written against
 * prom-client catches them as before, while our own callers see one kind of error with a `code`.
 */
export class PerfscopeError extends Error {
  readonly code: PerfscopeErrorCode;
  readonly exitCode: ExitCodeValue;
  constructor(code: PerfscopeErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PerfscopeError';
    this.code = code;
    this.exitCode = exitFor[code];
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    if (plainInstanceOf.call(this, value)) return true;
    // only PerfscopeError itself adopts the two siblings (a subclass keeps the plain prototype check)
    return this === PerfscopeError && (plainInstanceOf.call(PerfscopeTypeError, value) || plainInstanceOf.call(PerfscopeRangeError, value));
  }
}

/**
 * A usage error that is a `TypeError`, where prom-client throws one (a value that is not a number, a
 * config that is not an object): code `EUSAGE`, and `instanceof PerfscopeError` holds.
 */
export class PerfscopeTypeError extends TypeError {
  readonly code = 'EUSAGE' as const;
  readonly exitCode = ExitCode.usage;
}

/** A usage error that is a `RangeError`, where prom-client throws one (an exemplar's label set too long). */
export class PerfscopeRangeError extends RangeError {
  readonly code = 'EUSAGE' as const;
  readonly exitCode = ExitCode.usage;
}

/** Bad options or arguments: code `EUSAGE`, exit code 2. */
export const usageError = (message: string): PerfscopeError => new PerfscopeError('EUSAGE', message);
/** A usage error that stays a `TypeError` (prom-client's class for the same mistake). */
export const usageTypeError = (message: string): PerfscopeTypeError => new PerfscopeTypeError(message);
/** A usage error that stays a `RangeError` (prom-client's class for the same mistake). */
export const usageRangeError = (message: string): PerfscopeRangeError => new PerfscopeRangeError(message);

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
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'address not available on this machine',
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
