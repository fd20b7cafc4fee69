/**
 * Process groups on the live /proc with real child processes: comm by default, --group rules (first
 * match wins, on the command line), --pid trees (descendants, renames, a reused PID), kernel threads,
 * and counters that never go back when members exit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { ProcessTable } from '../../src/sampling/process-table.js';
import { readAuxv } from '../../src/sampling/procfs.js';
import { Ctr, GroupAccount, KERNEL_GROUP, type GroupingOptions } from '../../src/agent/groups.js';
import { SeriesSet } from '../../src/agent/series-set.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function node(code: string, ...args: string[]): Promise<ChildProcess> {
  const c = spawn(process.execPath, ['-e', code, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    c.stdout!.once('data', () => resolve(c));
    c.once('error', reject);
  });
}

function stop(...cs: ChildProcess[]): Promise<unknown> {
  return Promise.all(
    cs.map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.exitCode !== null || c.signalCode !== null) return resolve();
          c.once('exit', () => resolve());
          c.kill('SIGKILL');
        }),
    ),
  );
}

class Harness {
  readonly table = new ProcessTable();
  readonly set = new SeriesSet();
  readonly account: GroupAccount;
  constructor(options: GroupingOptions) {
    this.account = new GroupAccount(this.set, options, readAuxv().clockTicksPerSecond);
  }
  tick(): void {
    this.account.update(this.table.update(), this.table.records, performance.now(), 0);
  }
  groupOfPid(pid: number): string | undefined {
    const rec = this.table.records.get(pid);
    return rec === undefined ? undefined : this.account.groupOf(rec)?.name;
  }
  close(): void {
    this.table.close();
  }
}

const idle = "process.stdout.write('up\\n'); setInterval(() => {}, 1000);";

test('default: the comm; --group: the first rule whose pattern matches the command line; kernel threads: [kernel]', async () => {
  const a = await node(idle, 'alpha-marker');
  const b = await node(idle, 'beta-marker');
  const c = await node(idle, 'gamma-marker');
  const h = new Harness({ rules: [{ name: 'first', pattern: /alpha-marker|beta-marker/ }, { name: 'second', pattern: /beta-marker|gamma-marker/ }] });
  const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
  try {
    h.tick();
    assert.equal(h.groupOfPid(a.pid!), 'first');
    assert.equal(h.groupOfPid(b.pid!), 'first', 'first match wins');
    assert.equal(h.groupOfPid(c.pid!), 'second');
    await sleep(200);
    h.tick();
    assert.equal(h.groupOfPid(sleeper.pid!), 'sleep', 'comm by default');
    const kthread = [...h.table.records.values()].find((r) => r.kernelThread);
    if (kthread) assert.equal(h.account.groupOf(kthread)?.name, KERNEL_GROUP);
    // Configured groups exist from the start, even empty.
    assert.ok(h.account.groups.get('first')?.configured);
  } finally {
    await stop(a, b, c, sleeper);
    h.close();
  }
});

test('--pid: the process and every descendant, whatever their names, as pid-PID; counters only go up as members exit', async () => {
  // A parent that starts two children: one renames itself, one burns ~200 ms of CPU then exits.
  const parent = await node(`
    const { spawn } = require('child_process');
    const kid = (code) => spawn(process.execPath, ['-e', code], { stdio: 'ignore' });
    kid("process.title = 'renamed-kid'; setInterval(() => {}, 1000)");
    kid("const c = process.cpuUsage(); while (process.cpuUsage(c).user < 200000); setTimeout(() => process.exit(0), 1500)");
    process.stdout.write('up\\n');
    setInterval(() => {}, 1000);
  `);
  const bystander = await node(idle);
  const h = new Harness({ pids: [parent.pid!] });
  try {
    h.tick();
    const group = `pid-${parent.pid}`;
    const members = (): number[] => h.account.groups.get(group)!.pids.slice();
    let saw3 = false;
    let last = 0;
    // Until the burner has exited (seconds on a loaded machine; at most 60 s).
    for (let i = 0; i < 300; i++) {
      await sleep(200);
      h.tick();
      const g = h.account.groups.get(group)!;
      const cpu = g.counters[Ctr.user]! + g.counters[Ctr.system]!;
      assert.ok(cpu >= last, `group CPU went back: ${cpu} < ${last}`);
      last = cpu;
      if (members().length === 3) saw3 = true;
      if (saw3 && members().length === 2) break; // the burner exited
    }
    assert.ok(saw3, `the parent and its two children were members: ${members()}`);
    assert.equal(members().length, 2, 'the exited child left the group');
    assert.ok(last >= 0.15, `the burner's CPU stays in the group after it exits: ${last}`);
    assert.equal(h.groupOfPid(bystander.pid!), readFileSync(`/proc/${bystander.pid}/comm`, 'utf8').trim(), 'an unrelated process stays in its own group (its comm)');
    const renamed = [...h.table.records.values()].find((r) => r.comm === 'renamed-kid' && r.ppid === parent.pid);
    assert.ok(renamed, 'the renamed child is visible');
    assert.equal(h.account.groupOf(renamed!)?.name, group, 'a renamed member stays in its --pid group');
    // The group's exposed counter is the same number.
    const cpuSlot = h.set.series.find((s) => s.def.name === 'namedprocess_namegroup_cpu_seconds_total' && s.labels.groupname === group && s.labels.mode === 'user')!;
    assert.equal(h.set.values[cpuSlot.index], h.account.groups.get(group)!.counters[Ctr.user]);
  } finally {
    // The parent's children die with it: they block on nothing and have no other parent to wait on them.
    const kids = [...h.table.records.values()].filter((r) => r.ppid === parent.pid).map((r) => r.pid);
    for (const pid of kids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    await stop(parent, bystander);
    h.close();
  }
});

test('a process born after the start counts from its own start; one alive at the start counts from then', async () => {
  const before = await node("const c = process.cpuUsage(); while (process.cpuUsage(c).user < 200000); process.stdout.write('up\\n'); setInterval(() => {}, 1000);", 'before-marker');
  const h = new Harness({ rules: [{ name: 'before', pattern: /before-marker/ }, { name: 'after', pattern: /after-marker/ }] });
  let after: ChildProcess | null = null;
  try {
    h.tick();
    after = await node("const c = process.cpuUsage(); while (process.cpuUsage(c).user < 200000); process.stdout.write('up\\n'); setInterval(() => {}, 1000);", 'after-marker');
    h.tick();
    h.tick();
    const cpu = (name: string): number => h.account.groups.get(name)!.counters[Ctr.user]!;
    assert.ok(cpu('before') < 0.1, `pre-existing: only what it did since the start counts (${cpu('before')})`);
    assert.ok(cpu('after') >= 0.15, `born later: its whole CPU time counts (${cpu('after')})`);
  } finally {
    await stop(before, ...(after ? [after] : []));
    h.close();
  }
});

test('an empty group by comm is dropped after its TTL (series retired); a configured one stays', async () => {
  const h = new Harness({ rules: [{ name: 'kept', pattern: /never-matches-anything-xyz/ }], emptyGroupTtlMs: 0 });
  const s = spawn('sleep', ['30'], { stdio: 'ignore' });
  await sleep(200);
  h.tick();
  const name = h.groupOfPid(s.pid!)!;
  assert.equal(name, 'sleep');
  await stop(s);
  h.tick();
  h.tick();
  const hasOtherSleep = [...h.table.records.values()].some((r) => r.comm === 'sleep');
  if (!hasOtherSleep) {
    assert.equal(h.account.groups.has('sleep'), false);
    const live = h.set.series.filter((x) => x.live && x.labels.groupname === 'sleep');
    assert.equal(live.length, 0, 'its series are retired');
  }
  assert.ok(h.account.groups.has('kept'));
  h.close();
});
