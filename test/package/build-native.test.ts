/**
 * scripts/build-native.js, the install step, in a scratch copy of the package: what it says and records
 * when the tools are missing (test/integration/package.test.ts installs the packed tarball with and
 * without a compiler on PATH, and reads the outcome back through perfscope doctor and the Sampler).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot, tempDir } from '../helpers/cli.js';

function scratch(): { dir: string; bin: string; cleanup(): void } {
  const t = tempDir('perfscope-build-native-');
  // What the package ships for the build (package.json "files"): every source binding.gyp names.
  const gyp = readFileSync(join(repoRoot, 'native/binding.gyp'), 'utf8');
  const sources = [...gyp.matchAll(/"([\w-]+\.c)"/g)].map((m) => `native/${m[1]}`);
  assert.ok(sources.includes('native/ticker.c') && sources.includes('native/proctable.c'), `binding.gyp sources: ${sources.join(', ')}`);
  for (const f of ['scripts/build-native.js', 'native/binding.gyp', ...sources]) cpSync(join(repoRoot, f), join(t.dir, f), { recursive: true });
  cpSync(join(repoRoot, 'package.json'), join(t.dir, 'package.json'));
  // A PATH with node and nothing else: no cc, g++, make or python
  const bin = join(t.dir, 'bin');
  mkdirSync(bin);
  symlinkSync(process.execPath, join(bin, 'node'));
  return { dir: t.dir, bin, cleanup: t.cleanup };
}

test('no compiler on PATH: the build is skipped at once, in words, and the outcome is recorded', () => {
  const s = scratch();
  try {
    const env = { PATH: s.bin, HOME: s.dir };
    const r = spawnSync(process.execPath, ['scripts/build-native.js'], { cwd: s.dir, env, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stderr, /^perfscope: native ticker not built \(no C compiler found \(cc\), no C\+\+ compiler to link with \(g\+\+\), make not found, Python 3 not found \(node-gyp needs it\); on Debian\/Ubuntu: apt-get install gcc g\+\+ make python3, then npm rebuild perfscope\); the JavaScript ticker is used\n$/);
    const status = JSON.parse(readFileSync(join(s.dir, 'native/build-status.json'), 'utf8')) as Record<string, unknown>;
    assert.equal(status.built, false);
    assert.match(String(status.reason), /^no C compiler found \(cc\)/);
    assert.equal(status.node, process.version);
    assert.doesNotMatch(r.stderr, /Error 127|make:/, 'no make or gyp output');

    const ci = spawnSync(process.execPath, ['scripts/build-native.js'], { cwd: s.dir, env: { ...env, PERFSCOPE_NATIVE_REQUIRED: '1' }, encoding: 'utf8' });
    assert.equal(ci.status, 1, 'CI (PERFSCOPE_NATIVE_REQUIRED=1) fails instead');
    assert.match(ci.stderr, /^perfscope: native ticker build failed: no C compiler found/);

    const off = spawnSync(process.execPath, ['scripts/build-native.js'], { cwd: s.dir, env: { ...env, PERFSCOPE_NATIVE: '0' }, encoding: 'utf8' });
    assert.equal(off.status, 0);
    assert.match(off.stderr, /switched off by PERFSCOPE_NATIVE=0/);
  } finally {
    s.cleanup();
  }
});

test('CC names the compiler looked for; a compile error is reported by its first error line', () => {
  const s = scratch();
  try {
    const r = spawnSync(process.execPath, ['scripts/build-native.js'], { cwd: s.dir, env: { PATH: s.bin, HOME: s.dir, CC: 'clang-99 -O2' }, encoding: 'utf8' });
    assert.match(r.stderr, /no C compiler found \(clang-99\)/);
    // With the real tools and a broken source file: the compiler's own error line, not make's.
    const broken = join(s.dir, 'native/ticker.c');
    cpSync(join(repoRoot, 'native/ticker.c'), broken);
    spawnSync('sh', ['-c', `printf 'this is not C;\\n' >> '${broken}'`]);
    const c = spawnSync(process.execPath, ['scripts/build-native.js'], { cwd: s.dir, env: { ...process.env, PERFSCOPE_NATIVE_REQUIRED: '' }, encoding: 'utf8' });
    assert.equal(c.status, 0, c.stderr);
    assert.match(c.stderr, /^perfscope: native ticker not built \(compiling native\/ticker\.c failed: .*ticker\.c:\d+:\d+: error: /);
  } finally {
    s.cleanup();
  }
});
