#!/usr/bin/env node
/**
 * Builds perfscope's optional native ticker (native/ticker.c, N-API) with the node-gyp that ships with
 * npm; runs on `npm install` / `npm ci`. It needs a C compiler (cc), a C++ compiler to link (g++: node-gyp
 * links with it), make and Python 3. Those are looked up first: when one is missing the build is skipped
 * at once (a missing compiler costs milliseconds, not a failed install) and everything works on the
 * JavaScript ticker.
 *
 * npm hides this script's output, so the outcome is also written to native/build-status.json, which
 * `perfscope doctor` prints and the Sampler names on first use of the native engine
 * (src/sampling/native-build.ts). PERFSCOPE_NATIVE_REQUIRED=1 (CI) makes a failed build an error;
 * PERFSCOPE_NATIVE=0 skips the build.
 *
 * Usage: node scripts/build-native.js
 */
import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, writeFileSync } from 'node:fs';
import { delimiter, dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const statusFile = join(root, 'native', 'build-status.json');
const required = process.env.PERFSCOPE_NATIVE_REQUIRED === '1';
const started = performance.now();

function record(built, reason) {
  const status = {
    built,
    reason,
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
    at: new Date().toISOString(),
    durationMs: Math.round(performance.now() - started),
  };
  try {
    writeFileSync(statusFile, `${JSON.stringify(status, null, 2)}\n`);
  } catch {
    // A read-only install directory: the runtime then says only that the addon is missing.
  }
}

function skip(reason) {
  record(false, reason);
  if (required) {
    process.stderr.write(`perfscope: native ticker build failed: ${reason}\n`);
    process.exit(1);
  }
  process.stderr.write(`perfscope: native ticker not built (${reason}); the JavaScript ticker is used\n`);
  process.exit(0);
}

/** The path of an executable named `name` (or an absolute path) on PATH, or null. */
function which(name) {
  if (!name) return null;
  const candidates = isAbsolute(name) ? [name] : (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((d) => join(d, name));
  for (const c of candidates) {
    try {
      accessSync(c, constants.X_OK);
      return c;
    } catch {
      // not here
    }
  }
  return null;
}

/** The first word of a command variable such as CC="ccache gcc -m64" is what must exist (here: ccache). */
const commandOf = (value) => value?.trim().split(/\s+/)[0] || undefined;

if (process.env.PERFSCOPE_NATIVE === '0') skip('switched off by PERFSCOPE_NATIVE=0');
if (process.platform !== 'linux') skip(`${process.platform} is not Linux`);

// What node-gyp's Makefile runs: $(CC) or cc to compile, $(CXX) or g++ to link, make, and python to configure.
const cc = commandOf(process.env.CC) ?? 'cc';
const cxx = commandOf(process.env.CXX) ?? 'g++';
const python = [process.env.npm_config_python, process.env.PYTHON, 'python3', 'python'].find((p) => p && which(p));
const missing = [
  which(cc) ? null : `no C compiler found (${cc})`,
  which(cxx) ? null : `no C++ compiler to link with (${cxx})`,
  which('make') ? null : 'make not found',
  python ? null : 'Python 3 not found (node-gyp needs it)',
].filter(Boolean);
if (missing.length > 0) skip(`${missing.join(', ')}; on Debian/Ubuntu: apt-get install gcc g++ make python3, then npm rebuild perfscope`);

/** npm sets npm_config_node_gyp for lifecycle scripts; otherwise the node-gyp bundled with this node's npm. */
const nodeGyp = [
  process.env.npm_config_node_gyp,
  join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
].find((p) => typeof p === 'string' && p.length > 0 && existsSync(p));
if (!nodeGyp) skip('node-gyp not found (it ships with npm)');

// Headers: npm's nodedir when set, else the running node's own (its prefix has include/node), so the
// build works offline; node-gyp would otherwise download them from nodejs.org.
const args = [nodeGyp, 'rebuild', '--release', '--directory', join(root, 'native')];
const prefix = join(dirname(process.execPath), '..');
if (!process.env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
if (python) args.push(`--python=${python}`);
const result = spawnSync(process.execPath, args, {
  stdio: ['ignore', 'pipe', 'pipe'],
  encoding: 'utf8',
  // A header download that cannot reach nodejs.org must not hold the install for long.
  timeout: 300_000,
});
if (result.status !== 0) {
  const output = `${result.stderr ?? ''}${result.stdout ?? ''}`;
  if (required) process.stderr.write(output);
  const firstError = output.split('\n').find((l) => /\berror\b|not found/i.test(l) && !/^gyp (ERR|info)/.test(l));
  const why = result.error?.code === 'ETIMEDOUT' ? 'node-gyp did not finish in 300 s (downloading Node headers?)' : firstError?.trim();
  skip(`compiling native/ticker.c failed: ${why || `node-gyp exited with ${result.status ?? result.signal}`}`);
}
record(true, null);
