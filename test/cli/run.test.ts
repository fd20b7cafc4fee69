import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { alive, bin, cli, startCli, tempDir } from '../helpers/cli.js';

const node = process.execPath;

test('run: returns the command exit code and prints a summary; --json and --csv written', async () => {
  const t = tempDir();
  try {
    const json = join(t.dir, 'run.json');
    const csv = join(t.dir, 'run.csv');
    // 400 ms of CPU (not of wall time: on a loaded machine a wall-clock loop gets less).
    const burn = 'const s=process.cpuUsage();while(process.cpuUsage(s).user<400e3);process.exit(3)';
    const r = await cli(['run', '-i', '0.05', '--json', json, '--csv', csv, '--', node, '-e', burn], {
      store: join(t.dir, 'runs.db'),
    });
    assert.equal(r.code, 3, r.stderr);
    assert.match(r.stderr, /Exit status\s+3/);
    assert.match(r.stderr, /CPU %\s+mean/);
    assert.match(r.stderr, /stored as run 1/);
    const run = JSON.parse(readFileSync(json, 'utf8'));
    assert.equal(run.meta.format, 'perfscope-run');
    assert.equal(run.meta.exitCode, 3);
    assert.ok(run.meta.childCpu.userSeconds >= 0.4, `400 ms of CPU accounted: ${JSON.stringify(run.meta.childCpu)}`);
    const n = run.samples.timestamp.length;
    assert.ok(n >= 3, `${n} samples`);
    for (const col of ['cpu_percent', 'memory_percent', 'rss_bytes', 'io_read_bytes', 'io_write_bytes']) {
      assert.equal(run.samples[col].length, n, `${col} aligned with timestamp`);
    }
    const lines = readFileSync(csv, 'utf8').trim().split('\n');
    assert.equal(lines.length, n + 1);
    assert.match(lines[0]!, /^timestamp,/);
    const ls = await cli(['ls'], { store: join(t.dir, 'runs.db') });
    assert.equal(ls.code, 0);
    assert.match(ls.stdout, /finished/);
  } finally {
    t.cleanup();
  }
});

test('run: a command that is not found exits 127, one line, no stack, no output file', async () => {
  const t = tempDir();
  try {
    const json = join(t.dir, 'x.json');
    const r = await cli(['run', '--json', json, '--', 'no-such-command-xyz'], { store: join(t.dir, 'runs.db') });
    assert.equal(r.code, 127);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /command not found: no-such-command-xyz/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
    assert.equal(existsSync(json), false);
  } finally {
    t.cleanup();
  }
});

test('run: a file that is not executable exits 126', async () => {
  const t = tempDir();
  try {
    const script = join(t.dir, 'script.sh');
    writeFileSync(script, '#!/bin/sh\necho hi\n');
    chmodSync(script, 0o644);
    const r = await cli(['run', '--no-store', '--', script]);
    assert.equal(r.code, 126);
    assert.match(r.stderr, /cannot execute/);
  } finally {
    t.cleanup();
  }
});

test('run: bad options are usage errors (exit 2) with the bad value named', async () => {
  for (const [args, pattern] of [
    [['run', '--interval', 'abc', '--', 'true'], /--interval must be a positive number.*'abc'/],
    [['run', '--interval', '0', '--', 'true'], /--interval/],
    [['run', '--interval', '0.001', '--', 'true'], /--interval must be between 0.01 s/],
    [['run', '--duration', '-5', '--', 'true'], /duration/],
    [['run', '--bogus', '--', 'true'], /unknown option '--bogus'/],
    [['run'], /no command given/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    // issue 11.12: an empty command name was an internal error with a stack trace.
    [['run', '--', ''], /run: the command name is empty/],
    // issue 11.23: a negative value was "argument is ambiguous".
    [['run', '-i', '-1', '--', 'true'], /run: --interval must be a positive number of seconds.*got '-1'/],
    [['run', '--duration', '-0.5', '--', 'true'], /--duration must be a positive number.*got '-0\.5'/],
  ] as const) {
    const r = await cli([...args], { env: { PERFSCOPE_STORE: '/nonexistent/dir/runs.db' } });
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, pattern);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  }
});

test('run: a directory as the command is "is a directory" (126), not "permission denied" (issue 11.23)', async () => {
  const t = tempDir();
  try {
    const r = await cli(['run', '--no-store', '--', t.dir]);
    assert.equal(r.code, 126, r.stderr);
    assert.equal(r.stderr, `perfscope: cannot execute ${t.dir}: is a directory\n`);
  } finally {
    t.cleanup();
  }
});

test('run: an argument that is not UTF-8 is refused (exit 2, nothing run) rather than passed on altered (issue 11.16)', async () => {
  const t = tempDir();
  try {
    const out = join(t.dir, 'out');
    // Node would hand the command "a\ufffdb" (ef bf bd) for the bytes 61 ff 62: bytes a shell passes as they are.
    const script = `exec "$0" "$1" run --no-store -- sh -c 'printf %s "$1" > "$2"' sh "a$(printf '\\377')b" ${out}`;
    const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = spawn('sh', ['-c', script, node, bin], { stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.on('close', (code) => resolve({ code, stderr }));
    });
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^perfscope: argument 8 is not valid UTF-8 \(bytes 61 ff 62\): perfscope passes arguments on as UTF-8 text/);
    assert.equal(existsSync(out), false, 'nothing was run');
  } finally {
    t.cleanup();
  }
});

test('run: control characters in argv make no ill-formed SVG: --plot is drawn and the command keeps its code (issue 11.11)', async () => {
  const t = tempDir();
  try {
    const png = join(t.dir, 'run.png');
    const json = join(t.dir, 'run.json');
    const r = await cli(['run', '-q', '-i', '0.05', '--no-store', '--plot', png, '--json', json, '--', 'sh', '-c', 'sleep 0.2; exit 3', '\u001b]0;title\u0007\u0001']);
    assert.equal(r.code, 3, r.stderr);
    assert.equal(r.stderr, '');
    assert.equal(readFileSync(png).subarray(1, 4).toString(), 'PNG');
    assert.ok(existsSync(json));
  } finally {
    t.cleanup();
  }
});

test('run and ls: a full or closed stdout/stderr is no stack trace; the command keeps its code (issue 11.23)', async () => {
  const t = tempDir();
  try {
    const store = join(t.dir, 'runs.db');
    const sh = (line: string) =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const child = spawn('sh', ['-c', line], { env: { ...process.env, PERFSCOPE_STORE: store, NODE: node, BIN: bin }, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.stderr.on('data', (d: Buffer) => (out += d.toString()));
        child.on('close', (code) => resolve({ code, out }));
      });
    const full = await sh('"$NODE" "$BIN" run -- sh -c "echo hi; exit 3" >/dev/full 2>/dev/full; echo "code $?"');
    assert.equal(full.out, 'code 3\n');
    const closed = await sh('"$NODE" "$BIN" run -- sh -c "exit 4" 2>&-; echo "code $?"');
    assert.match(closed.out, /code 4\n$/);
    const ls = await sh('"$NODE" "$BIN" ls >/dev/full; echo "code $?"');
    assert.equal(ls.out, 'perfscope: cannot write to standard output: no space left on device\ncode 74\n');
    const json = await sh('"$NODE" "$BIN" run -q --no-store --json - -- true >/dev/full; echo "code $?"');
    assert.equal(json.out, 'perfscope: cannot write standard output: no space left on device\ncode 74\n');
  } finally {
    t.cleanup();
  }
});

test('run: a store path under a file is one clear warning, and the run goes on (issue 11.23)', async () => {
  const t = tempDir();
  try {
    const file = join(t.dir, 'file');
    writeFileSync(file, 'x');
    const r = await cli(['run', '-i', '0.05', '--store', join(file, 'runs.db'), '--', 'true']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, new RegExp(`^perfscope: warning: not keeping this run in the store: cannot create the store directory ${file}: a file of that name is in the way$`, 'm'));
    const deeper = await cli(['run', '-q', '--store', join(file, 'sub', 'runs.db'), '--', 'true']);
    assert.match(deeper.stderr, /cannot create the store directory .*sub: a parent is a file, not a directory/);
    assert.doesNotMatch(r.stderr + deeper.stderr, /disk I\/O error|EEXIST|ENOTDIR/);
  } finally {
    t.cleanup();
  }
});

test('run: a command killed by a signal exits 128+N', async () => {
  const r = await cli(['run', '-q', '--no-store', '--', node, '-e', 'process.kill(process.pid, "SIGKILL")']);
  assert.equal(r.code, 137);
});

test('run: SIGTERM to perfscope reaches the command, nothing is left running, the run is kept', async () => {
  const t = tempDir();
  try {
    const pidFile = join(t.dir, 'pid');
    const json = join(t.dir, 'run.json');
    const script = `require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid)); process.on('SIGTERM', () => { console.log('child got SIGTERM'); process.exit(0); }); setInterval(() => {}, 1000);`;
    const { child, result } = startCli(['run', '-i', '0.1', '--json', json, '--', node, '-e', script], { store: join(t.dir, 'runs.db') });
    while (!existsSync(pidFile) || readFileSync(pidFile, 'utf8') === '') await new Promise((r) => setTimeout(r, 50));
    const target = Number(readFileSync(pidFile, 'utf8'));
    await new Promise((r) => setTimeout(r, 300));
    child.kill('SIGTERM');
    const r = await result;
    assert.equal(r.code, 0, `the command's own exit code: ${r.stderr}`);
    assert.match(r.stdout, /child got SIGTERM/);
    assert.equal(alive(target), false, 'no orphan');
    assert.ok(JSON.parse(readFileSync(json, 'utf8')).samples.timestamp.length >= 2);
  } finally {
    t.cleanup();
  }
});

test('run --duration stops the command when the time is up and exits 0: the timed recording succeeded (issue 11.7)', async () => {
  const t = tempDir();
  try {
    const json = join(t.dir, 'run.json');
    const r = await cli(['run', '--no-store', '-i', '0.1', '-d', '0.5', '--json', json, '--', node, '-e', 'setInterval(() => {}, 1000)']);
    assert.equal(r.code, 0, r.stderr);
    // The command's own end is kept: perfscope's SIGTERM ended it.
    assert.match(r.stderr, /Exit status\s+killed by SIGTERM \(stopped at --duration\)/);
    const meta = JSON.parse(readFileSync(json, 'utf8')).meta;
    assert.deepEqual([meta.exitCode, meta.signal, meta.stoppedBy], [143, 'SIGTERM', 'duration']);
    // A command that ends by itself before --duration keeps its own exit code.
    const early = await cli(['run', '-q', '--no-store', '-d', '30', '--', node, '-e', 'process.exit(4)']);
    assert.equal(early.code, 4);
  } finally {
    t.cleanup();
  }
});

test('watch: a PID that does not exist exits 3 with one line and leaves no run in the store (issue 10 §3)', async () => {
  const t = tempDir();
  try {
    const store = join(t.dir, 'runs.db');
    const missing = await cli(['watch', '--store', store, '4194303']);
    assert.equal(missing.code, 3, missing.stderr);
    const ls = await cli(['ls', '--store', store]);
    assert.doesNotMatch(ls.stdout, /interrupted|4194303/, ls.stdout);
  } finally {
    t.cleanup();
  }
  const free = await cli(['watch', '--no-store', '4194303']);
  assert.equal(free.code, 3, free.stderr);
  assert.match(free.stderr, /no process with PID 4194303/);
  const bad = await cli(['watch', 'abc']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /PID must be a positive integer/);
});

/** A PID whose /proc/PID/io this user may not read (root is refused PID 1's in containers), or null. */
function pidWithUnreadableIo(): number | null {
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      readFileSync(`/proc/${name}/io`);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EACCES') return Number(name);
    }
  }
  return null;
}

test('watch: says once why I/O counters stay empty (permission), and still records', async (t) => {
  const pid = pidWithUnreadableIo();
  if (pid === null) {
    t.skip('every /proc/PID/io is readable for this user');
    return;
  }
  const r = await cli(['watch', '--no-store', '--no-children', '--no-system', '-i', '0.1', '-d', '0.3', String(pid)]);
  assert.equal(r.code, 0, r.stderr);
  const notes = r.stderr.split('\n').filter((l) => l.includes('note:'));
  assert.equal(notes.length >= 1 && notes.length <= 2, true, r.stderr);
  assert.match(notes[0]!, new RegExp(`^perfscope: note: I/O counters not recorded: permission denied reading /proc/${pid}/io`));
  assert.match(r.stderr, /Samples\s+\d+/);
  const quiet = await cli(['watch', '-q', '--no-store', '--no-children', '--no-system', '-i', '0.1', '-d', '0.2', String(pid)]);
  assert.equal(quiet.stderr, '', '--quiet prints nothing');
});

test('watch: records a running process until it exits, leaves it alone on --duration', async () => {
  const t = tempDir();
  try {
    const { spawn } = await import('node:child_process');
    const target = spawn(node, ['-e', 'setTimeout(() => {}, 1500)'], { stdio: 'ignore' });
    const json = join(t.dir, 'w.json');
    const r = await cli(['watch', '-i', '0.1', '--json', json, String(target.pid)], { store: join(t.dir, 'runs.db') });
    assert.equal(r.code, 0, r.stderr);
    const run = JSON.parse(readFileSync(json, 'utf8'));
    assert.equal(run.meta.pid, target.pid);
    assert.equal(run.meta.command, null);
    assert.ok(run.samples.timestamp.length >= 5);
    assert.doesNotMatch(r.stderr, /note:/, 'nothing missing, nothing to explain');

    const longer = spawn(node, ['-e', 'setTimeout(() => {}, 5000)'], { stdio: 'ignore' });
    const r2 = await cli(['watch', '-q', '--no-store', '-i', '0.1', '-d', '0.3', String(longer.pid)]);
    assert.equal(r2.code, 0);
    assert.equal(alive(longer.pid!), true, 'watch never kills what it watches');
    longer.kill();
    assert.deepEqual(readdirSync(t.dir).sort(), ['runs.db', 'runs.db-shm', 'runs.db-wal', 'w.json'].filter((f) => existsSync(join(t.dir, f))).sort());
  } finally {
    t.cleanup();
  }
});

test('every command has --help', async () => {
  const top = await cli(['--help']);
  assert.equal(top.code, 0);
  const names = [...top.stdout.matchAll(/^ {2}(\w+) {2,}/gm)].map((m) => m[1]!);
  assert.ok(names.includes('run') && names.includes('watch') && names.includes('ls'));
  for (const name of names) {
    const h = await cli([name, '--help']);
    assert.equal(h.code, 0, name);
    assert.match(h.stdout, new RegExp(`Usage: perfscope ${name}`));
  }
});

test('run: peak RSS is the kernel\'s (ru_maxrss of the children), not the largest sample; few samples are flagged (issue 11.17)', async (t) => {
  const { childrenUsage } = await import('../../src/record/children-usage.js');
  if (childrenUsage()?.maxRssBytes == null) {
    t.skip('the native addon is not built: no kernel peak');
    return;
  }
  const dir = tempDir();
  try {
    const json = join(dir.dir, 'run.json');
    // 300 MB touched for a moment between two 1 s samples: the samples see the process at ~20-40 MiB
    // (or less, when the first sample comes at its very start).
    const r = await cli(['run', '--no-store', '--json', json, '--', node, '-e', 'Buffer.alloc(300e6, 1)']);
    assert.equal(r.code, 0, r.stderr);
    const meta = JSON.parse(readFileSync(json, 'utf8')).meta;
    assert.ok(meta.childMaxRssBytes >= 300e6, `kernel peak ${meta.childMaxRssBytes} covers the 300 MB buffer`);
    // the one sample may come before node has mapped much: '464 KiB' (CI, Node 22) as well as '31 MiB'
    assert.match(r.stderr, /Peak RSS\s+\d+ MiB \(kernel: largest process; samples saw [\d.]+ (?:B|KiB|MiB)\)/);
    assert.match(r.stderr, /Only [12] samples?: CPU %, memory % and I\/O rates are rough/);
  } finally {
    dir.cleanup();
  }
});
