import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ExitCode, PerfscopeError, PerfscopeRangeError, PerfscopeTypeError, usageError, usageRangeError, usageTypeError } from '../../src/core/errors.js';

test('usage errors of every class are PerfscopeErrors with code EUSAGE and exit code 2', () => {
  for (const [e, base] of [
    [usageError('a'), Error],
    [usageTypeError('b'), TypeError],
    [usageRangeError('c'), RangeError],
  ] as const) {
    assert.ok(e instanceof PerfscopeError);
    assert.ok(e instanceof base);
    assert.equal(e.code, 'EUSAGE');
    assert.equal(e.exitCode, ExitCode.usage);
  }
  // the TypeError kind prints as prom-client's does
  assert.equal(String(usageTypeError('Value is not a valid number: x')), 'TypeError: Value is not a valid number: x');
  assert.ok(!(usageTypeError('x') instanceof RangeError));
  assert.ok(!(usageError('x') instanceof TypeError));
});

test('instanceof stays exact for everything else', () => {
  assert.ok(!(new TypeError('x') instanceof PerfscopeError), 'a plain TypeError is not ours');
  assert.ok(!((null as unknown) instanceof PerfscopeError));
  assert.ok(!({ code: 'EUSAGE' } instanceof PerfscopeError));
  class Sub extends PerfscopeError {}
  assert.ok(new Sub('EIO', 'x') instanceof PerfscopeError);
  assert.ok(!(usageTypeError('x') instanceof Sub), 'a subclass does not adopt the TypeError kind');
  assert.ok(new PerfscopeTypeError('x') instanceof PerfscopeTypeError);
  assert.ok(!(new PerfscopeRangeError('x') instanceof PerfscopeTypeError));
});
