/**
 * `perfscope run` and the command's process tree: signals and --duration reach every descendant, what
 * is left is stopped, in both modes (a process group of its own; a terminal's foreground), and the
 * wall time covers the command's whole life.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { alive, bin, cli, repoRoot, tempDir, type CliResult } from '../helpers/cli.js';

const node = process.execPath;

/** Field n (proc(5) numbering, n >= 3) of /proc/PID/stat. */
function statField(pid: number, n: number): number {
  const text = readFileSync(`/proc/${pid}/stat`, 'latin1');
  return Number(text.slice(text.lastIndexOf(')') + 2).split(' ')[n - 3]);
}

async function waitForFile(path: string): Promise<string> {
  for (let i = 0; i < 400; i++) {
    if (existsSync(path)) {
      const text = readFileSync(path, 'utf8').trim();
      if (text !== '') return text;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`${path} never appeared`);
}

/** The PID of `parent`'s child named `comm`. */
async function childNamed(parent: number, comm: string): Promise<number> {
  for (let i = 0; i < 400; i++) {
    try {
      for (const c of readFileSync(`/proc/${parent}/task/${parent}/children`, 'utf8').trim().split(' ').filter(Boolean)) {
        if (readFileSync(`/proc/${c}/comm`, 'utf8').trim() === comm) return Number(c);
      }
    } catch {
      // Not yet.
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`no ${comm} under ${parent}`);
}

/** Runs perfscope with no controlling terminal (a session of its own, as under CI or a service manager). */
function runDetached(args: string[]): { pid: number; result: Promise<CliResult> } {
  const child = spawn(node, [bin, ...args], { cwd: repoRoot, detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: 'true' } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return { pid: child.pid!, result: new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }))) };
}

/** Runs a shell command line in a new pseudo-terminal (util-linux `script`), as the terminal's foreground job. */
function inTerminal(commandLine: string, env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  const child = spawn('script', ['-qec', commandLine, '/dev/null'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CI: '', ...env } });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return new Promise((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
}

const sq = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

for (const [signal, code] of [
  ['SIGTERM', 143],
  ['SIGINT', 130],
  ['SIGHUP', 129],
] as const) {
  test(`${signal} to perfscope reaches the whole process group: \`sh -c "sleep 31; true"\` leaves no sleep (issue 11.6)`, async () => {
    const t = tempDir();
    try {
      const shFile = join(t.dir, 'sh');
      const { pid, result } = runDetached(['run', '-q', '--no-store', '-i', '0.1', '--', 'sh', '-c', `echo $$ > ${shFile}; sleep 31; true`]);
      const sh = Number(await waitForFile(shFile));
      const sleeper = await childNamed(sh, 'sleep');
      assert.equal(statField(sh, 5), sh, 'the command leads a process group of its own');
      process.kill(pid, signal);
      const r = await result;
      assert.equal(r.code, code, `sh died of the ${signal} passed on: ${r.stderr}`);
      assert.equal(alive(sleeper), false, `sleep 31 got the ${signal} too`);
    } finally {
      t.cleanup();
    }
  });
}

test('--duration stops the whole group too, and a second signal kills what ignores the first', async () => {
  const t = tempDir();
  try {
    const shFile = join(t.dir, 'sh');
    // The shell ignores SIGTERM and so does its child: --duration's SIGTERM is not enough, SIGKILL follows.
    const r1 = runDetached(['run', '-q', '--no-store', '-i', '0.1', '-d', '0.3', '--', 'sh', '-c', `echo $$ > ${shFile}; trap '' TERM; sleep 31; true`]);
    const sh = Number(await waitForFile(shFile));
    const sleeper = await childNamed(sh, 'sleep');
    // Instead of waiting the 5 s grace, a second signal to perfscope kills the group at once.
    await new Promise((r) => setTimeout(r, 600));
    process.kill(r1.pid, 'SIGTERM');
    const r = await r1.result;
    assert.equal(r.code, 0, `a timed recording: ${r.stderr}`);
    assert.equal(alive(sleeper), false);
    assert.equal(alive(sh), false);
  } finally {
    t.cleanup();
  }
});

test('in a terminal\'s foreground the command shares perfscope\'s group (no SIGTTIN) and SIGTERM still reaches its tree', async () => {
  const t = tempDir();
  try {
    const shFile = join(t.dir, 'sh');
    const perfscopeFile = join(t.dir, 'perfscope');
    const codeFile = join(t.dir, 'code');
    const inner = `echo $PPID > ${perfscopeFile}; echo $$ > ${shFile}; sleep 31; true`;
    // The terminal stays open 2 s after perfscope exits: its hangup must not be what ends the sleep.
    const pending = inTerminal(`${sq(node)} ${sq(bin)} run -q --no-store -i 0.1 -- sh -c ${sq(inner)}; echo $? > ${codeFile}; sleep 2`);
    const perfscope = Number(await waitForFile(perfscopeFile));
    const sh = Number(await waitForFile(shFile));
    const sleeper = await childNamed(sh, 'sleep');
    assert.notEqual(statField(perfscope, 7), 0, 'perfscope has a controlling terminal');
    assert.equal(statField(sh, 5), statField(perfscope, 5), 'the command stays in the foreground group');
    process.kill(perfscope, 'SIGTERM');
    assert.equal(await waitForFile(codeFile), '143');
    let state = '';
    try {
      state = readFileSync(`/proc/${sleeper}/stat`, 'latin1');
    } catch {
      // gone
    }
    assert.equal(alive(sleeper), false, `sleep 31 found by walking the tree and signalled: ${state}`);
    await pending;
  } finally {
    t.cleanup();
  }
});

test('the status line is drawn only where the command\'s output does not land on it (issue 11.22)', async () => {
  const t = tempDir();
  try {
    const script = 'let i=0;const t=setInterval(()=>{console.log("line "+i++);if(i>8)clearInterval(t)},100)';
    const shared = await inTerminal(`${sq(node)} ${sq(bin)} run -i 0.05 --no-store -- ${sq(node)} -e ${sq(script)}`);
    assert.equal(shared.code, 0, shared.stdout);
    const lines = shared.stdout.split(/\r?\n/);
    for (let i = 0; i <= 8; i++) assert.ok(lines.includes(`line ${i}`), `"line ${i}" on a line of its own:\n${JSON.stringify(shared.stdout.slice(0, 400))}`);
    assert.doesNotMatch(shared.stdout, /procs \d/, 'no status line over the command\'s output');
    const out = join(t.dir, 'out.txt');
    const redirected = await inTerminal(`${sq(node)} ${sq(bin)} run -i 0.05 --no-store -- ${sq(node)} -e ${sq(script)} > ${sq(out)}`);
    assert.equal(redirected.code, 0, redirected.stdout);
    const drawn = redirected.stdout.split('\r\u001b[2K').filter((s) => /^perfscope [\d.]+ \S+ {2}CPU .* {2}procs 1/.test(s));
    assert.ok(drawn.length >= 1, `drawn when the command writes elsewhere: ${JSON.stringify(redirected.stdout.slice(0, 200))}`);
    assert.match(readFileSync(out, 'utf8'), /^line 0\nline 1\n/);
  } finally {
    t.cleanup();
  }
});

test('wall time covers the command\'s whole life: taken before the spawn and the store (issue 11.18)', async () => {
  const t = tempDir();
  try {
    const json = join(t.dir, 'run.json');
    const r = await cli(['run', '-q', '-i', '0.05', '--json', json, '--', 'sleep', '0.5'], { store: join(t.dir, 'runs.db') });
    assert.equal(r.code, 0, r.stderr);
    const meta = JSON.parse(readFileSync(json, 'utf8')).meta;
    const wallMs = meta.endedAtMs - meta.startedAtMs;
    // sleep 0.5 lives at least 500 ms from its spawn; a start taken after the spawn and the store's
    // opening (15-250 ms) made this shorter than the sleep itself.
    assert.ok(wallMs >= 500, `wall ${wallMs} ms for sleep 0.5`);
  } finally {
    t.cleanup();
  }
});

test('what the command leaves running is stopped when it exits, but not a daemon (a session of its own), in both modes (issue 11.6)', async () => {
  const t = tempDir();
  try {
    for (const mode of ['own group', 'terminal'] as const) {
      const jobFile = join(t.dir, `job-${mode.replace(' ', '-')}`);
      const daemonFile = join(t.dir, `daemon-${mode.replace(' ', '-')}`);
      // The daemon lets go of perfscope's output pipes, as daemons do.
      const inner = `sleep 31 & echo $! > ${jobFile}; setsid sleep 32 </dev/null >/dev/null 2>&1 & echo $! > ${daemonFile}; sleep 0.3`;
      let r: CliResult;
      if (mode === 'own group') {
        r = await runDetached(['run', '--no-store', '-i', '0.05', '--', 'sh', '-c', inner]).result;
      } else {
        r = await inTerminal(`${sq(node)} ${sq(bin)} run --no-store -i 0.05 -- sh -c ${sq(inner)} 2>&1; sleep 1`);
        r.stderr = r.stdout;
      }
      const job = Number(readFileSync(jobFile, 'utf8'));
      const daemon = Number(readFileSync(daemonFile, 'utf8'));
      try {
        assert.equal(r.code, 0, r.stderr);
        assert.match(r.stderr, new RegExp(`perfscope: note: stopped 1 process the command left running: ${job} \\(sleep\\)`), `${mode}: ${r.stderr}`);
        assert.equal(alive(job), false, `${mode}: the background job is stopped`);
        assert.equal(alive(daemon), true, `${mode}: the daemon is left alone`);
      } finally {
        process.kill(daemon, 'SIGKILL');
      }
    }
  } finally {
    t.cleanup();
  }
});
