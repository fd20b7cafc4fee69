/** Shared test helpers for the store: a temp directory and a plausible RunMeta. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunMeta } from '../../src/core/run-data.js';

export function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'perfscope-store-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function makeMeta(over: Partial<RunMeta> = {}): RunMeta {
  return {
    format: 'perfscope-run',
    formatVersion: 1,
    id: null,
    command: ['node', 'app.js'],
    pid: 4242,
    host: 'testhost',
    startedAt: '2025-01-02T03:04:05.000Z',
    startedAtMs: Date.parse('2025-01-02T03:04:05.000Z'),
    endedAtMs: null,
    intervalSeconds: 0.1,
    children: true,
    precise: false,
    firstCpuSample: 'omitted',
    perfscopeVersion: '0.1.0',
    nodeVersion: 'v20.0.0',
    platform: 'linux',
    kernel: '6.1.0',
    cpuCount: 4,
    memTotalBytes: 8 * 1024 ** 3,
    clockTicksPerSecond: 100,
    cgroup: null,
    exitCode: null,
    signal: null,
    sampleCount: 0,
    missedDeadlines: 0,
    units: {},
    ...over,
  };
}
