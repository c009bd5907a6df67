import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { verifyEvidence } from '../src/compliance/index.ts';
import type { User } from '../src/identity/index.ts';
import { type AuditActor, operatorActor, withOrg } from '../src/platform/index.ts';
import type { ReviewItemRecord } from '../src/reviews/index.ts';
import {
  type ConsoleAdmin,
  type ConsoleWorld,
  cspViolations,
  openConsoleAs,
  startConsoleWorld,
} from './support/console.ts';

const dayMs = 86_400_000;
const as = (user: User): AuditActor => ({ type: 'user', id: user.id });

/** Waits until the table shows `count` rows (the page reads again after each change). */
async function rowsBecome(rows: Locator, count: number): Promise<void> {
  const deadline = Date.now() + 10_000;
  while ((await rows.count()) !== count) {
    if (Date.now() > deadline) assert.fail(`${await rows.count()} rows, not ${count}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Access reviews in the console (docs/console.md#access-reviews): a reviewer who is a plain
 * member works through their queue, then the campaign's owner closes it and takes the evidence.
 */
describe('console: access reviews (a reviewer finishes their queue, the owner closes)', () => {
  let world: ConsoleWorld;
  let rita: ConsoleAdmin;
  let campaignId: string;
  const users = new Map<string, User>();

  const inAcme = <T>(fn: Parameters<typeof withOrg<T>>[2]) =>
    withOrg(world.core.database, world.orgId, fn);
  const grant = (user: User, roleKey: string) =>
    inAcme((tx) =>
      world.auth.rbac.assign(
        tx,
        { orgId: world.orgId, userId: user.id, roleKey, reason: 'Console reviews test' },
        null,
        operatorActor,
      ),
    );
  const record = () => inAcme((tx) => world.auth.reviews.record(tx, world.orgId, campaignId));
  const itemOf = (items: ReviewItemRecord[], email: string, roleKey: string) => {
    const found = items.find((i) => i.subject.email === email && i.roleKey === roleKey);
    assert.ok(found, `an item for ${email} holding ${roleKey}`);
    return found;
  };

  before(async () => {
    world = await startConsoleWorld();
    // The reviewer: a plain member (no administrative permission), owner of two custom roles.
    rita = await world.addAdmin(world.orgId, 'rita@acme.test', 'member');
    // A second holder of reviews.manage, so that every administrator's item has a reviewer.
    const owen = await world.addAdmin(world.orgId, 'owen@acme.test', 'org-owner');
    users.set('olivia', world.orgAdmin.user).set('owen', owen.user).set('rita', rita.user);
    for (const name of ['ann', 'ben', 'carl', 'dave'])
      users.set(
        name,
        await world.auth.createUser(world.orgId, `${name}@acme.test`, 'Reviewed-Secret-77'),
      );
    const user = (name: string) => users.get(name) as User;
    await inAcme(async (tx) => {
      for (const [key, permissions] of [
        ['support-desk', ['users.read']],
        ['billing-admin', ['users.deactivate']],
        ['ticket-triage', ['users.read']],
      ] as const)
        await world.auth.rbac.createRole(
          tx,
          world.orgId,
          {
            key,
            name: key,
            description: `The ${key} team`,
            purpose: 'Reviewed by its owner',
            permissions,
            ownerUserId: rita.user.id,
          },
          null,
          operatorActor,
        );
      // Ann has not signed in since her account was made, 200 days ago: dormant.
      await tx
        .updateTable('users')
        .set({ created_at: new Date(Date.now() - 200 * dayMs) })
        .where('id', '=', user('ann').id)
        .execute();
    });
    for (const name of ['ann', 'ben', 'carl', 'rita']) await grant(user(name), 'support-desk');
    for (const name of ['carl', 'dave']) await grant(user(name), 'billing-admin');
    // Carl held both before the rule existed: his roles break it.
    await inAcme((tx) =>
      world.auth.rbac.addConflictRule(
        tx,
        world.orgId,
        {
          name: 'Support does not deactivate',
          description: 'Who answers tickets does not also close accounts.',
          roles: ['support-desk', 'billing-admin'],
          permissions: [],
        },
        operatorActor,
      ),
    );
    const launched = await inAcme((tx) =>
      world.auth.reviews.launch(
        tx,
        world.orgId,
        {
          name: 'Q4 access review',
          scope: { kind: 'all_assignments' },
          dueAt: new Date(Date.now() + 14 * dayMs),
        },
        as(world.orgAdmin.user),
      ),
    );
    campaignId = launched.id;
  });
  after(() => world?.close());

  /** The queue's rows as [subject email, access] pairs. */
  const queueRows = async (page: Page) => {
    const rows = page.getByRole('table', { name: 'Items to review' }).locator('tbody tr');
    return (await rows.allInnerTexts()).map((text) => {
      const cells = text.split('\t').map((cell) => cell.trim());
      return `${cells[1]?.split('\n').at(-1)} ${cells[2]?.split('\n')[0]}`;
    });
  };
  const waitForRows = (page: Page, count: number) =>
    rowsBecome(page.getByRole('table', { name: 'Items to review' }).locator('tbody tr'), count);

  it('a member reviews their queue: flags, a filter, bulk keep, a justified keep, a revoke, done', async () => {
    const page = await openConsoleAs(world, rita, `/orgs/${world.orgId}/my-reviews`);
    const violations = cspViolations(page);
    await page.getByRole('heading', { name: 'My reviews' }).waitFor();
    // A reviewer needs nothing but reviews.decide: My reviews is their only section.
    const nav = page.getByRole('navigation', { name: 'Console sections' });
    assert.deepEqual(
      (await nav.getByRole('link').allInnerTexts()).map((t) => t.trim()),
      ['My reviews'],
    );

    await waitForRows(page, 5);
    assert.deepEqual((await queueRows(page)).sort(), [
      'ann@acme.test Role support-desk',
      'ben@acme.test Role support-desk',
      'carl@acme.test Role billing-admin',
      'carl@acme.test Role support-desk',
      'dave@acme.test Role billing-admin',
    ]);
    assert.equal(
      (await queueRows(page)).some((row) => row.startsWith('rita@')),
      false,
      'her own support-desk access went to an administrator',
    );
    const table = page.getByRole('table', { name: 'Items to review' });
    const row = (email: string, role: string) =>
      table
        .locator('tbody tr')
        .filter({ hasText: email })
        .filter({ hasText: `Role ${role}` });
    await row('ann@acme.test', 'support-desk').getByText('Dormant').waitFor();
    await row('carl@acme.test', 'billing-admin').getByText('Conflict rule hit').waitFor();
    await row('carl@acme.test', 'billing-admin').getByText('Privileged').waitFor();
    await page.getByRole('list', { name: 'What the flags mean' }).getByText('Dormant').waitFor();

    // Filtered by a flag: Carl's two items only; then every item again.
    await page.getByRole('combobox', { name: 'Flag' }).click();
    await page.getByRole('option', { name: 'Conflict rule hit' }).click();
    await waitForRows(page, 2);
    assert.deepEqual((await queueRows(page)).sort(), [
      'carl@acme.test Role billing-admin',
      'carl@acme.test Role support-desk',
    ]);
    await page.getByRole('combobox', { name: 'Flag' }).click();
    await page.getByRole('option', { name: 'Any flag' }).click();
    await waitForRows(page, 5);

    // The three that are not privileged, kept at once.
    await page.getByRole('combobox', { name: 'Privileged' }).click();
    await page.getByRole('option', { name: 'Not privileged' }).click();
    await waitForRows(page, 3);
    await page.getByRole('checkbox', { name: 'Select every item shown' }).check();
    await page.getByRole('button', { name: 'Keep', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Kept 3 items.' }).waitFor();
    await page.getByText('No item matches these filters.').waitFor();
    await page.getByRole('combobox', { name: 'Privileged' }).click();
    await page.getByRole('option', { name: 'Either' }).click();
    await waitForRows(page, 2);

    // Keeping privileged access needs a justification: refused until one is given.
    await row('dave@acme.test', 'billing-admin').getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Keep', exact: true }).click();
    await page.getByText('Keeping privileged access needs a justification').waitFor();
    await page.getByLabel('Justification').fill('Dave runs the monthly billing close');
    await page.getByRole('button', { name: 'Keep', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Kept 1 item.' }).waitFor();
    await waitForRows(page, 1);

    await row('carl@acme.test', 'billing-admin').getByRole('checkbox').check();
    await page.getByRole('button', { name: 'Revoke' }).click();
    await page.getByRole('status').filter({ hasText: 'Revoked 1 item.' }).waitFor();
    await page.getByText('Nothing left to review.').waitFor();
    assert.deepEqual(violations, []);
    await page.context().close();

    // Each item's decision recorded on its own, by Rita.
    const { items } = await record();
    const decided = (email: string, roleKey: string) => {
      const item = itemOf(items, email, roleKey);
      return [item.decision, item.justification, item.decidedBy?.email];
    };
    assert.deepEqual(decided('ann@acme.test', 'support-desk'), ['keep', null, rita.email]);
    assert.deepEqual(decided('ben@acme.test', 'support-desk'), ['keep', null, rita.email]);
    assert.deepEqual(decided('carl@acme.test', 'support-desk'), ['keep', null, rita.email]);
    assert.deepEqual(decided('dave@acme.test', 'billing-admin'), [
      'keep',
      'Dave runs the monthly billing close',
      rita.email,
    ]);
    assert.deepEqual(decided('carl@acme.test', 'billing-admin'), ['revoke', null, rita.email]);
    const own = itemOf(items, rita.email, 'support-desk');
    assert.notEqual(own.reviewer?.id, rita.user.id);
    assert.equal(own.decision, null);
  });

  it('the owner sees every item decided, closes the campaign and downloads its evidence', async () => {
    // The administrators' items (theirs and Rita's own access) decided by their reviewers.
    const { items } = await record();
    for (const item of items.filter((i) => i.decision === null)) {
      const reviewer = [...users.values()].find((u) => u.id === item.reviewer?.id);
      assert.ok(reviewer, `item ${item.id} has a reviewer`);
      await inAcme((tx) =>
        world.auth.reviews.decide(
          tx,
          world.orgId,
          [item.id],
          { decision: 'keep', justification: 'Still needed' },
          as(reviewer),
        ),
      );
    }
    const total = items.length;

    const page = await openConsoleAs(world, world.orgAdmin, `/orgs/${world.orgId}/reviews`);
    const violations = cspViolations(page);
    await page.getByRole('table', { name: 'Campaigns' }).waitFor();
    await page.getByRole('link', { name: 'Q4 access review' }).click();
    await page.getByRole('heading', { name: 'Q4 access review' }).waitFor();
    const metrics = page.getByLabel('Metrics');
    await metrics.waitFor();
    const figures = (await metrics.textContent()) ?? '';
    assert.match(figures, new RegExp(`Items${total}Decided${total}`));
    assert.match(figures, /Unreviewable0/);
    const ritaProgress = page
      .getByRole('table', { name: 'Reviewers' })
      .locator('tbody tr')
      .filter({ hasText: rita.email });
    assert.deepEqual(
      (await ritaProgress.locator('td').allTextContents()).slice(1, 3),
      ['5', '5'],
      'assigned and decided',
    );

    // Items filtered by decision: the one revoke.
    await page.getByRole('combobox', { name: 'Decision' }).click();
    await page.getByRole('option', { name: 'Revoke' }).click();
    const itemRows = page.getByRole('table', { name: 'Campaign items' }).locator('tbody tr');
    await rowsBecome(itemRows, 1);
    assert.match((await itemRows.textContent()) ?? '', /carl@acme\.test[\s\S]*billing-admin/);

    await page.getByRole('button', { name: 'Close the campaign' }).click();
    const dialog = page.getByRole('dialog', { name: 'Close the campaign' });
    await dialog.getByText('Every item is decided.').waitFor();
    await dialog.getByRole('button', { name: 'Close and apply' }).click();
    await page.getByRole('alert').filter({ hasText: 'Closed clean' }).waitFor();

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download evidence' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), `review-${campaignId}.evidence.json`);
    const verified = verifyEvidence(await readFile(await download.path(), 'utf8'));
    assert.deepEqual(verified.failures, []);
    assert.equal(verified.campaignId, campaignId);
    assert.deepEqual(violations, []);
    await page.context().close();

    // Closed: Carl lost billing-admin and kept support-desk.
    const closed = await record();
    assert.equal(closed.campaign.status, 'closed');
    assert.equal(itemOf(closed.items, 'carl@acme.test', 'billing-admin').outcome, 'revoked');
    const carlRoles = await inAcme((tx) =>
      tx
        .selectFrom('role_assignments')
        .select('role_key')
        .where('user_id', '=', (users.get('carl') as User).id)
        .execute(),
    );
    assert.deepEqual(carlRoles.map((r) => r.role_key).sort(), ['support-desk']);
  });

  it('the owner launches a campaign in the console and reassigns an item (never to its subject); the reviewer reduces a user to fewer roles', async () => {
    const ben = users.get('ben') as User;
    await grant(ben, 'ticket-triage');
    const page = await openConsoleAs(world, world.orgAdmin, `/orgs/${world.orgId}/reviews`);
    const violations = cspViolations(page);
    await page.getByRole('button', { name: 'Launch a campaign' }).click();
    const launch = page.getByRole('form', { name: 'Launch a campaign' });
    await launch.getByLabel('Name').fill('Billing check');
    await launch.getByRole('combobox', { name: 'Scope' }).click();
    await page.getByRole('option', { name: 'All role assignments' }).click();
    // A due date already past is refused with the reason; a later one launches.
    await launch.getByLabel('Due').fill('2020-01-31T17:00');
    await launch.getByRole('button', { name: 'Launch' }).click();
    await launch.getByRole('alert').filter({ hasText: 'dueAt' }).waitFor();
    const later = new Date(Date.now() + 7 * dayMs - new Date().getTimezoneOffset() * 60_000);
    await launch.getByLabel('Due').fill(later.toISOString().slice(0, 16));
    await launch.getByRole('button', { name: 'Launch' }).click();
    await page.getByRole('heading', { name: 'Billing check' }).waitFor();
    const launchedId = page.url().split('/').at(-1) ?? '';
    const launched = await inAcme((tx) => world.auth.reviews.record(tx, world.orgId, launchedId));
    assert.equal(launched.campaign.scope.kind, 'all_assignments');
    assert.equal(launched.campaign.undecidedPolicy, 'keep', 'the default for all assignments');

    // Rita's own access cannot be given to her to review; Ann's item goes to Owen.
    const items = page.getByRole('table', { name: 'Campaign items' }).locator('tbody tr');
    const reassign = async (subject: string, roleKey: string, to: string, reason: string) => {
      await page
        .getByRole('button', { name: `Reassign ${subject}: ${roleKey}`, exact: true })
        .click();
      const dialog = page.getByRole('form', { name: 'Reassign the item' });
      await dialog.getByRole('combobox', { name: 'User' }).fill(to.split('@')[0] ?? '');
      await page.getByRole('option', { name: to }).click();
      await dialog.getByLabel('Reason').fill(reason);
      await dialog.getByRole('button', { name: 'Reassign' }).click();
      return dialog;
    };
    const refused = await reassign(rita.email, 'support-desk', rita.email, 'Knows the desk');
    await refused
      .getByRole('alert')
      .filter({ hasText: 'nobody reviews their own access' })
      .waitFor();
    await refused.getByRole('button', { name: 'Cancel' }).click();
    const moved = await reassign('ann@acme.test', 'support-desk', 'owen@acme.test', 'Rita is away');
    await moved.waitFor({ state: 'detached' });
    await items
      .filter({ hasText: 'ann@acme.test' })
      .filter({ hasText: 'owen@acme.test' })
      .waitFor();
    assert.deepEqual(violations, []);
    await page.context().close();

    // Rita: Ann is no longer hers; Ben holds two of her roles, and is to lose one.
    const queue = await openConsoleAs(world, rita, `/orgs/${world.orgId}/my-reviews`);
    await queue.getByRole('combobox', { name: 'Campaign' }).click();
    await queue.getByRole('option', { name: 'Billing check' }).click();
    await waitForRows(queue, 4);
    assert.deepEqual((await queueRows(queue)).sort(), [
      'ben@acme.test Role support-desk',
      'ben@acme.test Role ticket-triage',
      'carl@acme.test Role support-desk',
      'dave@acme.test Role billing-admin',
    ]);
    const table = queue.getByRole('table', { name: 'Items to review' });
    for (const row of await table.locator('tbody tr').filter({ hasText: 'ben@acme.test' }).all())
      await row.getByRole('checkbox').check();
    await queue.getByRole('button', { name: 'Reduce…' }).click();
    const reduce = queue.getByRole('form', { name: 'Reduce access' });
    await reduce.getByRole('checkbox', { name: 'ticket-triage' }).check();
    await reduce.getByRole('button', { name: 'Drop this role' }).click();
    await queue.getByRole('status').filter({ hasText: 'Reduced 2 items.' }).waitFor();
    await waitForRows(queue, 2);
    await queue.context().close();

    const decided = (await inAcme((tx) => world.auth.reviews.record(tx, world.orgId, launchedId)))
      .items;
    for (const roleKey of ['support-desk', 'ticket-triage'])
      assert.deepEqual(
        [
          itemOf(decided, 'ben@acme.test', roleKey).decision,
          itemOf(decided, 'ben@acme.test', roleKey).droppedRoleKeys,
        ],
        ['reduce', ['ticket-triage']],
      );
    const annItem = itemOf(decided, 'ann@acme.test', 'support-desk');
    assert.deepEqual(
      [annItem.reviewer?.email, annItem.reviewerBasis],
      ['owen@acme.test', 'reassigned'],
    );
  });
});
