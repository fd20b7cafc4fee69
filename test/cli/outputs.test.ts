/**
 * Output files of run, export and report: checked before anything starts, never the store, written
 * each on its own, atomically only to regular files (symlinks followed; FIFOs, devices and '-' in place).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, lstatSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cli, tempDir } from '../helpers/cli.js';
import { RunStore } from '../../src/store/store.js';

const node = process.execPath;

/** A store holding one short run; returns its path. */
async function storeWithRun(dir: string): Promise<string> {
  const store = join(dir, 'runs.db');
  const r = await cli(['run', '-q', '-i', '0.05', '--store', store, '--', node, '-e', 'setTimeout(() => {}, 200)']);
  assert.equal(r.code, 0, r.stderr);
  return store;
}

function runsIn(store: string): number {
  const s = RunStore.open({ path: store, readonly: true });
  try {
    return s.listRuns().length;
  } finally {
    s.close();
  }
}

test('an output that is the store itself is refused before anything runs; the store keeps its runs (issue 11.2)', async () => {
  const t = tempDir();
  try {
    const store = await storeWithRun(t.dir);
    const marker = join(t.dir, 'ran');
    for (const args of [
      ['run', '--json', store, '--', 'touch', marker],
      ['run', '--csv', `${store}-wal`, '--', 'touch', marker],
      ['export', '1', '-o', store],
      ['report', '1', '--png', store],
      ['report', '1', '--html', join(t.dir, '.', 'runs.db')],
    ]) {
      const r = await cli(args, { store });
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /^perfscope: \w+: .*refusing to write .*: it is the run store/);
      assert.equal(r.stderr.trim().split('\n').length, 1);
    }
    // A symlink to the store is the store too.
    const link = join(t.dir, 'link.json');
    symlinkSync(store, link);
    const viaLink = await cli(['run', '--json', link, '--', 'touch', marker], { store });
    assert.equal(viaLink.code, 2, viaLink.stderr);
    assert.equal(existsSync(marker), false, 'nothing was run');
    assert.equal(runsIn(store), 1, 'the earlier run is still there');
  } finally {
    t.cleanup();
  }
});

test('every output path is checked before the command starts: exit 2, nothing run (issue 11.3)', async () => {
  const t = tempDir();
  try {
    const marker = join(t.dir, 'ran');
    const bad: [string[], RegExp][] = [
      [['--json', '/nonexistent/dir/x.json'], /--json: cannot write \/nonexistent\/dir\/x\.json: no such directory/],
      [['--csv', t.dir], /--csv: cannot write .*: it is a directory/],
      [['--json', join(t.dir, 'a.json'), '--csv', join(t.dir, 'a.json')], /--json and --csv name the same file/],
      [['--json', '-', '--csv', '/dev/stdout'], /--json and --csv name the same file/],
      [['--plot', join(t.dir, 'x.jpg')], /--plot needs a \.png or \.svg file name/],
    ];
    for (const [flags, message] of bad) {
      const r = await cli(['run', ...flags, '--', 'touch', marker], { store: join(t.dir, 'runs.db') });
      assert.equal(r.code, 2, `${flags.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.equal(existsSync(marker), false, `${flags.join(' ')}: nothing run`);
    }
    assert.equal(existsSync(join(t.dir, 'runs.db')), false, 'no store made either');
  } finally {
    t.cleanup();
  }
});

test('each output is written on its own: one that fails is one line and exit 74, the others are written (issue 11.3)', async () => {
  const t = tempDir();
  try {
    // A FIFO nobody reads: known writable at the start, it fails at the end ("no reader").
    const fifo = join(t.dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const json = join(t.dir, 'run.json');
    const html = join(t.dir, 'run.html');
    const r = await cli(['run', '-i', '0.05', '--no-store', '--csv', fifo, '--json', json, '--html', html, '--', node, '-e', 'setTimeout(() => {}, 200)']);
    assert.equal(r.code, 74, r.stderr);
    assert.match(r.stderr, /^perfscope: cannot write .*fifo: no reader on the other end of the FIFO/m);
    assert.ok(JSON.parse(readFileSync(json, 'utf8')).samples.timestamp.length >= 2, 'the json was written');
    assert.match(readFileSync(html, 'utf8'), /perfscope-data/);
    assert.match(r.stderr, /Exit status\s+0/, 'the summary is printed');
    // The command's own failure wins over an output's.
    const failing = await cli(['run', '-q', '-i', '0.05', '--no-store', '--csv', fifo, '--', node, '-e', 'process.exit(3)']);
    assert.equal(failing.code, 3, failing.stderr);
  } finally {
    t.cleanup();
  }
});

test('a renderer that fails is one line and exit 74; the outputs after it are still written (issue 11.11)', async () => {
  const t = tempDir();
  try {
    // A real renderer failure as users meet it: resvg's platform binary cannot be loaded (an unusual libc
    // or architecture, a broken install). The module loader is made to miss it, nothing of ours is replaced.
    const hook = join(t.dir, 'no-resvg-binary.cjs');
    writeFileSync(
      hook,
      "const Module = require('node:module');\nconst resolve = Module._resolveFilename;\nModule._resolveFilename = function (request, ...rest) {\n  if (/^@resvg\\/resvg-js-/.test(request)) throw Object.assign(new Error(`Cannot find module '${request}'`), { code: 'MODULE_NOT_FOUND' });\n  return resolve.call(this, request, ...rest);\n};\n",
    );
    const png = join(t.dir, 'run.png');
    const html = join(t.dir, 'run.html');
    const csv = join(t.dir, 'run.csv');
    const r = await cli(['run', '-i', '0.05', '--no-store', '--plot', png, '--html', html, '--csv', csv, '--', node, '-e', 'setTimeout(() => {}, 200)'], {
      env: { NODE_OPTIONS: `--require ${hook}` },
    });
    assert.equal(r.code, 74, r.stderr);
    const lines = r.stderr.split('\n').filter((l) => l.includes('run.png'));
    assert.equal(lines.length, 1, `one line about the PNG:\n${r.stderr}`);
    assert.match(lines[0]!, /^perfscope: cannot write .*run\.png: /);
    assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace');
    assert.equal(existsSync(png), false, 'no half-written PNG');
    assert.match(readFileSync(html, 'utf8'), /perfscope-data/, 'the HTML after it was written');
    assert.match(readFileSync(csv, 'utf8'), /^timestamp,/, 'the CSV was written');
  } finally {
    t.cleanup();
  }
});

test('outputs are written atomically only to regular files: symlinks through, FIFOs, /dev/stdout and - in place (issue 11.4)', async () => {
  const t = tempDir();
  try {
    const store = await storeWithRun(t.dir);
    // '-' is standard output, not a file named '-'.
    const dash = await cli(['export', '1', '-o', '-'], { store, cwd: t.dir });
    assert.equal(dash.code, 0, dash.stderr);
    assert.equal(JSON.parse(dash.stdout).meta.id, 1);
    const runDash = await cli(['run', '-q', '--no-store', '--json', '-', '--', node, '-e', '0'], { cwd: t.dir });
    assert.equal(JSON.parse(runDash.stdout).meta.format, 'perfscope-run');
    assert.equal(existsSync(join(t.dir, '-')), false);
    // /dev/stdout is written through (root could rename over the device node otherwise).
    const devStdout = await cli(['report', '1', '--svg', '/dev/stdout'], { store });
    assert.equal(devStdout.code, 0, devStdout.stderr);
    assert.match(devStdout.stdout, /^<svg /);
    assert.equal(lstatSync('/dev/stdout').isSymbolicLink(), true, '/dev/stdout is still a link');
    // A symlink is written through: the target gets the content, the link stays a link.
    const target = join(t.dir, 'target.json');
    writeFileSync(target, 'old');
    const link = join(t.dir, 'link.json');
    symlinkSync('target.json', link);
    const viaLink = await cli(['export', '1', '-o', link], { store });
    assert.equal(viaLink.code, 0, viaLink.stderr);
    assert.equal(readlinkSync(link), 'target.json');
    assert.equal(JSON.parse(readFileSync(target, 'utf8')).meta.id, 1);
    // A dangling symlink: the file it names is created.
    const dangling = join(t.dir, 'dangling.csv');
    symlinkSync('made.csv', dangling);
    assert.equal((await cli(['export', '1', '--format', 'csv', '-o', dangling], { store })).code, 0);
    assert.match(readFileSync(join(t.dir, 'made.csv'), 'utf8'), /^timestamp,/);
    assert.equal(lstatSync(dangling).isSymbolicLink(), true);
    // A FIFO with a reader: the reader gets everything, the FIFO stays a FIFO.
    const fifo = join(t.dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const reader = spawn('cat', [fifo], { stdio: ['ignore', 'pipe', 'inherit'] });
    let read = '';
    reader.stdout.on('data', (d: Buffer) => (read += d.toString()));
    const readerDone = new Promise((r) => reader.on('close', r));
    await new Promise((r) => setTimeout(r, 100));
    const viaFifo = await cli(['export', '1', '-o', fifo], { store });
    assert.equal(viaFifo.code, 0, viaFifo.stderr);
    await readerDone;
    assert.equal(JSON.parse(read).meta.id, 1);
    assert.equal(statSync(fifo).isFIFO(), true);
  } finally {
    t.cleanup();
  }
});
