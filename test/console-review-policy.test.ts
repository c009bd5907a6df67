import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { withOrg } from '../src/platform/index.ts';
import {
  type ConsoleWorld,
  cspViolations,
  openConsoleAs,
  startConsoleWorld,
} from './support/console.ts';

/**
 * The review policy in the console (docs/reviews.md#schedules-reminders-and-escalation): the
 * Access reviews tab of the Policies page shows the defaults, and an administrator changes how
 * often all access is reviewed and turns the auto-close off through the diff.
 */
describe('console: the access review policy', () => {
  let world: ConsoleWorld;
  before(async () => {
    world = await startConsoleWorld();
  });
  after(async () => {
    await world?.close();
  });

  it('an organization administrator reviews all access each quarter and closes campaigns by hand', async () => {
    const page = await openConsoleAs(world, world.orgAdmin, `/orgs/${world.orgId}/policies`);
    const violations = cspViolations(page);
    await page.getByRole('tab', { name: 'Access reviews' }).click();
    const policy = page.getByRole('form', { name: 'Access reviews policy' });
    const allEvery = policy.getByRole('combobox', { name: 'Review all role assignments' });
    assert.equal(await allEvery.inputValue(), 'Every year', 'the default');
    assert.equal(await policy.getByLabel('Preset').inputValue(), 'soc2-baseline');

    await allEvery.click();
    await page.getByRole('option', { name: 'Every quarter' }).click();
    await policy.getByLabel(/^Close scheduled campaigns after the due date/).fill('');
    assert.equal(await policy.getByLabel('Preset').inputValue(), 'custom');
    await policy.getByRole('button', { name: 'Review changes' }).click();
    const dialog = page.getByRole('dialog', { name: 'Save the access reviews policy?' });
    const changes = dialog.getByRole('table', { name: 'Changes' }).getByRole('row');
    await changes.filter({ hasText: 'Review all role assignments' }).waitFor();
    assert.deepEqual(await changes.allInnerTexts(), [
      'Setting\tNow\tAfter saving',
      'Review all role assignments\tEvery year\tEvery quarter',
      'Close scheduled campaigns after the due date (days)\t7\tnever: closed by hand',
    ]);
    await dialog.getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'version 1' }).waitFor();

    const stored = await withOrg(world.core.database, world.orgId, (tx) =>
      world.auth.reviewsPolicy.policy(tx, world.orgId),
    );
    assert.deepEqual(stored, {
      version: 1,
      policy: {
        privilegedEvery: 'quarter',
        allEvery: 'quarter',
        dueDays: 14,
        remindEveryDays: 3,
        closeAfterDays: null,
      },
    });
    assert.deepEqual(violations, []);
    await page.context().close();
  });
});
