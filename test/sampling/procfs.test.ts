import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  ProcFile,
  Scanner,
  intAt,
  isRealProcfs,
  readAuxv,
  readProcFileOnce,
  resolveProcfsOptions,
} from '../../src/sampling/procfs.js';

const fixtures = fileURLToPath(new URL('../fixtures', import.meta.url));

describe('ProcFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'perfscope-procfs-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('re-reads from offset 0 and sees the current content each time', () => {
    const path = join(dir, 'counter');
    writeFileSync(path, 'first\n');
    const f = new ProcFile(path);
    assert.equal(f.read(), 'first\n');
    writeFileSync(path, 'second, longer\n');
    assert.equal(f.read(), 'second, longer\n');
    assert.equal(f.read(), 'second, longer\n');
    f.close();
  });

  it('grows its buffer when a read fills it (also at exactly the buffer size)', () => {
    const path = join(dir, 'big');
    const text = 'x'.repeat(1000) + '\n';
    writeFileSync(path, text);
    const f = new ProcFile(path, 16);
    assert.equal(f.read(), text);
    const exact = join(dir, 'exact');
    writeFileSync(exact, 'y'.repeat(64));
    const g = new ProcFile(exact, 64);
    assert.equal(g.read(), 'y'.repeat(64));
    f.close();
    g.close();
  });

  it('throws the raw errno error on open and read, and EBADF after close (close is idempotent)', () => {
    assert.throws(() => new ProcFile(join(dir, 'missing')), { code: 'ENOENT' });
    const d = new ProcFile(dir); // opening a directory works, reading it does not
    assert.throws(() => d.read(), { code: 'EISDIR' });
    d.close();
    d.close();
    assert.throws(() => d.read(), { code: 'EBADF' });
  });

  it('reads the live /proc/self/stat', () => {
    const f = new ProcFile('/proc/self/stat');
    assert.match(f.read(), new RegExp(`^${process.pid} \\(`));
    f.close();
  });
});

describe('readProcFileOnce', () => {
  it('reads whole files of any size, in latin1 or utf8', () => {
    const dir = mkdtempSync(join(tmpdir(), 'perfscope-once-'));
    try {
      const path = join(dir, 'f');
      const text = 'ä'.repeat(5000);
      writeFileSync(path, text);
      assert.equal(readProcFileOnce(path, 'utf8'), text);
      assert.equal(readProcFileOnce(path).length, 10000);
      assert.throws(() => readProcFileOnce(join(dir, 'nope')), { code: 'ENOENT' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('readAuxv', () => {
  it('reads AT_CLKTCK and AT_PAGESZ, stopping at AT_NULL', () => {
    assert.deepEqual(readAuxv(join(fixtures, 'proc-auxv')), { clockTicksPerSecond: 250, pageSizeBytes: 16384 });
  });

  it('falls back to 100 ticks/s and 4096-byte pages without an auxv, and caches per root', () => {
    const root = join(fixtures, 'proc');
    const a = readAuxv(root);
    assert.deepEqual(a, { clockTicksPerSecond: 100, pageSizeBytes: 4096 });
    assert.equal(readAuxv(root), a);
  });

  it('reads plausible values from the live /proc', () => {
    const a = readAuxv('/proc');
    assert.ok(a.clockTicksPerSecond > 0 && a.clockTicksPerSecond <= 1000);
    assert.ok(a.pageSizeBytes >= 4096 && (a.pageSizeBytes & (a.pageSizeBytes - 1)) === 0);
  });
});

describe('isRealProcfs and resolveProcfsOptions', () => {
  it('tells a mounted procfs from a fixture tree', () => {
    assert.equal(isRealProcfs('/proc'), true);
    assert.equal(isRealProcfs(join(fixtures, 'proc')), false);
    assert.equal(isRealProcfs(join(fixtures, 'does-not-exist')), false);
  });

  it('fills in defaults and drops a trailing slash', () => {
    assert.deepEqual(resolveProcfsOptions(), { procRoot: '/proc', cgroupRoot: '/sys/fs/cgroup' });
    assert.deepEqual(resolveProcfsOptions({ procRoot: '/x/proc/', cgroupRoot: '/' }), {
      procRoot: '/x/proc',
      cgroupRoot: '/',
    });
  });
});

describe('Scanner', () => {
  it('parses integers, negative ones, and NaN where no digit follows', () => {
    const s = new Scanner().reset('  12 -7\t18446744073709551615 x');
    assert.equal(s.int(), 12);
    assert.equal(s.int(), -7);
    assert.equal(s.int(), 2 ** 64); // 18446744073709551615 as the nearest double
    const pos = s.pos;
    assert.ok(Number.isNaN(s.int()));
    assert.equal(s.pos, pos);
  });

  it('skips fields and seeks keys only at line starts', () => {
    const s = new Scanner().reset('a 1 2 3 4\nnonvoluntary_ctxt_switches:\t9\nvoluntary_ctxt_switches:\t5\n');
    s.pos = 1;
    s.skipFields(2);
    assert.equal(s.int(), 3);
    assert.equal(s.keyInt('voluntary_ctxt_switches:', -1), 5);
    assert.equal(s.keyInt('nonvoluntary_ctxt_switches:', -1), 9); // found again from the start
    assert.equal(s.keyInt('Missing:', -1), -1);
  });

  it('keyInt and intAt: blanks skipped, units ignored, a key without a number reads as missing', () => {
    const status = 'VmSize:\t  123456 kB\nVmRSS:\t       8 kB\nVmSwap:\t\nSigQ:\t-1/95\n';
    const s = new Scanner().reset(status);
    assert.equal(s.keyInt('VmSize:', -1), 123456);
    assert.equal(s.keyInt('VmRSS:', -1), 8);
    assert.equal(s.keyInt('VmSwap:', -1), -1); // the next line's text is not a number
    assert.equal(s.keyInt('SigQ:', 0), -1);
    assert.equal(intAt('1 2', 1), 2);
    assert.equal(intAt('x 18446744073709551615\n', 2), 2 ** 64);
    assert.ok(Number.isNaN(intAt('12 ', 2)));
    assert.ok(Number.isNaN(intAt('12', 5)));
  });
});
