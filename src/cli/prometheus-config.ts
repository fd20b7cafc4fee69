/** `perfscope prometheus-config --target HOST:PORT`: a Prometheus scrape configuration for perfscope serve. */
import { resolve } from 'node:path';
import { usageError } from '../core/errors.js';
import { version } from '../core/version.js';
import { readAuthFile } from '../server/auth-file.js';
import { durationFlag, parseFlags, stringFlag } from './args.js';
import type { Command } from './command.js';

const help = `Usage: perfscope prometheus-config --target HOST:PORT [options]

Prints a Prometheus configuration (prometheus.yml) that scrapes 'perfscope serve' at HOST:PORT.
Check it with 'promtool check config FILE'. No secret is printed: with --auth-file, a bearer token is
read by Prometheus from that file (credentials_file); for user:password, the user name is printed
and Prometheus reads the password alone from --password-file.

Options:
  --target HOST:PORT     where serve listens (repeatable, e.g. one per host)
  --job NAME             the job label (default perfscope)
  --interval SECONDS     scrape_interval (default 15; ms/s/m/h suffixes; serve samples every
                         --interval of its own, so scraping faster than that repeats values)
  --auth-file FILE       serve's --auth-file, to configure the matching credentials
  --password-file FILE   for basic auth: a file holding the password alone (default FILE.password
                         next to the auth file; create it, readable by Prometheus only)
  -h, --help             show this help

Examples:
  perfscope prometheus-config --target 127.0.0.1:9464 > prometheus.yml && promtool check config prometheus.yml
  perfscope prometheus-config --target web-1:9464 --target web-2:9464 --auth-file /etc/perfscope/token`;

/** HOST:PORT, with an IPv6 host in brackets. */
function checkTarget(t: string): string {
  const m = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(t);
  if (!m || Number(m[2]) > 65535 || Number(m[2]) === 0) throw usageError(`prometheus-config: --target must be HOST:PORT, got '${t}'`);
  return t;
}

function seconds(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000}m` : ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}

export const prometheusConfigCommand: Command = {
  name: 'prometheus-config',
  summary: "print a Prometheus scrape configuration for 'perfscope serve'",
  help,
  async run(args, io) {
    const p = parseFlags(
      'prometheus-config',
      args,
      {
        target: { type: 'string', multiple: true },
        job: { type: 'string' },
        interval: { type: 'string' },
        'auth-file': { type: 'string' },
        'password-file': { type: 'string' },
      },
      0,
    );
    if (p.help) {
      io.stdout.write(`${help}\n`);
      return 0;
    }
    const targets = ((p.values.target as string[] | undefined) ?? []).map(checkTarget);
    if (targets.length === 0) throw usageError("prometheus-config: give --target HOST:PORT (see 'perfscope prometheus-config --help')");
    const job = stringFlag(p, 'job') ?? 'perfscope';
    if (!/^[A-Za-z0-9_.-]{1,64}$/.test(job)) throw usageError(`prometheus-config: --job must be 1-64 letters, digits, '_', '.' or '-', got '${job}'`);
    const intervalMs = durationFlag('prometheus-config', p, 'interval', 1000, 3_600_000) ?? 15_000;
    const lines = [
      `# Prometheus scrape configuration for perfscope serve (perfscope ${version}).`,
      '# Host series use node_exporter names, process groups process-exporter names (namedprocess_namegroup_*).',
      'global:',
      `  scrape_interval: ${seconds(intervalMs)}`,
      `  scrape_timeout: ${seconds(Math.min(intervalMs, 10_000))}`,
      'scrape_configs:',
      `  - job_name: ${job}`,
      '    metrics_path: /metrics',
      '    static_configs:',
      `      - targets: [${targets.map((t) => `'${t}'`).join(', ')}]`,
    ];
    const authPath = stringFlag(p, 'auth-file');
    if (authPath !== undefined) {
      const { auth } = readAuthFile(authPath);
      if (auth.type === 'bearer') {
        lines.push('    authorization:', '      type: Bearer', `      credentials_file: ${yamlString(resolve(authPath))}`);
      } else {
        const pw = resolve(stringFlag(p, 'password-file') ?? `${authPath}.password`);
        lines.push(
          '    basic_auth:',
          `      username: ${yamlString(auth.username)}`,
          '      # the password alone (not user:password), in a file only Prometheus can read',
          `      password_file: ${yamlString(pw)}`,
        );
      }
    } else if (stringFlag(p, 'password-file') !== undefined) {
      throw usageError('prometheus-config: --password-file goes with --auth-file');
    }
    io.stdout.write(`${lines.join('\n')}\n`);
    return 0;
  },
};

/** A YAML double-quoted scalar. */
function yamlString(s: string): string {
  return JSON.stringify(s);
}
