import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { withPlatform } from '../src/platform/index.ts';
import { launchChromium } from './support/browser.ts';
import { startOidcWorld } from './support/oidc.ts';
import { addApplication } from './support/saml-sp.ts';
import { startSamlSpSite } from './support/saml-sp-site.ts';

/**
 * A SAML application on another origin (node-saml as the SP, http://127.0.0.1:<port>) signs a
 * user in through Vigil's hosted sign-in in Chromium, by the HTTP-POST binding both ways: the
 * SP's self-posting AuthnRequest form, Vigil's password and second-factor pages, and Vigil's
 * self-posting response to the SP's ACS. A browser catches what the in-process tests cannot: a
 * cross-site POST that loses a SameSite cookie, a CSP `form-action` that stops the form, a
 * script the CSP blocks (docs/sso.md).
 */
describe('a SAML application signs in through Vigil in a real browser (POST binding)', () => {
  let world: Awaited<ReturnType<typeof startOidcWorld>>;
  let sp: Awaited<ReturnType<typeof startSamlSpSite>>;
  let browser: Browser;

  before(async () => {
    world = await startOidcWorld();
    sp = await startSamlSpSite(world.base, 'acme');
    await addApplication(world, {
      name: 'Team Wiki',
      entityId: sp.entityId,
      acsUrls: [{ url: sp.acsUrl, binding: 'post' }],
      nameIdFormat: 'email',
      attributeMapping: [
        { name: 'email', source: 'email' },
        { name: 'org', source: 'orgSlug' },
      ],
    });
    await sp.trustIdp();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await sp?.close();
    await world?.close();
  });

  const newPage = async (): Promise<{ context: BrowserContext; page: Page }> => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    return { context, page };
  };

  /** The browser is on the SP's page, and node-saml accepted the response. */
  async function arrivedAtSp(page: Page, relayState: string) {
    await page.getByRole('heading', { name: `Signed in at the SP as ${world.email}` }).waitFor();
    assert.equal(new URL(page.url()).origin, sp.origin);
    assert.deepEqual(sp.errors, []);
    const last = sp.signIns.at(-1);
    assert.equal(last?.nameID, world.email);
    assert.equal(last?.attributes.email, world.email);
    assert.equal(last?.attributes.org, 'acme');
    assert.equal(last?.relayState, relayState);
  }

  const issued = () =>
    withPlatform(world.core.database, (tx) =>
      tx
        .selectFrom('audit_events')
        .select(['target_id', 'details'])
        .where('action', '=', 'saml.response.issued')
        .execute(),
    );

  it('password and second factor at Vigil, then the response is posted to the SP, which accepts it', async () => {
    const { context, page } = await newPage();
    await page.goto(`${sp.origin}/login?relay=${encodeURIComponent('/pages/42')}`);
    // node-saml's form posted the AuthnRequest cross-site; Vigil kept it across its sign-in.
    await page.waitForURL(/\/login$/);
    assert.equal(new URL(page.url()).origin, world.base);
    // The password form (the page may offer single sign-on beside it).
    const passwordForm = page.locator('form', { has: page.getByLabel('Password') });
    await passwordForm.getByLabel('Email').fill(world.email);
    await passwordForm.getByLabel('Password').fill(world.password);
    await passwordForm.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/login\/mfa$/);
    await page.getByLabel('Code').fill(world.totp());
    await page.getByRole('button', { name: 'Verify' }).click();
    await arrivedAtSp(page, '/pages/42');
    const events = await issued();
    assert.equal(events.length, 1);
    assert.equal(events[0]?.target_id, world.user.id);

    // Signed in at Vigil already: the next sign-in of the application asks nothing.
    await page.goto(`${sp.origin}/login?relay=again`);
    await arrivedAtSp(page, 'again');
    assert.equal(sp.signIns.length, 2);
    assert.equal((await issued()).length, 2);
    await context.close();
  });
});
