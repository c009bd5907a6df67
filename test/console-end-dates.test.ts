import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { withOrg, withPlatform } from '../src/platform/index.ts';
import {
  type ConsoleWorld,
  cspViolations,
  openConsoleAs,
  startConsoleWorld,
} from './support/console.ts';

/**
 * The console's part of the lifecycle schedule (docs/console.md, docs/lifecycle.md): a user's end
 * date on their page, and the lifecycle policy (dormant accounts, the SLA) among the policies.
 */
describe('console: end dates and the lifecycle policy', () => {
  let world: ConsoleWorld;
  before(async () => {
    world = await startConsoleWorld();
  });
  after(async () => {
    await world?.close();
  });

  const endAtOf = (userId: string) =>
    withPlatform(world.core.database, (tx) =>
      tx.selectFrom('users').select('end_at').where('id', '=', userId).executeTakeFirstOrThrow(),
    ).then((r) => r.end_at?.toISOString() ?? null);

  it('an organization administrator sets, moves and clears a user’s end date on the user’s page', async () => {
    const path = `/orgs/${world.orgId}/users/${world.user.id}`;
    const page = await openConsoleAs(world, world.orgAdmin, path);
    const violations = cspViolations(page);
    const card = page.getByRole('form', { name: 'End date' });
    await card.getByText('No end date.').waitFor();

    await card.getByLabel('Set an end date').fill('2027-03-31T19:00');
    await card.getByRole('button', { name: 'Save end date' }).click();
    await card
      .getByText(/^Ends .*: the lifecycle schedule deprovisions this user then\.$/)
      .waitFor();
    // Typed in the browser's time zone, stored as that instant.
    const typed = await page.evaluate(() => new Date('2027-03-31T19:00').toISOString());
    assert.equal(await endAtOf(world.user.id), typed);

    await card.getByLabel('Move the end date to').fill('2027-04-30T18:30');
    await card.getByRole('button', { name: 'Save end date' }).click();
    const moved = await page.evaluate(() => new Date('2027-04-30T18:30').toISOString());
    // The card reads the date again once it is saved: wait for the stored one to be the new one.
    for (let i = 0; i < 50 && (await endAtOf(world.user.id)) !== moved; i++)
      await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(await endAtOf(world.user.id), moved);

    await card.getByRole('button', { name: 'Clear end date' }).click();
    await card.getByText('No end date.').waitFor();
    assert.equal(await endAtOf(world.user.id), null);
    const events = await withOrg(world.core.database, world.orgId, (tx) =>
      tx
        .selectFrom('audit_events')
        .select('actor_id')
        .where('action', '=', 'user.end_date.set')
        .where('target_id', '=', world.user.id)
        .execute(),
    );
    assert.deepEqual(
      events.map((e) => e.actor_id),
      [world.orgAdmin.user.id, world.orgAdmin.user.id, world.orgAdmin.user.id],
    );
    assert.deepEqual(violations, []);
    await page.context().close();
  });

  it('an auditor sees the end date without a way to change it', async () => {
    const auditor = await world.addAdmin(world.orgId, 'audrey@acme.test', 'org-auditor');
    await withOrg(world.core.database, world.orgId, async (tx) => {
      await tx
        .updateTable('users')
        .set({ end_at: new Date('2027-06-30T12:00:00Z') })
        .where('id', '=', world.user.id)
        .execute();
    });
    const page = await openConsoleAs(world, auditor, `/orgs/${world.orgId}/users/${world.user.id}`);
    const card = page.getByRole('form', { name: 'End date' });
    await card.getByText(/^Ends /).waitFor();
    assert.equal(await card.getByRole('button', { name: 'Save end date' }).count(), 0);
    assert.equal(await card.getByRole('textbox').count(), 0);
    await page.context().close();
  });

  it('an organization administrator turns on dormant-account suspension with the soc2-baseline preset', async () => {
    const page = await openConsoleAs(world, world.orgAdmin, `/orgs/${world.orgId}/policies`);
    const violations = cspViolations(page);
    await page.getByRole('tab', { name: 'Lifecycle' }).click();
    const policy = page.getByRole('form', { name: 'Lifecycle policy' });
    const dormant = policy.getByLabel(/^Suspend accounts unused for \(days\)/);
    assert.equal(await dormant.inputValue(), '');
    assert.equal(await policy.getByLabel('Preset').inputValue(), 'custom');
    await policy.getByLabel('Preset').selectOption('soc2-baseline');
    assert.equal(await dormant.inputValue(), '90');
    await policy.getByRole('button', { name: 'Review changes' }).click();
    const dialog = page.getByRole('dialog', { name: 'Save the lifecycle policy?' });
    const changes = dialog.getByRole('table', { name: 'Changes' }).getByRole('row');
    await changes.filter({ hasText: 'Suspend accounts unused' }).waitFor();
    assert.deepEqual(await changes.allInnerTexts(), [
      'Setting\tNow\tAfter saving',
      'Suspend accounts unused for (days)\tnever\t90',
    ]);
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'version 1' }).waitFor();
    const stored = await withOrg(world.core.database, world.orgId, (tx) =>
      world.auth.lifecyclePolicy.policy(tx, world.orgId),
    );
    assert.deepEqual(stored, {
      version: 1,
      policy: { dormantDays: 90, warnDays: 7, slaHours: 24 },
    });

    // Adjusted, it is custom and saved as every setting.
    await dormant.fill('120');
    assert.equal(await policy.getByLabel('Preset').inputValue(), 'custom');
    await policy.getByRole('button', { name: 'Review changes' }).click();
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'version 2' }).waitFor();
    const adjusted = await withOrg(world.core.database, world.orgId, (tx) =>
      world.auth.lifecyclePolicy.policy(tx, world.orgId),
    );
    assert.deepEqual(adjusted.policy, { dormantDays: 120, warnDays: 7, slaHours: 24 });
    assert.deepEqual(violations, []);
    await page.context().close();
  });
});
