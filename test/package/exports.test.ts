/**
 * The package's entry points as the built dist/ serves them (package.json "exports", resolved by name
 * from inside the package): every subpath from require() and import, one instance of every module,
 * one API per entry point, declarations for both. test/integration/package.test.ts does the same from
 * an installed tarball on Node 20, 22 and 24, with type checks under every module setting.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../helpers/cli.js';

const built = existsSync(join(repoRoot, 'dist/index.cjs'));
const skip = built ? false : 'run npm run build first';
const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  name: string;
  exports: Record<string, { import: { types: string; default: string }; require: { types: string; default: string } } | string>;
  typesVersions: Record<string, Record<string, string[]>>;
  types: string;
};
const subpaths = Object.keys(pkg.exports).filter((s) => s !== './package.json');
const specifier = (subpath: string): string => (subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`);

/** Runs a CommonJS script in the package directory (so `require('perfscope')` resolves to dist/). */
function cjs(script: string, flags: string[] = []): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, [...flags, '-e', script], { cwd: repoRoot, encoding: 'utf8' });
}

function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

test('every entry point loads from require() and import, as the same module instance', { skip }, () => {
  const r = cjs(`
    const specs = ${JSON.stringify(subpaths.map(specifier))};
    (async () => {
      const out = {};
      for (const spec of specs) {
        const required = require(spec);
        const ns = await import(spec);
        out[spec] = required === ns ? 'namespace' : required === ns.default ? 'default' : 'different';
      }
      console.log(JSON.stringify(out));
    })();`);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stderr, '', 'no warning (require(esm) is silent from Node 20.19 on)');
  const expected = Object.fromEntries(subpaths.map((s) => [specifier(s), s === './prom-client' ? 'default' : 'namespace']));
  assert.deepEqual(JSON.parse(r.stdout), expected);
});

test('one default registry: a metric a CommonJS library registers is in the ESM app\'s exposition', { skip }, () => {
  const r = cjs(`
    const lib = require('perfscope/prom-client');
    new lib.Counter({ name: 'cjs_library_total', help: 'registered from CommonJS' }).inc(3);
    (async () => {
      const esm = await import('perfscope');
      const registries = [require('perfscope').register, require('perfscope/metrics').register, lib.register,
        (await import('perfscope/prom-client')).default.register, (await import('perfscope/metrics')).register];
      if (!registries.every((r) => r === esm.register)) throw new Error('more than one default registry');
      process.stdout.write(await esm.register.metrics());
    })();`);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^cjs_library_total 3$/m);
});

test('perfscope/metrics: one API from require() and import, the metrics layer and its server', { skip }, () => {
  const r = cjs(`
    (async () => {
      const keys = (o) => Object.keys(o).filter((k) => k !== 'default' && k !== '__esModule').sort();
      console.log(JSON.stringify({
        cjs: keys(require('perfscope/metrics')),
        esm: keys(await import('perfscope/metrics')),
        layer: keys(await import('./dist/metrics/index.js')),
      }));
    })();`);
  assert.equal(r.status, 0, r.stderr);
  const { cjs: fromRequire, esm, layer } = JSON.parse(r.stdout) as Record<string, string[]>;
  assert.deepEqual(fromRequire, esm);
  assert.deepEqual(layer!.filter((k) => !esm!.includes(k)), [], 'everything src/metrics/index.ts exports');
  for (const name of ['startMetricsServer', 'metricsHandler', 'negotiate', 'Counter', 'register']) assert.ok(esm!.includes(name), name);
});

test('require() on a Node without require(esm) says which versions it needs', { skip }, () => {
  // --no-experimental-require-module turns require(esm) off, as on Node 20.18 or 22.11.
  const r = cjs("require('perfscope')", ['--no-experimental-require-module']);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /perfscope needs Node 20\.19\+, 22\.12\+ or 24 to be loaded with require\(\) \(this is Node v[\d.]+\); upgrade Node, or use import/);
});

test('declarations for both: a .d.cts beside every .d.ts, specifiers to .cjs, typesVersions for node10; no source maps', { skip }, () => {
  const files = walk(join(repoRoot, 'dist'));
  const dts = files.filter((f) => f.endsWith('.d.ts'));
  assert.ok(dts.length > 50);
  for (const f of dts) {
    const cts = f.replace(/\.d\.ts$/, '.d.cts');
    assert.ok(existsSync(cts), cts);
    assert.doesNotMatch(readFileSync(cts, 'utf8'), /from ['"]\.{1,2}\/[^'"]*\.js['"]/, `${cts} imports .js declarations`);
  }
  assert.deepEqual(files.filter((f) => f.endsWith('.map')), []);
  // require('perfscope/prom-client') is the facade object itself: no `default` in its CommonJS types
  assert.doesNotMatch(readFileSync(join(repoRoot, 'dist/metrics/prom-client.d.cts'), 'utf8'), /^export default/m);
  assert.match(readFileSync(join(repoRoot, 'dist/metrics/prom-client.d.ts'), 'utf8'), /^export default/m);
  for (const s of subpaths) {
    const target = pkg.exports[s];
    assert.ok(typeof target === 'object');
    for (const file of [target.import.types, target.import.default, target.require.types, target.require.default]) assert.ok(existsSync(join(repoRoot, file)), file);
    assert.equal(s === '.' ? pkg.types : pkg.typesVersions['*']![s.slice(2)]![0], target.require.types, `node10 types of ${s}`);
  }
});
