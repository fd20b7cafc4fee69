/** The Agent's options, resolved and validated once (the bad value named in the message). */
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { homedir } from 'node:os';
import { systemClock, type Clock } from '../core/clock.js';
import { PerfscopeError } from '../core/errors.js';
import { defaultStorePath } from '../store/store.js';
import type { GroupRule } from './groups.js';

export interface AgentOptions {
  /** Sampling interval (default 1000 ms; 100 ms to 1 h). */
  intervalMs?: number;
  /** `--group NAME=REGEX` rules, first match wins; patterns as RegExp or source text. */
  groups?: readonly { name: string; pattern: RegExp | string }[];
  /** `--pid PID`: each PID and its descendants form group `pid-PID`. */
  pids?: readonly number[];
  /** Full-resolution history kept (default 24 h). */
  rawRetentionMs?: number;
  /** Per-minute min/mean/max history kept (default 30 days). */
  minuteRetentionMs?: number;
  /** The history file; default `serveStorePath()`; null keeps no history on disk. */
  storePath?: string | null;
  /** Length of the in-memory recent window (default 900 s). */
  recentSeconds?: number;
  /** Ticks of live-stream payloads kept for viewers' backlog (default 300). */
  backlogTicks?: number;
  /** A group by comm with no process is dropped after this long (default 1 h). */
  emptyGroupTtlMs?: number;
  /** Most groups at once (default 1000); more fold into `[other]`. */
  maxGroups?: number;
  /** How often the growing history chunks are written (default 30 s: what a killed agent may lose). */
  flushEveryMs?: number;
  procRoot?: string;
  clock?: Clock;
  /** Where fault lines go (default stderr). */
  log?: (line: string) => void;
  /** At most one fault line per kind per this long (default 60 s). */
  faultLineEveryMs?: number;
  /**
   * A full garbage collection, run every minute and after a history query, before the C heap is
   * trimmed (`perfscope serve` passes V8's gc: src/cli/jit.ts); default none, V8 decides.
   */
  collectGarbage?: (() => void) | null;
  /**
   * With each full collection, unmap the clean pages of read-only file mappings (the executable's and
   * the libraries' code touched once at start-up): src/agent/file-pages.ts. For a process that is only
   * an agent (`perfscope serve` sets it); default false.
   */
  releaseFilePages?: boolean;
}

export interface ResolvedAgentOptions {
  intervalMs: number;
  groups: GroupRule[];
  pids: number[];
  rawRetentionMs: number;
  minuteRetentionMs: number;
  storePath: string | null;
  recentSeconds: number;
  backlogTicks: number;
  emptyGroupTtlMs: number;
  maxGroups: number;
  flushEveryMs: number;
  procRoot: string | undefined;
  clock: Clock;
  log: (line: string) => void;
  faultLineEveryMs: number;
  collectGarbage: (() => void) | null;
  releaseFilePages: boolean;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/**
 * serve's history file: `serve.db` next to the run store (`$PERFSCOPE_STORE`'s directory, else
 * `$XDG_DATA_HOME/perfscope`, else `~/.local/share/perfscope`).
 */
export function serveStorePath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PERFSCOPE_STORE) return join(dirname(resolve(env.PERFSCOPE_STORE)), 'serve.db');
  const xdg = env.XDG_DATA_HOME;
  if (xdg && isAbsolute(xdg)) return join(xdg, 'perfscope', 'serve.db');
  return join(dirname(defaultStorePath({ HOME: env.HOME || homedir() })), 'serve.db');
}

function usage(message: string): PerfscopeError {
  return new PerfscopeError('EUSAGE', message);
}

/** Group names are label values shown in pages and terminals: printable, 1-128 characters. */
export function checkGroupName(name: string): void {
  // eslint-disable-next-line no-control-regex
  if (name.length === 0 || name.length > 128 || /[\u0000-\u001f\u007f]/.test(name)) {
    throw usage(`group name ${JSON.stringify(name)} must be 1-128 printable characters`);
  }
}

export function resolveAgentOptions(o: AgentOptions = {}): ResolvedAgentOptions {
  const intervalMs = o.intervalMs ?? 1000;
  if (!(intervalMs >= 100 && intervalMs <= HOUR_MS)) throw usage(`interval must be between 0.1 s and 1 h, got ${intervalMs} ms`);
  const rawRetentionMs = o.rawRetentionMs ?? DAY_MS;
  const minuteRetentionMs = o.minuteRetentionMs ?? 30 * DAY_MS;
  if (!(rawRetentionMs >= 60_000)) throw usage(`the full-resolution retention must be at least 1 minute, got ${rawRetentionMs} ms`);
  if (!(minuteRetentionMs >= 0)) throw usage(`the per-minute retention must not be negative, got ${minuteRetentionMs} ms`);
  const groups: GroupRule[] = [];
  const seen = new Set<string>();
  for (const g of o.groups ?? []) {
    checkGroupName(g.name);
    if (seen.has(g.name)) throw usage(`group ${JSON.stringify(g.name)} is given twice`);
    seen.add(g.name);
    let pattern: RegExp;
    try {
      pattern = typeof g.pattern === 'string' ? new RegExp(g.pattern) : g.pattern;
    } catch (err) {
      throw usage(`group ${JSON.stringify(g.name)}: invalid regular expression: ${(err as Error).message}`);
    }
    groups.push({ name: g.name, pattern });
  }
  const pids = [...new Set(o.pids ?? [])];
  for (const pid of pids) if (!Number.isSafeInteger(pid) || pid <= 0) throw usage(`PID must be a positive integer, got ${pid}`);
  const recentSeconds = o.recentSeconds ?? 900;
  if (!(recentSeconds * 1000 >= 2 * intervalMs)) throw usage(`the recent window must hold at least two intervals, got ${recentSeconds} s`);
  return {
    intervalMs,
    groups,
    pids,
    rawRetentionMs,
    minuteRetentionMs,
    storePath: o.storePath === null ? null : resolve(o.storePath ?? serveStorePath()),
    recentSeconds,
    backlogTicks: o.backlogTicks ?? 300,
    emptyGroupTtlMs: o.emptyGroupTtlMs ?? HOUR_MS,
    maxGroups: o.maxGroups ?? 1000,
    // Every flush re-encodes the minute's chunk so far: 10 s cost 3.5x the minimal encoding work
    // per minute, 30 s 1.5x (measured ~2 ms/s of CPU at 10 s on ~500 series).
    flushEveryMs: o.flushEveryMs ?? 30_000,
    procRoot: o.procRoot,
    clock: o.clock ?? systemClock,
    log: o.log ?? ((line) => void process.stderr.write(`${line}\n`)),
    faultLineEveryMs: o.faultLineEveryMs ?? 60_000,
    collectGarbage: o.collectGarbage ?? null,
    releaseFilePages: o.releaseFilePages ?? false,
  };
}
