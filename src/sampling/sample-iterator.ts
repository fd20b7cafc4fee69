/**
 * A Sampler's samples as an async iterator (`for await (const s of sampler)`): buffered until pulled,
 * finished when the sampler ends, and keeping the process alive while it is iterated.
 */
import type { EventEmitter } from 'node:events';
import type { Sample } from './sample.js';

/** What the iterator needs of its Sampler. */
export interface SampleSource extends Pick<EventEmitter, 'on' | 'off'> {
  /** Resolves when the sampler ends. */
  readonly done: Promise<unknown>;
  isEnded(): boolean;
}

/**
 * Iterates the 'sample' events of `source` from now on, after `first` when given (sample 0, for an
 * iterator taken in the turn of start()). While iterated (until it finishes or `return()` is called)
 * it keeps the process alive: a loop waiting for samples would otherwise see the process exit under it.
 */
export function iterateSamples(source: SampleSource, first: Sample | null): AsyncIterableIterator<Sample> {
  const queue: Sample[] = first ? [first] : [];
  let wake: (() => void) | null = null;
  // One ref'd timer for the whole iteration (it never fires: 2^31-1 ms is the longest a timer waits).
  let alive: NodeJS.Timeout | null = setInterval(() => {}, 0x7fffffff);
  const finish = (): IteratorResult<Sample> => {
    source.off('sample', onSample);
    if (alive !== null) clearInterval(alive);
    alive = null;
    return { value: undefined, done: true };
  };
  const onSample = (smp: Sample): void => {
    queue.push(smp);
    wake?.();
  };
  source.on('sample', onSample);
  void source.done.then(() => wake?.());
  const next = async (): Promise<IteratorResult<Sample>> => {
    for (;;) {
      const head = queue.shift();
      if (head !== undefined) return { value: head, done: false };
      if (source.isEnded()) return finish();
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = null;
    }
  };
  const it: AsyncIterableIterator<Sample> = {
    next,
    return: async () => finish(),
    [Symbol.asyncIterator]: () => it,
  };
  return it;
}
