/**
 * The worker of a split `analyzeLogs` (split.ts): reads its byte ranges of the input with a
 * CallCollector and posts what it gathered (typed arrays transferred, not copied) for the main thread
 * to absorb in input order. It imports the parsers and the tables only: its start-up is module loading.
 *
 * Protocol: workerData is a RangeWorkerData; the worker waits for one RangeWorkerGo (the format the main
 * thread detected), then posts one RangeWorkerResult. A failure is thrown (the owner's 'error' event).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { readRanges, type FileRange, type InputReport, type LineHandler } from '../../logs/parse/line-reader.js';
import type { KeyKind, LogFormat } from '../../logs/parse/log-parser.js';
import { RouteTemplate } from '../routes.js';
import { CallCollector, type CollectorSnapshot } from './call-collector.js';
import { MessageLog, type MessageList } from './message-log.js';

export interface RangeWorkerData {
  /** The ranges, in input order; `file`: the input's index in the whole list. */
  ranges: (FileRange & { file: number })[];
  sinceMs: number;
  untilMs: number;
  routes: string[];
  slowest: number;
  /** Calls all threads may hold in exact tables together; past it, the split is given up. */
  maxExactCalls: number;
  /** [0]: calls held by all threads (Atomics), as reported every `budgetStep` calls. */
  budget: Int32Array;
  budgetStep: number;
}

export interface RangeWorkerGo {
  format: LogFormat | null;
  keyKind: KeyKind;
}

export type RangeWorkerResult =
  | { kind: 'done'; snapshot: CollectorSnapshot; messages: MessageList; lines: { file: number; lines: number }[]; reports: InputReport[] }
  /** The exact tables of all threads together reached the memory budget. */
  | { kind: 'over-budget' };

/** Test hook: a worker that fails at start (test/analysis/logs/split.test.ts). */
export const FAULT_ENV = 'PERFSCOPE_TEST_RANGE_WORKER_FAULT';

class OverBudget extends Error {}

async function run(data: RangeWorkerData, go: RangeWorkerGo): Promise<RangeWorkerResult> {
  if (process.env[FAULT_ENV] === 'throw') throw new Error(`${FAULT_ENV} is set`);
  const messages = new MessageLog();
  const c = new CallCollector({
    format: go.format,
    keyKind: go.keyKind,
    sinceMs: data.sinceMs,
    untilMs: data.untilMs,
    routes: data.routes.map((r) => new RouteTemplate(r)),
    slowest: data.slowest,
    messages,
  });
  let reported = 0;
  c.limit = data.budgetStep;
  c.onFull = () => {
    const calls = c.exactCalls;
    const all = Atomics.add(data.budget, 0, calls - reported) + calls - reported;
    reported = calls;
    if (all >= data.maxExactCalls) throw new OverBudget();
    c.limit = calls + data.budgetStep;
  };
  const lines: { file: number; lines: number }[] = [];
  let entry = { file: -1, lines: 0 };
  const handler: LineHandler = {
    input() {
      entry = { file: data.ranges[lines.length]!.file, lines: 0 };
      lines.push(entry);
    },
    line(buf, start, end) {
      const line = ++entry.lines;
      if (c.parser !== null) c.consume(buf, start, end, entry.file, line);
      else c.unreadable(buf, start, end, entry.file, line);
    },
    overlong(head, bytes) {
      c.overlong(head, bytes, entry.file, ++entry.lines);
    },
  };
  let reports: InputReport[];
  try {
    reports = await readRanges(data.ranges, handler);
  } catch (err) {
    if (err instanceof OverBudget) return { kind: 'over-budget' };
    throw err;
  }
  const { snapshot, transfer } = c.snapshot();
  const result: RangeWorkerResult = { kind: 'done', snapshot, messages: messages.list, lines, reports };
  parentPort!.postMessage(result, transfer);
  return result;
}

if (parentPort !== null) {
  const port = parentPort;
  port.once('message', (go: RangeWorkerGo) => {
    void run(workerData as RangeWorkerData, go).then((r) => {
      if (r.kind !== 'done') port.postMessage(r);
    });
  });
}
