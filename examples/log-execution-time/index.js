// The classic `log_execution_time` recipe, in perfscope: example_function(1000000) timed, its
// duration written to app_performance.log in Python logging's layout, and observed in the
// function_duration_seconds histogram. Run:  node examples/log-execution-time/index.js [DIR] [--lang ko]
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPerformanceLog, register, timed } from 'perfscope';

const args = process.argv.slice(2);
const lang = args.includes('--lang') ? args[args.indexOf('--lang') + 1] : 'en';
const dir = args.find((a) => !a.startsWith('--') && a !== lang) ?? mkdtempSync(join(tmpdir(), 'perfscope-'));
const file = join(dir, 'app_performance.log');

const log = createPerformanceLog({ file, name: 'performance_monitor', lang });

const exampleFunction = timed(
  function example_function(n) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += i;
    return sum;
  },
  { log },
);

console.log(`example_function(1000000) = ${exampleFunction(1000000)}`);
await log.close();

console.log(`--- ${file}`);
process.stdout.write(readFileSync(file, 'utf8'));
console.log('--- function_duration_seconds');
const metrics = await register.metrics();
console.log(metrics.split('\n').filter((l) => l.startsWith('function_duration_seconds_count')).join('\n'));
