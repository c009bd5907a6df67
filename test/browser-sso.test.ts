import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { operatorActor, withOrg } from '../src/platform/index.ts';
import { startAdminApiWorld } from './support/admin-api.ts';
import { launchChromium } from './support/browser.ts';
import { startRelyingParty } from './support/relying-party.ts';
import { startUpstreamWithLogin } from './support/upstream-login.ts';

const upstreamSecret = 'corp-idp-client-secret-for-vigil';
const robin = {
  username: 'robin@corp.test',
  password: 'Upstream-Only-Password-7',
  claims: {
    sub: 'corp-robin-0001',
    email: 'robin@corp.test',
    email_verified: true,
    name: 'Robin Fairweather',
  },
};

/**
 * One federated sign-in in Chromium, across three origins: a relying party
 * (http://127.0.0.1:<a>) starts an OIDC sign-in at Vigil (https://localhost:<b>); the user picks
 * single sign-on and types an email of the organization's verified domain; Vigil sends the
 * browser to the organization's own IdP (oidc-provider with its own login page,
 * http://127.0.0.1:<c>); back at Vigil the user is provisioned just in time and lands signed in at
 * the relying party. What only a browser shows: SameSite cookies across the three sites, CSP
 * `form-action` on the way out of Vigil's forms, and redirects that really chain (docs/sso.md).
 */
describe('a federated sign-in through an organization’s OpenID provider, in a real browser', () => {
  let world: Awaited<ReturnType<typeof startAdminApiWorld>>;
  let upstream: Awaited<ReturnType<typeof startUpstreamWithLogin>>;
  let rp: Awaited<ReturnType<typeof startRelyingParty>>;
  let browser: Browser;
  let connectionId: string;
  let orgId: string;
  let adminToken: string;

  before(async () => {
    upstream = await startUpstreamWithLogin('Corp IdP');
    upstream.addPerson(robin);
    world = await startAdminApiWorld({ totp: false }, { VIGIL_OUTBOUND_ALLOW: '127.0.0.1' });
    orgId = world.world.orgId;
    const admin = await world.userWithRole(orgId, 'it@acme.test', 'org-admin');
    adminToken = await world.tokenFor(admin);
    const api = (method: string, path: string, body?: unknown) =>
      world.call(method, `/orgs/${orgId}${path}`, adminToken, body);

    // The connection, as an administrator makes it: Vigil checks the client at the upstream
    // first, so it is registered there before its redirect URI (which names the connection) is
    // known, and again with it.
    const client = { clientId: 'vigil-acme', clientSecret: upstreamSecret };
    await upstream.registerClient({ ...client, redirectUris: ['https://placeholder.test/cb'] });
    const created = await api('POST', '/sso/connections', {
      name: 'Corp IdP',
      protocol: 'oidc',
      provisioning: 'jit',
      oidc: { issuer: upstream.issuer, ...client },
    });
    assert.equal(created.status, 201, created.text);
    connectionId = created.json().id;
    const redirectUri = created.json().serviceProvider.redirectUri;
    await upstream.registerClient({ ...client, redirectUris: [redirectUri] });

    // corp.test is the organization's, verified by a platform administrator's attestation.
    const claimed = await api('POST', '/sso/domains', { domain: 'corp.test', connectionId });
    assert.equal(claimed.status, 201, claimed.text);
    await withOrg(world.world.core.database, orgId, (tx) =>
      world.world.auth.ssoDomains.verify(
        tx,
        orgId,
        claimed.json().id,
        { method: 'attestation', statement: 'Corp runs its mail on corp.test (ticket 4711).' },
        operatorActor,
        { byPlatform: true },
      ),
    );

    rp = await startRelyingParty(world.world.base);
    await rp.use(
      await world.world.createClient({
        name: 'Acme Portal',
        kind: 'web',
        firstParty: true,
        redirectUris: [rp.callbackUri],
        postLogoutRedirectUris: [rp.loggedOutUri],
      }),
    );
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await rp?.close();
    await upstream?.close();
    await world?.world.close();
  });

  const newPage = async (): Promise<{ context: BrowserContext; page: Page }> => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    return { context, page };
  };

  const database = () => world.world.core.database;
  const usersWithEmail = (email: string) =>
    withOrg(database(), orgId, (tx) =>
      tx.selectFrom('users').select(['id', 'display_name']).where('email', '=', email).execute(),
    );
  const audited = (action: string) =>
    withOrg(database(), orgId, (tx) =>
      tx
        .selectFrom('audit_events')
        .select(['target_id', 'details'])
        .where('action', '=', action)
        .execute(),
    );

  /** From the RP's start to the IdP's login page, by Vigil's single sign-on form. */
  async function toUpstreamLogin(page: Page, email: string) {
    await page.goto(`${rp.origin}/start?scope=${encodeURIComponent('openid email')}`);
    await page.waitForURL(/\/login$/);
    await page.getByLabel('Work email').fill(email);
    await page.getByRole('button', { name: 'Sign in with single sign-on' }).click();
    await page.getByRole('heading', { name: 'Corp IdP sign-in' }).waitFor();
    assert.equal(new URL(page.url()).origin, upstream.issuer);
  }

  async function signInUpstream(page: Page, password: string) {
    await page.getByLabel('Username').fill(robin.username);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Sign in to Corp IdP' }).click();
  }

  /** The browser is on the RP's page, the RP holds tokens for `sub`. */
  async function arrivedAtRp(page: Page, sub: string) {
    await page.getByRole('heading', { name: `Signed in at the RP as ${sub}` }).waitFor();
    assert.equal(new URL(page.url()).origin, rp.origin);
    assert.deepEqual(rp.errors, []);
    assert.equal(rp.signIns.at(-1)?.sub, sub);
  }

  it('the IdP’s own login page, then back at the RP as a user provisioned just in time', async () => {
    assert.deepEqual(await usersWithEmail(robin.claims.email), [], 'nobody yet');
    const { context, page } = await newPage();
    await toUpstreamLogin(page, 'Robin@Corp.test');

    // The IdP's page is a real one: a wrong password stays there, and Vigil has heard nothing.
    await signInUpstream(page, 'not-the-password');
    await page.getByRole('alert').filter({ hasText: 'Wrong username or password.' }).waitFor();
    assert.deepEqual(upstream.refusals, [robin.username]);

    await signInUpstream(page, robin.password);
    await page.getByRole('heading', { name: /^Signed in at the RP as / }).waitFor();
    const [user, ...others] = await usersWithEmail(robin.claims.email);
    assert.equal(others.length, 0);
    assert.ok(user, 'provisioned just in time');
    assert.equal(user.display_name, robin.claims.name);
    await arrivedAtRp(page, user.id);

    const provisioned = await audited('sso.user.provisioned');
    assert.deepEqual(
      provisioned.map((e) => e.target_id),
      [user.id],
    );
    const succeeded = await audited('sso.login.succeeded');
    assert.equal(succeeded.length, 1);
    assert.equal(succeeded[0]?.target_id, user.id);
    assert.match(JSON.stringify(succeeded[0]?.details), new RegExp(connectionId));
    const identities = await withOrg(database(), orgId, (tx) =>
      tx.selectFrom('sso_identities').select(['subject', 'user_id', 'connection_id']).execute(),
    );
    assert.deepEqual(identities, [
      { subject: robin.claims.sub, user_id: user.id, connection_id: connectionId },
    ]);
    await context.close();
  });

  it('a second sign-in in another browser is the same user, not another one', async () => {
    const [user] = await usersWithEmail(robin.claims.email);
    assert.ok(user);
    const { context, page } = await newPage();
    await toUpstreamLogin(page, robin.claims.email);
    await signInUpstream(page, robin.password);
    await arrivedAtRp(page, user.id);
    assert.equal((await usersWithEmail(robin.claims.email)).length, 1);
    assert.equal((await audited('sso.user.provisioned')).length, 1, 'provisioned once');
    assert.equal((await audited('sso.login.succeeded')).length, 2);
    assert.deepEqual(upstream.signIns, [robin.username, robin.username]);
    await context.close();
  });

  it('an email of a domain nobody verified stays on Vigil’s login page', async () => {
    const { context, page } = await newPage();
    await page.goto(`${rp.origin}/start`);
    await page.waitForURL(/\/login$/);
    await page.getByLabel('Work email').fill('someone@elsewhere.test');
    await page.getByRole('button', { name: 'Sign in with single sign-on' }).click();
    await page.waitForLoadState();
    assert.equal(new URL(page.url()).origin, world.world.base, 'never sent to an IdP');
    assert.equal(await page.getByLabel('Work email').inputValue(), 'someone@elsewhere.test');
    assert.equal(upstream.signIns.length, 2, 'the IdP saw nothing');
    await context.close();
  });

  it('with SSO required, the password form refuses a user of the organization and single sign-on still works', async () => {
    const setSsoPolicy = async (policy: { required: boolean; mfa: 'upstream' | 'vigil' }) => {
      const path = `/orgs/${orgId}/policies/sso`;
      const current = await world.call('GET', path, adminToken);
      const res = await world.call('PUT', path, adminToken, policy, {
        'if-match': String(current.headers.etag),
      });
      assert.equal(res.status, 200, res.text);
    };
    await setSsoPolicy({ required: true, mfa: 'upstream' });
    try {
      const { context, page } = await newPage();
      await page.goto(`${rp.origin}/start`);
      await page.waitForURL(/\/login$/);
      const passwordForm = page.locator('form', { has: page.getByLabel('Password') });
      await passwordForm.getByLabel('Email', { exact: true }).fill(world.world.email);
      await passwordForm.getByLabel('Password').fill(world.world.password);
      await passwordForm.getByRole('button', { name: 'Sign in', exact: true }).click();
      // The answer is the same as for a wrong password (no hint that the account exists); the
      // audit log says why.
      await page.getByText('The email or password is not right').waitFor();
      assert.equal(new URL(page.url()).origin, world.world.base, 'not at the RP');
      const failures = await audited('auth.login.failed');
      assert.equal(failures.at(-1)?.target_id, world.world.user.id);
      assert.match(JSON.stringify(failures.at(-1)?.details), /sso_required/);
      const before = rp.signIns.length;

      // The same browser goes on by single sign-on, and reaches the RP.
      const [user] = await usersWithEmail(robin.claims.email);
      assert.ok(user);
      await page.getByLabel('Work email').fill(robin.claims.email);
      await page.getByRole('button', { name: 'Sign in with single sign-on' }).click();
      await page.getByRole('heading', { name: 'Corp IdP sign-in' }).waitFor();
      await signInUpstream(page, robin.password);
      await arrivedAtRp(page, user.id);
      assert.equal(rp.signIns.length, before + 1);
      await context.close();
    } finally {
      await setSsoPolicy({ required: false, mfa: 'upstream' });
    }
  });
});
