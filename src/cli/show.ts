/** `perfscope show RUN`: a run's metadata and its summary table. */
import { RunStore, defaultStorePath } from '../store/store.js';
import type { RunData } from '../core/run-data.js';
import { formatBytes, formatSeconds } from '../core/units.js';
import type { Command } from './command.js';
import { parseFlags, positiveInt, stringFlag } from './args.js';
import { renderSummary } from './summary.js';

const help = `Usage: perfscope show RUN [--store PATH]

Prints a recorded run: when and where it ran, how it was sampled, and the summary table
(wall and CPU time, CPU % mean/p50/p95/max, peak RSS, I/O, samples, missed deadlines).
RUN is a run id from 'perfscope ls'.

Options:
  --store PATH   the store file (default: $PERFSCOPE_STORE, else $XDG_DATA_HOME/perfscope/runs.db,
                 else ~/.local/share/perfscope/runs.db)
  -h, --help     show this help

Example:
  perfscope show 12`;

export const showCommand: Command = {
  name: 'show',
  summary: "print a recorded run's metadata and summary",
  help,
  async run(args, io) {
    const p = parseFlags('show', args, { store: { type: 'string' } }, 1);
    if (p.help) {
      io.stdout.write(`${help}\n`);
      return 0;
    }
    const id = positiveInt('show', 'run id', p.positionals[0]);
    const store = RunStore.open({ path: stringFlag(p, 'store') ?? defaultStorePath(io.env), readonly: true });
    try {
      const run = store.getRun(id);
      io.stdout.write(`${renderRunHeader(run, store.runStatus(id))}\n\n${renderSummary(run)}\n`);
    } finally {
      store.close();
    }
    return 0;
  },
};

/** The metadata block above the summary. */
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
  return rows.map(([k, v]) => `${k.padEnd(width)}  ${v}`).join('\n');
}
