import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`; .ci/run installs it), or VIGIL_CHROMIUM. */
export const chromiumPath = process.env.VIGIL_CHROMIUM ?? '/usr/bin/chromium';

/** Headless Chromium with the flags this closed network needs (no background connections). */
export async function launchChromium(): Promise<Browser> {
  assert.ok(existsSync(chromiumPath), `Chromium not found at ${chromiumPath}`);
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}
