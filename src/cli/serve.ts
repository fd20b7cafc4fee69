/** `perfscope serve`: monitor this host and its process groups; /metrics, history, a live stream over HTTP. */
import { existsSync } from 'node:fs';
import { PerfscopeError, usageError } from '../core/errors.js';
import { parseDurationMs } from '../core/units.js';
import { checkGroupName, serveStorePath } from '../agent/options.js';
import { readCredentialsFile, type Credentials } from '../core/credentials-file.js';
import type { ServeOtlpOptions, ServeRemoteWriteOptions } from '../agent/exports.js';
import { checkHeaders, parseExportUrl, type ExportAuth } from '../export/options.js';
import type { OtlpProtocol } from '../export/otlp-export.js';
import type { Temporality } from '../export/otlp-encoding.js';
import { urlLabel } from '../export/self-metrics.js';
import { durationFlag, parseFlags, stringFlag, type FlagSpec } from './args.js';
import type { Command } from './command.js';
import { garbageCollector } from './jit.js';

const flags = {
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
  'remote-write': { type: 'string', multiple: true },
  'remote-write-auth-file': { type: 'string', multiple: true },
  'remote-write-header': { type: 'string', multiple: true },
  'remote-write-label': { type: 'string', multiple: true },
  'remote-write-interval': { type: 'string' },
  otlp: { type: 'string', multiple: true },
  'otlp-protocol': { type: 'string' },
  'otlp-header': { type: 'string', multiple: true },
  'otlp-auth-file': { type: 'string' },
  'otlp-interval': { type: 'string' },
  'otlp-temporality': { type: 'string' },
} satisfies FlagSpec;

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

Exporting (everything /metrics shows, same names and labels, one tick's values at that tick's time):
  --remote-write URL     send to a Prometheus remote write receiver (Prometheus started with
                         --web.enable-remote-write-receiver: http://HOST:9090/api/v1/write;
                         VictoriaMetrics: http://HOST:8428/api/v1/write; Mimir, Thanos...);
                         repeatable. Samples wait in a queue file per URL beside the --store
                         (<store>.remote-write-<host>-<hash>.db): a receiver outage or a restart
                         loses nothing (bounds: 2 h, 10 million samples, oldest dropped first)
  --remote-write-auth-file FILE
                         credentials for the --remote-write before it: the first line is
                         'basic USER:PASSWORD', 'bearer TOKEN' or a bare token
  --remote-write-header NAME=VALUE
                         a request header for the --remote-write before it (X-Scope-OrgID...)
  --remote-write-label NAME=VALUE
                         a label added to every series sent (e.g. instance=$(hostname): give each
                         host its own); repeatable
  --remote-write-interval DURATION
                         how often the series are queued (default 15s; --interval to 1h; taken at
                         serve's ticks, so a multiple of --interval)
  --otlp URL             send OTLP/HTTP metrics to the full endpoint, e.g. an OpenTelemetry
                         Collector's http://HOST:4318/v1/metrics (once)
  --otlp-protocol http/protobuf|http/json
                         the OTLP encoding (default http/protobuf)
  --otlp-header NAME=VALUE
                         a request header (a vendor's API key header...); repeatable
  --otlp-auth-file FILE  credentials, as for --remote-write-auth-file
  --otlp-interval DURATION
                         how often the series are exported (default 60s; --interval to 1h)
  --otlp-temporality cumulative|delta
                         counters as running totals (default) or increases since the last export
  Receiver faults never stop sampling: one line on stderr a minute per kind, counted in
  perfscope_serve_faults_total{kind="remote_write"|"otlp"} and the perfscope_remote_write_* /
  perfscope_otlp_* metrics on /metrics. Credentials go in the auth files: a URL with user:password
  is refused, and a header value on the command line is visible to other users in ps.
  SIGINT/SIGTERM gives the exporters up to 5 s to send what they hold (remote_write keeps the rest).

Examples:
  perfscope serve
  perfscope serve --port 0 --group web='nginx|node server.js' --pid "$(pgrep -o postgres)"
  perfscope serve --host 0.0.0.0 --auth-file /etc/perfscope/auth --retention 48h
  perfscope serve --remote-write http://prometheus:9090/api/v1/write --remote-write-label instance=web-3
  perfscope serve --otlp http://collector:4318/v1/metrics --otlp-interval 30s
  curl -s http://127.0.0.1:9464/api/history?seconds=3600 > last-hour.json && perfscope report last-hour.json --html last-hour.html

Exit codes: 0 stopped by a signal; 2 bad options (or a non-loopback --host without --auth-file;
a bad export URL, header, label, or an export auth file missing, unreadable or malformed);
3 a --pid that does not exist; 4 a file or port not permitted; 5 --auth-file missing;
6 a bad --auth-file; 74 the port is in use, or the history or a remote_write queue cannot be
opened (another serve holds it).`;

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
    const p = parseFlags('serve', args, flags, 0);
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
    const exportFlags = exportOptions(p, args, intervalMs, (line) => io.stderr.write(`${line}\n`));
    if (exportFlags.remoteWrite.length > 0) {
      // the queue files live beside the store (beside the default one with --no-store)
      const { remoteWriteQueuePath } = await import('../agent/exports.js');
      const base = storePath ?? serveStorePath(io.env);
      for (const d of exportFlags.remoteWrite) d.queuePath = remoteWriteQueuePath(base, d.url);
    }

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
      remoteWrite: exportFlags.remoteWrite,
      otlp: exportFlags.otlp,
      log: (line) => void io.stderr.write(`${line}\n`),
      collectGarbage: garbageCollector(),
      releaseFilePages: true,
    });
    // Listening before the URL is printed: a signal sent the moment a script reads it stops serve cleanly.
    const stopped = new Promise<void>((resolve) => {
      const stop = (sig: NodeJS.Signals): void => {
        process.off('SIGINT', stop);
        process.off('SIGTERM', stop);
        process.off('SIGHUP', stop);
        io.stderr.write(`perfscope serve: ${sig}: ${handle.exports.size > 0 ? 'sending what the exporters hold (5 s at most), ' : ''}${storePath === null ? '' : 'writing the history and '}stopping\n`);
        resolve();
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
      process.on('SIGHUP', stop);
    });
    io.stdout.write(`${handle.url}\n`);
    const info = handle.agent.info();
    const keep = storePath === null ? 'no history on disk' : `history in ${storePath} (${info.rawRetentionSeconds / 3600} h every tick, ${info.minuteRetentionSeconds / 86400} d per minute)`;
    io.stderr.write(
      `perfscope serve: sampling ${handle.agent.table.records.size} processes in ${handle.agent.groups.groups.size} groups every ${intervalMs / 1000} s; ${keep}; ${auth ? `${auth.type} auth on every path` : 'no auth'}\n`,
    );
    // destinations by scheme, host and path only: never credentials, never a query (tokens live there)
    for (const [i, d] of exportFlags.remoteWrite.entries()) {
      io.stderr.write(`perfscope serve: remote_write to ${urlLabel(new URL(d.url))} every ${(d.intervalMs ?? 15_000) / 1000} s; queue ${handle.exports.remoteWrites[i]!.queuePath}\n`);
    }
    for (const d of exportFlags.otlp) {
      io.stderr.write(`perfscope serve: otlp (${d.protocol ?? 'http/protobuf'}, ${d.temporality ?? 'cumulative'}) to ${urlLabel(new URL(d.url))} every ${(d.intervalMs ?? 60_000) / 1000} s\n`);
    }

    await stopped;
    await handle.close();
    return 0;
  },
};

/**
 * The flags among `names`, in command-line order, with their values. Called once parseFlags accepted
 * the line, so every string flag has its value (`--name=value` or the next argument).
 */
function inOrder(args: readonly string[], names: ReadonlySet<string>): [string, string][] {
  const out: [string, string][] = [];
  const spec: FlagSpec = flags;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') break;
    if (!a.startsWith('--')) continue;
    const eq = a.indexOf('=');
    const name = a.slice(2, eq < 0 ? undefined : eq);
    if (spec[name]?.type !== 'string') continue;
    const value = eq < 0 ? args[++i] : a.slice(eq + 1);
    if (value !== undefined && names.has(name)) out.push([name, value]);
  }
  return out;
}

/** A destination URL: http(s), and no credentials in it (argv is visible to every user in ps). */
function destinationUrl(flag: string, raw: string, authFlag: string): URL {
  const url = parseExportUrl(`serve: --${flag}`, raw);
  if (url.username !== '' || url.password !== '') {
    throw usageError(`serve: --${flag}: put the credentials in --${authFlag} FILE, not in the URL (a command line is visible to every user)`);
  }
  return url;
}

/**
 * Credentials of an export auth file (the one credentials-file format, core/credentials-file.ts); any
 * problem with the file is a usage error naming the flag (never the content).
 */
function exportAuth(flag: string, path: string, warn: (line: string) => void): ExportAuth {
  let file;
  try {
    file = readCredentialsFile(path);
  } catch (err) {
    if (err instanceof PerfscopeError) throw usageError(`serve: --${flag}: ${err.message}`);
    throw err;
  }
  if (file.warning !== null) warn(`perfscope serve: warning: --${flag}: ${file.warning}`);
  const c = file.credentials;
  return c.type === 'bearer' ? { bearerToken: c.token } : { username: c.username, password: c.password };
}

/** A NAME=VALUE header argument, checked; messages name the header, never its value (it may be a key). */
function headerArg(flag: string, arg: string, reserved: readonly string[], into: Record<string, string>): void {
  const i = arg.indexOf('=');
  if (i <= 0) throw usageError(`serve: --${flag} takes NAME=VALUE (the value is not shown here)`);
  const name = arg.slice(0, i).trim();
  if (Object.keys(into).some((k) => k.toLowerCase() === name.toLowerCase())) throw usageError(`serve: --${flag}: header ${name} is given twice`);
  Object.assign(into, checkHeaders(`serve: --${flag}`, { [name]: arg.slice(i + 1) }, reserved));
}

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** The export flags, checked before anything starts: remote_write destinations (with what follows each) and OTLP. */
function exportOptions(p: ReturnType<typeof parseFlags>, args: readonly string[], intervalMs: number, warn: (line: string) => void): { remoteWrite: ServeRemoteWriteOptions[]; otlp: ServeOtlpOptions[] } {
  const remoteWrite: (ServeRemoteWriteOptions & { headers: Record<string, string> })[] = [];
  const seen = new Set<string>();
  const rwReserved = ['content-type', 'content-encoding', 'content-length', 'x-prometheus-remote-write-version'];
  for (const [name, value] of inOrder(args, new Set(['remote-write', 'remote-write-auth-file', 'remote-write-header']))) {
    if (name === 'remote-write') {
      const url = destinationUrl(name, value, 'remote-write-auth-file');
      const key = url.href;
      if (seen.has(key)) throw usageError(`serve: --remote-write ${urlLabel(url)} is given twice`);
      seen.add(key);
      remoteWrite.push({ url: url.href, headers: {} });
      continue;
    }
    const d = remoteWrite.at(-1);
    if (d === undefined) throw usageError(`serve: --${name} applies to the --remote-write URL before it: give that first`);
    if (name === 'remote-write-auth-file') {
      if (d.auth !== undefined) throw usageError(`serve: --remote-write-auth-file is given twice for ${urlLabel(new URL(d.url))}`);
      d.auth = exportAuth(name, value, warn);
    } else headerArg(name, value, rwReserved, d.headers);
  }
  const labels: Record<string, string> = {};
  for (const spec of (p.values['remote-write-label'] as string[] | undefined) ?? []) {
    const i = spec.indexOf('=');
    const name = spec.slice(0, i);
    if (i <= 0 || !LABEL_NAME.test(name) || name.startsWith('__')) throw usageError(`serve: --remote-write-label takes NAME=VALUE, NAME a label name (letters, digits, _), got '${spec}'`);
    if (name in labels) throw usageError(`serve: --remote-write-label ${name} is given twice`);
    labels[name] = spec.slice(i + 1);
  }
  const rwInterval = durationFlag('serve', p, 'remote-write-interval', intervalMs, 3_600_000);
  if (remoteWrite.length === 0) {
    for (const f of ['remote-write-label', 'remote-write-interval']) if (p.values[f] !== undefined) throw usageError(`serve: --${f} needs --remote-write URL`);
  }
  for (const d of remoteWrite) {
    if (Object.keys(labels).length > 0) d.externalLabels = labels;
    if (rwInterval !== undefined) d.intervalMs = rwInterval;
  }

  const otlp: ServeOtlpOptions[] = [];
  const urls = (p.values.otlp as string[] | undefined) ?? [];
  if (urls.length > 1) throw usageError('serve: --otlp is given twice: give one endpoint (an OpenTelemetry Collector can fan out)');
  const otlpOnly = ['otlp-protocol', 'otlp-header', 'otlp-auth-file', 'otlp-interval', 'otlp-temporality'];
  if (urls.length === 0) {
    for (const f of otlpOnly) if (p.values[f] !== undefined) throw usageError(`serve: --${f} needs --otlp URL`);
    return { remoteWrite, otlp };
  }
  const url = destinationUrl('otlp', urls[0]!, 'otlp-auth-file');
  const protocol = stringFlag(p, 'otlp-protocol') ?? 'http/protobuf';
  if (protocol !== 'http/protobuf' && protocol !== 'http/json') throw usageError(`serve: --otlp-protocol must be http/protobuf or http/json, got '${protocol}'`);
  const temporality = stringFlag(p, 'otlp-temporality') ?? 'cumulative';
  if (temporality !== 'cumulative' && temporality !== 'delta') throw usageError(`serve: --otlp-temporality must be cumulative or delta, got '${temporality}'`);
  const headers: Record<string, string> = {};
  for (const h of (p.values['otlp-header'] as string[] | undefined) ?? []) headerArg('otlp-header', h, ['content-type', 'content-encoding', 'content-length'], headers);
  const authPath = stringFlag(p, 'otlp-auth-file');
  const o: ServeOtlpOptions = { url: url.href, protocol: protocol as OtlpProtocol, temporality: temporality as Temporality, headers };
  if (authPath !== undefined) o.auth = exportAuth('otlp-auth-file', authPath, warn);
  const every = durationFlag('serve', p, 'otlp-interval', intervalMs, 3_600_000);
  if (every !== undefined) o.intervalMs = every;
  otlp.push(o);
  return { remoteWrite, otlp };
}
