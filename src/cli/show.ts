/** `perfscope show RUN`: a run's metadata and its summary table (or both as JSON). */
import type { RunData } from '../core/run-data.js';
import { formatBytes, formatSeconds } from '../core/units.js';
import { summarizeRun } from '../analysis/run-summary.js';
import type { Command } from './command.js';
import { parseFlags } from './args.js';
import { runIdOf, runRefHelp, storeFlagHelp, storePathOf, withStore } from './store-access.js';
import { renderSummary } from './summary.js';
import { terminalSafe } from './terminal-text.js';

const help = `Usage: perfscope show RUN [--json] [--store PATH]

Prints a recorded run: when and where it ran, how it was sampled, and the summary table
(wall and CPU time, CPU % mean/p50/p95/max, peak RSS, I/O, samples, missed deadlines).
${runRefHelp}

Options:
  --json         the run's metadata, state and summary figures as one JSON object
                 ({ meta, status, summary }; the samples: 'perfscope export')
${storeFlagHelp}
  -h, --help     show this help

Examples:
  perfscope show 12
  perfscope show last
  perfscope show -2 --json | jq .summary.peakRssBytes`;

export const showCommand: Command = {
  name: 'show',
  summary: "print a recorded run's metadata and summary",
  help,
  async run(args, io) {
    const p = parseFlags('show', args, { store: { type: 'string' }, json: { type: 'boolean' } }, 1, { runRefs: true });
    if (p.help) {
      io.stdout.write(`${help}\n`);
      return 0;
    }
    const text = withStore(storePathOf(p, io, 'show'), (store) => {
      const id = runIdOf(store, p.positionals[0], 'show');
      const run = store.getRun(id);
      const status = store.runStatus(id);
      if (p.values.json === true) return `${JSON.stringify({ meta: run.meta, status, summary: summarizeRun(run) }, null, 2)}\n`;
      return `${renderRunHeader(run, status)}\n\n${renderSummary(run)}\n`;
    });
    io.stdout.write(text);
    return 0;
  },
};

/** The metadata block above the summary; every stored string is made terminal-safe. */
export function renderRunHeader(run: RunData, status: string): string {
  const m = run.meta;
  const cg = m.cgroup;
  const limits = [
    cg?.cpuQuotaCores != null ? `${cg.cpuQuotaCores} CPUs` : null,
    cg?.memoryLimitBytes != null ? `${formatBytes(cg.memoryLimitBytes)} memory` : null,
  ].filter((x) => x !== null);
  const rows: [string, string][] = [
    ['Run', `${m.id ?? '-'} (${status})`],
    ['Started', `${m.startedAt} on ${m.host}`],
    ['Root PID', `${m.pid}${m.children ? ' and its descendants' : ' only'}`],
    ['Sampling', `every ${formatSeconds(m.intervalSeconds)}, CPU ${m.precise ? 'from schedstat (ns)' : `from ${m.clockTicksPerSecond} Hz ticks`}`],
    ['Machine', `${m.platform} ${m.kernel}, ${m.cpuCount} CPUs, ${formatBytes(m.memTotalBytes)}${limits.length > 0 ? `, cgroup limit ${limits.join(', ')}` : ''}`],
    ['Recorded by', `perfscope ${m.perfscopeVersion} on node ${m.nodeVersion}`],
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${terminalSafe(v)}`).join('\n');
}
