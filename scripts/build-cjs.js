#!/usr/bin/env node
/**
 * The CommonJS face of every entry point, written after `tsc -p tsconfig.build.json` has compiled the
 * ES modules into dist/. perfscope is one set of ES modules: `require('perfscope...')` loads those very
 * modules through Node's require(esm) (unflagged in Node 20.19+, 22.12+ and 24), so CommonJS and ESM
 * callers share one instance of every module, one default registry included (no dual-package hazard).
 *
 * For each subpath of package.json "exports" (the single list of entry points):
 *   "import":  { "types": "./dist/X.d.ts",  "default": "./dist/X.js" }    compiled by tsc
 *   "require": { "types": "./dist/X.d.cts", "default": "./dist/X.cjs" }   written here:
 *     dist/X.cjs    `module.exports = require('./X.js')`, with a clear error on a Node without require(esm);
 *                   for the entries in `defaultIsModuleExports`, the default export instead (prom-client's shape)
 *     dist/**.d.cts every declaration file once more, with relative specifiers `.js` -> `.cjs`: the same
 *                   types, read by TypeScript as CommonJS (node16/nodenext in a CommonJS project would
 *                   otherwise refuse the ESM declarations with TS1479)
 * and "typesVersions" maps the subpath to the .d.cts for `moduleResolution: node10`, which ignores "exports".
 * The map is checked: a subpath missing a condition, a file or its typesVersions line fails the build
 * with a line saying what to add. Adding a subpath: docs/packaging.md.
 *
 * Usage: node scripts/build-cjs.js   (part of `npm run build`)
 */
import { readFileSync, readdirSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');

/** Entries whose CommonJS module.exports is the ES module's default export rather than its namespace. */
const defaultIsModuleExports = new Set([
  // require('perfscope/prom-client') returns what require('prom-client') returns: the facade object
  './prom-client',
]);

const problems = [];

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

// 1. CommonJS-flavoured declarations, next to the ESM ones.
const relativeJs = /((?:from\s+|import\s*\(\s*)(['"]))(\.{1,2}\/[^'"]*?)\.js\2/g;
const declarations = new Map();
for (const file of walk(dist).filter((f) => f.endsWith('.d.ts'))) {
  const text = readFileSync(file, 'utf8').replace(relativeJs, '$1$3.cjs$2');
  declarations.set(file.replace(/\.d\.ts$/, '.d.cts'), text);
}

// 2. The require() entry points, from the exports map.
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const typesVersions = pkg.typesVersions?.['*'] ?? {};
for (const [subpath, target] of Object.entries(pkg.exports)) {
  if (subpath === './package.json') continue;
  const esm = target?.import;
  const cjs = target?.require;
  if (!esm?.types || !esm?.default || !cjs?.types || !cjs?.default) {
    problems.push(`exports["${subpath}"] needs "import": { "types", "default" } and "require": { "types", "default" }`);
    continue;
  }
  const esmFile = join(root, esm.default);
  const cjsFile = join(root, cjs.default);
  if (!existsSync(esmFile)) problems.push(`exports["${subpath}"].import: ${esm.default} was not built (is its source under src/?)`);
  if (cjs.default !== esm.default.replace(/\.js$/, '.cjs') || cjs.types !== esm.types.replace(/\.d\.ts$/, '.d.cts')) {
    problems.push(`exports["${subpath}"].require must be { "types": "${esm.types.replace(/\.d\.ts$/, '.d.cts')}", "default": "${esm.default.replace(/\.js$/, '.cjs')}" }`);
    continue;
  }
  const node10 = subpath === '.' ? pkg.types : typesVersions[subpath.slice(2)]?.[0];
  if (node10 !== cjs.types) {
    problems.push(
      subpath === '.'
        ? `"types" must be "${cjs.types}" (moduleResolution node10)`
        : `typesVersions["*"]["${subpath.slice(2)}"] must be ["${cjs.types}"] (moduleResolution node10 ignores "exports")`,
    );
  }
  const unwrap = defaultIsModuleExports.has(subpath);
  const dts = join(root, cjs.types);
  if (unwrap && declarations.has(dts)) {
    // module.exports is the default object itself, so the CommonJS types have no `default`: its
    // properties are the named exports (prom-client's own typings have the same shape).
    declarations.set(dts, declarations.get(dts).replace(/^export default [^;]+;\n/m, ''));
  }
  const from = `./${basename(esmFile)}`;
  writeFileSync(
    cjsFile,
    `'use strict';
// require('${subpath === '.' ? pkg.name : `${pkg.name}/${subpath.slice(2)}`}'): the ES module ${relative(root, esmFile)} itself, through Node's require(esm),
// so require() and import share one instance (written by scripts/build-cjs.js).
let m;
try {
  m = require('${from}');
} catch (err) {
  if (err && err.code === 'ERR_REQUIRE_ESM') {
    throw new Error(\`${pkg.name} needs Node 20.19+, 22.12+ or 24 to be loaded with require() (this is Node \${process.version}); upgrade Node, or use import\`, { cause: err });
  }
  throw err;
}
module.exports = ${unwrap ? 'm.default' : 'm'};
`,
  );
}

for (const [file, text] of declarations) writeFileSync(file, text);

if (problems.length > 0) {
  for (const p of problems) process.stderr.write(`build-cjs: ${p}\n`);
  process.exit(1);
}
