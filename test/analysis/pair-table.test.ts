/** PairTable: integer pairs to ids, in typed arrays. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PairTable } from '../../src/analysis/pair-table.js';

test('PairTable maps integer pairs to ids through growth', () => {
  const t = new PairTable(2);
  for (let i = 0; i < 20_000; i++) t.set(i % 7, i, i * 3);
  assert.equal(t.size, 20_000);
  for (let i = 0; i < 20_000; i++) assert.equal(t.get(i % 7, i), i * 3);
  assert.equal(t.get(1, 0), -1);
  t.set(0, 0, 99);
  assert.equal(t.get(0, 0), 99);
  assert.equal(t.size, 20_000);
});
