import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import {
  type ConsoleWorld,
  cspViolations,
  openConsoleAs,
  screenshotForDocs,
  startConsoleWorld,
} from './support/console.ts';

const newPassword = 'Quiet-Harbor-Lamp-58';

/** A user signs in for the first time with their temporary password and replaces it. */
async function firstSignIn(world: ConsoleWorld, email: string, temporary: string): Promise<Page> {
  const context = await world.browser.newContext({ ignoreHTTPSErrors: true });
  const page = await context.newPage();
  await page.goto(`${world.base}/account`);
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password').fill(temporary);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.getByRole('heading', { name: 'Choose a new password' }).waitFor();
  await page.getByLabel('New password', { exact: true }).fill(newPassword);
  await page.getByLabel('Repeat the new password').fill(newPassword);
  await page.getByRole('button', { name: 'Save password' }).click();
  await page.getByRole('heading', { name: 'Your account' }).waitFor();
  return page;
}

describe('console: users', () => {
  let world: ConsoleWorld;
  before(async () => {
    world = await startConsoleWorld();
  });
  after(async () => {
    await world?.close();
  });

  it('a platform administrator creates a user, finds them, edits them, suspends them and their sessions end', async () => {
    const page = await openConsoleAs(world, world.platformAdmin);
    const violations = cspViolations(page);
    // From the organizations into acme's users.
    await page
      .getByRole('table', { name: 'Organizations' })
      .getByRole('link', { name: 'acme' })
      .click();
    await page.waitForURL(new RegExp(`/admin/orgs/${world.orgId}/users$`));
    const users = page.getByRole('table', { name: 'Users' });
    await users.getByRole('row').filter({ hasText: world.email }).waitFor();
    // The navigation works in the organization picked.
    const picker = page
      .getByRole('navigation', { name: 'Console sections' })
      .getByRole('combobox', { name: 'Organization' });
    await picker.and(page.locator('[value="acme (acme)"]')).waitFor();

    // Refused: the field's error next to the field, the problem's detail above the form.
    await page.getByRole('button', { name: 'Create a user' }).click();
    const form = page.getByRole('form', { name: 'Create a user' });
    await form.getByLabel('Email').fill(world.email);
    await form.getByLabel('Display name').fill('Dana again');
    await form.getByRole('button', { name: 'Create' }).click();
    await form
      .getByRole('alert')
      .filter({ hasText: /exists|taken|already/i })
      .waitFor();

    await form.getByLabel('Email').fill('erin@acme.test');
    await form.getByLabel('Display name').fill('Erin Example');
    await form.getByRole('button', { name: 'Create' }).click();
    const dialog = page.getByRole('dialog', { name: 'Temporary password' });
    const shown = dialog.getByLabel('Temporary password');
    const temporary = ((await shown.textContent()) ?? '').trim();
    assert.match(temporary, /^(\w{5}-){3,}\w{5}$/);
    await dialog.getByRole('button', { name: 'I have handed it over' }).click();
    // Shown once: gone with the dialog.
    await page.getByText(temporary).waitFor({ state: 'detached' });
    // The list read again has her: the docs' picture of the console (VIGIL_SCREENSHOTS=docs).
    await users.getByRole('link', { name: 'Erin Example' }).waitFor();
    await screenshotForDocs(page, 'console-users');

    // Erin signs in elsewhere (and must choose her own password): a session of hers is live.
    const erin = await firstSignIn(world, 'erin@acme.test', temporary);

    // Found by a word of her name; nobody else matches.
    await page.getByLabel('Search').fill('exam');
    await users.getByRole('row').filter({ hasText: world.email }).waitFor({ state: 'detached' });
    await users.getByRole('link', { name: 'Erin Example' }).click();
    await page.getByRole('heading', { name: 'Erin Example' }).waitFor();
    const sessions = page.getByRole('table', { name: 'Sessions' });
    await sessions.getByRole('row').nth(1).waitFor();
    assert.equal(await sessions.getByRole('row').count(), 2, 'the header and her session');
    // Dates in the user's time zone, the UTC value on hover.
    assert.match(
      (await sessions.locator('time').first().getAttribute('title')) ?? '',
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/,
    );

    // The profile is saved with the ETag read (If-Match).
    const profile = page.getByRole('form', { name: 'Profile' });
    await profile.getByLabel('Display name').fill('Erin Q. Example');
    await profile.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('heading', { name: 'Erin Q. Example' }).waitFor();

    // Suspended: her sessions end at once, and her browser is signed out.
    const actions = page.getByRole('group', { name: 'Actions' });
    assert.equal(await actions.getByRole('button', { name: 'Reactivate' }).count(), 0);
    await actions.getByRole('button', { name: 'Suspend' }).click();
    await page
      .getByRole('dialog', { name: 'Suspend?' })
      .getByRole('button', { name: 'Suspend' })
      .click();
    await page.getByRole('status').filter({ hasText: 'Suspended' }).waitFor();
    await page.getByText('No live session').waitFor();
    assert.equal(await sessions.count(), 0);
    await actions.getByRole('button', { name: 'Reactivate' }).waitFor();
    assert.equal(await actions.getByRole('button', { name: 'Suspend' }).count(), 0);
    await erin.reload();
    await erin.getByRole('heading', { name: 'Sign in' }).waitFor();

    // The status filter finds her among the suspended.
    await page.getByRole('link', { name: '← All users' }).click();
    await page.getByLabel('Search').fill('');
    await page.getByRole('combobox', { name: 'Status' }).click();
    await page.getByRole('option', { name: 'Suspended' }).click();
    await users.getByRole('link', { name: 'Erin Q. Example' }).waitFor();
    await users.getByRole('row').filter({ hasText: world.email }).waitFor({ state: 'detached' });
    assert.deepEqual(violations, []);
    await erin.context().close();
    await page.context().close();
  });

  it("an organization's administrator sees their own organization only", async () => {
    const globex = await world.core.createOrg('globex');
    const stranger = await world.auth.createUser(globex, 'gil@globex.test', world.password);
    const page = await openConsoleAs(world, world.orgAdmin);
    const nav = page.getByRole('navigation', { name: 'Console sections' });
    assert.equal(await nav.getByRole('combobox', { name: 'Organization' }).count(), 0, 'no picker');
    await nav.getByRole('link', { name: 'Users' }).click();
    await page.waitForURL(new RegExp(`/admin/orgs/${world.orgId}/users$`));
    await page.getByRole('table', { name: 'Users' }).getByText(world.email).waitFor();

    // Another organization's users, and every other section of it, by their URL: refused in
    // the same words, nothing of theirs shown.
    const sections = [
      'users',
      `users/${stranger.id}`,
      'roles',
      'assignments',
      'access-requests',
      'conflict-rules',
      'audit',
      'clients',
      'api-keys',
      'policies',
      'reviews',
      'my-reviews',
    ];
    for (const section of sections) {
      await page.goto(`${world.base}/admin/orgs/${globex}/${section}`);
      await page.getByRole('alert').filter({ hasText: 'Not yours to see' }).first().waitFor();
      assert.equal(await page.getByText('gil@globex.test').count(), 0);
      assert.equal(await page.getByRole('table', { name: 'Users' }).count(), 0);
      // The navigation still leads into their own organization.
      assert.equal(
        await nav.getByRole('link', { name: 'Users' }).getAttribute('href'),
        `/admin/orgs/${world.orgId}/users`,
      );
    }
    await page.context().close();
  });
});
