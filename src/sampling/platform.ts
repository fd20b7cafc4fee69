/** The one place that decides whether this platform can be sampled (Linux /proc only, for now). */
import { PerfscopeError } from '../core/errors.js';

/** Throws PerfscopeError EUNSUPPORTED unless `platform` (default: this process's) is Linux. */
export function assertSupported(platform: NodeJS.Platform = process.platform): void {
  if (platform !== 'linux') {
    throw new PerfscopeError(
      'EUNSUPPORTED',
      `perfscope samples processes through Linux /proc; ${platform} is not supported yet`,
    );
  }
}
