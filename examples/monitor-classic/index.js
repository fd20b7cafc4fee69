// The classic recipe ("sample cpu_percent, memory_percent and io_counters of a process for a duration
// at an interval"), with perfscope's monitor(): absolute deadlines, no fake 0.0 first sample, children
// included. Run it:  node examples/monitor-classic/index.js
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { monitor } from 'perfscope';

const workload = fileURLToPath(new URL('../cpu-intensive-task/index.js', import.meta.url));
const child = spawn(process.execPath, [workload], { stdio: 'ignore' });

const data = await monitor({ pid: child.pid, duration: 4, interval: 0.5 });

console.log('  t (s)   CPU %   mem %   read B     write B');
for (let i = 0; i < data.timestamp.length; i++) {
  const cpu = data.cpu_percent[i];
  const io = data.io_counters[i];
  console.log(
    `${data.timestamp[i].toFixed(2).padStart(7)} ${(cpu === null ? '-' : cpu.toFixed(1)).padStart(7)} ${data.memory_percent[i].toFixed(2).padStart(7)}` +
      ` ${String(io?.read_bytes ?? '-').padStart(9)} ${String(io?.write_bytes ?? '-').padStart(11)}`,
  );
}
console.log(`first CPU sample: ${data.meta.firstCpuSample}; ${data.meta.sampleCount} samples, ${data.meta.missedDeadlines} missed deadlines`);
child.kill();
