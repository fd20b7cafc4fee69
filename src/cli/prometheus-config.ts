/** `perfscope prometheus-config --target HOST:PORT`: a Prometheus scrape configuration for perfscope serve. */
import { resolve } from 'node:path';
import { readCredentialsFile } from '../core/credentials-file.js';
import { usageError } from '../core/errors.js';
import { version } from '../core/version.js';
import { durationFlag, parseFlags, stringFlag } from './args.js';
import type { Command } from './command.js';

const help = `Usage: perfscope prometheus-config --target HOST:PORT [options]

Prints a Prometheus configuration (prometheus.yml) that scrapes 'perfscope serve' at HOST:PORT.
Check it with 'promtool check config FILE'. No secret is printed: with --auth-file, Prometheus reads
the secret from a file holding it alone. A bare TOKEN auth file is such a file (credentials_file);
for basic auth the user name is printed and the password is read from --password-file; for a
'bearer TOKEN' auth file the token is read from --password-file.

Options:
  --target HOST:PORT     where serve listens (repeatable, e.g. one per host)
  --job NAME             the job label (default perfscope)
  --interval SECONDS     scrape_interval (default 15; ms/s/m/h suffixes; serve samples every
                         --interval of its own, so scraping faster than that repeats values)
  --auth-file FILE       serve's --auth-file (same format), to configure the matching credentials
  --password-file FILE   the file holding the password alone (basic auth), or the token alone (a
                         'bearer TOKEN' auth file); default FILE.password or FILE.token next to the
                         auth file; create it, readable by Prometheus only
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
      const file = readCredentialsFile(authPath, { minTokenLength: 16 }); // what serve accepts
      if (file.warning !== null) io.stderr.write(`perfscope prometheus-config: warning: ${file.warning}\n`);
      const auth = file.credentials;
      if (auth.type === 'bearer') {
        if (file.bare && stringFlag(p, 'password-file') !== undefined) {
          throw usageError('prometheus-config: --password-file is not used with a bare TOKEN auth file: Prometheus reads the auth file itself');
        }
        const tokenFile = file.bare ? authPath : (stringFlag(p, 'password-file') ?? `${authPath}.token`);
        lines.push('    authorization:', '      type: Bearer');
        if (!file.bare) lines.push('      # the token alone (not "bearer TOKEN"), in a file only Prometheus can read');
        lines.push(`      credentials_file: ${yamlString(resolve(tokenFile))}`);
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
