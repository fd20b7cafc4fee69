/** Drain recovers the generator's templates with their counts; word variables merge; the template cap counts what it drops. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Drain, WILDCARD, templateText } from '../../src/analysis/drain.js';
import { ERROR_TEMPLATES, WARNING_TEMPLATES, entries, type GenCall } from '../fixtures/logs/generate.js';

test('the 11 generated templates, exactly, with the messages of each', () => {
  const drain = new Drain();
  const truth = new Map<string, number>();
  const assigned = new Map<number, Set<string>>();
  for (const e of entries({ seed: 42, lines: 40_000 })) {
    if (e.kind !== 'call') continue;
    const m = (e as GenCall).error ?? (e as GenCall).warning;
    if (!m) continue;
    const message = e.error ? `${e.error.type}: ${e.error.message}` : e.warning!.message;
    const c = drain.add(message)!;
    truth.set(m.template, (truth.get(m.template) ?? 0) + 1);
    let s = assigned.get(c.id);
    if (!s) assigned.set(c.id, (s = new Set()));
    s.add(m.template);
  }
  const got = new Map(drain.clusters().map((c) => [templateText(c), c.count]));
  assert.deepEqual(got, truth);
  assert.equal(truth.size, Object.keys(ERROR_TEMPLATES).length + WARNING_TEMPLATES.length);
  for (const s of assigned.values()) assert.equal(s.size, 1, 'grouping accuracy 1: each template holds one true group');
});

test('digits take the wildcard branch; different lengths are different templates; the cap counts the rest', () => {
  const d = new Drain({ maxClusters: 2 });
  d.add('user alice logged in from 10.0.0.1');
  d.add('user bob logged in from 10.0.0.2');
  assert.equal(templateText(d.clusters()[0]!), `user ${WILDCARD} logged in from ${WILDCARD}`);
  d.add('cache miss');
  assert.equal(d.clusters().length, 2);
  assert.equal(d.add('something entirely different here'), null);
  assert.equal(d.unclustered, 1);
  assert.equal(d.add('   '), null, 'an empty message is no template');
  assert.equal(d.add('cache miss')!.count, 2);
  assert.throws(() => new Drain({ similarity: 0 }), RangeError);
});
