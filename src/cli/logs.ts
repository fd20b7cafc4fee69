/** `perfscope logs analyze FILE...`: statistics, slow calls, changes and patterns from performance logs. */
import { analyzeLogs } from '../analysis/logs/analyze.js';
import { MAX_THREADS } from '../analysis/logs/options.js';
import type { LogAnalysis } from '../analysis/logs/result.js';
import { ExitCode, usageError } from '../core/errors.js';
import { writeFileAtomic } from '../core/fs.js';
import { formatBytes } from '../core/units.js';
import { logFormats, type KeyKind, type LogFormat } from '../logs/parse/log-parser.js';
import { durationFlag, parseFlags, stringFlag } from './args.js';
import type { CliIo, Command } from './command.js';
import { garbageCollector } from './jit.js';
import { analysisJson, renderLogsReport } from './logs-table.js';

const analyzeHelp = `Usage: perfscope logs analyze FILE... [options]

Reads performance logs and reports, per function or per route: calls, errors, warnings, mean,
exact p50/p90/p95/p99, max and share of the time; the slowest calls; large and sustained changes of a
median or an error rate over time; and templates of the warning and error messages (Drain).
Several files are read as one stream; '-' reads stdin; gzip files (.gz or not) are decompressed.

Formats (--format; detected from the first lines by default):
  text    perfscope's text performance log, Python logging's layout
          ('2026-11-24 17:00:00,017 - performance_monitor - INFO - function f took 0.012345 s';
          failures 'function f failed after X s: Type: message'; lang 'ko' wording too)
  ecs     perfscope's ECS JSON lines (event.duration in ns, event.outcome, log.origin.function)
  pino    pino / pino-http JSON lines (responseTime in ms, req.method, req.url, res.statusCode)
  nginx   nginx/Apache combined access log with $request_time (seconds) as the last field
Keys: the function (text, ecs) or 'METHOD /route' (pino, nginx); routes are inferred from URLs
(ids, UUIDs, hex, addresses and many-valued segments become parameters; query strings dropped).
Errors: ERROR lines, event.outcome failure, HTTP status >= 500. Warnings: WARNING/warn lines.

Options:
  --format FORMAT     auto (default), ${logFormats.join(', ')}
  --key KIND          function or route (default: by format)
  --route TEMPLATE    a route to use as is, e.g. '/api/products/:sku' or '/static/*'; repeatable;
                      wins over inference
  --json              print the analysis as one JSON object (docs/logs.md) instead of tables
  --html FILE         also write an HTML report (charts, tables; one self-contained file)
  --top N             keys and patterns listed (default 20; 0 = all)
  --slowest N         slowest calls listed (default 10)
  --since TIME        only calls at or after TIME (2026-11-24T18:00:00Z, or '2026-11-24 18:00' local)
  --until TIME        only calls before TIME
  --window DURATION   time window of the trends and change detection, whole seconds (30s, 5m;
                      default: ~50-120 windows)
  --memory SIZE       memory for exact percentiles (default 256MiB, ~32 bytes a call); past it, a
                      sketch within 1 % (the output says so)
  --threads N         threads reading a large plain file (default 1): the file is split at line
                      boundaries and the parts merged in order, with the same result; stdin, gzip
                      and files under 128 MiB are read on one thread
  -q, --quiet         no progress on stderr
  -h, --help          show this help

Exit codes: 0 something was analysed; 1 the input held nothing usable (no calls, no messages, or no
supported format); 2 bad usage; 4 a file is not readable; 5 a file does not exist; 74 read error.
Malformed lines never stop the analysis: they are counted, listed with their line numbers, and the
rest is analysed.

Examples:
  perfscope logs analyze app_performance.log
  perfscope logs analyze --json app_performance.log.1.gz app_performance.log > analysis.json
  perfscope logs analyze access.log --route '/api/products/:sku' --html access.html
  kubectl logs deploy/api | perfscope logs analyze - --format pino --since '2026-11-24 18:00'`;

const help = `Usage: perfscope logs <subcommand> ...

Subcommands:
  analyze FILE...   statistics, slowest calls, changes and message patterns from performance logs

Run 'perfscope logs analyze --help' for its options.`;

/** Environment variable: the input size (bytes) from which `--threads` splits it (default 128 MiB). */
const SPLIT_MIN_ENV = 'PERFSCOPE_LOGS_SPLIT_MIN_BYTES';

function parseSize(raw: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(b|k|kb|kib|m|mb|mib|g|gb|gib)?\s*$/i.exec(raw);
  if (!m) throw usageError(`logs analyze: --memory must be a size like 512MiB or 2G, got '${raw}'`);
  const unit = (m[2] ?? 'mib').toLowerCase();
  const factor = unit === 'b' ? 1 : unit.startsWith('k') ? 1024 : unit.startsWith('m') ? 1024 ** 2 : 1024 ** 3;
  return Math.floor(Number(m[1]) * factor);
}

function count(raw: string | undefined, flag: string, dflt: number): number {
  if (raw === undefined) return dflt;
  if (!/^\d+$/.test(raw)) throw usageError(`logs analyze: --${flag} must be a whole number >= 0, got '${raw}'`);
  return Number(raw);
}

async function analyze(args: string[], io: CliIo): Promise<number> {
  const p = parseFlags('logs analyze', args, {
    format: { type: 'string' },
    key: { type: 'string' },
    route: { type: 'string', multiple: true },
    json: { type: 'boolean' },
    html: { type: 'string' },
    top: { type: 'string' },
    slowest: { type: 'string' },
    since: { type: 'string' },
    until: { type: 'string' },
    window: { type: 'string' },
    memory: { type: 'string' },
    threads: { type: 'string' },
    quiet: { type: 'boolean', short: 'q' },
  });
  if (p.help) {
    io.stdout.write(`${analyzeHelp}\n`);
    return ExitCode.ok;
  }
  if (p.positionals.length === 0) throw usageError("logs analyze: missing FILE (a log file, or '-' for stdin; see 'perfscope logs analyze --help')");
  const format = stringFlag(p, 'format') ?? 'auto';
  if (format !== 'auto' && !(logFormats as readonly string[]).includes(format)) {
    throw usageError(`logs analyze: unknown format '${format}' (supported: auto, ${logFormats.join(', ')})`);
  }
  const key = stringFlag(p, 'key');
  if (key !== undefined && key !== 'function' && key !== 'route') throw usageError(`logs analyze: --key must be function or route, got '${key}'`);
  if (key === 'function' && format === 'nginx') throw usageError('logs analyze: --key function does not apply to nginx logs (requests have routes, not functions)');
  if (key === 'route' && format === 'text') throw usageError('logs analyze: --key route does not apply to text logs (calls have functions, not routes)');
  const html = stringFlag(p, 'html');
  if (html === '') throw usageError('logs analyze: --html needs a file name');
  const routes = (p.values.route as string[] | undefined) ?? [];
  const windowMs = durationFlag('logs analyze', p, 'window', 1000, 366 * 86_400_000);
  if (windowMs !== undefined && windowMs % 1000 !== 0) throw usageError(`logs analyze: --window must be whole seconds, got '${stringFlag(p, 'window')}'`);
  const memory = stringFlag(p, 'memory');
  const threads = stringFlag(p, 'threads');
  if (threads !== undefined && !(/^\d+$/.test(threads) && Number(threads) >= 1 && Number(threads) <= MAX_THREADS)) {
    throw usageError(`logs analyze: --threads must be a whole number from 1 to ${MAX_THREADS}, got '${threads}'`);
  }
  // the size from which a file is split: a knob for tests and measurements, not a flag
  const splitMin = io.env[SPLIT_MIN_ENV];
  if (splitMin !== undefined && !/^\d+$/.test(splitMin)) throw usageError(`logs analyze: ${SPLIT_MIN_ENV} must be a number of bytes, got '${splitMin}'`);
  const quiet = p.values.quiet === true;
  const progress = !quiet && io.stderr.isTTY === true;
  let lastProgress = Date.now();
  const started = lastProgress;
  let shown = false;

  const analysis: LogAnalysis = await analyzeLogs({
    files: p.positionals,
    format: format as 'auto' | LogFormat,
    ...(key !== undefined ? { key: key as KeyKind } : {}),
    routes,
    ...(stringFlag(p, 'since') !== undefined ? { since: stringFlag(p, 'since')! } : {}),
    ...(stringFlag(p, 'until') !== undefined ? { until: stringFlag(p, 'until')! } : {}),
    top: count(stringFlag(p, 'top'), 'top', 20),
    slowest: count(stringFlag(p, 'slowest'), 'slowest', 10),
    ...(windowMs !== undefined ? { windowMs } : {}),
    ...(memory !== undefined ? { memoryBudgetBytes: parseSize(memory) } : {}),
    ...(threads !== undefined ? { threads: Number(threads) } : {}),
    ...(splitMin !== undefined ? { splitMinBytes: Number(splitMin) } : {}),
    // V8's collector, made on first use (a small context): see collectGarbage in options.ts
    collectGarbage: () => garbageCollector()?.(),
    ...(progress
      ? {
          onProgress: ({ bytes, lines }: { bytes: number; lines: number }) => {
            const now = Date.now();
            if (now - lastProgress < 500) return;
            lastProgress = now;
            shown = true;
            io.stderr.write(`\rperfscope: ${formatBytes(bytes)} read, ${lines.toLocaleString('en-US')} lines, ${((now - started) / 1000).toFixed(1)} s   `);
          },
        }
      : {}),
  });
  if (shown) io.stderr.write('\r\x1b[K');

  if (html !== undefined) {
    // the report module (uPlot, page assets, font subsetting) loads only when a report is asked for
    const { renderLogsHtml } = await import('../report/logs-html.js');
    writeFileAtomic(html, renderLogsHtml(analysis));
    io.stderr.write(`perfscope: wrote ${html}\n`);
  }
  if (p.values.json === true) io.stdout.write(`${analysisJson(analysis)}\n`);
  else io.stdout.write(`${renderLogsReport(analysis)}\n`);

  if (analysis.format === null) {
    io.stderr.write(`perfscope: logs analyze: no supported format reads the first lines of ${p.positionals.join(', ')} (supported: ${logFormats.join(', ')}; name one with --format)\n`);
    return ExitCode.failure;
  }
  if (analysis.records === 0 && analysis.patterns.length === 0) {
    io.stderr.write(
      `perfscope: logs analyze: nothing usable: ${analysis.lines.toLocaleString('en-US')} lines, ${analysis.malformed.count.toLocaleString('en-US')} malformed, no timed calls${analysis.outsideTimeRange > 0 ? ` (${analysis.outsideTimeRange} outside --since/--until)` : ''}\n`,
    );
    return ExitCode.failure;
  }
  return ExitCode.ok;
}

export const logsCommand: Command = {
  name: 'logs',
  summary: 'analyse performance logs: per-function/route statistics, slow calls, changes, patterns',
  help,
  async run(args, io) {
    const [sub, ...rest] = args;
    if (sub === 'analyze' || sub === 'analyse') return analyze(rest, io);
    if (sub === undefined) throw usageError("logs: missing subcommand (see 'perfscope logs --help')");
    throw usageError(`logs: unknown subcommand '${sub}' (subcommands: analyze; see 'perfscope logs --help')`);
  },
};
