// What `perfscope run` does, from code: start a command, record it and its children, keep the run in
// a store, write the outputs, and get the run back with the command's exit status.
// Run it:  node examples/record-command/index.js [output-dir]   (default: a new temp directory)
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { recordCommand, RunStore } from 'perfscope';

const outDir = process.argv[2] ?? mkdtempSync(join(tmpdir(), 'perfscope-record-'));
mkdirSync(outDir, { recursive: true });
const workload = fileURLToPath(new URL('../cpu-intensive-task/index.js', import.meta.url));
const store = join(outDir, 'runs.db');

const result = await recordCommand({
  command: [process.execPath, workload],
  intervalMs: 100,
  store,                                       // or false; default: $PERFSCOPE_STORE or ~/.local/share/perfscope/runs.db
  outputs: { json: join(outDir, 'run.json'), html: join(outDir, 'run.html') },
  stdio: 'ignore',                             // the CLI shares its terminal ('inherit', the default)
  durationMs: 60_000,                          // the command is stopped (SIGTERM to its group) if it runs longer
  onNote: (n) => console.log(`${n.level}: ${n.message}`),
});

const { run, exit } = result;
const cpu = run.meta.childCpu;
console.log(`exit status ${exit.status}${result.stoppedBy ? ` (stopped by ${result.stoppedBy})` : ''}`);
console.log(`${run.samples.timestamp.length} samples, CPU ${(cpu.userSeconds + cpu.systemSeconds).toFixed(2)} s`);
console.log(`peak RSS ${(run.meta.childMaxRssBytes ?? 0) / 2 ** 20 | 0} MiB (kernel), processes seen ${run.processes?.length ?? 1}`);
for (const o of result.outputs) console.log(o.error ? `failed ${o.path}: ${o.error.message}` : `wrote ${o.path}`);
if (result.samplerError) console.log(`sampling failed: ${result.samplerError.message}`);

// The store keeps it: the same run, read back.
const s = RunStore.open({ path: store, readonly: true });
const stored = s.getRun(result.store.runId);
console.log(`stored as run ${stored.meta.id}: ${stored.samples.timestamp.length} samples, ${s.runStatus(stored.meta.id)}`);
s.close();
