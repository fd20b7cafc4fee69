#!/usr/bin/env node
/**
 * Builds perfscope's optional native ticker (native/ticker.c, N-API) with the node-gyp that ships with
 * npm; runs on `npm install` / `npm ci`. It needs a C compiler, make and Python. Without them the
 * build is skipped with one line on stderr and everything works on the JavaScript ticker
 * (`SamplerOptions.native`; README, "In code"). PERFSCOPE_NATIVE_REQUIRED=1 (CI) makes a failed build
 * an error; PERFSCOPE_NATIVE=0 skips the build.
 *
 * Usage: node scripts/build-native.js
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const required = process.env.PERFSCOPE_NATIVE_REQUIRED === '1';

function skip(reason) {
  if (required) {
    process.stderr.write(`perfscope: native ticker build failed: ${reason}\n`);
    process.exit(1);
  }
  process.stderr.write(`perfscope: native ticker not built (${reason}); the JavaScript ticker is used\n`);
  process.exit(0);
}

if (process.env.PERFSCOPE_NATIVE === '0') skip('PERFSCOPE_NATIVE=0');
if (process.platform !== 'linux') skip(`${process.platform} is not Linux`);

/** npm sets npm_config_node_gyp for lifecycle scripts; otherwise the node-gyp bundled with this node's npm. */
const candidates = [
  process.env.npm_config_node_gyp,
  join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
].filter((p) => typeof p === 'string' && p.length > 0);
const nodeGyp = candidates.find((p) => existsSync(p));
if (!nodeGyp) skip('node-gyp not found (it ships with npm)');

// Headers: npm's nodedir when set, else the running node's own (its prefix has include/node), so the
// build works offline; node-gyp would otherwise download them.
const args = [nodeGyp, 'rebuild', '--release', '--directory', join(root, 'native')];
const prefix = join(dirname(process.execPath), '..');
if (!process.env.npm_config_nodedir && existsSync(join(prefix, 'include', 'node', 'node_api.h'))) args.push(`--nodedir=${prefix}`);
const result = spawnSync(process.execPath, args, {
  stdio: ['ignore', 'pipe', 'pipe'],
  encoding: 'utf8',
});
if (result.status !== 0) {
  const lines = `${result.stderr ?? ''}${result.stdout ?? ''}`.split('\n').filter((l) => /error|not found/i.test(l));
  if (required) process.stderr.write(`${result.stdout}${result.stderr}`);
  skip(lines[0]?.trim() || `node-gyp exited with ${result.status ?? result.signal}`);
}
