/**
 * `analyzeLogs`: one pass over performance logs (text, ECS, pino, nginx; files, gzip, stdin) to
 * per-key statistics, the slowest calls, change points over time and message patterns.
 *
 * With `threads` > 1, large plain files are split and read on several threads (split.ts), with the
 * very same result.
 *
 * The pass (pass.ts): lines from the byte reader (line-reader.ts) go through the format's parser into one reused
 * ParsedLine; a call is appended to columnar typed arrays (CallTable, 21 bytes a call) and offered to
 * the slowest-calls heap; a warning/error message goes to Drain. After the pass, routes are inferred
 * (route keys), the calls are grouped per key into typed arrays and summarised exactly (numpy's linear
 * percentiles, by selection). When the calls outgrow the memory budget, the table is folded into
 * per-key LogHistogram sketches (≤ 1 % relative error) and the pass goes on with them; the result says so.
 *
 * Contract: bad options throw a PerfscopeError (EUSAGE) before anything is read; an input that cannot
 * be opened throws ENOTFOUND/EACCESS/EIO; everything inside the inputs (malformed lines, binary
 * garbage, a truncated gzip file) is counted and reported in the result, never thrown.
 */
import { readLines } from '../../logs/parse/line-reader.js';
import { resolveOptions, type AnalyzeLogsOptions, type ResolvedOptions } from './options.js';
import { Pass } from './pass.js';
import type { LogAnalysis } from './result.js';
import { analyzeSplit, planSplit } from './split.js';

/** Analyses performance logs; see result.ts for what comes back and docs/logs.md for how. */
export async function analyzeLogs(options: AnalyzeLogsOptions): Promise<LogAnalysis> {
  const o = resolveOptions(options);
  const plan = planSplit(o);
  if (plan !== null) {
    const split = await analyzeSplit(o, plan);
    if (split !== null) return split;
  }
  return analyzeOneThread(o);
}

/** The pass over every input on this thread. */
export async function analyzeOneThread(o: ResolvedOptions): Promise<LogAnalysis> {
  const pass = new Pass(o);
  pass.start();
  const onProgress = o.onProgress;
  const reports = await readLines(o.files, pass, {
    ...(o.stdin ? { stdin: o.stdin } : {}),
    ...(onProgress ? { onProgress: (bytes: number) => onProgress({ bytes, lines: pass.totalLines }) } : {}),
  });
  pass.endOfInput();
  return pass.result(reports);
}
