// A small node:http service whose handlers are timed: each request is observed in
// function_duration_seconds{function, outcome} and shows up on /metrics with no extra code. It makes a
// few requests to itself, prints what /metrics says about its handlers, and exits.
// Run:  node examples/timed-service/index.js
/* global fetch */
import { createServer } from 'node:http';
import { metricsHandler, timed } from 'perfscope';

const getUser = timed(async function getUser(req, res) {
  await new Promise((resolve) => setTimeout(resolve, 5)); // a database, say
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ id: 42, name: 'Ada' }));
});

const checkout = timed(async function checkout(req, res) {
  await new Promise((resolve) => setTimeout(resolve, 2));
  if (new URL(req.url, 'http://x').searchParams.has('fail')) throw new Error('payment declined');
  res.end('ok');
});

const metrics = metricsHandler();
const routes = { '/user': getUser, '/checkout': checkout, '/metrics': metrics };

const server = createServer((req, res) => {
  const handler = routes[new URL(req.url, 'http://x').pathname];
  if (handler === undefined) {
    res.statusCode = 404;
    res.end();
    return;
  }
  Promise.resolve(handler(req, res)).catch((err) => {
    res.statusCode = 500;
    res.end(err.message);
  });
});
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${server.address().port}`;
console.log(`listening on ${base}`);

for (let i = 0; i < 3; i++) await (await fetch(`${base}/user`)).text();
await (await fetch(`${base}/checkout`)).text();
const failed = await fetch(`${base}/checkout?fail=1`);
console.log(`checkout?fail=1 -> ${failed.status} ${await failed.text()}`);

const text = await (await fetch(`${base}/metrics`)).text();
for (const line of text.split('\n')) if (line.startsWith('function_duration_seconds_count')) console.log(line);
server.close();
