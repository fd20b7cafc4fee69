/**
 * The performance log when the world fails: a real full filesystem (a small tmpfs, root only) and
 * FIFOs with and without a reader. Lines are whole or absent, every lost line is counted, writing
 * starts again by itself once there is room, and nothing blocks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, ftruncateSync, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isErrno } from '../../src/core/errors.js';
import { createPerformanceLog, type PerformanceLog } from '../../src/logs/performance-log.js';
import { repoRoot } from '../helpers/cli.js';

const LINE = / - performance_monitor - INFO - function work took \d+\.\d{6} s$/;
const isRoot = process.getuid?.() === 0;

/** Lines of `file`, asserting the file ends with a newline (no torn last line) and every line is whole. */
function wholeLines(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  if (text === '') return [];
  assert.ok(text.endsWith('\n'), `the file ends with a whole line: …${JSON.stringify(text.slice(-60))}`);
  const lines = text.slice(0, -1).split('\n');
  for (const l of lines) assert.match(l, LINE);
  return lines;
}

/** Fills the filesystem of `dir` to the last byte with one file; returns its fd (truncate it to free space). */
function fillUp(dir: string): number {
  const fd = openSync(join(dir, 'filler'), 'w');
  const chunk = Buffer.alloc(4096, 0x2e);
  for (;;) {
    try {
      writeSync(fd, chunk);
    } catch (err) {
      if (isErrno(err, 'ENOSPC')) return fd;
      throw err;
    }
  }
}

async function until(what: string, check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test(
  'a full disk: whole lines only, lines kept and written once there is room, every lost line counted',
  { skip: isRoot ? false : 'needs root to mount a small tmpfs (mount -t tmpfs)' },
  async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'perfscope-fulldisk-'));
    const mounted = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { encoding: 'utf8' });
    if (mounted.status !== 0) {
      rmSync(dir, { recursive: true, force: true });
      t.skip(`mount -t tmpfs was refused (a container without CAP_SYS_ADMIN?): ${String(mounted.stderr ?? mounted.error).trim()}`);
      return;
    }
    const warnings: string[] = [];
    const onWarning = (w: Error & { code?: string }) => void (w.code === 'PERFSCOPE_LOG_WRITE' && warnings.push(w.message));
    process.on('warning', onWarning);
    let log: PerformanceLog | undefined;
    const fds: number[] = [];
    try {
      const filler = fillUp(dir);
      fds.push(filler);
      ftruncateSync(filler, 64 * 1024 - 3 * 4096); // about 12 KiB free: room for ~130 of the 500 lines
      const file = join(dir, 'perf.log');
      log = createPerformanceLog({ file });
      const work = log.forFunction('work');
      for (let i = 0; i < 500; i++) work.success(0.001);
      await log.flush(); // the disk fills up part-way through
      const before = wholeLines(file);
      assert.ok(before.length > 0 && before.length < 500, `some lines fit: ${before.length}`);
      assert.equal(log.dropped, 0, 'nothing lost yet: the rest waits in memory');
      assert.equal(log.lines, 500);

      ftruncateSync(filler, 0); // room again: the log resumes by itself (backoff retry), no flush()
      await until('all 500 lines on disk', () => readFileSync(file, 'utf8').split('\n').length === 501);
      assert.equal(wholeLines(file).length, 500);

      // full again, and closed while full: what could not be written is counted, what was written is whole
      const filler2 = fillUp(dir);
      fds.push(filler2);
      for (let i = 0; i < 300; i++) work.success(0.001);
      await log.close();
      const after = wholeLines(file);
      assert.ok(log.dropped > 0, 'lines lost at close are counted');
      assert.equal(after.length + log.dropped, 800, `${after.length} written + ${log.dropped} dropped = every line asked for`);
      assert.equal(log.lines, after.length);
      await new Promise((r) => setImmediate(r));
      assert.ok(warnings.some((w) => /no space left on device; lines are kept in memory/.test(w)), warnings.join('\n'));
      assert.ok(warnings.some((w) => /writable again; no line was lost/.test(w)), warnings.join('\n'));
    } finally {
      process.off('warning', onWarning);
      for (const fd of fds) closeSync(fd);
      await log?.close().catch(() => {});
      // lazily if something still holds it, so a failed run never leaves a mount behind
      if (spawnSync('umount', [dir]).status !== 0) spawnSync('umount', ['-l', dir]);
      rmSync(dir, { recursive: true, force: true });
    }
  },
);

test('a FIFO with no reader: createPerformanceLog fails at once, it does not block forever', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'perfscope-fifo-'));
  try {
    const fifo = join(dir, 'perf.pipe');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    // in a child: on a blocking open the whole process would hang
    const script = `import { createPerformanceLog } from './src/logs/performance-log.ts';
      try { createPerformanceLog({ file: ${JSON.stringify(fifo)} }); console.log('opened'); }
      catch (e) { console.log(e.code + ': ' + e.message); }`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: repoRoot, encoding: 'utf8', timeout: 30_000 });
    assert.equal(r.signal, null, 'the child did not hang');
    assert.equal(r.stdout.trim(), `EIO: cannot open the performance log ${fifo}: no reader on the other end`, r.stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a FIFO with a slow reader: every line arrives whole (a full pipe is waited out, not dropped)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'perfscope-fifo-'));
  try {
    const fifo = join(dir, 'perf.pipe');
    assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
    // the reader opens the FIFO, then sleeps while ~90 KB arrive (more than the 64 KiB pipe buffer)
    const reader = spawn('sh', ['-c', 'exec 3<"$1"; sleep 1; cat <&3', 'sh', fifo], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    reader.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const done = new Promise((r) => reader.once('exit', r));
    let log: PerformanceLog | undefined;
    await until('the reader has the FIFO open', () => {
      try {
        log = createPerformanceLog({ file: fifo });
        return true;
      } catch (e) {
        if (/no reader on the other end/.test((e as Error).message)) return false;
        throw e;
      }
    });
    const work = log!.forFunction('work');
    for (let i = 0; i < 1000; i++) work.success(0.001);
    await log!.close();
    await done;
    const lines = out.split('\n');
    assert.equal(lines.pop(), '', 'ends with a whole line');
    assert.equal(lines.length, 1000);
    for (const l of lines) assert.match(l, LINE);
    assert.equal(log!.dropped, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
