/**
 * Test helpers for the exporters: a remote_write decoder built with protobufjs from the protocol's
 * public field numbers (an implementation independent of ours), snappyjs for the body, and a scripted
 * 127.0.0.1 receiver that records what it was sent and answers with the statuses a test asks for.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import protobuf from 'protobufjs';
import snappyjs from 'snappyjs';

const root = protobuf.Root.fromJSON({
  nested: {
    prometheus: {
      nested: {
        WriteRequest: { fields: { timeseries: { rule: 'repeated', type: 'TimeSeries', id: 1 } } },
        TimeSeries: {
          fields: { labels: { rule: 'repeated', type: 'Label', id: 1 }, samples: { rule: 'repeated', type: 'Sample', id: 2 } },
        },
        Label: { fields: { name: { type: 'string', id: 1 }, value: { type: 'string', id: 2 } } },
        Sample: { fields: { value: { type: 'double', id: 1 }, timestamp: { type: 'int64', id: 2 } } },
      },
    },
  },
});
const WriteRequest = root.lookupType('prometheus.WriteRequest');

export interface DecodedSeries {
  labels: Record<string, string>;
  /** Label names in wire order. */
  labelOrder: string[];
  samples: { value: number; timestamp: number }[];
}

/** Decodes a snappy-compressed WriteRequest body. */
export function decodeWriteRequest(body: Uint8Array): DecodedSeries[] {
  const raw = snappyjs.uncompress(body);
  const msg = WriteRequest.toObject(WriteRequest.decode(raw), { longs: Number, defaults: true }) as {
    timeseries: { labels: { name: string; value: string }[]; samples: { value: number; timestamp: number }[] }[];
  };
  return msg.timeseries.map((ts) => ({
    labels: Object.fromEntries(ts.labels.map((l) => [l.name, l.value])),
    labelOrder: ts.labels.map((l) => l.name),
    samples: ts.samples,
  }));
}

export interface ReceivedRequest {
  headers: IncomingMessage['headers'];
  body: Buffer;
  status: number;
}

export interface ScriptedReceiver {
  url: string;
  requests: ReceivedRequest[];
  /** Statuses to answer, in order; when empty, `fallback`. */
  script: { status: number; headers?: Record<string, string>; body?: string }[];
  fallback: number;
  close(): Promise<void>;
}

/** A receiver on 127.0.0.1 (`port` 0: a free one). */
export async function startReceiver(path = '/api/v1/write', port = 0): Promise<ScriptedReceiver> {
  const rec: ScriptedReceiver = {
    url: '',
    requests: [],
    script: [],
    fallback: 204,
    close: async () => {},
  };
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url !== path) {
        res.writeHead(404).end('not found');
        return;
      }
      const step = rec.script.shift() ?? { status: rec.fallback };
      rec.requests.push({ headers: req.headers, body: Buffer.concat(chunks), status: step.status });
      res.writeHead(step.status, step.headers).end(step.body ?? '');
    });
  });
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  rec.url = `http://127.0.0.1:${(server.address() as { port: number }).port}${path}`;
  rec.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return rec;
}

/** Resolves once `check()` is truthy (polling every 20 ms), or rejects after `timeoutMs`. */
export async function until<T>(what: string, check: () => T | undefined | false | null, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
