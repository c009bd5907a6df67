import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { operatorActor, withPlatform } from '../src/platform/index.ts';
import {
  type ConsoleAdmin,
  type ConsoleWorld,
  cspViolations,
  openConsoleAs,
  startConsoleWorld,
} from './support/console.ts';

/** Picks `option` in the Mantine select labelled `label` inside `scope`, typing `search` first. */
async function pick(
  scope: Page | ReturnType<Page['locator']>,
  page: Page,
  label: string,
  search: string,
  option: RegExp,
) {
  await scope.getByLabel(label).fill(search);
  await page.getByRole('option', { name: option }).click();
  // A multiple select stays open for more: close it as a keyboard user would.
  await page.keyboard.press('Escape');
}

describe('console: roles, assignments, access requests and exports in a real browser', () => {
  let world: ConsoleWorld;
  let requester: ConsoleAdmin;
  let approver: ConsoleAdmin;
  /** An administrator of acme of their own, so that no test waits for another's next TOTP code. */
  let browser: ConsoleAdmin;

  before(async () => {
    world = await startConsoleWorld();
    // Two owners of acme: both hold access.approve, so what keeps the first from approving
    // their own request is the rule, not a missing permission.
    requester = await world.addAdmin(world.orgId, 'owen@acme.test', 'org-owner');
    approver = await world.addAdmin(world.orgId, 'opal@acme.test', 'org-owner');
    browser = await world.addAdmin(world.orgId, 'bea@acme.test', 'org-admin');
  });
  after(async () => {
    await world?.close();
  });

  it('assigns a role that needs approval: a pending request the requester cannot approve, approved by another owner', async () => {
    const orgPath = `/orgs/${world.orgId}`;
    const asked = await openConsoleAs(world, requester, `${orgPath}/assignments`);
    const violations = cspViolations(asked);
    const form = asked.getByRole('form', { name: 'Assign a role' });
    await pick(form, asked, 'User', 'dana', /dana@acme\.test/);
    await pick(
      form,
      asked,
      'Role',
      'administrator',
      /Organization administrator \(needs approval\)/,
    );
    await form.getByLabel('Reason').fill('Covers for Olivia in December');
    // Until the end of next January, in the browser's time zone (the machine's, as here).
    const until = `${new Date().getFullYear() + 1}-01-31T18:00`;
    await form.getByLabel('Expires').fill(until);
    await form.getByRole('button', { name: 'Assign' }).click();
    await form.getByRole('status').filter({ hasText: 'Waiting for approval' }).waitFor();

    // The request waits; its requester holds access.approve yet is offered no decision on it.
    await asked.getByRole('link', { name: 'Access requests' }).click();
    // The navigation marks the open section only (not Organizations, whose path is a prefix).
    const nav = asked.getByRole('navigation', { name: 'Console sections' });
    await nav.locator('[data-active]', { hasText: 'Access requests' }).waitFor();
    assert.equal(await nav.locator('a[data-active], a[aria-current="page"]').count(), 1);
    const pending = asked.getByRole('table', { name: 'Pending access requests' });
    const row = pending.getByRole('row').filter({ hasText: 'dana@acme.test' });
    await row.getByText('Another approver decides').waitFor();
    assert.match((await row.textContent()) ?? '', /Organization administrator/);
    assert.equal(await pending.getByRole('button', { name: 'Approve' }).count(), 0);
    assert.equal(await pending.getByRole('button', { name: 'Deny' }).count(), 0);

    // Another owner approves it, with a note.
    const decides = await openConsoleAs(world, approver, `${orgPath}/access-requests`);
    const theirs = decides
      .getByRole('table', { name: 'Pending access requests' })
      .getByRole('row')
      .filter({ hasText: 'dana@acme.test' });
    await theirs.getByRole('button', { name: 'Approve' }).click();
    const dialog = decides.getByRole('dialog', { name: 'Approve the request' });
    await dialog.getByLabel('Note').fill('Agreed with Olivia');
    await dialog.getByRole('button', { name: 'Approve' }).click();
    await decides.getByText('No request is waiting for a decision.').waitFor();

    // The assignment is in effect: in the console, granted by the approver.
    await decides.getByRole('link', { name: 'Assignments' }).click();
    const granted = decides
      .getByRole('table', { name: 'Assignments' })
      .getByRole('row')
      .filter({ hasText: 'dana@acme.test' })
      .filter({ hasText: 'Organization administrator' });
    await granted.filter({ hasText: 'opal@acme.test' }).waitFor();
    const held = async () =>
      (
        await withPlatform(world.core.database, (tx) =>
          world.auth.rbac.assignmentsPage(tx, world.orgId, { userId: world.user.id, limit: 200 }),
        )
      ).items;
    const grant = (await held()).find(
      (a) => a.userId === world.user.id && a.roleKey === 'org-admin',
    );
    assert.equal(grant?.grantedBy, approver.user.id);
    assert.equal(grant?.expiresAt?.toISOString(), new Date(until).toISOString());

    // Taken away again, with the reason the audit log keeps.
    await granted.getByRole('button', { name: 'Unassign' }).click();
    const unassign = decides.getByRole('dialog', { name: 'Unassign a role' });
    await unassign.getByLabel('Reason').fill('Olivia is back');
    await unassign.getByRole('button', { name: 'Unassign' }).click();
    await granted.waitFor({ state: 'detached' });
    assert.equal(
      (await held()).some((a) => a.userId === world.user.id && a.roleKey === 'org-admin'),
      false,
    );

    // The first owner asks for a role for themselves, until the same day: a request too.
    const ask = asked.getByRole('form', { name: 'Request a role' });
    await pick(ask, asked, 'Role', 'auditor', /^Organization auditor$/);
    await ask.getByLabel('Reason').fill('Quarterly access review');
    await ask.getByLabel('Until').fill(until);
    await ask.getByRole('button', { name: 'Request' }).click();
    await ask.getByRole('status').filter({ hasText: 'Requested' }).waitFor();
    const mine = pending.getByRole('row').filter({ hasText: 'Quarterly access review' });
    await mine.getByRole('cell', { name: 'you', exact: true }).first().waitFor();
    assert.match((await mine.textContent()) ?? '', /Organization auditor/);
    assert.deepEqual(violations, []);
    await asked.context().close();
    await decides.context().close();
  });

  it('filters assignments by role on the server', async () => {
    const path = `/orgs/${world.orgId}/assignments`;
    const page = await openConsoleAs(world, browser, path);
    const table = page.getByRole('table', { name: 'Assignments' });
    await table.getByRole('row').filter({ hasText: 'bea@acme.test' }).first().waitFor();
    // Everyone fits on the first page: no next one to show.
    assert.equal(await page.getByRole('button', { name: 'Show more' }).count(), 0);
    const [filtered] = await Promise.all([
      page.waitForResponse((r) => r.url().includes('/assignments?roleKey=org-owner')),
      (async () => {
        await page.getByRole('combobox', { name: 'Filter by role' }).click();
        await page.getByRole('option', { name: /^Organization owner$/ }).click();
      })(),
    ]);
    assert.equal(filtered.status(), 200);
    const owners = (await filtered.json()) as { items: { roleKey: string }[] };
    assert.ok(owners.items.length >= 2, 'both owners');
    assert.ok(owners.items.every((a) => a.roleKey === 'org-owner'));
    await table.getByRole('row').filter({ hasText: 'opal@acme.test' }).waitFor();
    const rows = table.locator('tbody tr');
    assert.equal(await rows.count(), owners.items.length);
    for (const text of await rows.allTextContents()) assert.match(text, /Organization owner/);
    await page.context().close();
  });

  it('creates a custom role (a refusal shown at its field), changes it with If-Match, and keeps duties apart with a conflict rule', async () => {
    const page = await openConsoleAs(world, requester, `/orgs/${world.orgId}/roles`);
    await page.getByRole('button', { name: 'Create a custom role' }).click();
    const create = page.getByRole('form', { name: 'Create a custom role' });
    await create.getByRole('textbox', { name: 'Key' }).fill('Not A Key');
    await create.getByLabel('Name').fill('Support');
    await create.getByLabel('Description').fill('Answers tickets.');
    await create.getByLabel('Purpose').fill('First-line support reads users to help them.');
    await create.getByRole('checkbox', { name: 'users.read' }).check();
    await create.getByRole('button', { name: 'Create' }).click();
    await create.getByRole('alert').waitFor();
    assert.equal(
      await create.getByRole('textbox', { name: 'Key' }).getAttribute('aria-invalid'),
      'true',
    );
    await create.getByRole('textbox', { name: 'Key' }).fill('support');
    await create.getByRole('button', { name: 'Create' }).click();
    await page.getByRole('table', { name: 'Roles' }).getByRole('link', { name: 'Support' }).click();

    await page.getByRole('heading', { name: 'Support' }).waitFor();
    await page.getByRole('button', { name: 'Edit role' }).click();
    const edit = page.getByRole('form', { name: 'Edit role' });
    await edit.getByLabel('Description').fill('Answers tickets and reads users.');
    await edit.getByRole('button', { name: 'Save' }).click();
    // Saved: the form closes and the page reads the role again.
    await edit.waitFor({ state: 'detached' });
    await page.getByText('Answers tickets and reads users.').waitFor();
    const saved = await withPlatform(world.core.database, (tx) =>
      world.auth.rbac.rolesOf(tx, world.orgId),
    );
    const support = saved.find((r) => r.key === 'support');
    assert.equal(support?.description, 'Answers tickets and reads users.');
    assert.equal(support && 'version' in support ? support.version : undefined, 2);

    // A rule both owners break the moment it exists: owners must not read the audit log.
    await page.getByRole('link', { name: 'Conflict rules' }).click();
    const add = page.getByRole('form', { name: 'Add a conflict rule' });
    await add.getByLabel('Name').fill('Owners do not audit');
    await add.getByLabel('Description').fill('Whoever runs the organization is not its auditor.');
    await pick(add, page, 'Roles', 'owner', /Organization owner/);
    await add.getByRole('button', { name: 'Add rule' }).click();
    await add.getByRole('alert').waitFor();
    assert.equal(await add.getByLabel('Roles').getAttribute('aria-invalid'), 'true');
    await pick(add, page, 'Permissions', 'audit', /audit\.read/);
    await add.getByRole('button', { name: 'Add rule' }).click();
    const rules = page.getByRole('table', { name: 'Conflict rules' });
    await rules.getByRole('row').filter({ hasText: 'Owners do not audit' }).waitFor();
    const violations = page.getByRole('table', { name: 'Violations' });
    await violations.getByRole('row').filter({ hasText: 'owen@acme.test' }).waitFor();
    await violations.getByRole('row').filter({ hasText: 'opal@acme.test' }).waitFor();

    await rules.getByRole('button', { name: 'Remove Owners do not audit' }).click();
    await page
      .getByRole('dialog', { name: 'Remove the rule' })
      .getByRole('button', { name: 'Remove' })
      .click();
    await page.getByText('Nobody holds what a rule keeps apart.').waitFor();
    assert.equal(await page.getByRole('table', { name: 'Conflict rules' }).count(), 0);
    await page.context().close();
  });

  it('reads the assignments fifty at a time, the next page on "Show more"', async () => {
    // Enough holders for a second page: 18 more users with three roles each.
    const orgId = world.orgId;
    await withPlatform(world.core.database, async (tx) => {
      for (let i = 0; i < 18; i++) {
        const user = await world.auth.identity.createUser(
          tx,
          orgId,
          { email: `holder${i}@acme.test`, displayName: `Holder ${i}` },
          operatorActor,
        );
        for (const roleKey of ['member', 'org-auditor', 'org-admin'])
          await world.auth.rbac.assign(
            tx,
            { orgId, userId: user.id, roleKey, reason: 'a second page' },
            null,
            operatorActor,
          );
      }
    });
    const total = (
      await withPlatform(world.core.database, (tx) =>
        world.auth.rbac.assignmentsPage(tx, orgId, { limit: 200 }),
      )
    ).items.length;
    assert.ok(total > 50 && total <= 100, `${total} assignments: two pages`);
    // The approver: the requester signed in a moment ago, and a second factor's code is single-use.
    const page = await openConsoleAs(world, approver, `/orgs/${orgId}/assignments`);
    const rows = page.getByRole('table', { name: 'Assignments' }).locator('tbody tr');
    const more = page.getByRole('button', { name: 'Show more' });
    await more.waitFor();
    assert.equal(await rows.count(), 50);
    const [next] = await Promise.all([
      page.waitForResponse((r) => r.url().includes('/assignments?cursor=')),
      more.click(),
    ]);
    assert.equal(next.status(), 200);
    await more.waitFor({ state: 'detached' });
    assert.equal(await rows.count(), total);
    await page.context().close();
  });

  it('downloads the permission matrix as CSV', async () => {
    const page = await openConsoleAs(world, world.orgAdmin, `/orgs/${world.orgId}/exports`);
    const matrix = page.getByRole('region', { name: 'Permission matrix' });
    const [response, download] = await Promise.all([
      page.waitForResponse((r) => r.url().includes('/exports/permission-matrix?format=csv')),
      page.waitForEvent('download'),
      matrix.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    assert.equal(response.status(), 200);
    assert.match(response.headers()['content-type'] ?? '', /^text\/csv/);
    assert.match(download.suggestedFilename(), /^vigil-permission-matrix-\d{4}-\d{2}-\d{2}\.csv$/);
    const text = await readFile(await download.path(), 'utf8');
    const [header, ...rows] = text.trim().split('\n');
    assert.match(
      header ?? '',
      /^role,name,description,purpose,built_in,privileged,require_mfa,requires_approval,users\.read,/,
    );
    assert.ok(rows.some((r) => r.startsWith('org-admin,')));
    await page.context().close();
  });
});
