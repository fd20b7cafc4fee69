/**
 * Every code sample of README.md and docs/*.md, extracted and checked as a user would use it, so the
 * docs cannot rot (test/examples.test.ts does the same for examples/):
 * - JavaScript and TypeScript: all type-checked together (tsc strict, module nodenext), and run with
 *   Node (TypeScript through tsx) unless marked `typecheck` (a server that would not end, a PID to
 *   attach to, a long run); a run must exit 0.
 * - Shell: every `perfscope` command line must name a real command and only flags its --help lists;
 *   blocks marked `run` are run by bash.
 * - JSON (also one object per line), JSONC; PromQL through `promtool check rules`; Prometheus
 *   configuration through `promtool check config`.
 * A sample's mode is an HTML comment just above its fence, invisible on GitHub and npm:
 *   <!-- sample: typecheck (why) -->         type-check only
 *   <!-- sample: run -->                     (shell) run it
 *   <!-- sample: skip (why) -->              nothing here can run it (e.g. a Dockerfile): listed as skipped
 *   <!-- sample: prometheus-config -->       (yaml) promtool check config
 *   <!-- sample: prometheus-rules -->        (yaml) promtool check rules
 *   <!-- sample: nestjs (why) -->            type-checked as a NestJS 11 project compiles it (CommonJS,
 *                                            experimentalDecorators); the package test also runs it
 * Lines after the first, up to `-->`, are prepended to the sample unseen: declarations a fragment
 * assumes (`declare const req: Request;`). Samples run in a scratch directory inside the repository
 * (so `perfscope` resolves to this package's dist/ by name) that holds `app.js`, a two-second workload,
 * for samples that start `node app.js`, and `app_performance.log` (examples/logs-analyze's sample log).
 * A group command (`perfscope logs`) is checked with its subcommand's --help.
 */
import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { bin, repoRoot } from './helpers/cli.js';
import { extractSamples, nestCompilerOptions, type Sample } from './helpers/doc-samples.js';

const jsLangs = new Set(['js', 'javascript', 'mjs', 'cjs', 'ts', 'typescript']);
const shellLangs = new Set(['sh', 'bash', 'shell']);
/** Fences that show output or text rather than code to run. */
const textLangs = new Set(['', 'text', 'console', 'log']);

const docFiles = ['README.md', ...readdirSync(join(repoRoot, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`)];
const samples = docFiles.flatMap((f) => extractSamples(f, readFileSync(join(repoRoot, f), 'utf8')));
const built = existsSync(join(repoRoot, 'dist/index.js'));

mkdirSync(join(repoRoot, '.scratch'), { recursive: true });
const sandbox = mkdtempSync(join(repoRoot, '.scratch', 'doc-samples-'));
after(() => rmSync(sandbox, { recursive: true, force: true }));
writeFileSync(
  join(sandbox, 'app.js'),
  "// the workload doc samples start: two seconds of CPU in bursts, some memory, then exit\nconst keep = [];\nconst end = Date.now() + 2000;\nwhile (Date.now() < end) { keep.push(Buffer.alloc(1 << 16)); const t = Date.now() + 20; while (Date.now() < t); }\nconsole.log(`app: done (${keep.length} buffers)`);\n",
);

// and the sample performance log of examples/logs-analyze, unpacked, for samples that read `app_performance.log`
writeFileSync(join(sandbox, 'app_performance.log'), gunzipSync(readFileSync(join(repoRoot, 'examples/logs-analyze/app_performance.log.gz'))));

const label = (s: Sample): string => `${s.file}:${s.line} (${s.lang || 'text'}${s.mode ? `, ${s.mode}` : ''})`;
const isCommonJs = (code: string): boolean => /\brequire\(/.test(code) && !/^\s*(import|export)\s/m.test(code);

function fileName(s: Sample, i: number): string {
  const base = `${s.file.replace(/[^\w]+/g, '_')}_${s.line}_${i}`;
  if (s.lang === 'ts' || s.lang === 'typescript') return `${base}.ts`;
  return isCommonJs(s.code) ? `${base}.cjs` : `${base}.mjs`;
}

// `perfscope` resolves by name from the scratch directory (also for CommonJS subdirectories).
mkdirSync(join(sandbox, 'node_modules'));
symlinkSync(repoRoot, join(sandbox, 'node_modules', 'perfscope'));

const nestSamples = samples.filter((s) => s.mode === 'nestjs');
mkdirSync(join(sandbox, 'nest'));
writeFileSync(join(sandbox, 'nest', 'package.json'), '{ "type": "commonjs" }\n');
const nestFiles = nestSamples.map((s, i) => {
  const name = `nest/${s.file.replace(/[^\w]+/g, '_')}_${s.line}_${i}.ts`;
  writeFileSync(join(sandbox, name), `${s.prelude ? `${s.prelude}\n` : ''}${s.code}\n`);
  return name;
});

const jsSamples = samples.filter((s) => jsLangs.has(s.lang) && !['skip', 'nestjs'].includes(s.mode));
const jsFiles = jsSamples.map((s, i) => {
  const name = fileName(s, i);
  writeFileSync(join(sandbox, name), `${s.prelude ? `${s.prelude}\n` : ''}${s.code}\n`);
  return name;
});

test('every fence is a sample this test knows how to check', () => {
  const known = (s: Sample): boolean =>
    jsLangs.has(s.lang) || shellLangs.has(s.lang) || textLangs.has(s.lang) || ['json', 'jsonc', 'promql'].includes(s.lang) || ['skip', 'prometheus-config', 'prometheus-rules'].includes(s.mode);
  assert.deepEqual(samples.filter((s) => s.mode === 'nestjs' && !['ts', 'typescript'].includes(s.lang)).map(label), [], 'nestjs samples are TypeScript');
  assert.deepEqual(samples.filter((s) => !known(s)).map(label), [], 'add a <!-- sample: ... --> marker or a checker');
  assert.deepEqual(samples.filter((s) => s.mode === 'skip' && !s.reason).map(label), [], 'a skipped sample says why');
  assert.ok(jsSamples.length >= 10, `${jsSamples.length} JavaScript/TypeScript samples`);
});

test('JavaScript and TypeScript samples type-check (strict, module nodenext)', { skip: built ? false : 'run npm run build first' }, () => {
  const tsconfig = {
    compilerOptions: {
      target: 'es2022',
      lib: ['es2023', 'dom'],
      module: 'nodenext',
      moduleResolution: 'nodenext',
      moduleDetection: 'force',
      strict: true,
      allowJs: true,
      checkJs: true,
      noEmit: true,
      skipLibCheck: true,
      types: ['node'],
    },
    files: jsFiles,
  };
  writeFileSync(join(sandbox, 'tsconfig.json'), JSON.stringify(tsconfig, null, 2));
  const r = spawnSync(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.json'], { cwd: sandbox, encoding: 'utf8' });
  // Name the sample (doc and line) instead of the scratch file in each error.
  const named = r.stdout.replace(/^(\S+?)\((\d+),\d+\)/gm, (m, f: string, line: string) => {
    const i = jsFiles.indexOf(f);
    return i < 0 ? m : `${jsSamples[i]!.file}:${jsSamples[i]!.line + Number(line) - (jsSamples[i]!.prelude ? jsSamples[i]!.prelude.split('\n').length : 0)}`;
  });
  assert.equal(r.status, 0, named);
});

test('NestJS samples type-check with the compiler options of a NestJS 11 project', { skip: built ? false : 'run npm run build first' }, () => {
  assert.ok(nestFiles.length > 0, 'docs/nestjs.md has its sample');
  writeFileSync(join(sandbox, 'tsconfig.nest.json'), JSON.stringify({ compilerOptions: { ...nestCompilerOptions, noEmit: true, types: ['node'] }, files: nestFiles }, null, 2));
  const r = spawnSync(process.execPath, [join(repoRoot, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.nest.json'], { cwd: sandbox, encoding: 'utf8' });
  assert.equal(r.status, 0, `${nestSamples.map(label).join(', ')}:\n${r.stdout}`);
});

describe('samples run', { skip: built ? false : 'run npm run build first' }, () => {
  jsSamples.forEach((s, i) => {
    if (s.mode === 'typecheck') {
      test(`${label(s)}: type-checked only: ${s.reason}`, () => assert.ok(s.reason, 'a typecheck-only sample says why it is not run'));
      return;
    }
    test(label(s), { timeout: 120_000 }, () => {
      const file = jsFiles[i]!;
      const args = file.endsWith('.ts') ? ['--import', 'tsx', file] : [file];
      const r = spawnSync(process.execPath, args, { cwd: sandbox, encoding: 'utf8', timeout: 90_000, env: { ...process.env, PERFSCOPE_STORE: join(sandbox, 'runs.db') } });
      assert.equal(r.status, 0, `exit ${r.status} ${r.signal ?? ''}\n${r.stdout}\n${r.stderr}`);
    });
  });
});

/** `perfscope CMD [SUBCOMMAND] --help` of the built CLI, once per command. */
const helpOf = new Map<string, string>();
function help(...command: string[]): string {
  const key = command.join(' ');
  let text = helpOf.get(key);
  if (text === undefined) {
    const r = spawnSync(process.execPath, [bin, ...command, '--help'], { encoding: 'utf8' });
    text = r.status === 0 ? r.stdout : '';
    helpOf.set(key, text);
  }
  return text;
}

/** The subcommands a group command (`perfscope logs`) lists in its --help, none for the others. */
function subcommandsOf(command: string): Set<string> {
  const text = help(command);
  const list = /^Subcommands:\n((?: {2}\S.*\n?)+)/m.exec(text)?.[1] ?? '';
  return new Set([...list.matchAll(/^ {2}(\S+)/gm)].map((m) => m[1]!));
}

/** Shell words of one command line (quotes kept together; $(...) as one word). */
function words(line: string): string[] {
  return [...line.matchAll(/"(?:[^"\\]|\\.)*"|'[^']*'|\$\([^)]*\)|\S+/g)].map((m) => m[0]);
}

describe('shell samples', { skip: built ? false : 'run npm run build first' }, () => {
  for (const s of samples.filter((x) => shellLangs.has(x.lang))) {
    test(`${label(s)}: perfscope commands and flags exist`, () => {
      const logical = s.code.replace(/\\\n\s*/g, ' ').split('\n');
      for (const raw of logical) {
        const line = raw.replace(/(^|\s)#.*$/, '').trim();
        for (const part of line.split(/&&|\|\||;|\|/)) {
          const w = words(part.trim());
          const at = w[0] === 'npx' && w[1] === 'perfscope' ? 2 : w[0] === 'perfscope' ? 1 : -1;
          if (at < 0) continue;
          let command = w[at]!;
          if (command === '--version' || command === '--help' || command === '-V') continue;
          let text = help(command);
          assert.ok(text, `${s.file}:${s.line}: 'perfscope ${command}' is not a command`);
          let first = at + 1;
          const subcommands = subcommandsOf(command);
          if (subcommands.size > 0) {
            const sub = w[first];
            assert.ok(sub !== undefined && subcommands.has(sub), `${s.file}:${s.line}: 'perfscope ${command}' needs one of its subcommands (${[...subcommands].join(', ')}), not '${sub ?? ''}'`);
            text = help(command, sub);
            assert.ok(text, `${s.file}:${s.line}: 'perfscope ${command} ${sub}' has no --help`);
            command = `${command} ${sub}`;
            first++;
          }
          for (const word of w.slice(first)) {
            if (word === '--') break;
            const flag = /^(--?[\w-]+)/.exec(word)?.[1];
            if (flag === undefined) continue;
            assert.ok(new RegExp(`(^|[\\s,])${flag.replace(/[-]/g, '\\-')}([\\s,=]|$)`, 'm').test(text), `${s.file}:${s.line}: 'perfscope ${command} ${flag}' is not in its --help`);
          }
        }
      }
    });
    if (s.mode === 'run') {
      test(`${label(s)}: runs`, { timeout: 180_000 }, () => {
        const env = { ...process.env, PATH: `${join(repoRoot, 'node_modules/.bin')}:${process.env.PATH}`, PERFSCOPE_STORE: join(sandbox, 'runs.db') };
        const r = spawnSync('bash', ['-euo', 'pipefail', '-c', `${s.prelude}\n${s.code}`], { cwd: sandbox, env, encoding: 'utf8', timeout: 150_000 });
        assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
      });
    }
  }
});

describe('data samples', () => {
  for (const s of samples.filter((x) => x.lang === 'json' || x.lang === 'jsonc')) {
    test(`${label(s)} parses`, () => {
      const text = s.lang === 'jsonc' ? s.code.replace(/(^|[^:"])\/\/.*$/gm, '$1').replace(/,(\s*[}\]])/g, '$1') : s.code;
      try {
        JSON.parse(text);
      } catch {
        // one object per line (ndjson)
        for (const line of text.split('\n').filter((l) => l.trim())) JSON.parse(line);
      }
    });
  }
  const promtool = spawnSync('promtool', ['--version']).status === 0;
  for (const s of samples.filter((x) => x.lang === 'promql')) {
    test(`${label(s)}: promtool check rules`, { skip: promtool ? false : 'promtool is not installed (.ci/run installs it)' }, () => {
      // One expression per unindented line; indented lines continue the one above.
      const exprs = s.code.split('\n').reduce<string[]>((acc, l) => {
        if (!l.trim() || l.trim().startsWith('#')) return acc;
        if (/^\s/.test(l) && acc.length > 0) acc[acc.length - 1] += ` ${l.trim()}`;
        else acc.push(l.trim());
        return acc;
      }, []);
      const rules = { groups: [{ name: 'docs', rules: exprs.map((expr, i) => ({ record: `docs:sample_${i}`, expr })) }] };
      const file = join(sandbox, `rules-${s.line}.yml`);
      writeFileSync(file, JSON.stringify(rules)); // JSON is YAML
      const r = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
      assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
    });
  }
  for (const s of samples.filter((x) => x.mode === 'prometheus-config')) {
    test(`${label(s)}: promtool check config`, { skip: promtool ? false : 'promtool is not installed (.ci/run installs it)' }, () => {
      const file = join(sandbox, `prometheus-${s.line}.yml`);
      writeFileSync(file, s.code);
      const r = spawnSync('promtool', ['check', 'config', '--syntax-only', file], { encoding: 'utf8' });
      assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
    });
  }
  for (const s of samples.filter((x) => x.mode === 'prometheus-rules')) {
    test(`${label(s)}: promtool check rules`, { skip: promtool ? false : 'promtool is not installed (.ci/run installs it)' }, () => {
      const file = join(sandbox, `rules-${s.line}.yml`);
      writeFileSync(file, s.code);
      const r = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
      assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
    });
  }
  test('docs/grafana/perfscope-node.json: valid PromQL over metrics perfscope exports', { skip: promtool && built ? false : 'needs promtool and npm run build' }, () => {
    const dashboard = JSON.parse(readFileSync(join(repoRoot, 'docs/grafana/perfscope-node.json'), 'utf8')) as {
      panels: { title: string; targets: { expr: string }[] }[];
      templating: { list: { query: { query: string } }[] };
    };
    const exprs = dashboard.panels.flatMap((p) => p.targets.map((t) => t.expr.replace(/\$__rate_interval/g, '5m')));
    assert.ok(exprs.length >= 10);
    const file = join(sandbox, 'dashboard-rules.yml');
    writeFileSync(file, JSON.stringify({ groups: [{ name: 'dashboard', rules: exprs.map((expr, i) => ({ record: `dashboard:q${i}`, expr })) }] }));
    const check = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
    assert.equal(check.status, 0, `${check.stdout}${check.stderr}`);
    // The series the queries select exist: default metrics, the HTTP metrics of docs/express-fastify.md, a timed() function.
    const script = `
      import { Counter, Histogram, collectDefaultMetrics, register, timed } from 'perfscope';
      collectDefaultMetrics();
      new Counter({ name: 'http_requests_total', help: 'h', labelNames: ['method', 'route', 'code'] }).inc({ method: 'GET', route: '/', code: 200 });
      new Histogram({ name: 'http_request_duration_seconds', help: 'h', labelNames: ['method', 'route'] }).observe({ method: 'GET', route: '/' }, 0.1);
      timed(function work() {})();
      globalThis.gc();                                  // nodejs_gc_duration_seconds has series once a GC ran
      await new Promise((r) => setTimeout(r, 100));
      process.stdout.write(await register.metrics());`;
    writeFileSync(join(sandbox, 'exposition.mjs'), script);
    const r = spawnSync(process.execPath, ['--expose-gc', 'exposition.mjs'], { cwd: sandbox, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const series = new Set(r.stdout.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => /^[\w:]+/.exec(l)![0]));
    const queries = [...exprs, ...dashboard.templating.list.map((v) => v.query.query)];
    const named = [...new Set(queries.flatMap((q) => [...q.matchAll(/([a-z_:][a-z0-9_:]*)\{/g)].map((m) => m[1]!)))];
    assert.ok(named.length >= 10);
    assert.deepEqual(named.filter((n) => !series.has(n)), [], 'series a dashboard query selects that perfscope does not export');
  });
  for (const s of samples.filter((x) => x.mode === 'skip')) {
    test(`${label(s)}: not run here: ${s.reason}`, () => assert.ok(s.reason));
  }
});

