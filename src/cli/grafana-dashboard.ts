/** `perfscope grafana-dashboard`: print a Grafana dashboard for the series `perfscope serve` exports. */
import { usageError } from '../core/errors.js';
import { grafanaDashboard } from '../agent/grafana-dashboard.js';
import { parseFlags, stringFlag } from './args.js';
import type { Command } from './command.js';

const help = `Usage: perfscope grafana-dashboard [--title TITLE] [--uid UID] > perfscope.json

Prints a Grafana dashboard (JSON, schema version 42) for hosts that 'perfscope serve' monitors and a
Prometheus scrapes: host panels (CPU per mode, memory, load, disks, network, filesystems), process-
group panels (CPU, memory, storage I/O, processes, threads, fds, faults, context switches) and serve's
own cost. Variables: the data source (any Prometheus), job and instance (from serve's own series), and
the groups to show. Import it in Grafana (Dashboards > New > Import) or provision the file.
Serve's series carry node_exporter's and process-exporter's names, so the community dashboards for
those two exporters work with it too.

Options:
  --title TITLE   dashboard title (default "perfscope serve")
  --uid UID       dashboard uid, 1-40 letters, digits, '-' or '_' (default perfscope-serve);
                  importing a dashboard with an existing uid replaces that one
  -h, --help      show this help

Examples:
  perfscope grafana-dashboard > perfscope.json
  perfscope grafana-dashboard --title "web-3" --uid perfscope-web-3 > web-3.json
  perfscope prometheus-config --target web-3:9464 > prometheus.yml   # the scrape side`;

export const grafanaDashboardCommand: Command = {
  name: 'grafana-dashboard',
  summary: "print a Grafana dashboard for 'perfscope serve' (host, process groups, serve itself)",
  help,
  async run(args, io) {
    const p = parseFlags('grafana-dashboard', args, { title: { type: 'string' }, uid: { type: 'string' } }, 0);
    if (p.help) {
      io.stdout.write(`${help}\n`);
      return 0;
    }
    const title = stringFlag(p, 'title');
    // eslint-disable-next-line no-control-regex
    if (title !== undefined && (title.trim() === '' || title.length > 200 || /[\u0000-\u001f\u007f]/.test(title))) {
      throw usageError('grafana-dashboard: --title must be 1-200 printable characters');
    }
    const uid = stringFlag(p, 'uid');
    if (uid !== undefined && !/^[A-Za-z0-9_-]{1,40}$/.test(uid)) throw usageError(`grafana-dashboard: --uid must be 1-40 letters, digits, '-' or '_', got '${uid}'`);
    io.stdout.write(`${JSON.stringify(grafanaDashboard({ title, uid }), null, 2)}\n`);
    return 0;
  },
};
