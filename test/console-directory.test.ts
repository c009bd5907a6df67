import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { withOrg } from '../src/platform/index.ts';
import {
  type ConsoleWorld,
  cspViolations,
  openConsoleAs,
  startConsoleWorld,
} from './support/console.ts';
import { request } from './support/http.ts';

/** Whether `text` is anywhere in the page's document (shown or hidden). */
const inPage = async (page: Page, text: string) => (await page.content()).includes(text);

/** The console's Directory page (docs/console.md, docs/scim.md): SCIM tokens and group roles. */
describe('console: the directory (SCIM tokens, groups mapped to roles)', () => {
  let world: ConsoleWorld;
  before(async () => {
    world = await startConsoleWorld();
  });
  after(async () => {
    await world?.close();
  });

  /** A SCIM request over HTTPS to `url` with `token` as its bearer. */
  const scim = (url: string, token: string, method = 'GET', body?: unknown) =>
    request(url, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(body === undefined ? {} : { 'content-type': 'application/scim+json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it('an organization administrator creates a SCIM token the directory uses, maps its group to a role, and revokes the token', async () => {
    const page = await openConsoleAs(world, world.orgAdmin, `/orgs/${world.orgId}/directory`);
    const violations = cspViolations(page);
    await page.getByRole('heading', { name: 'Directory (SCIM)' }).waitFor();
    await page.getByText('No SCIM tokens yet').waitFor();
    await page.getByText('The directory has pushed no group yet').waitFor();

    // A bad expiry is refused next to its field; then the token is shown once, with the base URL.
    await page.getByRole('button', { name: 'Create a SCIM token' }).click();
    const form = page.getByRole('form', { name: 'Create a SCIM token' });
    await form.getByLabel(/^Name/).fill('Entra ID provisioning');
    const days = form.getByLabel(/^Expires after/);
    await days.fill('30');
    await form.getByRole('button', { name: 'Create' }).click();
    const shown = page.getByRole('dialog', { name: 'New SCIM token' });
    const token = ((await shown.getByLabel('the SCIM token').textContent()) ?? '').trim();
    const baseUrl = ((await shown.getByLabel('SCIM base URL').textContent()) ?? '').trim();
    assert.match(token, /^vigil_scim_/);
    assert.equal(baseUrl, `${world.base}/scim/v2/acme`);
    await shown.getByRole('button', { name: 'I have stored it' }).click();
    await shown.waitFor({ state: 'detached' });
    assert.equal(await inPage(page, token), false, 'gone once the dialog is closed');
    const tokens = page.getByRole('table', { name: 'SCIM tokens' });
    await tokens.getByRole('cell', { name: 'Entra ID provisioning', exact: true }).waitFor();

    // The directory uses it: users read, a group pushed with Dana in it.
    const users = await scim(`${baseUrl}/Users`, token);
    assert.equal(users.status, 200, users.text);
    const pushed = await scim(`${baseUrl}/Groups`, token, 'POST', {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      displayName: 'Engineering',
      members: [{ value: world.user.id }],
    });
    assert.equal(pushed.status, 201, pushed.text);

    // Its last use shows; the group appears with its member; Member is mapped and saved.
    await page.reload();
    await tokens.getByText(/from /).waitFor();
    const groups = page.getByRole('table', { name: 'SCIM groups' });
    const row = groups.getByRole('row').filter({ hasText: 'Engineering' });
    await row.waitFor();
    await row.getByRole('cell', { name: '1', exact: true }).waitFor();
    await row.getByPlaceholder('No role').click();
    await page.getByRole('option', { name: 'Member', exact: true }).click();
    await page.keyboard.press('Escape');
    await row.getByRole('button', { name: 'Save the roles of Engineering' }).click();
    await row.getByRole('status').filter({ hasText: 'Members: 1 role assigned.' }).waitFor();
    const held = await withOrg(
      world.core.database,
      world.orgId,
      async (tx) =>
        (
          await world.auth.rbac.assignmentsPage(tx, world.orgId, {
            limit: 10,
            userId: world.user.id,
          })
        ).items,
    );
    assert.deepEqual(
      held.map((a) => [a.roleKey, a.source, a.reason]),
      [['member', 'scim', 'Member of SCIM group "Engineering"']],
    );

    // The assignments page marks what the directory granted.
    await page.goto(`${world.base}/admin/orgs/${world.orgId}/assignments`);
    const assignment = page
      .getByRole('table', { name: 'Assignments' })
      .getByRole('row')
      .filter({ hasText: 'Member of SCIM group' });
    await assignment.getByText('SCIM', { exact: true }).waitFor();
    await assignment.getByText('by the directory').waitFor();

    // Revoked behind a confirmation: the directory is refused from then on.
    await page.goto(`${world.base}/admin/orgs/${world.orgId}/directory`);
    await tokens.getByRole('button', { name: 'Revoke Entra ID provisioning' }).click();
    const confirm = page.getByRole('dialog', { name: 'Revoke this SCIM token?' });
    await confirm.getByRole('button', { name: 'Revoke' }).click();
    await confirm.waitFor({ state: 'detached' });
    await tokens.getByText('revoked', { exact: true }).waitFor();
    assert.equal(await tokens.getByRole('button', { name: /^Revoke/ }).count(), 0);
    const refused = await scim(`${baseUrl}/Users`, token);
    assert.equal(refused.status, 401);
    assert.deepEqual(violations, []);
    await page.context().close();
  });

  it('shows the refusal of a bad name next to its field, creating nothing', async () => {
    const page = await openConsoleAs(world, world.orgAdmin, `/orgs/${world.orgId}/directory`);
    const before = (await world.auth.scimTokens.listInOrg(world.orgId)).length;
    await page.getByRole('button', { name: 'Create a SCIM token' }).click();
    const form = page.getByRole('form', { name: 'Create a SCIM token' });
    const name = form.getByLabel(/^Name/);
    await name.fill('x'.repeat(201));
    await form.getByRole('button', { name: 'Create' }).click();
    await form.getByRole('alert').waitFor();
    assert.equal(await name.getAttribute('aria-invalid'), 'true');
    assert.equal((await world.auth.scimTokens.listInOrg(world.orgId)).length, before);
    await page.context().close();
  });
});
