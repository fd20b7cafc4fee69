// A demo workload with a known shape, about 6 seconds long, for `perfscope run`:
//   0-2 s   one busy core (pure JavaScript arithmetic)
//   2-4 s   ~50 % of a core, plus a 64 MiB buffer that is touched and held
//   2-4 s   two child processes that each burn ~40 % of a core
//   4-6 s   writes and reads a 32 MiB temporary file, then idles
// Run it:  npx perfscope run -i 0.1 -- node examples/cpu-intensive-task/index.js
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const child = process.argv[2] === '--child';

/** Busy-loops for `ms` of wall time. */
function spin(ms) {
  const end = performance.now() + ms;
  let x = 0;
  while (performance.now() < end) x += Math.sqrt(x + 1);
  return x;
}

/** Burns `duty` (0..1) of a core for `ms`, in 100 ms periods. */
async function burn(duty, ms) {
  const end = performance.now() + ms;
  while (performance.now() < end) {
    spin(100 * duty);
    await new Promise((r) => setTimeout(r, 100 * (1 - duty)));
  }
}

if (child) {
  await burn(Number(process.argv[3] ?? 0.4), Number(process.argv[4] ?? 2000));
} else {
  console.log('demo: phase 1/3: one busy core for 2 s');
  spin(2000);

  console.log('demo: phase 2/3: 50 % of a core, 64 MiB held, two children at ~40 % each');
  const held = Buffer.alloc(64 * 1024 * 1024, 1);
  const self = fileURLToPath(import.meta.url);
  // The exit promises are made at spawn time: a child that finishes before the parent's own phase
  // would otherwise emit 'exit' before anyone listens, and the await below would never settle.
  const exited = [0, 1].map(() => {
    const kid = spawn(process.execPath, [self, '--child', '0.4', '2000'], { stdio: 'inherit' });
    return new Promise((resolve) => kid.once('exit', resolve));
  });
  await burn(0.5, 2000);
  await Promise.all(exited);

  console.log('demo: phase 3/3: 32 MiB written to and read from a temporary file');
  const dir = mkdtempSync(join(tmpdir(), 'perfscope-demo-'));
  try {
    const file = join(dir, 'data.bin');
    writeFileSync(file, Buffer.alloc(32 * 1024 * 1024, 7));
    const back = readFileSync(file);
    console.log(`demo: read back ${back.length} bytes; holding ${held.length} bytes`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  await new Promise((r) => setTimeout(r, 1500));
  console.log('demo: done');
}
