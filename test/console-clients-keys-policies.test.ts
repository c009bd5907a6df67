import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { operatorActor, withOrg } from '../src/platform/index.ts';
import {
  type ConsoleWorld,
  cspViolations,
  openConsoleAs,
  startConsoleWorld,
} from './support/console.ts';

/** The text of the secret a "shown once" dialog holds, after which the dialog is closed. */
async function takeShownOnce(page: Page, title: string, what: string): Promise<string> {
  const dialog = page.getByRole('dialog', { name: title });
  const secret = ((await dialog.getByLabel(what).textContent()) ?? '').trim();
  await dialog.getByRole('button', { name: 'I have stored it' }).click();
  await dialog.waitFor({ state: 'detached' });
  return secret;
}

/** Whether `text` is anywhere in the page's document (shown or hidden). */
const inPage = async (page: Page, text: string) => (await page.content()).includes(text);

describe('console: OAuth clients, API keys and policies', () => {
  let world: ConsoleWorld;
  before(async () => {
    world = await startConsoleWorld();
  });
  after(async () => {
    await world?.close();
  });

  it('an organization administrator registers a confidential client, sees its secret once, rotates it and disables it', async () => {
    const page = await openConsoleAs(world, world.orgAdmin, `/orgs/${world.orgId}/clients`);
    const violations = cspViolations(page);
    await page.getByRole('heading', { name: 'OAuth clients' }).waitFor();
    await page.getByText('No OAuth clients yet').waitFor();

    // Refused: the redirect URI's error next to it, the problem's detail above the form.
    await page.getByRole('button', { name: 'Register a client' }).click();
    const form = page.getByRole('form', { name: 'Register a client' });
    const redirectUris = form.getByRole('textbox', { name: 'Redirect URIs', exact: true });
    await form.getByLabel('Name').fill('Billing portal');
    await redirectUris.fill('http://billing.example.com/callback');
    await form.getByRole('button', { name: 'Register' }).click();
    await form.getByRole('alert').waitFor();
    assert.equal(await redirectUris.getAttribute('aria-invalid'), 'true');

    await redirectUris.fill('https://billing.example.com/callback');
    await form.getByRole('button', { name: 'Register' }).click();
    const secret = await takeShownOnce(page, 'Client secret', 'the client secret');
    assert.ok(secret.length >= 32, `a secret: ${secret}`);
    assert.equal(await inPage(page, secret), false, 'gone once the dialog is closed');

    const [client] = await withOrg(world.core.database, world.orgId, (tx) =>
      world.auth.oauth.clients.list(tx, world.orgId),
    );
    assert.equal(client?.name, 'Billing portal');
    assert.deepEqual(client?.redirectUris, ['https://billing.example.com/callback']);

    // The detail shows every setting and no secret.
    await page.getByRole('table', { name: 'OAuth clients' }).getByRole('link').click();
    const settings = page.getByRole('table', { name: 'Client settings' });
    await settings.getByRole('cell', { name: client?.id ?? '' }).waitFor();
    assert.equal(await inPage(page, secret), false, 'the detail never shows a secret');

    // A rotation shows the new secret once; the old one is accepted for a while.
    await page.getByRole('button', { name: 'Rotate secret' }).click();
    await page
      .getByRole('dialog', { name: 'Rotate the client secret?' })
      .getByRole('button', { name: 'Rotate secret' })
      .click();
    const rotated = await takeShownOnce(page, 'New client secret', 'the new client secret');
    assert.notEqual(rotated, secret);
    await settings.getByText('Previous secret accepted until').waitFor();
    assert.equal(await inPage(page, rotated), false);

    // Disabling asks first, then leaves nothing to change.
    await page.getByRole('button', { name: 'Disable', exact: true }).click();
    const disabling = page.getByRole('dialog', { name: 'Disable this client?' });
    await disabling.getByRole('button', { name: 'Disable client' }).click();
    await disabling.waitFor({ state: 'detached' });
    await settings.getByText('disabled', { exact: true }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Rotate secret' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: 'Disable', exact: true }).count(), 0);
    assert.deepEqual(violations, []);
    await page.context().close();
  });

  it('a platform administrator changes the password policy through its diff (a stale save refused and reloaded), picks a preset, and creates and revokes an API key', async () => {
    const page = await openConsoleAs(world, world.platformAdmin, `/orgs/${world.orgId}/policies`);
    const violations = cspViolations(page);
    const policy = page.getByRole('form', { name: 'Password policy' });
    const minLength = policy.getByLabel(/^Minimum length( \*)?$/);
    const review = async () => {
      await policy.getByRole('button', { name: 'Review changes' }).click();
      return page.getByRole('dialog', { name: 'Save the password policy?' });
    };

    // The diff names each setting that changes, as it is and as it will be.
    assert.equal(await minLength.inputValue(), '12');
    await minLength.fill('16');
    assert.equal(await policy.getByLabel('Preset').inputValue(), 'custom');
    let dialog = await review();
    const changes = dialog.getByRole('table', { name: 'Changes' }).getByRole('row');
    await changes.filter({ hasText: 'Minimum length' }).waitFor();
    assert.deepEqual(await changes.allInnerTexts(), [
      'Setting\tNow\tAfter saving',
      'Preset\tsoc2-baseline\tcustom',
      'Minimum length\t12\t16',
    ]);
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'version 1' }).waitFor();

    await page.reload();
    await policy.getByText('Version 1').waitFor();
    assert.equal(await minLength.inputValue(), '16');

    // Someone else saves in between: the console says so and shows their version.
    await withOrg(world.core.database, world.orgId, (tx) =>
      world.auth.passwords.setPolicy(tx, world.orgId, 'pci-dss-4', operatorActor),
    );
    await minLength.fill('17');
    dialog = await review();
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: /someone else changed/i })
      .waitFor();
    await policy.getByText('Version 2').waitFor();
    assert.equal(await minLength.inputValue(), '12');
    assert.equal(await policy.getByLabel('Preset').inputValue(), 'pci-dss-4');

    // A preset picked as it is goes by its name; the diff shows every setting it changes.
    await policy.getByLabel('Preset').selectOption('nist-800-63b-4');
    dialog = await review();
    await dialog
      .getByRole('row')
      .filter({ hasText: /Minimum length with MFA\s*same as without\s*8/ })
      .waitFor();
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'version 3' }).waitFor();
    const stored = await withOrg(world.core.database, world.orgId, (tx) =>
      world.auth.passwords.policy(tx, world.orgId),
    );
    assert.equal(stored.version, 3);
    assert.equal(stored.policy.preset, 'nist-800-63b-4');
    assert.equal(stored.policy.minLength, 15);

    // An API key: only permissions the administrator holds here, the key shown once, revoked.
    await page
      .getByRole('navigation', { name: 'Console sections' })
      .getByRole('link', { name: 'API keys' })
      .click();
    await page.getByText('No API keys yet').waitFor();
    await page.getByRole('button', { name: 'Create an API key' }).click();
    const create = page.getByRole('form', { name: 'Create an API key' });
    assert.equal(await create.getByLabel('platform.orgs').count(), 0, 'not held in acme');
    await create.getByLabel('Name').fill('HR sync');
    await create.getByLabel('users.read').check();
    await create.getByLabel(/^Expires after/).fill('30');
    await create.getByRole('button', { name: 'Create' }).click();
    const token = await takeShownOnce(page, 'New API key', 'the API key');
    assert.match(token, /^vigil_/);
    assert.equal(await inPage(page, token), false);
    const principal = await world.auth.apiKeys.authenticate(token, null);
    assert.deepEqual(principal?.permissions, ['users.read']);

    const keys = page.getByRole('table', { name: 'API keys' });
    await keys.getByRole('button', { name: 'Revoke HR sync' }).click();
    const revoke = page.getByRole('form', { name: 'Revoke an API key' });
    await revoke.getByLabel('Reason').fill('the sync moved to SCIM');
    await revoke.getByRole('button', { name: 'Revoke' }).click();
    await keys.getByText('revoked', { exact: true }).waitFor();
    assert.equal(await keys.getByRole('button', { name: 'Revoke HR sync' }).count(), 0);
    assert.equal(await world.auth.apiKeys.authenticate(token, null), undefined);
    assert.deepEqual(violations, []);
    await page.context().close();
  });

  it("shows an organization's auditor the clients and the policies without a way to change them, and no API keys", async () => {
    const auditor = await world.addAdmin(world.orgId, 'otto@acme.test', 'org-auditor');
    const page = await openConsoleAs(world, auditor, `/orgs/${world.orgId}/clients`);
    await page
      .getByRole('table', { name: 'OAuth clients' })
      .or(page.getByText('No OAuth clients yet'))
      .waitFor();
    assert.equal(await page.getByRole('button', { name: 'Register a client' }).count(), 0);
    const sections = page.getByRole('navigation', { name: 'Console sections' });
    assert.equal(await sections.getByRole('link', { name: 'API keys' }).count(), 0);

    await sections.getByRole('link', { name: 'Policies' }).click();
    const settings = page.getByRole('table', { name: 'Password policy' });
    await settings.getByRole('row').filter({ hasText: 'Minimum length' }).first().waitFor();
    assert.equal(await page.getByRole('form', { name: 'Password policy' }).count(), 0);
    assert.equal(await page.getByRole('textbox').count(), 0, 'nothing to edit');
    await page.context().close();
  });
});
