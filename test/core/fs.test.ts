/** core/fs: where an output path leads, the checks before work starts, and the writes. */
import { test } from 'node:test';
import { execFileSync } from 'node:child_process';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkOutput, resolveOutput, storeFiles, writeOutput } from '../../src/core/fs.js';
import { PerfscopeError } from '../../src/core/errors.js';

function dir(t: { after(fn: () => void): void }): string {
  const d = mkdtempSync(join(tmpdir(), 'perfscope-fs-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

test('resolveOutput: descriptors, regular files through symlinks (dangling ones too), FIFOs and devices in place; never a directory or a block device', (t) => {
  const d = dir(t);
  assert.deepEqual(resolveOutput('-'), { kind: 'fd', fd: 1 });
  assert.deepEqual(resolveOutput('/dev/stdout'), { kind: 'fd', fd: 1 });
  assert.deepEqual(resolveOutput('/dev/stderr'), { kind: 'fd', fd: 2 });
  assert.deepEqual(resolveOutput('/dev/fd/7'), { kind: 'fd', fd: 7 });
  assert.deepEqual(resolveOutput(`/proc/${process.pid}/fd/3`), { kind: 'fd', fd: 3 });
  assert.deepEqual(resolveOutput('/dev/null'), { kind: 'special', path: '/dev/null', type: 'device' });
  writeFileSync(join(d, 'real.json'), '');
  symlinkSync('real.json', join(d, 'a'));
  symlinkSync('a', join(d, 'b'));
  assert.deepEqual(resolveOutput(join(d, 'b')), { kind: 'file', path: join(d, 'real.json') });
  symlinkSync(join(d, 'sub-missing', 'x.json'), join(d, 'dangling'));
  assert.deepEqual(resolveOutput(join(d, 'dangling')), { kind: 'file', path: join(d, 'sub-missing', 'x.json') });
  symlinkSync('loop2', join(d, 'loop1'));
  symlinkSync('loop1', join(d, 'loop2'));
  assert.throws(() => resolveOutput(join(d, 'loop1')), (e: unknown) => e instanceof PerfscopeError && e.code === 'EUSAGE');
  assert.throws(() => resolveOutput(d), /it is a directory/);
  assert.throws(() => resolveOutput(''), /empty/);
  const block = readdirSync('/dev').map((n) => `/dev/${n}`).find((p) => {
    try {
      return statSync(p).isBlockDevice();
    } catch {
      return false;
    }
  });
  if (block !== undefined) assert.throws(() => resolveOutput(block), /it is a block device/);
});

test('checkOutput: a missing directory, the store and its WAL are refused before any work', (t) => {
  const d = dir(t);
  const store = join(d, 'runs.db');
  writeFileSync(store, 'x');
  writeFileSync(`${store}-wal`, 'x');
  assert.throws(() => checkOutput(join(d, 'no', 'x.json')), /no such directory/);
  for (const p of [store, `${store}-wal`, join(d, '.', 'runs.db')]) {
    assert.throws(() => checkOutput(p, { protect: storeFiles(store) }), /refusing to write .*: it is the run store/);
  }
  symlinkSync(store, join(d, 'alias'));
  assert.throws(() => checkOutput(join(d, 'alias'), { protect: storeFiles(store) }), /it is the run store/);
  assert.deepEqual(checkOutput(join(d, 'ok.json'), { protect: storeFiles(store) }), { kind: 'file', path: join(d, 'ok.json') });
});

test('writeOutput: atomic through a symlink, no temp file left; a FIFO without a reader fails at once', (t) => {
  const d = dir(t);
  writeFileSync(join(d, 'real.json'), 'old');
  symlinkSync('real.json', join(d, 'link'));
  writeOutput(join(d, 'link'), 'new');
  assert.equal(readFileSync(join(d, 'real.json'), 'utf8'), 'new');
  assert.deepEqual(readdirSync(d).sort(), ['link', 'real.json']);
  writeOutput('/dev/null', 'x'.repeat(1 << 20));
  execFileSync('mkfifo', [join(d, 'fifo')]);
  assert.throws(() => writeOutput(join(d, 'fifo'), 'x'), /no reader on the other end of the FIFO/);
});
