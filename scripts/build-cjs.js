#!/usr/bin/env node
// After `tsc -p tsconfig.cjs.json`: marks dist/cjs as CommonJS and writes the `require()` entry points,
// so `require('perfscope/prom-client')` returns prom-client's shape (module.exports = the facade object).
import { mkdirSync, writeFileSync } from 'node:fs';

const dir = 'dist/cjs';
mkdirSync(dir, { recursive: true });
writeFileSync(`${dir}/package.json`, `${JSON.stringify({ type: 'commonjs' }, null, 2)}\n`);
writeFileSync(
  `${dir}/prom-client.js`,
  "'use strict';\n// require('perfscope/prom-client'): the same object require('prom-client') returns\nmodule.exports = require('./metrics/prom-client.js').default;\n",
);
writeFileSync(
  `${dir}/index.js`,
  "'use strict';\n// require('perfscope/metrics'): the metrics library and the metrics server\nmodule.exports = { ...require('./metrics/index.js'), ...require('./server/metrics-server.js') };\n",
);
