import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PerfscopeError } from '../../src/core/errors.js';
import { writeFileAtomic } from '../../src/core/fs.js';
import type { RunData } from '../../src/core/run-data.js';
import { runToCsv, runToJson } from '../../src/store/export.js';
import { readRunFile } from '../../src/store/run-file.js';
import { makeMeta, tempDir } from './helpers.js';

function sampleRun(): RunData {
  return {
    meta: makeMeta({ id: 3, sampleCount: 3 }),
    samples: { timestamp: [0, 0.1, 0.2], cpu_percent: [null, 0.1 + 0.2, 1e-300], 'odd,"name"': [1, 2, 2 ** 53 + 2] },
    system: { timestamp: [0, 0.1, 0.2], load1: [0.5, 0.25, null] },
    processes: [{ pid: 7, ppid: 1, comm: 'node', cmdline: null, firstSeen: 0, exited: null, samples: { timestamp: [0.1], rss_bytes: [4096] } }],
    events: [{ t: 0.1, kind: 'note', detail: 'x' }],
  };
}

test('runToJson round-trips and keeps each array on one line', () => {
  const run = sampleRun();
  const text = runToJson(run);
  assert.deepEqual(JSON.parse(text), run);
  assert.match(text, /\n {4}"timestamp": \[0,0\.1,0\.2\],\n/);
  assert.match(text, /^\{\n {2}"meta": \{\n {4}"format": "perfscope-run",/);
});

test('runToCsv: header, empty cells for null, exact numbers, quoted odd names, scopes', () => {
  const run = sampleRun();
  const csv = runToCsv(run);
  assert.equal(csv, 'timestamp,cpu_percent,"odd,""name"""\n0,,1\n0.1,0.30000000000000004,2\n0.2,1e-300,9007199254740994\n');
  for (const line of csv.trim().split('\n').slice(1)) {
    const cells = line.split(',');
    for (const c of cells) if (c !== '') assert.ok(Number.isFinite(Number(c)));
  }
  assert.equal(runToCsv(run, 'system'), 'timestamp,load1\n0,0.5\n0.1,0.25\n0.2,\n');
  assert.equal(runToCsv(run, 7), 'timestamp,rss_bytes\n0.1,4096\n');
  assert.throws(() => runToCsv(run, 8), (e: unknown) => e instanceof PerfscopeError && e.code === 'EUSAGE' && /no process 8 .*processes: 7/.test(e.message));
  assert.throws(() => runToCsv({ ...run, system: undefined }, 'system'), { code: 'EUSAGE' });
});

test('writeFileAtomic writes whole files, leaves no temp file, and names the path on failure', (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'out.json');
  writeFileSync(file, 'old');
  writeFileAtomic(file, 'new contents');
  assert.equal(readFileSync(file, 'utf8'), 'new contents');
  assert.deepEqual(readdirSync(dir), ['out.json']);
  const bad = join(dir, 'no', 'such', 'dir', 'out.json');
  assert.throws(() => writeFileAtomic(bad, 'x'), (e: unknown) => e instanceof PerfscopeError && e.code === 'EIO' && e.message === `cannot write ${bad}: no such directory`);
  assert.throws(() => writeFileAtomic(dir, 'x'), { code: 'EIO' });
  assert.deepEqual(readdirSync(dir), ['out.json']);
});

test('readRunFile reads what runToJson wrote and rejects anything else with the path', (t) => {
  const dir = tempDir(t);
  const file = join(dir, 'run.json');
  writeFileAtomic(file, runToJson(sampleRun()));
  assert.deepEqual(readRunFile(file), sampleRun());
  assert.throws(() => readRunFile(join(dir, 'missing.json')), { code: 'ENOTFOUND' });
  const bad = (name: string, content: string, pattern: RegExp) => {
    const p = join(dir, name);
    writeFileSync(p, content);
    assert.throws(
      () => readRunFile(p),
      (e: unknown) => e instanceof PerfscopeError && e.code === 'EBADDATA' && e.message.startsWith(`${p}: `) && pattern.test(e.message),
    );
  };
  bad('text.json', 'not json', /not JSON/);
  bad('array.json', '[]', /not a perfscope run/);
  const run = sampleRun();
  bad('format.json', JSON.stringify({ ...run, meta: { ...run.meta, format: 'other' } }), /meta\.format is "other"/);
  bad('version.json', JSON.stringify({ ...run, meta: { ...run.meta, formatVersion: 2 } }), /formatVersion 2 is not supported/);
  bad('ragged.json', JSON.stringify({ ...run, samples: { timestamp: [0, 1], x: [1] } }), /samples\.x has 1 values but timestamp has 2/);
  bad('strings.json', JSON.stringify({ ...run, system: { timestamp: [0], x: ['1'] } }), /system\.x holds something other than numbers/);
  bad('proc.json', JSON.stringify({ ...run, processes: [{ pid: 1, comm: 'a', samples: { timestamp: [0], y: [] } }] }), /processes\[0\]\.samples\.y has 0/);
  bad('events.json', JSON.stringify({ ...run, events: [{ kind: 'note' }] }), /events\[0\]/);
});
