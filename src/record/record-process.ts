/**
 * recordProcess(): what `perfscope watch` does, as a library call. Samples a running process and its
 * descendants until it exits, durationMs passes or `signal` aborts (the process itself is never
 * signalled), keeps the run in the store, writes the outputs and resolves to the run.
 */
import type { EndReason } from '../sampling/sampler.js';
import { Sampler } from '../sampling/sampler.js';
import { resolveRecordOptions, type RecordOptions } from './options.js';
import { checkOutputs } from './outputs.js';
import { RecordSession, type RecordResult } from './session.js';
import { statusLineFits } from './status-line.js';

export interface RecordProcessOptions extends RecordOptions {
  /** The process to record. */
  pid: number;
}

export interface ProcessRecordResult extends RecordResult {
  /** Why the recording ended: the process exited, durationMs passed, `signal` aborted it, or the sampler failed. */
  end: EndReason;
}

/**
 * Records a running process. Rejects, keeping no run, on bad options or output paths (EUSAGE), a PID
 * that does not exist (ENOPROC) or cannot be read (EACCESS); everything after the first sample resolves
 * (a sampler fault is `samplerError` with `end` 'error').
 */
export async function recordProcess(options: RecordProcessOptions): Promise<ProcessRecordResult> {
  const o = resolveRecordOptions(options);
  const planned = checkOutputs(o.outputs, { storePath: o.storePath });
  const session = new RecordSession(o, planned);
  let sampler: Sampler;
  try {
    sampler = new Sampler({ ...o.sampler, keepAlive: true, pid: options.pid, counters: 'first' });
    session.attach(sampler, null, Date.now(), o.status !== null && statusLineFits(o.status, []));
    sampler.start();
  } catch (err) {
    session.abandon();
    throw err;
  }
  const onAbort = (): void => sampler.stop('stopped');
  o.signal?.addEventListener('abort', onAbort, { once: true });
  if (o.signal?.aborted) onAbort();
  let end: EndReason;
  try {
    end = (await sampler.done).reason;
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
  }
  const result = await session.finish({ endedAtMs: Date.now() });
  return { ...result, end };
}
