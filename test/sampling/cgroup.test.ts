import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readCgroupLimits } from '../../src/sampling/cgroup.js';

const fixtures = fileURLToPath(new URL('../fixtures/cgroup', import.meta.url));
const opts = (name: string) => ({ procRoot: join(fixtures, name, 'proc'), cgroupRoot: join(fixtures, name, 'sys') });
const MiB = 1024 * 1024;

describe('readCgroupLimits on fixtures', () => {
  it('v2: takes the tightest memory limit over the ancestors and the leaf cpu.max', () => {
    assert.deepEqual(readCgroupLimits(100, opts('v2-ancestor')), {
      version: 2,
      path: '/app.slice/web.service',
      memoryLimitBytes: 512 * MiB,
      memoryUsageBytes: 123456789,
      cpuQuotaCores: 1.5,
    });
  });

  it('v2 in a cgroup namespace: "/" and paths above the namespace root read the mount root', () => {
    const expected = {
      memoryLimitBytes: 256 * MiB,
      memoryUsageBytes: 50 * MiB,
      cpuQuotaCores: 0.5,
    };
    assert.deepEqual(readCgroupLimits(100, opts('v2-namespaced')), { version: 2, path: '/', ...expected });
    assert.deepEqual(readCgroupLimits(101, opts('v2-namespaced')), {
      version: 2,
      path: '/../../system.slice/other.service',
      ...expected,
    });
  });

  it('v1 hybrid without limits (captured on this VM): 0x7ffffffffffff000 and -1 mean none', () => {
    assert.deepEqual(readCgroupLimits(100, opts('v1-unlimited')), {
      version: 1,
      path: '/process_api/1c002138d5e8971effece59d0b0a7864',
      memoryLimitBytes: null,
      memoryUsageBytes: 152031232,
      cpuQuotaCores: null,
    });
  });

  it('v1 with limits: the tighter parent limit wins; cfs quota/period from a cpu,cpuacct mount', () => {
    assert.deepEqual(readCgroupLimits(100, opts('v1-limited')), {
      version: 1,
      path: '/docker/abc',
      memoryLimitBytes: 2048 * MiB,
      memoryUsageBytes: 1024 * MiB,
      cpuQuotaCores: 2,
    });
  });

  it('v1 container view: a path missing under the mount falls back to the mount root', () => {
    assert.deepEqual(readCgroupLimits(100, opts('v1-container-view')), {
      version: 1,
      path: '/docker/abc',
      memoryLimitBytes: 512 * MiB,
      memoryUsageBytes: 100 * MiB,
      cpuQuotaCores: 0.5,
    });
  });

  it('never throws: no cgroup file gives all nulls', () => {
    assert.deepEqual(readCgroupLimits(999, opts('v2-ancestor')), {
      version: null,
      path: null,
      memoryLimitBytes: null,
      memoryUsageBytes: null,
      cpuQuotaCores: null,
    });
    assert.deepEqual(readCgroupLimits(100, { procRoot: opts('v2-ancestor').procRoot, cgroupRoot: '/nonexistent' }), {
      version: null,
      path: null,
      memoryLimitBytes: null,
      memoryUsageBytes: null,
      cpuQuotaCores: null,
    });
  });
});

describe('readCgroupLimits on the live machine', () => {
  it('reports the cgroup /proc/self/cgroup names, with usage when a memory controller is found', () => {
    const limits = readCgroupLimits('self');
    const text = readFileSync('/proc/self/cgroup', 'utf8');
    assert.ok(limits.version === 1 || limits.version === 2);
    assert.ok(limits.path !== null && text.includes(`:${limits.path}\n`));
    if (limits.memoryLimitBytes !== null) assert.ok(limits.memoryLimitBytes > 0);
    if (limits.cpuQuotaCores !== null) assert.ok(limits.cpuQuotaCores > 0);
  });
});
