/**
 * `analyzeLogs` on several threads: large plain files are split at line boundaries into one byte range
 * per thread; this thread reads the first part while workers (range-worker.ts) read the others; their
 * tables are absorbed in input order (call-collector.ts), so keys, calls, line numbers, the slowest
 * calls, the time series and the pattern mining (run here, in line order) are exactly those of one
 * pass. What stays on one thread: stdin, gzip, small inputs (a worker's start-up would cost more than
 * it saves), and inputs whose calls would not fit the memory budget for exact percentiles (sketch
 * mode names route keys from the paths seen when it starts, which depends on the order of reading).
 *
 * Contract: `planSplit` returns null when the input is not split; `analyzeSplit` returns null when the
 * split was given up (the budget was reached after all, or the format was not decided within the first
 * part) and the caller reads the input on one thread; a worker that fails rejects with one PerfscopeError
 * naming its part (the other workers are stopped; nothing partial is returned).
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { PerfscopeError } from '../../core/errors.js';
import { trimMalloc } from '../../sampling/native.js';
import { readRanges, type FileRange, type InputReport } from '../../logs/parse/line-reader.js';
import { EXACT_BYTES_PER_CALL, Pass, type BudgetPolicy } from './pass.js';
import type { ResolvedOptions } from './options.js';
import type { LogAnalysis } from './result.js';
import type { RangeWorkerData, RangeWorkerGo, RangeWorkerResult } from './range-worker.js';

type PartRange = FileRange & { file: number };

export interface SplitPlan {
  /** Part 0 is read on this thread; each other part by a worker. */
  parts: PartRange[][];
  files: string[];
}

/** Bytes read from the start of the input to estimate its lines. */
const SAMPLE_BYTES = 1024 * 1024;
/** Inputs estimated to hold more calls than this share of the budget stay on one thread. */
const BUDGET_SHARE = 0.8;
/**
 * Bytes this thread reads while a worker starts (Node's worker bootstrap and the parsers' modules:
 * 75–90 ms measured here), at the ~300 MB/s a thread parses while the other one runs too; at most a
 * tenth of the input. Tuned on 1M-line nginx and ECS logs (both threads ending within ~30 ms).
 */
const WORKER_START_BYTES = 24 * 1024 * 1024;
/** Calls between two reports to the shared budget counter. */
const BUDGET_STEP = 65_536;

/** How to split the input, or null to read it on one thread. */
export function planSplit(o: ResolvedOptions): SplitPlan | null {
  if (o.threads <= 1 || o.files.includes('-')) return null;
  const sizes: number[] = [];
  for (const path of o.files) {
    const size = plainFileSize(path);
    // not a plain file (gzip, a pipe, missing): the one-thread pass reads or reports it
    if (size < 0) return null;
    sizes.push(size);
  }
  const total = sizes.reduce((a, b) => a + b, 0);
  if (total < o.splitMinBytes || total === 0) return null;
  const maxExactCalls = Math.floor(o.memoryBudgetBytes / EXACT_BYTES_PER_CALL);
  if (estimateLines(o.files, sizes, total) >= BUDGET_SHARE * maxExactCalls) return null;

  // cut points in the concatenated input, each moved to the next line start
  const cuts: { file: number; offset: number }[] = [];
  for (let at of cutTargets(total, o.threads)) {
    let f = 0;
    while (f < sizes.length - 1 && at >= sizes[f]!) at -= sizes[f++]!;
    const offset = at === 0 ? 0 : nextLineStart(o.files[f]!, at, sizes[f]!);
    const cut = offset >= sizes[f]! && f < sizes.length - 1 ? { file: f + 1, offset: 0 } : { file: f, offset };
    const last = cuts[cuts.length - 1];
    if (last && (cut.file < last.file || (cut.file === last.file && cut.offset <= last.offset))) continue;
    if (cut.file === sizes.length - 1 && cut.offset >= sizes[cut.file]!) continue;
    if (cut.file === 0 && cut.offset === 0) continue;
    cuts.push(cut);
  }
  if (cuts.length === 0) return null;
  const parts: PartRange[][] = [];
  let from = { file: 0, offset: 0 };
  for (const to of [...cuts, { file: sizes.length - 1, offset: sizes[sizes.length - 1]! }]) {
    const part: PartRange[] = [];
    for (let f = from.file; f <= to.file; f++) {
      const start = f === from.file ? from.offset : 0;
      const end = f === to.file ? to.offset : sizes[f]!;
      // a cut at a file's start gives the part before it nothing of that file
      if (f === to.file && end === 0 && f !== from.file) continue;
      part.push({ path: o.files[f]!, file: f, start, end });
    }
    parts.push(part);
    from = to;
  }
  return { parts, files: [...o.files] };
}

/**
 * Where the input of `total` bytes is cut for `threads` parts, before the cuts move to line starts:
 * this thread's part is longer by what it reads while a worker starts.
 */
export function cutTargets(total: number, threads: number): number[] {
  const headStart = Math.min(WORKER_START_BYTES, total / 10);
  const workerBytes = (total - headStart) / threads;
  return Array.from({ length: threads - 1 }, (_, k) => Math.floor(headStart + (k + 1) * workerBytes));
}

/** The size of a plain uncompressed file, or -1. */
function plainFileSize(path: string): number {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch {
    return -1;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) return -1;
    const head = Buffer.alloc(2);
    if (readSync(fd, head, 0, 2, 0) === 2 && head[0] === 0x1f && head[1] === 0x8b) return -1;
    return st.size;
  } finally {
    closeSync(fd);
  }
}

/** Lines of the input, from the newlines in its first MiB. */
function estimateLines(files: readonly string[], sizes: readonly number[], total: number): number {
  const f = sizes.findIndex((s) => s > 0);
  const buf = Buffer.allocUnsafe(Math.min(SAMPLE_BYTES, sizes[f]!));
  const fd = openSync(files[f]!, 'r');
  let n: number;
  try {
    n = readSync(fd, buf, 0, buf.length, 0);
  } finally {
    closeSync(fd);
  }
  let newlines = 0;
  for (let i = buf.indexOf(10); i >= 0 && i < n; i = buf.indexOf(10, i + 1)) newlines++;
  return (total * Math.max(newlines, 1)) / Math.max(n, 1);
}

/** The first line start at or after `at` (`at` itself when byte at-1 is a newline), or `size`. */
function nextLineStart(path: string, at: number, size: number): number {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(64 * 1024);
    for (let pos = at - 1; pos < size; ) {
      const n = readSync(fd, buf, 0, buf.length, pos);
      if (n <= 0) return size;
      const nl = buf.subarray(0, n).indexOf(10);
      if (nl >= 0) return pos + nl + 1;
      pos += n;
    }
    return size;
  } finally {
    closeSync(fd);
  }
}

/** Thrown from this thread's pass when all threads' exact tables reach the budget. */
class OverBudget extends Error {}

/** The pass over a split input (see the file's comment); null: read it on one thread instead. */
export async function analyzeSplit(o: ResolvedOptions, plan: SplitPlan): Promise<LogAnalysis | null> {
  const maxExactCalls = Math.floor(o.memoryBudgetBytes / EXACT_BYTES_PER_CALL);
  // the counter is an Int32: past 2^30 calls no thread reports to it, and only the total at the end counts
  const shared = new Int32Array(new SharedArrayBuffer(4));
  const step = maxExactCalls < 2 ** 30 ? BUDGET_STEP : Infinity;
  const workers = plan.parts.slice(1).map(
    (ranges) =>
      new RangeThread({ ranges, sinceMs: o.sinceMs, untilMs: o.untilMs, routes: o.routes.map((r) => r.text), slowest: o.slowest, maxExactCalls, budget: shared, budgetStep: step }),
  );
  try {
    let reported = 0;
    const budget: BudgetPolicy = {
      limit: step,
      onFull(calls) {
        const all = Atomics.add(shared, 0, calls - reported) + calls - reported;
        reported = calls;
        if (all >= maxExactCalls) throw new OverBudget();
        return calls + step;
      },
    };
    const pass = new Pass(o, budget);
    pass.onFormat = (format, keyKind) => {
      for (const w of workers) w.go({ format, keyKind });
    };
    pass.start();
    const onProgress = o.onProgress;
    let firstReports: InputReport[];
    try {
      firstReports = await readRanges(plan.parts[0]!, pass, onProgress ? { onProgress: (bytes: number) => onProgress({ bytes, lines: pass.totalLines }) } : {});
    } catch (err) {
      if (err instanceof OverBudget) return null;
      throw err;
    }
    pass.endOfInput();
    // one pass would have read the next part's first lines to decide the format
    if (!pass.decidedEarly) return null;
    const results: (RangeWorkerResult | null)[] = await Promise.all(workers.map((w) => w.result));
    // the workers' isolates go before the merge and the summaries allocate (peak RSS); so do their
    // results once absorbed (nothing else may hold them: the threads' promises go with the threads)
    await Promise.all(workers.map((w) => w.stop()));
    workers.length = 0;
    // what the workers' isolates and tables held was freed into their threads' malloc arenas, which
    // glibc does not hand back by itself, nor reuse for this thread's allocations: 2 threads peaked at
    // 160-168 MB on the bench's 1M nginx lines, trimmed here (~5 ms) 144-152 MB (maxrss, 3 runs each)
    trimMalloc();
    let calls = pass.exactCalls;
    for (const r of results) {
      if (r === null || r.kind === 'over-budget') return null;
      calls += r.snapshot.table.length;
    }
    if (calls >= maxExactCalls) return null;
    const reports: InputReport[] = plan.files.map((name) => ({ name, bytes: 0, gzip: false, error: null }));
    const take = (file: number, r: InputReport): void => {
      reports[file]!.bytes += r.bytes;
      reports[file]!.error ??= r.error;
    };
    firstReports.forEach((r, i) => take(plan.parts[0]![i]!.file, r));
    for (let k = 0; k < results.length; k++) {
      const r = results[k]!;
      results[k] = null;
      if (r.kind !== 'done') continue;
      pass.absorb(r, plan.files);
      r.reports.forEach((rep, i) => take(plan.parts[k + 1]![i]!.file, rep));
    }
    pass.addFiles(plan.files);
    return pass.result(reports);
  } finally {
    for (const w of workers) void w.stop();
  }
}

/**
 * The worker script next to this module: the .js file from dist/; from src/ under tsx, an eval stub that
 * registers tsx in the worker and imports the .ts file (as sampling/thread-engine.ts does).
 */
function workerScript(): [string | URL, boolean] {
  if (!import.meta.url.endsWith('.ts')) return [new URL('./range-worker.js', import.meta.url), false];
  const ts = new URL('./range-worker.ts', import.meta.url).href;
  const api = import.meta.resolve('tsx/esm/api');
  return [`import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(ts)}); });`, true];
}

/** One worker over one part: started at once (its modules load while this thread detects the format). */
class RangeThread {
  readonly result: Promise<RangeWorkerResult>;
  private readonly worker: Worker;
  private readonly what: string;

  constructor(data: RangeWorkerData) {
    const first = data.ranges[0]!;
    const last = data.ranges[data.ranges.length - 1]!;
    this.what = first.file === last.file ? `bytes ${first.start}-${last.end} of ${first.path}` : `${first.path} (from byte ${first.start}) to ${last.path} (byte ${last.end})`;
    const [script, isEval] = workerScript();
    // execArgv []: the worker needs none of the process's flags (and `-e` ones made workers fail)
    this.worker = new Worker(script, { eval: isEval, execArgv: [], workerData: data });
    this.result = new Promise<RangeWorkerResult>((resolve, reject) => {
      const fail = (why: string): void => reject(new PerfscopeError('EIO', `logs analyze: the thread reading ${this.what} failed: ${why} (--threads 1 reads on one thread)`));
      this.worker.once('message', (r: RangeWorkerResult) => resolve(r));
      this.worker.once('error', (err) => fail(err instanceof Error ? err.message : String(err)));
      this.worker.once('exit', (code) => fail(`it exited with code ${code} before its result`));
    });
    // a failure is awaited later (after this thread's part): not an unhandled rejection meanwhile
    this.result.catch(() => {});
  }

  go(message: RangeWorkerGo): void {
    this.worker.postMessage(message);
  }

  /** Ends the worker (at once, wherever it is); resolves when it has exited. */
  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}

