/**
 * The columnar accumulator shared by the recorder and the store writer: rows stay aligned, a missing
 * or late value is null at the JSON edge, and the store's chunks pack byte for byte as before.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ColumnAccumulator } from '../../src/core/columns.js';
import { ColumnBuffer, unpackChunk } from '../../src/store/column-buffer.js';

test('rows stay aligned: absent values and columns that appear later are null, NaN is null', () => {
  const acc = new ColumnAccumulator(2);
  acc.append(0, { a: 1, b: null });
  acc.append(0.5, { a: 2 });
  acc.append(1, { b: 3, c: Number.NaN, a: undefined });
  acc.append(1.5, { c: 4, a: 5, b: -0.25 });
  assert.equal(acc.rows, 4);
  assert.deepEqual(acc.names, ['a', 'b', 'c']);
  const cols = acc.toSeriesColumns();
  assert.deepEqual(Object.keys(cols), ['timestamp', 'a', 'b', 'c'], 'timestamp first, then first-seen order');
  assert.deepEqual(cols, {
    timestamp: [0, 0.5, 1, 1.5],
    a: [1, 2, null, 5],
    b: [null, null, 3, -0.25],
    c: [null, null, null, 4],
  });
  assert.ok(Array.isArray(cols.a), 'plain arrays at the JSON edge');
  assert.deepEqual([...acc.column(2)].map((v) => (Number.isNaN(v) ? 'NaN' : v)), ['NaN', 'NaN', 'NaN', 4]);
  assert.deepEqual([...acc.timestamps()], [0, 0.5, 1, 1.5]);
  assert.throws(() => acc.column(3), RangeError);
});

test('growing past the capacity keeps every value; clear() forgets rows and keeps the columns', () => {
  const acc = new ColumnAccumulator(1);
  for (let i = 0; i < 1000; i++) acc.append(i, i % 7 === 0 ? { x: i } : { x: i, y: -i });
  const cols = acc.toSeriesColumns();
  assert.equal(cols.timestamp.length, 1000);
  assert.equal(cols.x![999], 999);
  assert.equal(cols.y![0], null);
  assert.equal(cols.y![998], -998);
  assert.equal(acc.firstT(), 0);
  assert.equal(acc.lastT(), 999);
  acc.clear();
  assert.equal(acc.rows, 0);
  assert.deepEqual(acc.names, ['x', 'y']);
  acc.append(5, { y: 1 });
  assert.deepEqual(acc.toSeriesColumns(), { timestamp: [5], x: [null], y: [1] });
});

/**
 * 20 rows (past the initial capacity of 16) with nulls and a late column, packed by the store writer of
 * commit 28bda21 (before the shared accumulator): stores written then must read back as they were.
 */
const packedBefore = 'AAAAAAAAAACamZmZmZm5P5qZmZmZmck/MzMzMzMz0z+amZmZmZnZPwAAAAAAAOA/MzMzMzMz4z9mZmZmZmbmP5qZmZmZmek/zczMzMzM7D8AAAAAAADwP5qZmZmZmfE/MzMzMzMz8z/NzMzMzMz0P2ZmZmZmZvY/AAAAAAAA+D+amZmZmZn5PzMzMzMzM/s/zczMzMzM/D9mZmZmZmb+PwAAAAAAAAAAAAAAAAAA+D8AAAAAAAAIQAAAAAAAABJAAAAAAAAAGEAAAAAAAAAeQAAAAAAAACJAAAAAAAAAJUAAAAAAAAAoQAAAAAAAACtAAAAAAAAALkAAAAAAAIAwQAAAAAAAADJAAAAAAACAM0AAAAAAAAA1QAAAAAAAgDZAAAAAAAAAOEAAAAAAAIA5QAAAAAAAADtAAAAAAACAPEAAAAAAAAD4fwAAAAAAAPA/AAAAAAAAAEAAAAAAAAD4fwAAAAAAABBAAAAAAAAAFEAAAAAAAAD4fwAAAAAAABxAAAAAAAAAIEAAAAAAAAD4fwAAAAAAACRAAAAAAAAAJkAAAAAAAAD4fwAAAAAAACpAAAAAAAAALEAAAAAAAAD4fwAAAAAAADBAAAAAAAAAMUAAAAAAAAD4fwAAAAAAADNAAAAAAAAA+H8AAAAAAAD4fwAAAAAAAPh/AAAAAAAA+H8AAAAAAAD4fwAAAAAAAPh/AAAAAAAA+H8AAAAAAAD4fwAAAAAAAPh/AAAAAAAA+H8AAAAAAAD4fwAAAAAAAPh/AAAAAAAA+H8AAAAAAAD4fwAAAAAAAPh/AAAAAAAA+H8AAAAAAAD4fwAAAAAAADHAAAAAAAAAMsAAAAAAAAAzwA==';

function goldenRows(buf: ColumnAccumulator): void {
  for (let r = 0; r < 20; r++) {
    const row: Record<string, number | null> = { a: r * 1.5 };
    row.b = r % 3 === 0 ? null : r;
    if (r >= 17) row.late = -r;
    buf.append(r / 10, row);
  }
}

test('store chunks: the writer packs byte for byte as before, and such a chunk reads back', () => {
  const buf = new ColumnBuffer();
  goldenRows(buf);
  assert.equal(buf.pack().toString('base64'), packedBefore);
  const timestamp: number[] = [];
  const columns: (number | null)[][] = [[], [], [], []];
  const n = unpackChunk(Buffer.from(packedBefore, 'base64'), 3, timestamp, columns);
  assert.equal(n, 20);
  const expected = new ColumnAccumulator();
  goldenRows(expected);
  const e = expected.toSeriesColumns();
  assert.deepEqual(timestamp, e.timestamp);
  assert.deepEqual(columns.slice(0, 3), [e.a, e.b, e.late]);
  assert.deepEqual(columns[3], new Array(20).fill(null), 'a column this chunk does not hold is null for its rows');
});
