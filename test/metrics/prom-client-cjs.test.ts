import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

// needs `npm run build` (dist/, with the require() entries scripts/build-cjs.js writes); `npm test` builds first
const built = existsSync('dist/metrics/prom-client.cjs') && existsSync('dist/metrics/prom-client.js');

test('require("perfscope/prom-client") returns what require("prom-client") returns', { skip: built ? false : 'run npm run build first' }, () => {
  const script = `
    const ours = require('perfscope/prom-client');
    const prom = require('prom-client');
    const keys = (o) => Object.keys(o).sort().join(',');
    if (keys(ours) !== keys(prom)) throw new Error('keys differ: ' + keys(ours) + ' vs ' + keys(prom));
    const c = new ours.Counter({ name: 'cjs_total', help: 'h', labelNames: ['a'] });
    c.inc({ a: 'x' });
    ours.register.metrics().then((t) => process.stdout.write(t));`;
  const r = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /^cjs_total\{a="x"\} 1$/m);
  const esm = spawnSync(process.execPath, ['--input-type=module', '-e', "import p, { Counter } from 'perfscope/prom-client'; if (p.Counter !== Counter) process.exit(3);"], { encoding: 'utf8' });
  assert.equal(esm.status, 0, esm.stderr);
});
