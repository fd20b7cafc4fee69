/**
 * One recording from its first sample to its outputs: the recorder (the run in memory), the store sink,
 * the status line and the notes, shared by recordCommand() and recordProcess().
 */
import type { PerfscopeError } from '../core/errors.js';
import type { RunData, RunMeta } from '../core/run-data.js';
import { formatSeconds } from '../core/units.js';
import { samplerFault } from '../sampling/sample.js';
import { ProcessReader } from '../sampling/process.js';
import type { Sample, Sampler } from '../sampling/sampler.js';
import type { Unavailable } from '../sampling/types.js';
import { RunStore } from '../store/store.js';
import type { RecordNote } from './notes.js';
import type { ResolvedRecordOptions } from './options.js';
import { writeOutputs, type OutputResult, type PlannedOutput } from './outputs.js';
import { RunRecorder } from './recorder.js';
import { StatusLine } from './status-line.js';
import { StoreSink, type StoreOutcome } from './store-sink.js';

/** What a recording returns, whatever it recorded. */
export interface RecordResult {
  /** The run as recorded (every sample, whatever happened to the store or the outputs). */
  run: RunData;
  /** The sampler's fault (PerfscopeError 'ESAMPLER', the fault as cause), or null: the run holds what came before it. */
  samplerError: PerfscopeError | null;
  /** How the store fared; null when no store was asked for (`store: false`) or it could not be opened. */
  store: StoreOutcome | null;
  /** Each output file and whether it was written. */
  outputs: OutputResult[];
  /** Notes and warnings, in order (also given to `onNote` as they happened). */
  notes: RecordNote[];
}

/** Busy timeout of the recorder's store connection: a commit waits this long for a lock, then retries later. */
const recorderBusyTimeoutMs = 100;

export class RecordSession {
  private readonly store: RunStore | null;
  private readonly notes: RecordNote[] = [];
  private recorder: RunRecorder | null = null;
  private sink: StoreSink | null = null;
  private status: StatusLine | null = null;
  private samplerError: PerfscopeError | null = null;

  /** Opens the store (a store that cannot be opened is a warning: the measurement goes on without it). */
  constructor(
    private readonly options: ResolvedRecordOptions,
    private readonly planned: readonly PlannedOutput[],
  ) {
    let store: RunStore | null = null;
    if (options.storePath !== null) {
      try {
        store = RunStore.open({ path: options.storePath, busyTimeoutMs: recorderBusyTimeoutMs });
      } catch (err) {
        this.note('warning', `not keeping this run in the store: ${(err as Error).message}`);
      }
    }
    this.store = store;
  }

  /** Records `sampler` from now on. `drawStatus`: whether the live line may be drawn (see statusLineFits). */
  attach(sampler: Sampler, command: string[] | null, startedAtMs: number, drawStatus: boolean): void {
    const recorder = new RunRecorder(sampler, { command, startedAtMs });
    this.recorder = recorder;
    if (this.store !== null) {
      this.sink = new StoreSink(this.store, () => recorder.meta, (n) => this.note(n.level, n.message));
      recorder.attachSink(this.sink);
    }
    if (drawStatus && this.options.status !== null) {
      const status = new StatusLine(this.options.status);
      this.status = status;
      sampler.on('sample', (s: Sample) => status.update(s));
    }
    sampler.once('sample', (s: Sample) => this.explainMissing(sampler, s));
    void sampler.done.then(({ error }) => {
      if (error === null) return;
      this.samplerError = samplerFault(error);
      this.status?.clear();
      const at = recorder.last === null ? '' : ` after ${formatSeconds(recorder.last.t)}`;
      this.note('error', `${this.samplerError.message}${at}; the run keeps the samples taken before`);
    });
  }

  /** The recorder (after attach). */
  get runRecorder(): RunRecorder | null {
    return this.recorder;
  }

  /** Adds a note (and tells `onNote`). */
  note(level: RecordNote['level'], message: string): void {
    const n: RecordNote = { level, message };
    this.notes.push(n);
    this.options.onNote(n);
  }

  /** Ends a recording that never started (no run is kept). */
  abandon(): void {
    this.status?.clear();
    this.store?.close();
  }

  /** Ends the recording: the store catches up if it can, then the run is finished and the outputs written. */
  async finish(patch: Partial<RunMeta>): Promise<RecordResult> {
    const recorder = this.recorder;
    if (recorder === null) throw new Error('RecordSession.finish before attach');
    this.status?.clear();
    await this.sink?.settle(this.options.storeRetryMs);
    const run = recorder.finish(patch);
    const store = this.sink?.outcome() ?? null;
    this.store?.close();
    if (store?.lost) this.note('warning', store.lost);
    const outputs = writeOutputs(run, this.planned);
    return { run, samplerError: this.samplerError, store, outputs, notes: this.notes };
  }

  /**
   * Says once, at the first sample, why a column the user expects stays empty (I/O counters and fd
   * counts of another user's process need ptrace access), instead of a silent "-" in the summary.
   */
  private explainMissing(sampler: Sampler, s: Sample): void {
    const fields: [keyof Sample['tree'], string, string][] = [
      ['io_read_bytes', 'io', 'I/O counters'],
      ['num_fds', 'numFds', 'open fd counts'],
    ];
    const missing = fields.filter(([column]) => s.tree[column] === null);
    if (missing.length === 0) return;
    let reasons: Readonly<Record<string, Unavailable>> = {};
    try {
      const reader = new ProcessReader(sampler.options.pid, { procRoot: sampler.options.procRoot });
      reasons = reader.read()?.unavailable ?? {};
      reader.close();
    } catch {
      // Gone already: nothing more precise to say than that the column is empty.
    }
    for (const [, key, what] of missing) {
      this.note('note', `${what} not recorded: ${reasons[key]?.reason ?? 'not readable for this process'}`);
    }
  }
}
