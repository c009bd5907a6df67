import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { failedSignIn } from '../src/http/account/context.ts';
import {
  type ConsoleWorld,
  cspViolations,
  openConsoleAs,
  startConsoleWorld,
} from './support/console.ts';

describe('console: suspending an organization', () => {
  let world: ConsoleWorld;
  before(async () => {
    world = await startConsoleWorld();
  });
  after(async () => {
    await world?.close();
  });

  it("a platform administrator suspends an organization: its administrator's console session ends and sign-in refuses them", async () => {
    // An organization's administrator sees their organization and its status, no action.
    const olivia = await openConsoleAs(world, world.orgAdmin, '/orgs');
    const own = olivia.getByRole('table', { name: 'Organizations' });
    await own.getByText('active', { exact: true }).waitFor();
    assert.equal(await own.getByRole('button').count(), 0);
    const root = await openConsoleAs(world, world.platformAdmin, '/orgs');
    const violations = cspViolations(root);
    const table = root.getByRole('table', { name: 'Organizations' });
    const acme = table.getByRole('row').filter({ has: root.getByText('acme', { exact: true }) });
    const platform = table
      .getByRole('row')
      .filter({ has: root.getByText('platform', { exact: true }) });
    assert.equal(await platform.getByRole('button').count(), 0, 'not the platform organization');

    // Refused without a reason, in the dialog; then suspended with one.
    await acme.getByRole('button', { name: /^Suspend / }).click();
    const dialog = root.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Suspend', exact: true }).click();
    await dialog.getByRole('alert').waitFor();
    await dialog.getByLabel('Reason').fill('Contract ended');
    await dialog.getByRole('button', { name: 'Suspend', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
    await acme.getByText('suspended', { exact: true }).waitFor();
    await acme.getByRole('button', { name: /^Reactivate / }).waitFor();

    // Olivia's next call to the API is refused and her token cannot be renewed: the console
    // sends her through sign-in, which refuses her as it would a wrong password.
    await olivia
      .getByRole('navigation', { name: 'Console sections' })
      .getByRole('link', { name: 'Users' })
      .click();
    await olivia.getByRole('heading', { name: 'Sign in', exact: true }).waitFor();
    await olivia.getByLabel('Email', { exact: true }).fill(world.orgAdmin.email);
    await olivia.getByLabel('Password').fill(world.orgAdmin.password);
    await olivia.getByRole('button', { name: 'Sign in', exact: true }).click();
    await olivia.getByText(failedSignIn).waitFor();
    assert.doesNotMatch(new URL(olivia.url()).pathname, /^\/admin/);
    assert.deepEqual(violations, []);
    await olivia.context().close();
    await root.context().close();
  });
});
