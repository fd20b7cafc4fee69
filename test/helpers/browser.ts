/**
 * Headless Chromium for report tests: Debian's /usr/bin/chromium driven by playwright-core (never a
 * browser download). Without Chromium the tests skip locally and fail in CI (CI=true).
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';

export const chromiumPath = process.env.PERFSCOPE_CHROMIUM ?? '/usr/bin/chromium';

/** Why browser tests cannot run here (a string for `skip`), or false when they can; throws in CI. */
export function browserUnavailable(): string | false {
  if (existsSync(chromiumPath)) return false;
  if (process.env.CI === 'true') throw new Error(`${chromiumPath} is missing: CI must install Debian's chromium (.ci/run apt_packages)`);
  return `${chromiumPath} not installed`;
}

/**
 * Launches Chromium with a fresh profile; close() also removes the profile. `httpCredentials`: what
 * the browser answers an HTTP auth challenge with (as a user typing them into its prompt).
 */
export async function launchChromium(options: { httpCredentials?: { username: string; password: string } } = {}): Promise<{ context: BrowserContext; close: () => Promise<void> }> {
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'perfscope-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: chromiumPath,
    headless: true,
    ...(options.httpCredentials ? { httpCredentials: options.httpCredentials } : {}),
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-quic',
    ],
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
