import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PerfscopeError } from '../../src/core/errors.js';
import { assertSupported } from '../../src/sampling/platform.js';

describe('assertSupported', () => {
  it('accepts Linux', () => {
    assert.doesNotThrow(() => assertSupported('linux'));
  });

  it('rejects other platforms with EUNSUPPORTED and a clear message', () => {
    assert.throws(
      () => assertSupported('darwin'),
      (err: unknown) =>
        err instanceof PerfscopeError &&
        err.code === 'EUNSUPPORTED' &&
        err.exitCode === 7 &&
        err.message === 'perfscope samples processes through Linux /proc; darwin is not supported yet',
    );
  });
});
