import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as OTPAuth from 'otpauth';
import type { Browser } from 'playwright-core';
import type { RunningServer } from '../src/app/server.ts';
import { totpCode } from '../src/auth/mfa/index.ts';
import { operatorActor, withOrg } from '../src/platform/index.ts';
import { authServices } from './support/auth.ts';
import { launchChromium } from './support/browser.ts';
import { openTestCore, type TestCore } from './support/core.ts';
import { startTestServer } from './support/http.ts';

const password = 'Browser-Tested-Secret-7';

describe('hosted pages in a real browser', () => {
  let core: TestCore;
  let server: RunningServer;
  let browser: Browser;
  let orgId: string;
  let otherSessionId: string;

  before(async () => {
    core = await openTestCore();
    server = await startTestServer(core);
    const auth = authServices(core);
    orgId = await core.createOrg('secure-co');
    await withOrg(core.database, orgId, (tx) =>
      auth.mfa.setPolicy(tx, orgId, { required: true, gracePeriodDays: null }, operatorActor),
    );
    const user = await auth.createUser(orgId, 'mia@secure.test', password);
    // A session on another device, to be ended from the account page.
    const other = await withOrg(core.database, orgId, (tx) =>
      auth.sessions.create(
        tx,
        {
          user,
          amr: ['pwd'],
          acr: 'urn:vigil:acr:pwd',
          ip: '203.0.113.50',
          userAgent: 'Other Device/1.0',
        },
        operatorActor,
      ),
    );
    otherSessionId = other.session.id;
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await server?.stop();
    await core?.close();
  });

  it('signs in, is forced to enroll TOTP, ends another session on the account page, and signs out', async () => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    await page.goto(`${server.url}/login`);
    await page.getByLabel('Email', { exact: true }).fill('mia@secure.test');
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();

    // MFA is required by the organization: enrollment comes before any session.
    await page.waitForURL(/\/login\/enroll$/);
    assert.equal(
      (await context.cookies()).some((c) => c.name === '__Host-vigil-session'),
      false,
    );
    const secret = (await page.locator('#totp-secret').textContent())?.trim() ?? '';
    const seed = new Uint8Array(OTPAuth.Secret.fromBase32(secret).buffer);
    assert.equal(await page.locator('img[alt^="QR code"]').count(), 1);
    await page.getByLabel('Code from the app').fill(totpCode(seed, new Date()));
    await page.getByRole('button', { name: 'Confirm' }).click();

    // Recovery codes, shown once.
    await page.locator('#recovery-codes').waitFor();
    assert.equal(await page.locator('#recovery-codes li').count(), 10);
    await page.getByRole('link', { name: /continue/ }).click();

    await page.waitForURL(/\/account$/);
    await page.getByRole('heading', { name: 'Your account' }).waitFor();
    const cookie = (await context.cookies()).find((c) => c.name === '__Host-vigil-session');
    assert.ok(
      cookie?.httpOnly && cookie.secure && cookie.sameSite === 'Lax' && cookie.path === '/',
    );
    const otherRow = page.locator(`tr[data-session="${otherSessionId}"]`);
    assert.equal(await otherRow.count(), 1);
    await page.screenshot({
      path: `${process.env.VIGIL_SCREENSHOT_DIR ?? '/tmp'}/vigil-account.png`,
      fullPage: true,
    });
    await otherRow.getByRole('button', { name: 'End' }).click();
    await page.getByText('The session was ended.').waitFor();
    assert.equal(await page.locator(`tr[data-session="${otherSessionId}"]`).count(), 0);
    assert.match((await page.locator('table').last().textContent()) ?? '', /session\.ended/);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'You are signed out' }).waitFor();
    await page.goto(`${server.url}/account`);
    await page.waitForURL(/\/login$/);
    await context.close();
  });

  it('shows one message for a wrong password and an unknown email', async () => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    const attempt = async (email: string, pass: string) => {
      await page.goto(`${server.url}/login`);
      await page.getByLabel('Email', { exact: true }).fill(email);
      await page.getByLabel('Password').fill(pass);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      return (await page.getByRole('alert').textContent())?.trim();
    };
    const wrong = await attempt('mia@secure.test', 'not-the-password');
    const unknown = await attempt('nobody@secure.test', password);
    assert.ok(wrong);
    assert.equal(wrong, unknown);
    await context.close();
  });
});
