/** recordCommand(): the library form of `perfscope run`, used from code as the CLI uses it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordCommand, recordProcess, PerfscopeError, RunStore } from '../../src/index.js';
import type { RecordNote } from '../../src/index.js';
import { runExitCode } from '../../src/cli/run.js';
import { recordingExitCode } from '../../src/cli/record.js';
import { alive } from '../helpers/cli.js';

const fixture = new URL('../fixtures/proc', import.meta.url).pathname;

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'perfscope-record-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

test('recordCommand resolves to the run with the exit status; the store keeps it; outputs are written', async (t) => {
  const dir = tempDir(t);
  const store = join(dir, 'runs.db');
  const json = join(dir, 'run.json');
  const notes: RecordNote[] = [];
  const started: number[] = [];
  const result = await recordCommand({
    command: [process.execPath, '-e', 'const s=process.cpuUsage();while(process.cpuUsage(s).user<200e3);process.exit(5)'],
    intervalMs: 50,
    store,
    outputs: { json },
    stdio: 'ignore',
    onNote: (n) => notes.push(n),
    onStart: (info) => started.push(info.pid),
  });
  assert.equal(result.exit.status, 5);
  assert.equal(result.exit.code, 5);
  assert.equal(result.stoppedBy, null);
  assert.equal(result.samplerError, null);
  assert.deepEqual(started, [result.run.meta.pid]);
  assert.equal(result.run.meta.exitCode, 5);
  assert.ok(result.run.meta.childCpu!.userSeconds >= 0.2, JSON.stringify(result.run.meta.childCpu));
  assert.ok(result.run.samples.timestamp.length >= 2);
  assert.deepEqual(result.outputs, [{ kind: 'json', path: json, error: null }]);
  assert.equal(JSON.parse(readFileSync(json, 'utf8')).samples.timestamp.length, result.run.samples.timestamp.length);
  assert.equal(result.store?.complete, true);
  assert.equal(result.store?.lost, null);
  const s = RunStore.open({ path: store, readonly: true });
  try {
    const stored = s.getRun(result.store!.runId!);
    assert.equal(stored.meta.exitCode, 5);
    assert.equal(stored.samples.timestamp.length, result.run.samples.timestamp.length);
  } finally {
    s.close();
  }
  assert.deepEqual(notes, result.notes);
  assert.equal(runExitCode(result), 5);
});

test('recordCommand rejects before running anything: bad options, an unwritable output, an empty command name', async (t) => {
  const dir = tempDir(t);
  const marker = join(dir, 'ran');
  const cmd = ['sh', '-c', `touch ${marker}`];
  const usage = (re: RegExp) => (e: unknown) => e instanceof PerfscopeError && e.code === 'EUSAGE' && re.test(e.message);
  await assert.rejects(recordCommand({ command: cmd, store: false, intervalMs: 1 }), usage(/interval/));
  await assert.rejects(recordCommand({ command: cmd, store: false, outputs: { json: join(dir, 'no', 'x.json') } }), usage(/--json: cannot write .*no such directory/));
  await assert.rejects(recordCommand({ command: [''], store: false }), usage(/command name is empty/));
  await assert.rejects(recordCommand({ command: [], store: false }), usage(/no command/));
  await assert.rejects(recordCommand({ command: 'touch x' as unknown as string[], store: false }), usage(/command must be an array of strings/));
  await assert.rejects(recordCommand({ command: ['true'], store: false, killAfterMs: -1 }), usage(/killAfterMs/));
  assert.equal(existsSync(marker), false, 'nothing was run');
  await assert.rejects(recordCommand({ command: ['no-such-command-xyz'], store: join(dir, 'runs.db') }), { code: 'ENOCMD' });
  await assert.rejects(recordCommand({ command: [dir], store: false }), (e: unknown) => e instanceof PerfscopeError && e.code === 'ENOEXEC' && /is a directory/.test(e.message));
  // Nothing was recorded, so nothing is kept.
  const s = RunStore.open({ path: join(dir, 'runs.db'), readonly: true });
  assert.deepEqual(s.listRuns(), []);
  s.close();
});

/** A fake procfs holding the recorded command's PID (made in onStart), whose stat turns to garbage on demand. */
function fakeProcFor(t: { after(fn: () => void): void }) {
  const root = join(tempDir(t), 'proc');
  cpSync(fixture, root, { recursive: true });
  rmSync(join(root, '4243'), { recursive: true, force: true });
  let pid = 0;
  return {
    root,
    onStart: (info: { pid: number }) => {
      pid = info.pid;
      renameSync(join(root, '4242'), join(root, String(pid)));
      const stat = readFileSync(join(root, String(pid), 'stat'), 'latin1').replace(/^4242 /, `${pid} `);
      writeFileSync(join(root, String(pid), 'stat'), stat);
    },
    break: () => writeFileSync(join(root, String(pid), 'stat'), 'garbage\n'),
  };
}

test('a sampler fault mid-run: the command runs on and keeps its status, the run keeps what came before, the CLI rule gives 8', async (t) => {
  for (const [script, status, exitCode] of [
    ['sleep 0.6', 0, 8],
    ['sleep 0.6; exit 3', 3, 3],
  ] as const) {
    const proc = fakeProcFor(t);
    const notes: RecordNote[] = [];
    const result = await recordCommand({
      command: ['sh', '-c', script],
      intervalMs: 50,
      children: false,
      system: false,
      store: false,
      procRoot: proc.root,
      cgroupRoot: join(proc.root, 'none'),
      onStart: (info) => {
        proc.onStart(info);
        // Sample 0 is taken at once; the stat file turns to garbage a few samples later.
        setTimeout(proc.break, 150);
      },
      onNote: (n) => notes.push(n),
    });
    assert.ok(result.samplerError instanceof PerfscopeError, 'a fault is kept');
    assert.equal(result.samplerError.code, 'ESAMPLER');
    assert.equal(result.exit.status, status, 'the command ran to its end');
    assert.equal(runExitCode(result), exitCode);
    assert.ok(notes.some((n) => n.level === 'error' && /^sampling failed: cannot parse/.test(n.message)), JSON.stringify(notes));
    assert.ok(result.run.samples.timestamp.length >= 1, 'the samples before the fault are kept');
  }
});

test('recordProcess: a PID that does not exist keeps no run; a fault mid-run is kept with the run up to it (watch exits 8)', async (t) => {
  const dir = tempDir(t);
  const store = join(dir, 'runs.db');
  await assert.rejects(recordProcess({ pid: 4194303, store }), { code: 'ENOPROC' });
  assert.equal(existsSync(store), true, 'the store was opened');
  const s = RunStore.open({ path: store, readonly: true });
  assert.deepEqual(s.listRuns(), [], 'a run that never took a sample is not kept');
  s.close();

  const proc = fakeProcFor(t);
  proc.onStart({ pid: 777 });
  setTimeout(proc.break, 150);
  const result = await recordProcess({ pid: 777, intervalMs: 50, children: false, system: false, store, procRoot: proc.root, cgroupRoot: join(proc.root, 'x') });
  assert.equal(result.end, 'error');
  assert.equal(result.samplerError?.code, 'ESAMPLER');
  assert.equal(recordingExitCode(result), 8);
  const kept = RunStore.open({ path: store, readonly: true });
  try {
    const [row] = kept.listRuns();
    assert.equal(row?.status, 'finished');
    assert.equal(kept.getRun(row.id).samples.timestamp.length, result.run.samples.timestamp.length);
  } finally {
    kept.close();
  }
});

test('an AbortSignal stops the command and its whole group; nothing is left running (issue 11.6)', async () => {
  const ac = new AbortController();
  let pid = 0;
  const pending = recordCommand({
    command: ['sh', '-c', 'sleep 31; true'],
    intervalMs: 50,
    store: false,
    signal: ac.signal,
    onStart: (info) => {
      pid = info.pid;
    },
  });
  const sleeper = await waitForChild(() => pid, 'sleep');
  ac.abort();
  const result = await pending;
  assert.equal(result.stoppedBy, 'abort');
  assert.equal(result.exit.signal, 'SIGTERM');
  assert.equal(alive(sleeper), false, 'sleep 31 was stopped with its shell');
});

test('what a command leaves running when it exits is stopped and named (issue 11.6)', async () => {
  const result = await recordCommand({ command: ['sh', '-c', 'sleep 31 & sleep 0.3'], intervalMs: 50, store: false });
  assert.equal(result.exit.status, 0);
  assert.deepEqual(result.leftovers.map((p) => p.comm), ['sleep']);
  assert.equal(alive(result.leftovers[0]!.pid), false);
  assert.ok(result.notes.some((n) => /stopped 1 process the command left running: \d+ \(sleep\)/.test(n.message)), JSON.stringify(result.notes));
});

/** Waits until the process `parentPid()` has a child named `comm`; returns its PID. */
async function waitForChild(parentPid: () => number, comm: string): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const parent = parentPid();
    if (parent !== 0) {
      try {
        const children = readFileSync(`/proc/${parent}/task/${parent}/children`, 'utf8').trim().split(' ').filter(Boolean);
        for (const c of children) {
          if (readFileSync(`/proc/${c}/comm`, 'utf8').trim() === comm) return Number(c);
        }
      } catch {
        // Not there yet.
      }
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no ${comm} child appeared`);
}

test('a process that execs: the run and the store name it by its new program, and a process-exec event says when', async (t) => {
  const dir = tempDir(t);
  const store = join(dir, 'runs.db');
  // The child shell execs sleep after a few samples (same PID, same start time, new comm).
  const result = await recordCommand({
    command: ['sh', '-c', 'sh -c "sleep 0.4; exec sleep 0.6"; true'],
    intervalMs: 50,
    store,
    stdio: 'ignore',
  });
  assert.equal(result.exit.status, 0);
  // The shell's exec of `sleep 0.6` is the event under test. The shell also forks for `sleep 0.4`; on a
  // loaded machine a sample can catch that fork before its own exec, which is a second, true event.
  const allExecs = result.run.events.filter((e) => e.kind === 'process-exec');
  const execs = allExecs.filter((e) => e.detail === 'sleep 0.6');
  assert.equal(execs.length, 1, JSON.stringify(result.run.events));
  assert.ok(allExecs.every((e) => e.detail === 'sleep 0.6' || e.detail === 'sleep 0.4'), JSON.stringify(result.run.events));
  const pid = execs[0]!.pid!;
  assert.equal(execs[0]!.detail, 'sleep 0.6');
  const inRun = result.run.processes!.find((p) => p.pid === pid)!;
  assert.equal(inRun.comm, 'sleep');
  assert.equal(inRun.cmdline, 'sleep 0.6');
  assert.ok(inRun.firstSeen < execs[0]!.t, 'first seen as the shell, before the exec');
  const s = RunStore.open({ path: store, readonly: true });
  try {
    const stored = s.getRun(result.run.meta.id!);
    const p = stored.processes!.find((x) => x.pid === pid)!;
    assert.deepEqual([p.comm, p.cmdline, p.firstSeen], [inRun.comm, inRun.cmdline, inRun.firstSeen]);
    assert.ok(stored.events.some((e) => e.kind === 'process-exec' && e.pid === pid));
  } finally {
    s.close();
  }
});
