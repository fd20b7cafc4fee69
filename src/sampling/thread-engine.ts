/**
 * The `thread: true` engine, owner's side: a worker thread (sampler-worker.ts) runs an ordinary Sampler
 * with the same options and posts its events back in batches; this side starts it, hands each batch to
 * the owning Sampler and, on stop, collects the last batch synchronously. The protocol is below: the
 * control words of a SharedArrayBuffer and the events of a batch.
 */
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import type { SamplerOptions } from './options.js';
import { batchMs, type EndReason, type ProcessInfo, type Sample } from './sample.js';

/** Indexes of the control words shared with the sampler's worker thread. */
export const Ctl = {
  /** Set to 1 (and notified) by the owner to stop the worker; the worker sleeps on this word. */
  stop: 0,
  /** Set to 1 by the worker before it takes sample 0. */
  started: 1,
  /** Set to 1 (and notified) by the worker once it has posted its last batch. */
  done: 2,
} as const;

/** One event of a batch posted by the worker thread. */
export type ThreadEvent =
  | ['sample', Sample]
  | ['process-start', ProcessInfo]
  | ['process-exec', ProcessInfo]
  | ['process-exit', { pid: number; t: number }]
  | ['end', EndReason]
  | ['error', unknown];

export interface ThreadWorkerData {
  options: Omit<SamplerOptions, 'clock'>;
  ctl: SharedArrayBuffer;
  port: MessagePort;
  batchMs: number;
}

/** How long stop() waits for the worker's last batch (it finishes at most one tick, well under 1 ms here). */
const threadStopWaitMs = 1000;

/**
 * The worker script next to this module: the .js file from dist/; from src/ under tsx, an eval stub that
 * registers tsx in the worker and imports the .ts file (on Node 20.20 a Worker given the .ts file with
 * `execArgv: ['--import', 'tsx']` failed with ERR_UNKNOWN_FILE_EXTENSION).
 */
function workerScript(): [string | URL, { eval: boolean }] {
  if (!import.meta.url.endsWith('.ts')) return [new URL('./sampler-worker.js', import.meta.url), { eval: false }];
  const ts = new URL('./sampler-worker.ts', import.meta.url).href;
  const api = import.meta.resolve('tsx/esm/api');
  return [`import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(ts)}); });`, { eval: true }];
}

export interface ThreadEngineOptions {
  /** The Sampler's options (without the clock: the worker runs on its own). */
  options: Omit<SamplerOptions, 'clock'>;
  keepAlive: boolean;
  /** Each batch, in order, on the owner's thread (also from inside stop()). */
  onBatch(batch: ThreadEvent[]): void;
  /** The worker itself failed (not a sampling fault: those arrive as 'error' events). */
  onError(err: unknown): void;
}

/** A running worker. Owned by one Sampler; stop() is final. */
export class ThreadEngine {
  private readonly worker: Worker;
  private readonly port: MessagePort;
  private readonly ctl: Int32Array;
  private readonly onBatch: (batch: ThreadEvent[]) => void;
  private stopped = false;

  constructor(o: ThreadEngineOptions) {
    this.ctl = new Int32Array(new SharedArrayBuffer(3 * Int32Array.BYTES_PER_ELEMENT));
    const { port1, port2 } = new MessageChannel();
    const data: ThreadWorkerData = { options: o.options, ctl: this.ctl.buffer as SharedArrayBuffer, port: port2, batchMs };
    const [script, { eval: isEval }] = workerScript();
    // execArgv []: a worker inherits the process's flags, and `node --input-type=module -e` made it fail (ERR_INPUT_TYPE_NOT_ALLOWED).
    this.worker = new Worker(script, { eval: isEval, execArgv: [], workerData: data, transferList: [port2] });
    this.onBatch = o.onBatch;
    port1.on('message', (batch: ThreadEvent[]) => this.onBatch(batch));
    this.worker.on('error', (err) => o.onError(err));
    if (!o.keepAlive) {
      this.worker.unref();
      port1.unref();
    }
    this.port = port1;
  }

  /**
   * Stops the worker and delivers what it sampled before the stop: wakes it, waits (blocking, one tick
   * at most) until it has posted its last batch, and drains the port synchronously through `onBatch`,
   * so a stop ends the run exactly as on the event-loop engine.
   */
  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    const ctl = this.ctl;
    Atomics.store(ctl, Ctl.stop, 1);
    Atomics.notify(ctl, Ctl.stop);
    if (Atomics.load(ctl, Ctl.started) !== 0) Atomics.wait(ctl, Ctl.done, 0, threadStopWaitMs);
    for (let m = receiveMessageOnPort(this.port); m !== undefined; m = receiveMessageOnPort(this.port)) {
      this.onBatch(m.message as ThreadEvent[]);
    }
    this.port.close();
    void this.worker.terminate();
  }
}
