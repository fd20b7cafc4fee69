/** File helpers for outputs people keep: written whole or not at all. */
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { PerfscopeError, errnoWordsOf, isErrno } from './errors.js';

/**
 * Writes `data` to a temp file in the same directory, fsyncs it and renames it over `path`, so readers
 * see the old file or the complete new one, never a half-written one. Failures: PerfscopeError('EIO').
 */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let fd: number | undefined;
  try {
    fd = openSync(tmp, 'wx', 0o666);
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let off = 0;
    while (off < bytes.length) off += writeSync(fd, bytes, off, bytes.length - off);
    fsyncSync(fd);
    closeSync(fd);
    fd = undefined;
    renameSync(tmp, path);
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    try {
      unlinkSync(tmp);
    } catch {
      // The temp file was never created or is already renamed.
    }
    // ENOENT here can only be the directory: the file itself is created.
    const words = isErrno(err, 'ENOENT') ? 'no such directory' : errnoWordsOf(err);
    throw new PerfscopeError('EIO', `cannot write ${path}: ${words}`, { cause: err });
  }
}
