/** `perfscope serve`: monitor this host and its process groups; /metrics, history, a live stream over HTTP. */
import { existsSync } from 'node:fs';
import { PerfscopeError, usageError } from '../core/errors.js';
import { parseDurationMs } from '../core/units.js';
import { checkGroupName, serveStorePath } from '../agent/options.js';
import { readCredentialsFile, type Credentials } from '../core/credentials-file.js';
import { durationFlag, parseFlags, stringFlag } from './args.js';
import type { Command } from './command.js';

const help = `Usage: perfscope serve [options]

Samples this host (CPU per mode, memory, swap, load, disks, network, filesystems) and every process
on it, grouped, every --interval; keeps the history in a file; and serves over HTTP:
  /metrics      Prometheus exposition: host series under node_exporter's names and labels, groups
                under process-exporter's (namedprocess_namegroup_*), serve's own process metrics
  /api/...      the live group table, the history in the run format, a live stream (SSE)
  /             the dashboard
The first line on stdout is the dashboard URL; everything else goes to stderr. SIGINT or SIGTERM
writes the history and exits 0.

Groups: every process belongs to one. By default its group is its name (comm, as process-exporter's
{{.Comm}}); kernel threads form [kernel]. --pid and --group come first:
  --pid PID              the process and its descendants are group pid-PID (repeatable)
  --group NAME=REGEX     processes whose command line matches REGEX are group NAME (repeatable;
                         the first matching rule wins; a process without a command line is
                         matched as [comm])

Options:
  --port PORT            TCP port (default 9464; 0 picks a free one)
  --host ADDRESS         interface to listen on (default 127.0.0.1); any address that is not
                         loopback requires --auth-file
  --auth-file FILE       require credentials on every path: FILE holds one line, 'basic
                         USER:PASSWORD' or USER:PASSWORD (HTTP basic auth), 'bearer TOKEN' or a
                         bare TOKEN without a colon (16+ characters)
  --interval SECONDS     sampling interval (default 1; 0.1 to 3600; ms/s/m/h suffixes)
  --retention DURATION   full-resolution history kept (default 24h; s/m/h/d suffixes)
  --minute-retention DURATION
                         per-minute min/mean/max history kept after that (default 30d)
  --store PATH           the history file (default: serve.db next to the run store:
                         $XDG_DATA_HOME/perfscope/serve.db, else ~/.local/share/perfscope/serve.db)
  --no-store             keep no history on disk (the live API and /metrics still work)
  -h, --help             show this help

Examples:
  perfscope serve
  perfscope serve --port 0 --group web='nginx|node server.js' --pid "$(pgrep -o postgres)"
  perfscope serve --host 0.0.0.0 --auth-file /etc/perfscope/auth --retention 48h
  curl -s http://127.0.0.1:9464/api/history?seconds=3600 > last-hour.json && perfscope report last-hour.json --html last-hour.html

Exit codes: 0 stopped by a signal; 2 bad options (or a non-loopback --host without --auth-file);
3 a --pid that does not exist; 4 a file or port not permitted; 5 --auth-file missing;
6 a bad --auth-file; 74 the port is in use or the history cannot be written.`;

/** A duration with s/m/h/d suffixes (a bare number is seconds), in ms; null when invalid. */
export function parseRetentionMs(text: string): number | null {
  const m = /^\s*(\d+(?:\.\d+)?)\s*d\s*$/i.exec(text);
  if (m) return Number(m[1]) * 86_400_000;
  return parseDurationMs(text);
}

function retentionFlag(p: ReturnType<typeof parseFlags>, name: string): number | undefined {
  const raw = stringFlag(p, name);
  if (raw === undefined) return undefined;
  const ms = parseRetentionMs(raw);
  if (ms === null) throw usageError(`serve: --${name} must be a duration like 24h, 90m or 30d, got '${raw}'`);
  return ms;
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'monitor this host and its process groups: /metrics, history, live stream over HTTP',
  help,
  async run(args, io) {
    const p = parseFlags(
      'serve',
      args,
      {
        port: { type: 'string' },
        host: { type: 'string' },
        interval: { type: 'string' },
        group: { type: 'string', multiple: true },
        pid: { type: 'string', multiple: true },
        retention: { type: 'string' },
        'minute-retention': { type: 'string' },
        store: { type: 'string' },
        'no-store': { type: 'boolean' },
        'auth-file': { type: 'string' },
      },
      0,
    );
    if (p.help) {
      io.stdout.write(`${help}\n`);
      return 0;
    }
    const rawPort = stringFlag(p, 'port') ?? '9464';
    if (!/^\d{1,5}$/.test(rawPort) || Number(rawPort) > 65535) throw usageError(`serve: --port must be a number from 0 to 65535, got '${rawPort}'`);
    const host = stringFlag(p, 'host') ?? '127.0.0.1';
    if (host === '') throw usageError('serve: --host needs an address');
    // Loaded here, not at the top: every other command would otherwise load the agent and its server.
    const { isLoopback, startServe } = await import('../agent/serve.js');
    const authPath = stringFlag(p, 'auth-file');
    if (!isLoopback(host) && authPath === undefined) {
      throw usageError(`serve: --host ${host} is reachable from other machines: give --auth-file FILE (user and password, or a bearer token) to require credentials`);
    }
    let auth: Credentials | undefined;
    if (authPath !== undefined) {
      const file = readCredentialsFile(authPath, { minTokenLength: 16 });
      auth = file.credentials;
      if (file.warning !== null) io.stderr.write(`perfscope serve: warning: ${file.warning}\n`);
    }
    const intervalMs = durationFlag('serve', p, 'interval', 100, 3_600_000) ?? 1000;
    const groups = ((p.values.group as string[] | undefined) ?? []).map((spec) => {
      const eq = spec.indexOf('=');
      if (eq <= 0 || eq === spec.length - 1) throw usageError(`serve: --group takes NAME=REGEX, got '${spec}'`);
      const name = spec.slice(0, eq);
      const source = spec.slice(eq + 1);
      try {
        checkGroupName(name);
      } catch (err) {
        throw usageError(`serve: --group: ${(err as Error).message}`);
      }
      try {
        return { name, pattern: new RegExp(source) };
      } catch (err) {
        throw usageError(`serve: --group ${name}: invalid regular expression: ${(err as Error).message}`);
      }
    });
    const pids = ((p.values.pid as string[] | undefined) ?? []).map((raw) => {
      if (!/^\d+$/.test(raw) || Number(raw) < 1 || !Number.isSafeInteger(Number(raw))) throw usageError(`serve: --pid must be a positive integer, got '${raw}'`);
      const pid = Number(raw);
      if (!existsSync(`/proc/${pid}/stat`)) throw new PerfscopeError('ENOPROC', `serve: no process with PID ${pid} (--pid)`);
      return pid;
    });
    const rawRetentionMs = retentionFlag(p, 'retention');
    const minuteRetentionMs = retentionFlag(p, 'minute-retention');
    const noStore = p.values['no-store'] === true;
    const storeFlag = stringFlag(p, 'store');
    if (noStore && storeFlag !== undefined) throw usageError('serve: --store and --no-store exclude each other');
    const storePath = noStore ? null : (storeFlag ?? serveStorePath(io.env));

    const handle = await startServe({
      port: Number(rawPort),
      host,
      auth,
      intervalMs,
      groups,
      pids,
      rawRetentionMs,
      minuteRetentionMs,
      storePath,
      log: (line) => void io.stderr.write(`${line}\n`),
    });
    io.stdout.write(`${handle.url}\n`);
    const info = handle.agent.info();
    const keep = storePath === null ? 'no history on disk' : `history in ${storePath} (${info.rawRetentionSeconds / 3600} h every tick, ${info.minuteRetentionSeconds / 86400} d per minute)`;
    io.stderr.write(
      `perfscope serve: sampling ${handle.agent.table.records.size} processes in ${handle.agent.groups.groups.size} groups every ${intervalMs / 1000} s; ${keep}; ${auth ? `${auth.type} auth on every path` : 'no auth'}\n`,
    );

    await new Promise<void>((resolve) => {
      const stop = (sig: NodeJS.Signals): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        process.off('SIGHUP', stop);
        io.stderr.write(`perfscope serve: ${sig}: writing the history and stopping\n`);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      process.on('SIGHUP', stop);
    });
    await handle.close();
    return 0;
  },
};
