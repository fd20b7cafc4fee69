// The classic flow: monitor a process for a few seconds, then draw it. Writes the two-panel figure
// (CPU and memory over time, plus I/O when there was any) as performance_monitoring.png, and the
// interactive HTML report next to it.
// Run it:  node examples/visualize/index.js [output-dir]   (default: a new temp directory)
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { monitor, visualizePerformanceData } from 'perfscope';

const outDir = process.argv[2] ?? mkdtempSync(join(tmpdir(), 'perfscope-visualize-'));
mkdirSync(outDir, { recursive: true });
const workload = fileURLToPath(new URL('../cpu-intensive-task/index.js', import.meta.url));
const child = spawn(process.execPath, [workload], { stdio: 'ignore' });

const data = await monitor({ pid: child.pid, duration: 3, interval: 0.1 });
child.kill();

const png = join(outDir, 'performance_monitoring.png');
visualizePerformanceData(data, { file: png });
const html = join(outDir, 'performance_monitoring.html');
visualizePerformanceData(data, { file: html, lang: 'ko', title: '성능 모니터링' });
console.log(`${data.meta.sampleCount} samples`);
console.log(`wrote ${png}`);
console.log(`wrote ${html}`);
