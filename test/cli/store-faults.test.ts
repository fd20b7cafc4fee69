/**
 * A store that fails mid-run (a full disk, a lock held for longer than SQLite waits, a file that may
 * not grow) stops only the store writes: sampling goes on, --json is whole, the command keeps its exit
 * code, and the store catches up when it can or one line says which samples it lacks (issue 10 §3,
 * issue 11.1). Real faults: a small tmpfs filled up, another process holding the write lock, and
 * RLIMIT_FSIZE set on the recorder (prlimit).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunStore } from '../../src/store/store.js';
import { startCli, tempDir, type CliResult } from '../helpers/cli.js';

const node = process.execPath;
const isRoot = process.getuid?.() === 0;

/** A command that runs until `done` exists, then exits with `code`. */
function waitingCommand(done: string, code: number): string[] {
  const js = `const [f, c] = process.argv.slice(1); const t = setInterval(() => { if (require('fs').existsSync(f)) { clearInterval(t); process.exit(Number(c)); } }, 20);`;
  return [node, '-e', js, done, String(code)];
}

/** perfscope run at 20 Hz (no system series, so the files stay small) of a waiting command. */
function startRecording(dir: string, store: string, code: number) {
  const done = join(dir, 'done');
  const json = join(dir, 'run.json');
  const { child, result } = startCli(['run', '-i', '0.05', '--no-system', '--store', store, '--json', json, '--', ...waitingCommand(done, code)], { env: { CI: 'true' } });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return {
    pid: child.pid!,
    json,
    finish: async (): Promise<CliResult> => {
      writeFileSync(done, '');
      return result;
    },
    /** Ends the recording whatever happened (for `finally`): the command is told to stop, perfscope too. */
    abort: async (): Promise<void> => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      writeFileSync(done, '');
      child.kill('SIGTERM');
      await result;
    },
    /** Resolves once perfscope's stderr matches `re`. */
    stderrMatches: async (re: RegExp): Promise<void> => {
      for (let i = 0; i < 1200 && !re.test(stderr); i++) await new Promise((r) => setTimeout(r, 25));
      assert.match(stderr, re);
    },
  };
}

type Recording = ReturnType<typeof startRecording>;

/** Waits until the store holds at least `rows` committed samples of run 1. */
async function committed(store: string, rows: number): Promise<void> {
  for (let i = 0; i < 800; i++) {
    if (existsSync(store)) {
      try {
        const s = RunStore.open({ path: store, readonly: true });
        try {
          if ((s.listRuns()[0]?.sampleCount ?? 0) >= rows) return;
        } finally {
          s.close();
        }
      } catch {
        // Not created yet.
      }
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`the store never held ${rows} samples`);
}

function storedSamples(store: string): { status: string; samples: number } {
  const s = RunStore.open({ path: store, readonly: true });
  try {
    const [row] = s.listRuns();
    return { status: row!.status, samples: s.getRun(row!.id).samples.timestamp.length };
  } finally {
    s.close();
  }
}

/** Mounts a tmpfs of `sizeKiB` at a new directory under `dir`; returns it and its unmount. */
function smallDisk(dir: string, sizeKiB: number): { mount: string; unmount(): void } {
  const mount = join(dir, 'disk');
  mkdirSync(mount);
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKiB}k`, 'tmpfs', mount]);
  return { mount, unmount: () => execFileSync('umount', ['-l', mount]) };
}

/** Fills the file system of `dir` to the last byte. */
function fill(dir: string): string {
  const filler = join(dir, 'filler');
  try {
    writeFileSync(filler, Buffer.alloc(64 * 1024 * 1024));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOSPC') throw err;
  }
  return filler;
}

test('a full disk mid-run: sampling and --json go on, the store catches up once space is freed', { skip: isRoot ? false : 'mounting a small tmpfs needs root' }, async () => {
  const t = tempDir();
  let rec: Recording | undefined;
  const disk = smallDisk(t.dir, 2048);
  try {
    const store = join(disk.mount, 'runs.db');
    rec = startRecording(t.dir, store, 0);
    await committed(store, 5);
    const filler = fill(disk.mount);
    await rec.stderrMatches(/warning: cannot write run 1 to .*: no space left on device.*; sampling goes on/);
    // While the disk is full the run keeps sampling; then space comes back.
    await new Promise((r) => setTimeout(r, 1200));
    unlinkSync(filler);
    await rec.stderrMatches(/note: the store .* is written again: nothing was lost/);
    const r = await rec.finish();
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stderr, /incomplete/);
    const json = JSON.parse(readFileSync(rec.json, 'utf8'));
    const stored = storedSamples(store);
    assert.equal(stored.status, 'finished');
    assert.equal(stored.samples, json.samples.timestamp.length, 'every sample reached the store in the end');
  } finally {
    await rec?.abort();
    disk.unmount();
    t.cleanup();
  }
});

test('a disk that stays full: the command keeps its exit code, --json is whole, one line says which samples the store lacks', { skip: isRoot ? false : 'mounting a small tmpfs needs root' }, async () => {
  const t = tempDir();
  let rec: Recording | undefined;
  const disk = smallDisk(t.dir, 2048);
  try {
    const store = join(disk.mount, 'runs.db');
    rec = startRecording(t.dir, store, 3);
    await committed(store, 5);
    fill(disk.mount);
    await rec.stderrMatches(/sampling goes on/);
    await new Promise((r) => setTimeout(r, 500));
    const r = await rec.finish();
    assert.equal(r.code, 3, `the command's code, not 74: ${r.stderr}`);
    const json = JSON.parse(readFileSync(rec.json, 'utf8'));
    const stored = storedSamples(store);
    const lost = json.samples.timestamp.length - stored.samples;
    assert.ok(lost > 0, 'the store lacks the samples after the disk filled');
    const line = r.stderr.split('\n').find((l) => l.includes('incomplete'));
    assert.ok(line, r.stderr);
    const total = json.samples.timestamp.length;
    assert.match(line, new RegExp(`^perfscope: warning: run 1 in the store .* is incomplete: the last ${lost} of its ${total} samples, [\\d.]+ s to [\\d.]+ s, could not be written \\(no space left on device`));
    assert.match(r.stderr, /stored as run 1 \(incomplete, see above\)/);
    assert.equal(stored.status, 'interrupted', 'never marked finished');
  } finally {
    await rec?.abort();
    disk.unmount();
    t.cleanup();
  }
});

test('a store locked by another process for more than 5 s: sampling goes on, the store catches up when the lock is released', async () => {
  const t = tempDir();
  let rec: Recording | undefined;
  try {
    const store = join(t.dir, 'runs.db');
    rec = startRecording(t.dir, store, 0);
    await committed(store, 5);
    const locker = spawn(node, ['--import', 'tsx', new URL('../fixtures/store-locker.ts', import.meta.url).pathname, store], { stdio: ['pipe', 'pipe', 'inherit'] });
    await new Promise<void>((resolve) => locker.stdout.once('data', () => resolve()));
    await rec.stderrMatches(/warning: cannot write run 1 to .*: the store is locked by another process/);
    // Longer than SQLite's 5 s busy timeout that used to stop the recording.
    await new Promise((r) => setTimeout(r, 5500));
    locker.stdin.end('release\n');
    await new Promise((r) => locker.on('exit', r));
    await rec.stderrMatches(/is written again: nothing was lost/);
    const r = await rec.finish();
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(readFileSync(rec.json, 'utf8'));
    const stored = storedSamples(store);
    assert.deepEqual(stored, { status: 'finished', samples: json.samples.timestamp.length });
    // Sampling went on while the store waited. A recorder that waited out SQLite's 5 s busy timeout on
    // its event loop left gaps of 5 s; the margin below is wide for a loaded machine.
    const ts: number[] = json.samples.timestamp;
    const gap = Math.max(...ts.map((v, i) => (i === 0 ? 0 : v - ts[i - 1]!)));
    assert.ok(gap < 3, `largest gap between samples ${gap.toFixed(2)} s`);
  } finally {
    await rec?.abort();
    t.cleanup();
  }
});

test('a store file that may no longer grow (RLIMIT_FSIZE mid-run): the run and --json go on, the loss is one line', async () => {
  const t = tempDir();
  let rec: Recording | undefined;
  try {
    const store = join(t.dir, 'runs.db');
    rec = startRecording(t.dir, store, 0);
    await committed(store, 5);
    // The store and its WAL may not grow past their size now: every later commit fails (EFBIG).
    const limit = Math.max(...['', '-wal'].map((s) => (existsSync(store + s) ? statSync(store + s).size : 0)));
    execFileSync('prlimit', ['--pid', String(rec.pid), `--fsize=${limit}`]);
    await rec.stderrMatches(/warning: cannot write run 1 .*; sampling goes on/);
    await new Promise((r) => setTimeout(r, 500));
    const r = await rec.finish();
    assert.equal(r.code, 0, r.stderr);
    const json = JSON.parse(readFileSync(rec.json, 'utf8'));
    assert.ok(JSON.stringify(json).length < limit, 'the --json file itself fits under the limit');
    const stored = storedSamples(store);
    assert.ok(stored.samples < json.samples.timestamp.length);
    assert.match(r.stderr, new RegExp(`run 1 in the store .* is incomplete: the last ${json.samples.timestamp.length - stored.samples} of its ${json.samples.timestamp.length} samples`));
  } finally {
    await rec?.abort();
    t.cleanup();
  }
});
