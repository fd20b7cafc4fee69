import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cli } from '../helpers/cli.js';

test('perfscope doctor: one line per check, each ok here (the native ticker may be switched off); --version --verbose is the same', async () => {
  const r = await cli(['doctor']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.equal(r.stderr, '');
  const lines = r.stdout.trim().split('\n');
  assert.match(lines[0]!, /^perfscope \d+\.\d+\.\d+/);
  const states = Object.fromEntries(lines.slice(1).map((l) => /^ {2}(\S.*?) {2,}(ok|note|problem) +(.*)$/.exec(l)!).map((m) => [m[1], m[2]]));
  assert.deepEqual(Object.keys(states), ['Node', '/proc', 'native ticker', 'run store', 'PNG renderer', 'fonts', 'HTML report']);
  for (const [name, state] of Object.entries(states)) {
    if (name === 'native ticker' && process.env.PERFSCOPE_NATIVE === '0') assert.equal(state, 'note');
    else assert.equal(state, 'ok', `${name}: ${r.stdout}`);
  }
  assert.match(r.stdout, process.versions.node.startsWith('20.') ? /run store +ok +better-sqlite3 12\./ : /run store +ok +node:sqlite/);
  const verbose = await cli(['--version', '--verbose']);
  assert.equal(verbose.code, 0);
  assert.equal(verbose.stdout, r.stdout);
  const plain = await cli(['--version']);
  assert.match(plain.stdout, /^\d+\.\d+\.\d+\n$/);
});

test('perfscope doctor refuses arguments with a usage error', async () => {
  const r = await cli(['doctor', '--fix']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^perfscope: doctor: unknown option '--fix'/);
});

test('PERFSCOPE_NATIVE=0: the native ticker is a note, not a problem', async () => {
  const r = await cli(['doctor'], { env: { PERFSCOPE_NATIVE: '0' } });
  assert.equal(r.code, 0);
  assert.match(r.stdout, /native ticker +note +switched off by PERFSCOPE_NATIVE=0/);
});
