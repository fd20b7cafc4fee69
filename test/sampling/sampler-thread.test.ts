/**
 * `thread: true`: the Sampler ticking in a worker thread on the real /proc. Same results as the
 * main-thread Sampler, samples read while the main thread is blocked, and stop() ends the worker.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Sampler, type EndReason, type Sample } from '../../src/sampling/sampler.js';
import { assertBlockDoesNotDelay, collect, cpuTrace, mean, runToExit, startBurner } from '../helpers/sampler-runs.js';

test('thread: a 50 % burner reads the same as on the main thread, within 3 points of the scheduler\'s truth', async () => {
  const child = await startBurner(0.5, 8);
  try {
    const opts = { pid: child.pid!, intervalMs: 200, durationMs: 3000, children: false, system: true, keepAlive: true };
    const trace = cpuTrace(child.pid!);
    const [main, thread] = await Promise.all([collect(new Sampler(opts)), collect(new Sampler({ ...opts, thread: true }))]);
    trace.stop();
    // Each engine against the truth over its own samples' window (a worker's sample 0 comes later).
    const truth = trace.percentBetween(thread.samples[0]!.wallMs, thread.samples.at(-1)!.wallMs);
    const truthMain = trace.percentBetween(main.samples[0]!.wallMs, main.samples.at(-1)!.wallMs);
    assert.equal(thread.reason, 'duration');
    assert.equal(thread.samples.length, main.samples.length);
    assert.deepEqual(
      thread.samples.map((s) => s.index),
      thread.samples.map((_, i) => i),
    );
    assert.equal(thread.starts.length, 1);
    assert.equal(thread.starts[0]!.pid, child.pid);
    assert.equal(thread.samples[0]!.tree.cpu_percent, null, 'no fake first CPU sample');
    assert.deepEqual(Object.keys(thread.samples[1]!.tree), Object.keys(main.samples[1]!.tree));
    assert.deepEqual(Object.keys(thread.samples[1]!.system!).sort(), Object.keys(main.samples[1]!.system!).sort());
    const m = mean(thread.samples.map((s) => s.tree.cpu_percent ?? null));
    const ref = mean(main.samples.map((s) => s.tree.cpu_percent ?? null));
    assert.ok(Math.abs(m - truth) <= 3, `thread mean CPU ${m.toFixed(2)} % within 3 points of the scheduler's ${truth.toFixed(2)} %`);
    assert.ok(truth > 10, `the burner ran (${truth.toFixed(1)} % of a core; 50 % asked)`);
    assert.ok(Math.abs(ref - truthMain) <= 3, `main thread ${ref.toFixed(2)} % within 3 points of the scheduler's ${truthMain.toFixed(2)} %`);
  } finally {
    child.kill('SIGKILL');
  }
});

test('thread: a 500 ms block of the main thread does not delay samples', async () => {
  const child = await startBurner(0.2, 8);
  try {
    await assertBlockDoesNotDelay(
      new Sampler({ pid: child.pid!, intervalMs: 100, durationMs: 1500, children: false, system: false, thread: true, keepAlive: true }),
    );
  } finally {
    child.kill('SIGKILL');
  }
});

test('thread: the async iterator sees sample 0; stop() ends the run and delivers nothing after', async () => {
  const sampler = new Sampler({ pid: process.pid, runtime: false, intervalMs: 50, children: false, system: false, thread: true, keepAlive: true });
  const seen: Sample[] = [];
  let ended: EndReason | null = null;
  sampler.on('end', (r: EndReason) => (ended = r));
  for await (const s of sampler.start()) {
    seen.push(s);
    if (seen.length === 3) sampler.stop();
  }
  assert.equal(ended, 'stopped');
  assert.equal((await sampler.done).reason, 'stopped');
  assert.equal(seen[0]!.index, 0);
  assert.equal(sampler.samples, seen.length, 'every delivered sample reached the iterator');
  let late = 0;
  sampler.on('sample', () => late++);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(late, 0, 'no sample after stop()');
});

/** A process that samples itself in a worker with keepAlive, stops after 3 samples and must then exit. */
async function exitsAfterStop(entry: string, execArgv: string[]): Promise<void> {
  const code = `
    const { Sampler } = await import(${JSON.stringify(entry)});
    const s = new Sampler({ runtime: false, intervalMs: 20, children: false, system: false, thread: true, keepAlive: true });
    let n = 0;
    s.on('sample', () => { if (++n === 3) s.stop(); });
    s.on('end', (r) => console.log('end ' + r + ' ' + s.samples));
    s.start();`;
  const out = await runToExit(execArgv, code);
  assert.match(out, /^end stopped [3-9]\d*$/m);
}

test('thread: stop() ends the worker, so the process exits (src under tsx)', async () => {
  await exitsAfterStop(new URL('../../src/sampling/sampler.ts', import.meta.url).href, ['--import', 'tsx']);
});

test('thread: the built worker loads from dist/ on plain node', async (t) => {
  const dist = new URL('../../dist/sampling/sampler.js', import.meta.url);
  if (!existsSync(fileURLToPath(new URL('../../dist/sampling/sampler-worker.js', import.meta.url)))) {
    t.skip('dist/ is not built (npm test builds it first)');
    return;
  }
  await exitsAfterStop(dist.href, []);
});
