/**
 * The metrics server under abuse, with real sockets: the server runs in a process of its own with the
 * common `ulimit -n 1024`, as an application would, and the test attacks it. Before the connection
 * limits, 1,100 slowloris sockets made every scrape fail ("socket hang up": the process was out of file
 * descriptors). The only time bounds are generous liveness bounds: a scrape must succeed within 20 s
 * while the attack goes on.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { repoRoot } from '../helpers/cli.js';

interface Child {
  port: number;
  stop(): Promise<void>;
}

async function startServerProcess(options: Record<string, unknown> = {}): Promise<Child> {
  const child = spawn(
    'sh',
    ['-c', 'ulimit -n 1024 && exec "$0" --import tsx test/fixtures/server/metrics-server.ts "$1"', process.execPath, JSON.stringify(options)],
    { cwd: repoRoot, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.once('data', (d: Buffer) => resolve(Number(String(d).trim())));
    child.once('exit', (code) => reject(new Error(`server process exited with ${code}`)));
  });
  return {
    port,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
    },
  };
}

/** One scrape with a request timeout; resolves to a verdict, never rejects. */
function scrape(port: number, timeoutMs = 5000): Promise<{ ok: boolean; detail: string }> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path: '/metrics', timeout: timeoutMs, agent: false }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ ok: res.statusCode === 200 && /^alive_total 42$/m.test(body), detail: `status ${res.statusCode}` }));
      res.on('error', (e) => resolve({ ok: false, detail: e.message }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    req.on('error', (e) => resolve({ ok: false, detail: e.message }));
    req.end();
  });
}

/** Scrapes until one succeeds, for at most `boundMs` (a liveness bound, not a speed claim). */
async function scrapeWithin(port: number, boundMs: number): Promise<string[]> {
  const deadline = Date.now() + boundMs;
  const failures: string[] = [];
  for (;;) {
    const r = await scrape(port);
    if (r.ok) return failures;
    failures.push(r.detail);
    if (Date.now() > deadline) {
      assert.fail(`no scrape succeeded within ${boundMs / 1000} s (${failures.length} attempts): ${[...new Set(failures)].join('; ')}`);
    }
    await new Promise((res) => setTimeout(res, 200));
  }
}

/** Opens up to `n` connections; stops early (and says so) if this process runs out of descriptors. */
async function openMany(port: number, n: number, onConnect: (s: Socket) => void = () => {}): Promise<{ sockets: Socket[]; limitedBy?: string }> {
  const sockets: Socket[] = [];
  for (let i = 0; i < n; i += 250) {
    const batch: Promise<void>[] = [];
    for (let j = i; j < Math.min(n, i + 250); j++) {
      const s = connect(port, '127.0.0.1');
      sockets.push(s);
      batch.push(
        new Promise((resolve) => {
          s.once('connect', () => {
            onConnect(s);
            resolve();
          });
          s.once('error', (e: NodeJS.ErrnoException) => {
            if (e.code === 'EMFILE') s.emit('emfile');
            resolve();
          });
        }),
      );
    }
    let emfile = false;
    for (const s of sockets.slice(i)) s.once('emfile', () => (emfile = true));
    await Promise.all(batch);
    if (emfile) return { sockets, limitedBy: 'EMFILE in the test process' };
  }
  return { sockets };
}

test('1,100 slowloris connections: the scraper is still served', async () => {
  const server = await startServerProcess();
  let sockets: Socket[] = [];
  let drip: NodeJS.Timeout | undefined;
  try {
    ({ sockets } = await openMany(server.port, 1100, (s) => s.write('GET /metrics HTTP/1.1\r\nHost: x\r\n')));
    // each keeps its request open by sending one more header line a second
    drip = setInterval(() => {
      for (const s of sockets) if (!s.destroyed) s.write('X-Slow: 1\r\n');
    }, 1000);
    await new Promise((res) => setTimeout(res, 1500));
    const failures = await scrapeWithin(server.port, 20_000);
    assert.ok(failures.length <= 5, `served after ${failures.length} failed attempts: ${[...new Set(failures)].join('; ')}`);
  } finally {
    if (drip) clearInterval(drip);
    for (const s of sockets) s.destroy();
    await server.stop();
  }
});

test('a 10,000-connection flood: scrapes succeed during and right after it', async (t) => {
  const server = await startServerProcess();
  let sockets: Socket[] = [];
  try {
    const flood = openMany(server.port, 10_000);
    const during = scrapeWithin(server.port, 20_000);
    const opened = await flood;
    sockets = opened.sockets;
    if (opened.limitedBy !== undefined && sockets.length < 1100) {
      t.skip(`could open only ${sockets.length} connections (${opened.limitedBy}); raise ulimit -n`);
      return;
    }
    await during;
    const failures = await scrapeWithin(server.port, 20_000);
    assert.ok(failures.length <= 5, `served after ${failures.length} failed attempts: ${[...new Set(failures)].join('; ')}`);
  } finally {
    for (const s of sockets) s.destroy();
    await server.stop();
  }
});

test('a connection that sends nothing is closed after headersTimeoutMs', async () => {
  const server = await startServerProcess({ limits: { headersTimeoutMs: 1000, requestTimeoutMs: 2000 } });
  const s = connect(server.port, '127.0.0.1');
  s.on('error', () => {});
  s.resume(); // read (and discard) whatever the server answers, so its close is seen
  try {
    const closed = new Promise<boolean>((resolve) => {
      s.once('close', () => resolve(true));
      setTimeout(() => resolve(false), 15_000).unref(); // liveness bound, far above the 1 s timeout
    });
    s.write('GET /metrics HTTP/1.1\r\n'); // and then nothing
    assert.equal(await closed, true, 'closed by the server');
  } finally {
    s.destroy();
    await server.stop();
  }
});
