/**
 * Legacy (`experimentalDecorators`) method decorators, compiled for real, three ways:
 *   1. tsx/esbuild with test/timing/legacy/tsconfig.json (TSX_TSCONFIG_PATH), in a child process;
 *   2. TypeScript's own emit (`ts.transpileModule` with experimentalDecorators + emitDecoratorMetadata,
 *      the `__decorate`/`__metadata` helpers NestJS apps run), in a child process;
 *   3. `tsc -p test/timing/legacy/tsconfig.json`: the decorator types check in legacy mode.
 * The same fixture also runs with standard decorators (no tsconfig override) as a control.
 * The hand-called protocol is covered in timed.test.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import ts from 'typescript';
import { repoRoot } from '../helpers/cli.js';

const run = promisify(execFile);
const fixture = join(repoRoot, 'test/timing/legacy/nest-like.ts');
const expected = {
  results: ['user-7', ['user-1', 'user-2'], 'findOne', 'same error'],
  counts: {
    'UsersService.create|success': 1,
    'UsersService.findOne|success': 3,
    'users.findAll|success': 1,
    'UsersService.remove|error': 1,
  },
};

async function runFixture(file: string, env: NodeJS.ProcessEnv = {}): Promise<{ protocol: string }> {
  const { stdout } = await run(process.execPath, ['--import', 'tsx', file], { cwd: repoRoot, env: { ...process.env, ...env } });
  return JSON.parse(stdout) as { protocol: string };
}

test('legacy decorators through tsx with experimentalDecorators (TSX_TSCONFIG_PATH)', async () => {
  const out = await runFixture(fixture, { TSX_TSCONFIG_PATH: join(repoRoot, 'test/timing/legacy/tsconfig.json') });
  assert.deepEqual(out, { protocol: 'legacy', ...expected });
});

test('legacy decorators as TypeScript emits them (__decorate, emitDecoratorMetadata)', async () => {
  const source = readFileSync(fixture, 'utf8').replace(
    "'../../../src/index.js'",
    JSON.stringify(pathToFileURL(join(repoRoot, 'src/index.ts')).href),
  );
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: {
      experimentalDecorators: true,
      emitDecoratorMetadata: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.ESNext,
    },
  });
  assert.match(outputText, /__decorate\(\[/);
  assert.match(outputText, /__metadata\("design:paramtypes"/);
  const dir = mkdtempSync(join(tmpdir(), 'perfscope-legacy-'));
  try {
    const file = join(dir, 'nest-like.mjs');
    writeFileSync(file, outputText);
    assert.deepEqual(await runFixture(file), { protocol: 'legacy', ...expected });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the decorator types check in legacy mode (tsc -p test/timing/legacy/tsconfig.json)', async () => {
  const tsc = join(repoRoot, 'node_modules/typescript/bin/tsc');
  await run(process.execPath, [tsc, '-p', 'test/timing/legacy/tsconfig.json'], { cwd: repoRoot });
});

test('control: the same fixture with standard decorators', async () => {
  assert.deepEqual(await runFixture(fixture), { protocol: 'standard', ...expected });
});
