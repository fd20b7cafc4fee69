import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../helpers/cli.js';
import { RemoteWriteQueue } from '../../src/export/queue.js';
import { PerfscopeError } from '../../src/core/errors.js';

const opts = { maxAgeMs: 3_600_000, maxPendingSamples: 1_000_000, maxChunkSamples: 3 };

function records(...triples: [number, number, number][]): Float64Array {
  return Float64Array.from(triples.flat());
}

test('samples come out in append order, batched by whole chunks, and leave only when acknowledged', () => {
  const t = tempDir();
  try {
    const q = RemoteWriteQueue.open(join(t.dir, 'q.db'), opts);
    const a = q.addSeries('a', Uint8Array.of(1, 2));
    const b = q.addSeries('b', Uint8Array.of(3));
    // 5 samples -> chunks of 3 and 2
    q.append(records([a, 1000, 1], [b, 1000, 2], [a, 2000, 3], [b, 2000, 4], [a, 3000, 5]), 5);
    assert.equal(q.pendingSamples, 5);
    assert.equal(q.pendingChunks, 2);
    const first = q.peek(4)!; // 3 + 2 > 4: one chunk
    assert.equal(first.count, 3);
    assert.deepEqual(Array.from(first.records), [a, 1000, 1, b, 1000, 2, a, 2000, 3]);
    assert.equal(first.maxTimestampMs, 2000);
    assert.equal(q.peek(4)!.firstSeq, first.firstSeq, 'peeking again without ack gives the same head');
    q.ack(first);
    assert.equal(q.pendingSamples, 2);
    const second = q.peek(100)!;
    assert.deepEqual(Array.from(second.records), [b, 2000, 4, a, 3000, 5]);
    q.ack(second);
    assert.equal(q.peek(100), null);
    assert.equal(q.pendingSamples, 0);
    assert.deepEqual(Array.from(q.labelsOf(a)), [1, 2]);
    q.close();
  } finally {
    t.cleanup();
  }
});

test('a reopened queue has every unacknowledged sample and every series label set it needs', () => {
  const t = tempDir();
  try {
    const path = join(t.dir, 'q.db');
    let q = RemoteWriteQueue.open(path, opts);
    const a = q.addSeries('a', Uint8Array.of(9, 9));
    q.append(records([a, 1, 10], [a, 2, 20], [a, 3, 30], [a, 4, 40]), 4);
    q.ack(q.peek(3)!);
    q.close();
    q = RemoteWriteQueue.open(path, opts);
    assert.equal(q.pendingSamples, 1);
    assert.equal(q.idOf('a'), a);
    assert.deepEqual(Array.from(q.labelsOf(a)), [9, 9]);
    const b = q.addSeries('b', Uint8Array.of(7));
    assert.notEqual(b, a, 'new ids never reuse a stored one');
    q.append(records([b, 5, 50]), 1);
    const batch = q.peek(10)!;
    assert.deepEqual(Array.from(batch.records), [a, 4, 40, b, 5, 50]);
    q.ack(batch);
    q.close();
    // empty on open: the series table starts afresh
    q = RemoteWriteQueue.open(path, opts);
    assert.equal(q.idOf('a'), undefined);
    q.close();
  } finally {
    t.cleanup();
  }
});

test('a second opener of a queue file in use gets a clear error instead of double-sending', () => {
  const t = tempDir();
  try {
    const path = join(t.dir, 'q.db');
    const q = RemoteWriteQueue.open(path, opts);
    q.append(records([q.addSeries('a', Uint8Array.of(1)), 1, 1]), 1);
    assert.throws(
      () => RemoteWriteQueue.open(path, opts),
      (e: unknown) => e instanceof PerfscopeError && e.code === 'EIO' && /in use by another process/.test(e.message),
    );
    q.close();
    RemoteWriteQueue.open(path, opts).close(); // free again once closed
  } finally {
    t.cleanup();
  }
});

test('bounds: samples older than maxAge and beyond maxPendingSamples are evicted oldest first and reported', () => {
  const t = tempDir();
  try {
    const q = RemoteWriteQueue.open(join(t.dir, 'q.db'), { maxAgeMs: 10_000, maxPendingSamples: 6, maxChunkSamples: 2 });
    const a = q.addSeries('a', Uint8Array.of(1));
    assert.deepEqual(q.append(records([a, 1000, 1], [a, 2000, 2]), 2), []);
    assert.deepEqual(q.append(records([a, 5000, 3], [a, 6000, 4]), 2), []);
    // newest 20 s: the first two chunks are older than 10 s
    assert.deepEqual(q.append(records([a, 20_000, 5], [a, 20_500, 6]), 2), [{ samples: 4, reason: 'too_old' }]);
    assert.equal(q.pendingSamples, 2);
    q.append(records([a, 21_000, 7], [a, 21_500, 8]), 2);
    q.append(records([a, 22_000, 9], [a, 22_500, 10]), 2);
    assert.deepEqual(q.append(records([a, 23_000, 11], [a, 23_500, 12]), 2), [{ samples: 2, reason: 'queue_full' }]);
    assert.equal(q.pendingSamples, 6);
    assert.deepEqual(Array.from(q.peek(2)!.records), [a, 21_000, 7, a, 21_500, 8]);
    // a batch being sent is never evicted under the sender: the next oldest goes instead
    assert.deepEqual(q.append(records([a, 24_000, 13], [a, 24_500, 14]), 2), [{ samples: 2, reason: 'queue_full' }]);
    const head = q.peek(2)!;
    assert.deepEqual(Array.from(head.records), [a, 21_000, 7, a, 21_500, 8]);
    q.ack(head);
    assert.deepEqual(Array.from(q.peek(2)!.records), [a, 23_000, 11, a, 23_500, 12]);
    q.close();
  } finally {
    t.cleanup();
  }
});

test('a file that is not a queue is an EIO error naming it', () => {
  const t = tempDir();
  try {
    const path = join(t.dir, 'not-a-db');
    writeFileSync(path, 'hello, this is text and not SQLite at all'.repeat(50));
    assert.throws(() => RemoteWriteQueue.open(path, opts), (e: unknown) => e instanceof PerfscopeError && e.code === 'EIO' && e.message.includes(path));
  } finally {
    t.cleanup();
  }
});
