import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import type { RunningServer } from '../src/app/server.ts';
import { withPlatform } from '../src/platform/index.ts';
import { authServices } from './support/auth.ts';
import { launchChromium } from './support/browser.ts';
import { openTestCore, type TestCore } from './support/core.ts';
import { startTestServer } from './support/http.ts';

const password = 'Passkey-Tested-Secret-8';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === 'object' && address
          ? resolve(address.port)
          : reject(new Error('no port')),
      );
    });
  });
}

/**
 * Passkeys need an origin the browser trusts: plain http://localhost is a secure context, so this
 * test runs Vigil as if behind a TLS proxy, with Chromium's virtual authenticator.
 */
describe('passkeys in a real browser', () => {
  let core: TestCore;
  let server: RunningServer;
  let browser: Browser;
  let base: string;

  before(async () => {
    core = await openTestCore();
    const port = await freePort();
    base = `http://localhost:${port}`;
    server = await startTestServer(core, {
      VIGIL_PORT: String(port),
      VIGIL_BEHIND_TLS_PROXY: 'true',
      VIGIL_TRUSTED_PROXIES: '127.0.0.1',
      VIGIL_PUBLIC_URL: base,
    });
    const auth = authServices(core);
    const orgId = await core.createOrg('passkey-co');
    await auth.createUser(orgId, 'kim@passkey.test', password);
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await core?.close();
  });

  it('registers a passkey on the account page and uses it as the second factor', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('WebAuthn.enable');
    await cdp.send('WebAuthn.addVirtualAuthenticator', {
      options: {
        protocol: 'ctap2',
        transport: 'internal',
        hasResidentKey: true,
        hasUserVerification: true,
        isUserVerified: true,
      },
    });
    const signInWithPassword = async () => {
      await page.goto(`${base}/login`);
      await page.getByLabel('Email', { exact: true }).fill('kim@passkey.test');
      await page.getByLabel('Password').fill(password);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    };

    await signInWithPassword();
    await page.waitForURL(/\/account$/);
    await page.getByLabel('Name for a new passkey').fill('Laptop key');
    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.getByText(/Laptop key \(passkey\)/).waitFor();

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'You are signed out' }).waitFor();

    await signInWithPassword();
    await page.waitForURL(/\/login\/mfa$/);
    // A forged assertion is refused (and counted), without ending the sign-in.
    const csrf = await page
      .getByRole('button', { name: 'Use a passkey' })
      .getAttribute('data-csrf');
    const forged = await page.evaluate(async (value) => {
      const res = await fetch('/login/mfa/passkey', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          csrf: value,
          challengeId: '01a21818-0000-7000-8000-000000000000',
          response: { id: 'forged' },
        }),
      });
      return res.status;
    }, csrf);
    assert.equal(forged, 401);
    await page.getByRole('button', { name: 'Use a passkey' }).click();
    await page.waitForURL(/\/account$/);
    const [latest] = await withPlatform(core.database, (tx) =>
      tx
        .selectFrom('sessions')
        .select(['amr', 'acr'])
        .where('ended_at', 'is', null)
        .orderBy('created_at', 'desc')
        .limit(1)
        .execute(),
    );
    assert.deepEqual(latest?.amr, ['pwd', 'hwk', 'mfa']);
    assert.equal(latest?.acr, 'urn:vigil:acr:mfa');
    const enrolled = await withPlatform(core.database, (tx) =>
      tx
        .selectFrom('audit_events')
        .select('details')
        .where('action', '=', 'mfa.factor.enrolled')
        .execute(),
    );
    assert.ok(enrolled.some((e) => JSON.parse(e.details).kind === 'webauthn'));
    const failed = await withPlatform(core.database, (tx) =>
      tx
        .selectFrom('audit_events')
        .select('details')
        .where('action', '=', 'auth.mfa.failed')
        .execute(),
    );
    assert.deepEqual(
      failed.map((e) => JSON.parse(e.details).method),
      ['passkey'],
    );
    await context.close();
  });
});
