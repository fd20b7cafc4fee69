/**
 * What happened when the native ticker was built at install (scripts/build-native.js writes
 * native/build-status.json), read back so a missing addon is explained in words where a user looks:
 * `perfscope doctor` and the warning on first use of the native engine. npm hides install scripts'
 * output, so the install line alone is not enough.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface NativeBuildStatus {
  built: boolean;
  /** Why it was not built, in words ("no C compiler found (cc), ..."); null when built. */
  reason: string | null;
  /** The Node version and platform the install ran on. */
  node: string;
  platform: string;
  /** ISO time of the install, and how long the build (or its skip) took. */
  at: string;
  durationMs: number;
}

/** The package's native/ directory: two levels up from both src/sampling (tests) and dist/sampling. */
export const nativeDir = fileURLToPath(new URL('../../native/', import.meta.url));

/** The recorded build outcome, or null when no build ran here (a git checkout before `npm install`). */
export function readNativeBuildStatus(): NativeBuildStatus | null {
  try {
    const status = JSON.parse(readFileSync(`${nativeDir}build-status.json`, 'utf8')) as NativeBuildStatus;
    return typeof status.built === 'boolean' ? status : null;
  } catch {
    return null;
  }
}
