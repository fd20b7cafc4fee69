/** Reading a `--json` run file back, with its shape checked so later code can trust it. */
import { readFileSync } from 'node:fs';
import { PerfscopeError, fromErrno, isErrno } from '../core/errors.js';
import type { RunData } from '../core/run-data.js';

/**
 * Reads and validates a run file written by runToJson. Missing file: PerfscopeError('ENOTFOUND'); a
 * directory: 'EUSAGE'; unreadable: 'EIO'; not JSON or not the perfscope-run v1 shape: 'EBADDATA' saying
 * what is wrong (never quoting the file's contents).
 */
export function readRunFile(path: string): RunData {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if (isErrno(err, 'ENOENT')) throw new PerfscopeError('ENOTFOUND', `no such file: ${path}`);
    if (isErrno(err, 'EISDIR')) throw new PerfscopeError('EUSAGE', `${path} is a directory, not a run file`);
    throw fromErrno(err, `cannot read ${path}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    // JSON.parse quotes the text around the fault (Node 22: `"root:x:0:0:..." is not valid JSON`): a
    // file given by mistake (a password file, a key) must not be echoed, so say only where it broke.
    throw new PerfscopeError('EBADDATA', `${path}: not JSON${jsonFaultPlace(text, err)} (a run file is the JSON 'perfscope run --json' writes)`);
  }
  const problem = runDataProblem(value);
  if (problem !== null) throw new PerfscopeError('EBADDATA', `${path}: ${problem}`);
  return value as RunData;
}

/** Where JSON.parse gave up (" at line L, column C") when its message says, or '' — never quoting the text. */
function jsonFaultPlace(text: string, err: unknown): string {
  if (text.trim() === '') return ': the file is empty';
  const m = /position (\d+)/.exec(err instanceof Error ? err.message : '');
  if (!m) return '';
  const before = text.slice(0, Number(m[1]));
  return ` at line ${before.split('\n').length}, column ${before.length - before.lastIndexOf('\n')}`;
}

/** The first thing wrong with `value` as RunData, or null when it has the perfscope-run v1 shape. */
export function runDataProblem(value: unknown): string | null {
  if (!isObject(value)) return 'not a perfscope run (expected a JSON object)';
  const meta = value.meta;
  if (!isObject(meta)) return 'missing "meta"';
  if (meta.format !== 'perfscope-run') return `meta.format is ${JSON.stringify(meta.format)}, expected "perfscope-run"`;
  if (meta.formatVersion !== 1) return `meta.formatVersion ${JSON.stringify(meta.formatVersion)} is not supported (expected 1)`;
  for (const key of ['pid', 'startedAtMs', 'intervalSeconds', 'sampleCount'] as const) {
    if (typeof meta[key] !== 'number') return `meta.${key} must be a number`;
  }
  if (typeof meta.startedAt !== 'string') return 'meta.startedAt must be a string';
  if (meta.command !== null && !(Array.isArray(meta.command) && meta.command.every((c) => typeof c === 'string'))) {
    return 'meta.command must be an array of strings or null';
  }
  const samples = seriesProblem(value.samples, 'samples');
  if (samples !== null) return samples;
  if (value.system !== undefined) {
    const system = seriesProblem(value.system, 'system');
    if (system !== null) return system;
  }
  if (value.processes !== undefined) {
    if (!Array.isArray(value.processes)) return '"processes" must be an array';
    for (const [i, p] of value.processes.entries()) {
      if (!isObject(p) || typeof p.pid !== 'number' || typeof p.comm !== 'string') return `processes[${i}] needs a pid and comm`;
      const s = seriesProblem(p.samples, `processes[${i}].samples`);
      if (s !== null) return s;
    }
  }
  if (!Array.isArray(value.events)) return '"events" must be an array';
  for (const [i, e] of value.events.entries()) {
    if (!isObject(e) || typeof e.t !== 'number' || typeof e.kind !== 'string') return `events[${i}] needs a numeric t and a kind`;
  }
  return null;
}

function seriesProblem(value: unknown, where: string): string | null {
  if (!isObject(value)) return `missing "${where}"`;
  const ts = value.timestamp;
  if (!Array.isArray(ts) || !ts.every((v) => typeof v === 'number')) return `${where}.timestamp must be an array of numbers`;
  for (const [name, col] of Object.entries(value)) {
    if (!Array.isArray(col)) return `${where}.${name} is not an array`;
    if (col.length !== ts.length) return `${where}.${name} has ${col.length} values but timestamp has ${ts.length}`;
    if (!col.every((v) => v === null || typeof v === 'number')) return `${where}.${name} holds something other than numbers and null`;
  }
  return null;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

