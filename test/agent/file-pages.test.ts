import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { releasableMappings } from '../../src/agent/file-pages.js';
import { loadNative } from '../../src/sampling/native.js';

/** An smaps entry: the header line and the fields the parser reads (others as the kernel prints them). */
function entry(range: string, perms: string, path: string, f: { rss: number; anon?: number; privDirty?: number; sharedDirty?: number; locked?: number }): string {
  return [
    `${range} ${perms} 00000000 fe:00 260689${path === '' ? '' : `                     ${path}`}`,
    `Size:               1024 kB`,
    `KernelPageSize:        4 kB`,
    `Rss:                ${f.rss} kB`,
    `Pss:                ${f.rss} kB`,
    `Shared_Clean:          0 kB`,
    `Shared_Dirty:       ${f.sharedDirty ?? 0} kB`,
    `Private_Clean:      ${f.rss} kB`,
    `Private_Dirty:      ${f.privDirty ?? 0} kB`,
    `Referenced:         ${f.rss} kB`,
    `Anonymous:          ${f.anon ?? 0} kB`,
    `Locked:             ${f.locked ?? 0} kB`,
    `THPeligible:           0`,
    `VmFlags: rd mr mw me sd`,
  ].join('\n');
}

test('releasableMappings keeps only clean, private, read-only mappings of real files', () => {
  const smaps = [
    entry('00400000-00b6f000', 'r--p', '/usr/bin/node', { rss: 6904 }),
    entry('00b72000-025fe000', 'r-xp', '/usr/bin/node', { rss: 17720 }),
    entry('0563a000-0563e000', 'r--p', '/usr/bin/node', { rss: 16, anon: 16, privDirty: 16 }), // RELRO: relocated, written
    entry('0563e000-0565d000', 'rw-p', '/usr/bin/node', { rss: 120 }), // writable data
    entry('05c5d000-06004000', 'rw-p', '[heap]', { rss: 3584, anon: 3584 }),
    entry('7f0000000000-7f0000100000', 'r--s', '/var/lib/x.db', { rss: 64 }), // shared
    entry('7f0000100000-7f0000200000', 'r--p', '/memfd:jit (deleted)', { rss: 64 }),
    entry('7f0000200000-7f0000300000', 'r--p', '/dev/dri/card0', { rss: 64 }),
    entry('7f0000300000-7f0000400000', 'r--p', '/usr/lib/locked.so', { rss: 64, locked: 64 }),
    entry('7f0000400000-7f0000500000', 'r-xp', '/usr/lib/x86_64-linux-gnu/libc.so.6', { rss: 1040 }),
    entry('7f0000500000-7f0000600000', 'r--p', '/usr/lib/untouched.so', { rss: 0 }),
    entry('7f0000600000-7f0000700000', 'r--p', '/usr/lib/debugged.so', { rss: 8, anon: 4 }), // a breakpoint written in
    entry('7f0000700000-7f0000800000', 'rw-p', '', { rss: 256, anon: 256 }),
    entry('7ffff7fc1000-7ffff7fc5000', 'r--p', '[vvar]', { rss: 0 }),
  ].join('\n');
  assert.deepEqual(releasableMappings(`${smaps}\n`), [
    { start: '00400000', end: '00b6f000', path: '/usr/bin/node', rssKiB: 6904 },
    { start: '00b72000', end: '025fe000', path: '/usr/bin/node', rssKiB: 17720 },
    { start: '7f0000400000', end: '7f0000500000', path: '/usr/lib/x86_64-linux-gnu/libc.so.6', rssKiB: 1040 },
  ]);
  assert.deepEqual(releasableMappings(''), []);
});

// A child process releases its own file pages, then keeps working: the same gzip, regex and JSON results
// as before, its executable's pages mapped back as they are touched.
const child = `
import { readFileSync } from 'node:fs';
import { gzipSync, gunzipSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { releaseFilePages, releasableMappings } from './src/agent/file-pages.ts';
const fileKiB = () => { const t = readFileSync('/proc/self/smaps_rollup', 'utf8'); const kb = (k) => Number(new RegExp('^' + k + ':\\\\s+(\\\\d+)', 'm').exec(t)[1]); return kb('Rss') - kb('Anonymous'); };
const work = () => { const b = Buffer.from(JSON.stringify(Array.from({ length: 5000 }, (_, i) => ({ i, s: 'x'.repeat(i % 17) })))); return createHash('sha256').update(gunzipSync(gzipSync(b))).digest('hex') + /(x+)"\\}\\]$/.exec(b.toString())[1].length + new Date(0).toISOString(); };
const before = work();
const fileBefore = fileKiB();
const r = releaseFilePages();
const fileAfter = fileKiB();
const left = releasableMappings(readFileSync('/proc/self/smaps', 'utf8')).reduce((a, m) => a + m.rssKiB, 0);
const after = work();
process.stdout.write(JSON.stringify({ r, fileBefore, fileAfter, left, same: before === after }));
`;

test('releaseFilePages unmaps a live process\'s clean file pages and the process runs on, unharmed', { skip: loadNative() === null ? 'native addon not built' : false }, () => {
  const p = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', child], { encoding: 'utf8', cwd: new URL('../..', import.meta.url).pathname, timeout: 60_000 });
  assert.equal(p.status, 0, p.stderr);
  const out = JSON.parse(p.stdout) as { r: { bytes: number; mappings: number; error: string | null }; fileBefore: number; fileAfter: number; left: number; same: boolean };
  assert.equal(out.r.error, null);
  assert.ok(out.r.mappings >= 2, `released ${out.r.mappings} mappings`);
  // node's start-up alone maps ~30 MiB of its executable; a loader (tsx) more.
  assert.ok(out.r.bytes > 8 * 2 ** 20, `released ${out.r.bytes} bytes`);
  assert.ok(out.fileAfter < out.fileBefore - 8 * 1024, `file-backed KiB ${out.fileBefore} -> ${out.fileAfter}`);
  // What was released and then touched again (the work) came back; far from all of it.
  assert.ok(out.left < out.r.bytes / 1024 / 2, `${out.left} KiB mapped again of ${out.r.bytes / 1024}`);
  assert.equal(out.same, true, 'the same results after the release');
});

test('releaseFilePages: an unreadable smaps is an error that names the file, and nothing is released', { skip: loadNative() === null ? 'native addon not built' : false }, async () => {
  const { releaseFilePages } = await import('../../src/agent/file-pages.js');
  const r = releaseFilePages('/nonexistent/smaps');
  assert.equal(r?.bytes, 0);
  assert.equal(r?.mappings, 0);
  assert.match(r?.error ?? '', /reading \/nonexistent\/smaps: ENOENT/);
});
