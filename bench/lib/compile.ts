/**
 * Compiles bench child scripts (and the src files they import) to plain JavaScript, so measured
 * children run on bare `node`, as the product does once built. Measured: an idle 10 Hz Node timer
 * cost 0.52 % of a core under `node --import tsx` and 0.14 % under plain node, which would charge
 * tsx's own idle work to every Node monitor. Output goes to .scratch/perfscope-bench/ in the checkout
 * (not node_modules/.cache: worktrees may share one node_modules), from where bare imports (pidusage,
 * systeminformation) still resolve to the repo's node_modules. `root` compiles another checkout's
 * files (a base revision, for A/B runs) into a directory of its own.
 */
import { rmSync, symlinkSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const compiledRoot = `${repoRoot}.scratch/perfscope-bench/`;

/**
 * Compiles `entries` (paths relative to the checkout's root, .ts) and returns the paths of their .js
 * files. `root`: another checkout (with its own native/build), compiled to a directory of its own.
 */
export function compileForBench(entries: readonly string[], root = repoRoot): string[] {
  const base = root.endsWith('/') ? root : `${root}/`;
  const outDir = base === repoRoot ? compiledRoot : `${repoRoot}.scratch/perfscope-bench-base/`;
  rmSync(outDir, { recursive: true, force: true });
  const program = ts.createProgram(
    entries.map((e) => `${base}${e}`),
    {
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      strict: true,
      skipLibCheck: true,
      esModuleInterop: true,
      verbatimModuleSyntax: true,
      types: ['node'],
      rootDir: base,
      outDir,
      sourceMap: false,
      declaration: false,
    },
  );
  const result = program.emit();
  const errors = ts
    .getPreEmitDiagnostics(program)
    .concat(result.diagnostics)
    .filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (result.emitSkipped || errors.length > 0) {
    const text = ts.formatDiagnostics(errors, {
      getCanonicalFileName: (f) => f,
      getCurrentDirectory: () => base,
      getNewLine: () => '\n',
    });
    throw new Error(`cannot compile ${entries.join(', ')}:\n${text}`);
  }
  // src/sampling/native.ts loads the addon from <root>/native/build/Release, relative to itself.
  symlinkSync(`${base}native`, `${outDir}native`);
  return entries.map((e) => `${outDir}${e.replace(/\.ts$/, '.js')}`);
}
