import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as OTPAuth from 'otpauth';
import type { Browser, Page } from 'playwright-core';
import { buildConsole } from '../scripts/build-ui.ts';
import { totpCode } from '../src/auth/mfa/index.ts';
import { operatorActor, withPlatform } from '../src/platform/index.ts';
import { launchChromium } from './support/browser.ts';
import { cspViolations } from './support/console.ts';
import { startOidcWorld } from './support/oidc.ts';

const adminEmail = 'ada@vigil.test';
const adminPassword = 'Console-Tested-Secret-8';

/** Waits for the page to reach `url`; a failure names where it is and what it shows instead. */
async function arriveAt(page: Page, url: RegExp): Promise<void> {
  try {
    await page.waitForURL(url, { timeout: 15_000 });
  } catch (err) {
    const shown = (
      await page
        .locator('body')
        .textContent()
        .catch(() => '')
    )?.slice(0, 500);
    assert.fail(`expected ${url}, still at ${page.url()} showing: ${shown} (${err})`);
  }
}

describe('admin console in a real browser', () => {
  let world: Awaited<ReturnType<typeof startOidcWorld>>;
  let browser: Browser;

  before(async () => {
    // `npm test` builds it first (pretest); a test file run alone builds it here when stale.
    await buildConsole(true);
    world = await startOidcWorld();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await world?.close();
  });

  it('serves /admin with a nonce for styles and no inline script, and long-cached hashed assets', async () => {
    const res = await fetch(`${world.base}/admin/orgs`);
    assert.equal(res.status, 200);
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self';/);
    assert.match(csp, /style-src 'self' 'nonce-[A-Za-z0-9_-]{20,}';/);
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.equal(res.headers.get('cache-control'), 'no-cache');
    assert.equal(res.headers.get('x-frame-options'), 'DENY');
    const page = await res.text();
    const nonce = /'nonce-([^']+)'/.exec(csp)?.[1] ?? '';
    assert.ok(page.includes(`nonce="${nonce}"`), 'the page carries the policy’s nonce');
    assert.ok(!page.includes('VIGIL_CSP_NONCE'));
    // Another response, another nonce.
    const again = await fetch(`${world.base}/admin`);
    assert.notEqual(again.headers.get('content-security-policy'), csp);

    const script = /src="(\/admin\/assets\/[^"]+\.js)"/.exec(page)?.[1] ?? '';
    const asset = await fetch(`${world.base}${script}`);
    assert.equal(asset.status, 200);
    assert.match(asset.headers.get('cache-control') ?? '', /max-age=31536000, immutable/);
    assert.equal((await fetch(`${world.base}/admin/assets/missing.js`)).status, 404);
  });

  it('takes the bootstrapped administrator into the console: sign-in with TOTP, organizations, create one, reload', async () => {
    const link = await world.auth.bootstrap.issueLink(operatorActor);
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    const violations = cspViolations(page);

    await page.goto(link.url);
    await page.getByLabel('Email').fill(adminEmail);
    await page.getByLabel('Full name').fill('Ada Admin');
    await page.getByLabel(/^Password/).fill(adminPassword);
    await page.getByLabel('Repeat the password').fill(adminPassword);
    await page.getByRole('button', { name: 'Create administrator' }).click();
    await page.getByRole('link', { name: 'sign in to the admin console' }).click();

    // The console sends the administrator through the hosted sign-in, where a platform
    // administrator enrolls a second factor before anything else.
    await page.getByLabel('Email', { exact: true }).fill(adminEmail);
    await page.getByLabel('Password').fill(adminPassword);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await arriveAt(page, /\/login\/enroll$/);
    const secret = (await page.locator('#totp-secret').textContent())?.trim() ?? '';
    const seed = new Uint8Array(OTPAuth.Secret.fromBase32(secret).buffer);
    await page.getByLabel('Code from the app').fill(totpCode(seed, new Date()));
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.locator('#recovery-codes').waitFor();
    await page.getByRole('link', { name: /continue/ }).click();

    await arriveAt(page, /\/admin\/orgs$/);
    const table = page.getByRole('table', { name: 'Organizations' });
    await table.getByRole('row').filter({ hasText: 'acme' }).waitFor();
    await page.getByRole('navigation', { name: 'Console sections' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'Organizations' }).count(), 1);

    // Refused: the field's error next to the field, the problem's detail above the form.
    const form = page.getByRole('form', { name: 'Create an organization' });
    await form.getByLabel('Name').fill('Bad');
    await form.getByLabel('Slug').fill('Not A Slug');
    await form.getByRole('button', { name: 'Create' }).click();
    await form.getByRole('alert').waitFor();
    assert.match((await form.getByLabel('Slug').getAttribute('aria-invalid')) ?? '', /true/);
    await form.getByLabel('Name').fill('Acme again');
    await form.getByLabel('Slug').fill('acme');
    await form.getByRole('button', { name: 'Create' }).click();
    await form
      .getByRole('alert')
      .filter({ hasText: /acme|exists|taken/i })
      .waitFor();

    await form.getByLabel('Name').fill('Initech');
    await form.getByLabel('Slug').fill('initech');
    await form.getByRole('button', { name: 'Create' }).click();
    await table.getByRole('cell', { name: 'Initech', exact: true }).waitFor();

    // Tokens live in this tab's sessionStorage: a reload stays signed in, on the same page.
    await page.reload();
    await arriveAt(page, /\/admin\/orgs$/);
    await table.getByRole('cell', { name: 'initech', exact: true }).waitFor();
    assert.equal(
      (await context.cookies()).some((c) => /access|token/i.test(c.name)),
      false,
      'no token in a cookie',
    );

    // A refused access token is renewed with the refresh token, and the page carries on.
    const tokens = () =>
      page.evaluate(() => {
        const key = Object.keys(sessionStorage).find((k) => k.startsWith('oidc.user:')) ?? '';
        return { key, user: JSON.parse(sessionStorage.getItem(key) ?? '{}') };
      });
    const spoil = (fields: string[]) =>
      page.evaluate(
        ({ fields }) => {
          const key = Object.keys(sessionStorage).find((k) => k.startsWith('oidc.user:')) ?? '';
          const user = JSON.parse(sessionStorage.getItem(key) ?? '{}');
          for (const field of fields) user[field] = 'spoiled';
          sessionStorage.setItem(key, JSON.stringify(user));
        },
        { fields },
      );
    const signIns: string[] = [];
    page.on('request', (r) => {
      if (new URL(r.url()).pathname === '/oauth2/authorize') signIns.push(r.url());
    });
    await spoil(['access_token']);
    await page.reload();
    await table.getByRole('cell', { name: 'initech', exact: true }).waitFor();
    const renewed = await tokens();
    assert.notEqual(renewed.user.access_token, 'spoiled');
    assert.deepEqual(signIns, [], 'renewed without a sign-in');

    // When the refresh token is refused too, a sign-in (here without a prompt: the Vigil
    // session is live) brings the user back to the page they were on.
    await spoil(['access_token', 'refresh_token']);
    await page.reload();
    await arriveAt(page, /\/admin\/callback/);
    await arriveAt(page, /\/admin\/orgs$/);
    await table.getByRole('cell', { name: 'initech', exact: true }).waitFor();
    assert.equal(signIns.length, 1);
    const authorize = new URL(signIns[0] ?? '');
    assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
    assert.equal(authorize.searchParams.get('resource'), `${world.base}/api/v1`);

    // Dark mode, and still no style the policy refuses.
    await page.getByRole('button', { name: 'Switch to dark mode' }).click();
    await page.locator('html[data-mantine-color-scheme="dark"]').waitFor();
    assert.deepEqual(violations, []);

    // Signing out ends the provider's session and the Vigil session, back to a new sign-in.
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign out?' }).waitFor();
    await page.getByRole('button', { name: 'Sign out' }).click();
    await arriveAt(page, /\/login/);
    assert.equal(await page.evaluate(() => Object.keys(sessionStorage).length), 0);
    await context.close();
  });

  it("shows an organization's auditor their own organization only, and no way to create one", async () => {
    const email = 'olga@acme.test';
    const user = await world.auth.createUser(world.orgId, email, world.password);
    await withPlatform(world.core.database, (tx) =>
      world.auth.rbac.assign(
        tx,
        { orgId: world.orgId, userId: user.id, roleKey: 'org-auditor', reason: 'test' },
        null,
        operatorActor,
      ),
    );
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    await page.goto(`${world.base}/admin`);
    await page.getByLabel('Email', { exact: true }).fill(email);
    await page.getByLabel('Password').fill(world.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await arriveAt(page, /\/admin\/orgs$/);
    const rows = page.getByRole('table', { name: 'Organizations' }).getByRole('row');
    await rows.filter({ hasText: 'acme' }).waitFor();
    assert.equal(await rows.count(), 2, 'the header and acme');
    assert.equal(await page.getByRole('form', { name: 'Create an organization' }).count(), 0);
    await context.close();
  });

  it('gives a user without an administrative role no console', async () => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    await page.goto(`${world.base}/admin/orgs`);
    await page.getByLabel('Email', { exact: true }).fill(world.email);
    await page.getByLabel('Password').fill(world.password);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByLabel('Code', { exact: true }).fill(world.totp());
    await page.getByRole('button', { name: 'Verify' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: 'No admin console for this account' })
      .waitFor();
    assert.equal(await page.getByRole('table', { name: 'Organizations' }).count(), 0);
    await context.close();
  });
});
