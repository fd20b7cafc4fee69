/** Flag parsing for commands, over node:util parseArgs, turning its errors into usage errors. */
import { parseArgs } from 'node:util';
import { usageError } from '../core/errors.js';
import { parseDurationMs } from '../core/units.js';

export type FlagSpec = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;

export interface Parsed {
  values: Record<string, string | boolean | string[] | boolean[] | undefined>;
  positionals: string[];
  help: boolean;
}

/** Stands in for a `-N` run reference while parseArgs runs (it would take `-1` for a flag). */
const refMark = '\u0000run-ref:';

/**
 * Before parseArgs: a value that looks like a negative number is the value of the flag before it
 * (`-i -1` is then "--interval must be positive, got '-1'", not "argument is ambiguous"), and with
 * `runRefs`, a `-N` positional is a run reference (`show -1`), not a flag.
 */
function preparse(args: string[], spec: FlagSpec, runRefs: boolean): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      out.push(...args.slice(i));
      break;
    }
    const name = /^--([^=]+)$/.exec(a)?.[1] ?? Object.entries(spec).find(([, s]) => s.short !== undefined && a === `-${s.short}`)?.[0];
    const takesValue = name !== undefined && spec[name]?.type === 'string';
    const next = args[i + 1];
    if (takesValue && next !== undefined && /^-[\d.]/.test(next)) {
      out.push(`--${name}=${next}`);
      i++;
    } else if (runRefs && /^-\d+$/.test(a)) {
      out.push(`${refMark}${a}`);
    } else {
      out.push(a);
    }
  }
  return out;
}

/**
 * Parses `args` by `spec` (+ `--help`/`-h`). `command` names the command in error messages.
 * Unknown flags, missing values and stray positionals (when `maxPositionals` is set) are usage errors.
 * With `runRefs`, `-1`, `-2`, ... are positionals (run references), not flags.
 */
export function parseFlags(command: string, args: string[], spec: FlagSpec, maxPositionals = Infinity, options: { runRefs?: boolean } = {}): Parsed {
  let parsed;
  try {
    parsed = parseArgs({
      args: preparse(args, spec, options.runRefs === true),
      options: { ...spec, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (err) {
    // parseArgs explains at length over several lines; the first line says what is wrong.
    const msg = (err instanceof Error ? err.message : String(err)).split('\n')[0]!.replace(/\. To specify a positional.*$/, '').replace(/\.$/, '');
    throw usageError(`${command}: ${msg.charAt(0).toLowerCase()}${msg.slice(1)} (see 'perfscope ${command} --help')`);
  }
  const help = parsed.values.help === true;
  const positionals = parsed.positionals.map((p) => (p.startsWith(refMark) ? p.slice(refMark.length) : p));
  if (!help && positionals.length > maxPositionals) {
    throw usageError(`${command}: unexpected argument '${positionals[maxPositionals]}' (see 'perfscope ${command} --help')`);
  }
  return { values: parsed.values as Parsed['values'], positionals, help };
}

/** A string flag's value, or undefined. */
export function stringFlag(p: Parsed, name: string): string | undefined {
  const v = p.values[name];
  return typeof v === 'string' ? v : undefined;
}

/** A duration flag (seconds by default; ms/s/m/h suffixes) in ms, validated against [minMs, maxMs]. */
export function durationFlag(command: string, p: Parsed, name: string, minMs = 0, maxMs = Infinity): number | undefined {
  const raw = stringFlag(p, name);
  if (raw === undefined) return undefined;
  const ms = parseDurationMs(raw);
  if (ms === null) {
    throw usageError(`${command}: --${name} must be a positive number of seconds (or with ms/s/m/h), got '${raw}'`);
  }
  if (ms < minMs || ms > maxMs) {
    const range = maxMs === Infinity ? `at least ${minMs / 1000} s` : `between ${minMs / 1000} s and ${maxMs / 1000} s`;
    throw usageError(`${command}: --${name} must be ${range}, got '${raw}'`);
  }
  return ms;
}

/** A positive integer argument (PID, run id), or a usage error naming what it is. */
export function positiveInt(command: string, what: string, raw: string | undefined): number {
  if (raw === undefined) throw usageError(`${command}: missing ${what} (see 'perfscope ${command} --help')`);
  if (!/^\d+$/.test(raw) || Number(raw) < 1 || !Number.isSafeInteger(Number(raw))) {
    throw usageError(`${command}: ${what} must be a positive integer, got '${raw}'`);
  }
  return Number(raw);
}
