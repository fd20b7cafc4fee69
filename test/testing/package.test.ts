import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

// needs `npm run build` (dist/testing); `npm test` builds first
const built = existsSync('dist/testing/index.js');

test('import ... from "perfscope/testing" works from an application, against the same classes as "perfscope"', { skip: built ? false : 'run npm run build first' }, () => {
  const script = `
    import { collectAndCompare, toFloat64, FakeClock, FakeProcfs } from 'perfscope/testing';
    import { Counter, Registry } from 'perfscope';
    const r = new Registry();
    const c = new Counter({ name: 'jobs_total', help: 'h', labelNames: ['q'], registers: [r] });
    c.inc({ q: 'a' }, 2);
    await collectAndCompare(r, { 'jobs_total{q="a"}': 2 });
    const p = new FakeProcfs();
    p.cleanup();
    console.log(await toFloat64(c, { q: 'a' }), new FakeClock().monotonicMs());`;
  const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.stdout.trim(), '2 1000');
});
