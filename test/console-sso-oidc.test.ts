import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { withOrg } from '../src/platform/index.ts';
import {
  type ConsoleWorld,
  cspViolations,
  openConsoleAs,
  startConsoleWorld,
} from './support/console.ts';
import { startUpstreamOidc } from './support/upstream-oidc.ts';

/**
 * An OpenID Connect connection in the console (docs/console.md#single-sign-on), against an
 * independent provider (`oidc-provider`) on another port of this machine, which the server's
 * SSRF guard lets through only because the test allows it (VIGIL_OUTBOUND_ALLOW).
 */
describe('console: an OpenID Connect connection', () => {
  let world: ConsoleWorld;
  let upstream: Awaited<ReturnType<typeof startUpstreamOidc>>;
  const secret = 'upstream-client-secret-7f3a9c';

  before(async () => {
    upstream = await startUpstreamOidc();
    world = await startConsoleWorld({ VIGIL_OUTBOUND_ALLOW: '127.0.0.1' });
    // Vigil checks the client against the provider when the connection is saved. Its redirect
    // URI names a connection not made yet: this one only lets the client exist.
    await upstream.registerClient({
      clientId: 'vigil-acme',
      clientSecret: secret,
      redirectUris: [`${world.base}/sso/not-yet/callback`],
    });
  });
  after(async () => {
    await world?.close();
    await upstream?.close();
  });

  const stored = () =>
    withOrg(world.core.database, world.orgId, (tx) =>
      tx
        .selectFrom('sso_connections')
        .select(['id', 'issuer', 'client_id', 'client_secret', 'scopes', 'provisioning'])
        .executeTakeFirstOrThrow(),
    );

  it('an administrator adds one (refused without openid, then with its secret), gives the redirect URI, changes it keeping the secret, and deletes it', async () => {
    const page = await openConsoleAs(world, world.orgAdmin, `/orgs/${world.orgId}/sso/connections`);
    const violations = cspViolations(page);
    await page.getByRole('button', { name: 'Add a connection' }).click();
    const form = page.getByRole('form', { name: 'Add a connection' });
    await form.getByRole('textbox', { name: 'Name', exact: true }).fill('Entra');
    await form.getByLabel('OpenID Connect').check();
    await form.getByLabel('Issuer').fill(upstream.issuer);
    await form.getByLabel('Client ID').fill('vigil-acme');
    await form.getByLabel('Client secret').fill(secret);
    const scopes = form.getByRole('textbox', { name: 'Scopes' });
    assert.equal(await scopes.inputValue(), 'openid email profile');
    // Refused: the scopes must include openid; the reason next to the field, nothing stored.
    await scopes.fill('email profile');
    await form.getByRole('button', { name: 'Add connection' }).click();
    await form.getByRole('alert').filter({ hasText: 'Not saved' }).waitFor();
    assert.equal(await scopes.getAttribute('aria-invalid'), 'true');
    const none = await withOrg(world.core.database, world.orgId, (tx) =>
      tx.selectFrom('sso_connections').select('id').execute(),
    );
    assert.equal(none.length, 0);

    await scopes.fill('openid email profile');
    await form.getByRole('button', { name: 'Add connection' }).click();
    // Its discovery document read from the provider, the connection's page opens.
    const refused = form.getByRole('alert').filter({ hasText: 'Not saved' });
    await Promise.race([
      page.getByRole('heading', { name: 'Entra' }).waitFor(),
      refused
        .filter({ hasNotText: 'must include openid' })
        .waitFor()
        .then(async () => assert.fail(`refused: ${await refused.textContent()}`)),
    ]);
    const created = await stored();
    assert.equal(created.issuer, upstream.issuer);
    assert.equal(created.client_id, 'vigil-acme');
    assert.ok(created.client_secret && !created.client_secret.includes(secret), 'encrypted');
    assert.deepEqual(created.scopes, ['openid', 'email', 'profile']);
    assert.equal(created.provisioning, 'jit');

    // The redirect URI to register there, with a copy button; the secret only as "set".
    const redirect = page.getByLabel('Redirect URI', { exact: true });
    assert.match((await redirect.textContent()) ?? '', new RegExp(`/sso/${created.id}/callback$`));
    await page.getByRole('button', { name: 'Copy Redirect URI' }).waitFor();
    const settings = page.getByRole('table', { name: 'Connection settings' });
    await settings.getByRole('cell', { name: 'set', exact: true }).waitFor();
    assert.equal((await page.content()).includes(secret), false);
    assert.equal(
      await page.getByRole('region', { name: 'Identity provider certificates' }).count(),
      0,
    );

    // A change that leaves the secret field empty keeps the secret stored.
    await page.getByRole('button', { name: 'Edit', exact: true }).click();
    const edit = page.getByRole('form', { name: 'Edit Entra' });
    await edit.getByText('Set. Leave empty to keep it', { exact: false }).waitFor();
    assert.equal(await edit.getByLabel('Client secret').inputValue(), '');
    await edit.getByRole('textbox', { name: 'Scopes' }).fill('openid email');
    await edit.getByLabel('Only users who exist already', { exact: false }).check();
    await edit.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'Entra saved.' }).waitFor();
    const changed = await stored();
    assert.deepEqual(changed.scopes, ['openid', 'email']);
    assert.equal(changed.provisioning, 'match');
    assert.equal(changed.client_secret, created.client_secret);

    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page
      .getByRole('dialog', { name: 'Delete this connection?' })
      .getByRole('button', { name: 'Delete connection' })
      .click();
    await page.getByText('No connection yet.').waitFor();
    assert.deepEqual(violations, []);
    await page.context().close();
  });
});
