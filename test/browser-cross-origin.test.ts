import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from './support/browser.ts';
import { startOidcWorld } from './support/oidc.ts';
import { startRelyingParty } from './support/relying-party.ts';

/**
 * Chromium applies CSP `form-action` to the redirects that follow a form POST
 * (docs/architecture.md#pitfall-form-action): a relying party on the same origin as Vigil would
 * hide a policy that stops the browser on its way back. This RP listens on http://127.0.0.1:<its
 * port>, Vigil on https://localhost:<another>.
 */
describe('a relying party on another origin, in a real browser', () => {
  let world: Awaited<ReturnType<typeof startOidcWorld>>;
  let rp: Awaited<ReturnType<typeof startRelyingParty>>;
  let browser: Browser;
  const eli = { email: 'eli@acme.test', password: 'Eli-Has-A-Long-Password-4' };
  let eliId: string;
  let thirdParty: { id: string; secret: string };
  let firstParty: { id: string; secret: string };

  before(async () => {
    world = await startOidcWorld();
    rp = await startRelyingParty(world.base);
    const registration = {
      kind: 'web' as const,
      redirectUris: [rp.callbackUri],
      postLogoutRedirectUris: [rp.loggedOutUri],
    };
    thirdParty = await world.createClient({ name: 'Partner App', ...registration });
    firstParty = await world.createClient({ name: 'Acme Web', firstParty: true, ...registration });
    eliId = (await world.auth.createUser(world.orgId, eli.email, eli.password)).id;
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await rp?.close();
    await world?.close();
  });

  const newPage = async (): Promise<{ context: BrowserContext; page: Page }> => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    page.setDefaultTimeout(10_000);
    return { context, page };
  };

  async function signInWithPassword(page: Page, who: { email: string; password: string }) {
    await page.waitForURL(/\/login$/);
    await page.getByLabel('Email', { exact: true }).fill(who.email);
    await page.getByLabel('Password').fill(who.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  }

  /** The browser is on the RP's page, and the RP has exchanged the code for tokens. */
  async function arrivedAtRp(page: Page, sub: string, method: string) {
    await page.getByRole('heading', { name: `Signed in at the RP as ${sub}` }).waitFor();
    assert.equal(new URL(page.url()).origin, rp.origin);
    assert.deepEqual(rp.errors, []);
    const last = rp.signIns.at(-1);
    assert.equal(last?.sub, sub);
    assert.equal(last?.method, method);
    assert.ok(last?.accessToken);
  }

  it('first sign-in at a third-party client: consent, then back at the RP with a code', async () => {
    await rp.use(thirdParty);
    const { context, page } = await newPage();
    await page.goto(`${rp.origin}/start?scope=${encodeURIComponent('openid email')}`);
    await signInWithPassword(page, eli);
    await page
      .getByRole('heading', { name: 'Allow Partner App to access your account?' })
      .waitFor();
    await page.getByRole('button', { name: 'Allow' }).click();
    await arrivedAtRp(page, eliId, 'GET');
    await context.close();
  });

  it('a first-party client with a second factor: the last sign-in step leads to the RP', async () => {
    await rp.use(firstParty);
    const { context, page } = await newPage();
    await page.goto(`${rp.origin}/start`);
    await signInWithPassword(page, world);
    await page.waitForURL(/\/login\/mfa$/);
    await page.getByLabel('Code').fill(world.totp());
    await page.getByRole('button', { name: 'Verify' }).click();
    await arrivedAtRp(page, world.user.id, 'GET');
    await context.close();
  });

  it('response_mode=form_post: the auto-submitted form reaches the RP', async () => {
    await rp.use(firstParty);
    const { context, page } = await newPage();
    await page.goto(`${rp.origin}/start?response_mode=form_post`);
    await signInWithPassword(page, eli);
    await arrivedAtRp(page, eliId, 'POST');
    await context.close();
  });

  it('a pushed authorization request (RFC 9126) completes in the browser too', async () => {
    await rp.use(thirdParty);
    const { context, page } = await newPage();
    await page.goto(`${rp.origin}/start?par=1`);
    assert.match(page.url(), /\/login$/);
    await signInWithPassword(page, eli);
    // Consent belongs to the provider session: a new browser asks again.
    await page.getByRole('button', { name: 'Allow' }).click();
    await arrivedAtRp(page, eliId, 'GET');
    await context.close();
  });

  it('RP-initiated logout returns to the RP, and Vigil has signed the browser out', async () => {
    await rp.use(firstParty);
    const { context, page } = await newPage();
    await page.goto(`${rp.origin}/start`);
    await signInWithPassword(page, eli);
    await arrivedAtRp(page, eliId, 'GET');

    await page.goto(`${rp.origin}/logout`);
    await page.getByRole('heading', { name: 'Sign out?' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Signed out at the RP' }).waitFor();
    assert.equal(new URL(page.url()).origin, rp.origin);
    assert.equal(rp.loggedOut(), 1);
    assert.deepEqual(rp.errors, []);
    await page.goto(`${world.base}/account`);
    await page.waitForURL(/\/login$/);
    await context.close();
  });
});
