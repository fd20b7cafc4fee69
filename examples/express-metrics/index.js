// The classic Express + prom-client setup, migrated to perfscope by changing one import: a
// `request_count` counter and a `request_duration_seconds` histogram filled by a middleware, the
// default metrics, and /metrics served by metricsHandler(). Prometheus stores `request_count` under
// that very name, as it did with prom-client (the exposition is text 0.0.4, the registry's format).
// Run:  node examples/express-metrics/index.js            (serves, calls itself, prints /metrics, exits)
//       node examples/express-metrics/index.js --serve 9464   (keeps serving on 127.0.0.1:9464)
/* global fetch */
import express from 'express';
import client from 'perfscope/prom-client'; // was: import client from 'prom-client';
import { metricsHandler } from 'perfscope';

client.collectDefaultMetrics();
const requestCount = new client.Counter({
  name: 'request_count',
  help: 'Total number of requests',
  labelNames: ['method', 'route', 'status'],
});
const requestDuration = new client.Histogram({
  name: 'request_duration_seconds',
  help: 'Request duration in seconds',
  labelNames: ['method', 'route', 'status'],
});

const app = express();
app.use((req, res, next) => {
  const end = requestDuration.startTimer();
  res.on('finish', () => {
    const labels = { method: req.method, route: req.route?.path ?? req.path, status: res.statusCode };
    requestCount.inc(labels);
    end(labels);
  });
  next();
});
app.get('/', (req, res) => res.send('hello'));
app.get('/work', (req, res) => {
  let x = 0;
  for (let i = 0; i < 1e6; i++) x += i;
  res.json({ x });
});
app.get('/metrics', metricsHandler());

const args = process.argv.slice(2);
const serve = args.includes('--serve');
const port = serve ? Number(args[args.indexOf('--serve') + 1] ?? 9464) : 0;
const server = app.listen(port, '127.0.0.1');
await new Promise((resolve) => server.once('listening', resolve));
const base = `http://127.0.0.1:${server.address().port}`;
console.log(`listening on ${base}`);

for (const path of ['/', '/', '/work']) await (await fetch(`${base}${path}`)).text();
if (!serve) {
  const text = await (await fetch(`${base}/metrics`)).text();
  for (const line of text.split('\n')) if (line.startsWith('request_count')) console.log(line);
  server.close();
}
