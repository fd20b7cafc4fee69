/** Every example in examples/ runs and says what it should, so the docs never rot. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { repoRoot } from './helpers/cli.js';

const run = promisify(execFile);

test('examples/cpu-intensive-task runs its three phases', async () => {
  const { stdout } = await run(process.execPath, ['examples/cpu-intensive-task/index.js'], { cwd: repoRoot });
  assert.match(stdout, /phase 3\/3/);
  assert.match(stdout, /demo: done/);
});

test('examples/monitor-classic prints a table with a null first CPU sample', async () => {
  const { stdout } = await run(process.execPath, ['examples/monitor-classic/index.js'], { cwd: repoRoot });
  const rows = stdout.trim().split('\n');
  assert.match(rows[1]!, /^\s+0\.00\s+-\s/);
  assert.match(stdout, /first CPU sample: omitted; 9 samples/);
});

test('examples/self-monitor sees the event loop blocked', async () => {
  const { stdout } = await run(process.execPath, ['examples/self-monitor/index.js'], { cwd: repoRoot });
  const delays = [...stdout.matchAll(/loop delay max=([\d.]+) ms/g)].map((m) => Number(m[1]));
  assert.ok(delays.some((d) => d >= 100), `a 150 ms block seen: ${delays.join(', ')}`);
  assert.match(stdout, /ended: duration/);
});

test('examples/visualize draws performance_monitoring.png and an HTML report', async () => {
  const { mkdtempSync, readFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'perfscope-example-'));
  try {
    const { stdout } = await run(process.execPath, ['examples/visualize/index.js', dir], { cwd: repoRoot });
    assert.match(stdout, /wrote .*performance_monitoring\.png/);
    const png = readFileSync(join(dir, 'performance_monitoring.png'));
    assert.equal(png.readUInt32BE(0), 0x89504e47, 'a PNG');
    assert.equal(png.readUInt32BE(16), 1200, 'width');
    assert.match(readFileSync(join(dir, 'performance_monitoring.html'), 'utf8'), /성능 모니터링/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('examples/log-execution-time times example_function(1000000) into app_performance.log (en and ko)', async () => {
  const { mkdtempSync, readFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'perfscope-example-'));
  try {
    const { stdout } = await run(process.execPath, ['examples/log-execution-time/index.js', dir], { cwd: repoRoot });
    assert.match(stdout, /example_function\(1000000\) = 499999500000/);
    assert.match(stdout, /function_duration_seconds_count\{function="example_function",outcome="success"\} 1/);
    const line = readFileSync(join(dir, 'app_performance.log'), 'utf8').trim();
    assert.match(line, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} - performance_monitor - INFO - function example_function took \d+\.\d{6} s$/);
    await run(process.execPath, ['examples/log-execution-time/index.js', dir, '--lang', 'ko'], { cwd: repoRoot });
    const ko = readFileSync(join(dir, 'app_performance.log'), 'utf8').trim().split('\n')[1]!;
    assert.match(ko, / - performance_monitor - INFO - 함수 example_function 실행 시간: \d+\.\d{6}초$/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('examples/timed-service serves its handler timings on /metrics', async () => {
  const { stdout } = await run(process.execPath, ['examples/timed-service/index.js'], { cwd: repoRoot });
  assert.match(stdout, /checkout\?fail=1 -> 500 payment declined/);
  assert.match(stdout, /function_duration_seconds_count\{function="getUser",outcome="success"\} 3/);
  assert.match(stdout, /function_duration_seconds_count\{function="checkout",outcome="error"\} 1/);
});

test('examples/record-command records the demo workload from code, as perfscope run does', async () => {
  const { mkdtempSync, existsSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'perfscope-example-'));
  try {
    const { stdout } = await run(process.execPath, ['examples/record-command/index.js', dir], { cwd: repoRoot });
    assert.match(stdout, /^exit status 0$/m);
    assert.match(stdout, /processes seen [2-9]/, 'its children were followed');
    const samples = Number(/^(\d+) samples/m.exec(stdout)?.[1]);
    assert.ok(samples >= 10, stdout);
    assert.match(stdout, new RegExp(`^stored as run 1: ${samples} samples, finished$`, 'm'));
    assert.ok(existsSync(join(dir, 'run.json')) && existsSync(join(dir, 'run.html')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('examples/logs-analyze finds the slowdown, the patterns and the malformed lines of the bundled sample', async () => {
  const { mkdtempSync, readFileSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const dir = mkdtempSync(join(tmpdir(), 'perfscope-example-'));
  try {
    const { stdout } = await run(process.execPath, ['examples/logs-analyze/index.js', dir], { cwd: repoRoot });
    assert.match(stdout, /^text: 5982 calls, 18 malformed lines/);
    assert.match(stdout, /change: get_order p50 7\.\d ms -> 13\.\d ms from 2026-11-24T18:01:00\.000Z/);
    assert.match(stdout, /pattern: \d+ x ERROR PermissionError: user <\*> lacks role <\*> for <\*>/);
    assert.match(readFileSync(join(dir, 'logs-report.html'), 'utf8'), /<title>perfscope logs analyze: .*app_performance\.log\.gz<\/title>/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('examples/express-metrics: prom-client code served by metricsHandler(), request_count under its own name', async () => {
  const { stdout } = await run(process.execPath, ['examples/express-metrics/index.js'], { cwd: repoRoot });
  assert.match(stdout, /^request_count\{method="GET",route="\/",status="200"\} 2$/m);
  assert.match(stdout, /^request_count\{method="GET",route="\/work",status="200"\} 1$/m);
});
