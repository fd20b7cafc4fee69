/**
 * `perfscope doctor` (also `perfscope --version --verbose`): what this installation can do and, for
 * what it cannot, why in words and what to run. Install scripts' output is hidden by npm, so this is
 * where the native ticker's build outcome, the store engine and the PNG renderer are told.
 */
import { accessSync, constants, existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { ExitCode } from '../core/errors.js';
import { formatBytes } from '../core/units.js';
import { version } from '../core/version.js';
import { fontFiles } from '../report/package-files.js';
import { nativeDir, readNativeBuildStatus } from '../sampling/native-build.js';
import { defaultStorePath } from '../store/store.js';
import { sqliteEngine } from '../store/sqlite.js';
import type { CliIo, Command } from './command.js';
import { parseFlags } from './args.js';

const help = `Usage: perfscope doctor

Checks this installation and says what works, what does not and what to do about it: the Node
version, /proc, the native ticker (built at install when a C compiler was found), the run store's
SQLite engine, the PNG renderer (resvg) and the bundled fonts. 'perfscope --version --verbose'
prints the same.

Exit status: 0 when everything perfscope needs works (notes are optional extras), 1 when a check
failed.

Options:
  -h, --help   show this help`;

/** ok: works; note: an optional part is missing, perfscope works without it; problem: a feature fails. */
export type CheckState = 'ok' | 'note' | 'problem';

export interface Check {
  name: string;
  state: CheckState;
  detail: string;
}

const require = createRequire(import.meta.url);

function packageVersion(name: string): string | null {
  try {
    return (JSON.parse(readFileSync(require.resolve(`${name}/package.json`), 'utf8')) as { version: string }).version;
  } catch {
    return null;
  }
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
}

function nodeCheck(): Check {
  const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
  const tested = (major === 20 && minor >= 19) || (major === 22 && minor >= 13) || major === 24;
  const requireEsm = (process.features as { require_module?: boolean }).require_module === true;
  const where = `${process.version} on ${process.platform}-${process.arch}`;
  if (!requireEsm) {
    return { name: 'Node', state: 'problem', detail: `${where}: require('perfscope') needs Node 20.19+, 22.12+ or 24 (import works); tested on 20.19+, 22.13+ and 24` };
  }
  return tested
    ? { name: 'Node', state: 'ok', detail: `${where} (tested: 20.19+, 22.13+, 24)` }
    : { name: 'Node', state: 'note', detail: `${where}: not a tested version (20.19+, 22.13+, 24)` };
}

function procCheck(): Check {
  if (process.platform !== 'linux') return { name: '/proc', state: 'problem', detail: `${process.platform} is not supported yet: sampling reads Linux /proc` };
  try {
    accessSync('/proc/self/stat', constants.R_OK);
    return { name: '/proc', state: 'ok', detail: 'readable' };
  } catch (err) {
    return { name: '/proc', state: 'problem', detail: `cannot read /proc/self/stat: ${firstLine(err)}` };
  }
}

function nativeCheck(env: NodeJS.ProcessEnv): Check {
  const name = 'native ticker';
  if (env.PERFSCOPE_NATIVE === '0') return { name, state: 'note', detail: 'switched off by PERFSCOPE_NATIVE=0: sampling ticks on the event loop or a worker thread' };
  const build = readNativeBuildStatus();
  const fallback = 'monitor() and Sampler({ native: true }) tick on the event loop instead';
  try {
    require(join(nativeDir, 'build', 'Release', 'perfscope_native.node'));
    const when = build?.built ? `built at install (${build.node}, ${build.at.slice(0, 10)}, ${(build.durationMs / 1000).toFixed(1)} s)` : 'built';
    return { name, state: 'ok', detail: when };
  } catch (err) {
    if (build && !build.built && build.reason) {
      return { name, state: 'note', detail: `not built at install: ${build.reason}. ${fallback}` };
    }
    return { name, state: 'note', detail: `not built (${firstLine(err)}): run 'npm rebuild perfscope' where a C compiler, make and Python 3 exist. ${fallback}` };
  }
}

function storeCheck(env: NodeJS.ProcessEnv): Check {
  const name = 'run store';
  const path = defaultStorePath(env);
  const engine = sqliteEngine(env);
  if (engine === 'node:sqlite') return { name, state: 'ok', detail: `node:sqlite; ${path}` };
  if (engine === 'better-sqlite3') return { name, state: 'ok', detail: `better-sqlite3 ${packageVersion('better-sqlite3') ?? ''}; ${path}`.replace(' ;', ';') };
  return {
    name,
    state: 'problem',
    detail: `no SQLite engine on Node ${process.version}: node:sqlite needs Node 22.13+; on Node 20 run 'npm install better-sqlite3@12' in your project. Until then runs are not stored (perfscope run says so; --no-store silences it)`,
  };
}

function pngCheck(): Check {
  const name = 'PNG renderer';
  try {
    require('@resvg/resvg-js');
    return { name, state: 'ok', detail: `@resvg/resvg-js ${packageVersion('@resvg/resvg-js') ?? ''}`.trim() };
  } catch (err) {
    return {
      name,
      state: 'problem',
      detail: `@resvg/resvg-js does not load (${firstLine(err)}): PNG output fails, SVG and HTML work. Reinstall with optional dependencies (npm install --include=optional)`,
    };
  }
}

function fontCheck(): Check {
  const missing = Object.values(fontFiles).filter((f) => !existsSync(f));
  if (missing.length > 0) return { name: 'fonts', state: 'problem', detail: `missing ${missing.join(', ')}: text in PNGs is not drawn` };
  return { name: 'fonts', state: 'ok', detail: `Latin ${formatBytes(statSync(fontFiles.latin).size)}, Hangul ${formatBytes(statSync(fontFiles.hangul).size)} (Noto Sans KR subsets)` };
}

function htmlCheck(): Check {
  const v = packageVersion('uplot');
  return v && existsSync(join(dirname(require.resolve('uplot/package.json')), 'dist', 'uPlot.iife.min.js'))
    ? { name: 'HTML report', state: 'ok', detail: `uPlot ${v}` }
    : { name: 'HTML report', state: 'problem', detail: 'the uplot package is missing: HTML reports fail (npm install)' };
}

/** Every check, in the order printed. */
export function doctorChecks(env: NodeJS.ProcessEnv = process.env): Check[] {
  return [nodeCheck(), procCheck(), nativeCheck(env), storeCheck(env), pngCheck(), fontCheck(), htmlCheck()];
}

/** Prints the checks; returns 0, or 1 when one is a problem. */
export function printDoctor(io: CliIo): number {
  const checks = doctorChecks(io.env);
  const width = Math.max(...checks.map((c) => c.name.length));
  const lines = checks.map((c) => `  ${c.name.padEnd(width)}  ${c.state.padEnd(7)}  ${c.detail}`);
  io.stdout.write(`perfscope ${version}\n${lines.join('\n')}\n`);
  return checks.some((c) => c.state === 'problem') ? ExitCode.failure : ExitCode.ok;
}

export const doctorCommand: Command = {
  name: 'doctor',
  summary: 'check this installation (native ticker, store engine, PNG renderer) and say what to fix',
  help,
  async run(args, io) {
    const p = parseFlags('doctor', args, {}, 0);
    if (p.help) {
      io.stdout.write(`${help}\n`);
      return ExitCode.ok;
    }
    return printDoctor(io);
  },
};
