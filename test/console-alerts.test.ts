import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { withOrg, withPlatform } from '../src/platform/index.ts';
import {
  type ConsoleAdmin,
  type ConsoleWorld,
  cspViolations,
  openConsoleAs,
  startConsoleWorld,
} from './support/console.ts';
import { type AxeView, axeViolations } from './support/console-axe.ts';

/** Waits until `check` holds (the engine raises alerts a round after the events are written). */
async function until(check: () => Promise<boolean>, what: string, ms = 30_000): Promise<void> {
  for (const end = Date.now() + ms; !(await check()); ) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * Alerts in the console (docs/console.md#alerts): the alert engine of the running server raises
 * one from a burst of refused sign-ins; an administrator lowers a rule's threshold, then
 * acknowledges, assigns and resolves the alert, each step in the audit log; an auditor reads
 * alerts and rules without a way to change them.
 */
describe('console: alerts (inbox, an alert handled step by step, the rules)', () => {
  let world: ConsoleWorld;
  let auditor: ConsoleAdmin;
  let alertId: string;
  const org = () => `/orgs/${world.orgId}`;

  /** Refused sign-ins for Dana, as the hosted sign-in records them. */
  const failSignIns = async (count: number) => {
    for (let i = 0; i < count; i++)
      await world.core.audit.append({
        orgId: world.orgId,
        action: 'auth.login.failed',
        outcome: 'failure',
        actor: { type: 'anonymous', ip: '203.0.113.9' },
        target: { type: 'user', id: world.user.id },
        details: { reason: 'wrong_password' },
      });
  };

  before(async () => {
    world = await startConsoleWorld();
    auditor = await world.addAdmin(world.orgId, 'aurora@acme.test', 'org-auditor');
    // The engine's first round starts at the end of the feed: events before it are history.
    await until(
      async () =>
        (await withPlatform(world.core.database, (tx) =>
          tx
            .selectFrom('audit_feed_cursors')
            .select('name')
            .where('name', '=', 'alerts')
            .executeTakeFirst(),
        )) !== undefined,
      'the alert engine to start',
    );
  });
  after(() => world?.close());

  it('an administrator lowers a threshold; the engine raises an alert they acknowledge, assign and resolve, each step audited', async () => {
    const page = await openConsoleAs(world, world.orgAdmin, `${org()}/alerts?tab=rules`);
    const violations = cspViolations(page);
    const rules = page.getByRole('form', { name: 'Alert rules' });
    await rules.waitFor();
    await page.getByText('Version 0').waitFor();
    const failures = rules.getByLabel('Failed sign-ins for one account: failures');
    assert.equal(await failures.inputValue(), '10');
    await failures.fill('3');
    await rules.getByRole('button', { name: 'Save as version 1' }).click();
    await page.getByRole('status').filter({ hasText: 'now version 1' }).waitFor();
    const saved = await withOrg(world.core.database, world.orgId, (tx) =>
      tx
        .selectFrom('security_policies')
        .select('settings')
        .where('kind', '=', 'alerts')
        .orderBy('version', 'desc')
        .executeTakeFirstOrThrow(),
    );
    assert.deepEqual(saved.settings, {
      rules: { 'signin.failures.account': { thresholds: { failures: 3 } } },
      emailMinSeverity: 'high',
    });

    // Three refused sign-ins: one alert, raised by the server's engine.
    await failSignIns(3);
    await page.getByRole('tab', { name: 'Inbox' }).click();
    const rows = page.getByRole('table', { name: 'Alerts' }).locator('tbody tr');
    const burst = rows.filter({ hasText: 'Failed sign-ins for one account' });
    await until(async () => {
      if ((await burst.count()) > 0) return true;
      await page.reload();
      await page.getByRole('tab', { name: 'Inbox' }).waitFor();
      return false;
    }, 'the alert in the inbox');
    await burst.getByText('medium').waitFor();
    await burst.getByText('open').waitFor();

    // Filtered by severity: high shows no such alert; medium does.
    await page.getByRole('combobox', { name: 'Severity' }).click();
    await page.getByRole('option', { name: 'High' }).click();
    await until(async () => (await burst.count()) === 0, 'the severity filter');
    await page.getByRole('combobox', { name: 'Severity' }).click();
    await page.getByRole('option', { name: 'Medium' }).click();
    await burst.first().waitFor();

    await burst.getByRole('link').click();
    await page.getByRole('heading', { name: /3 or more failed sign-ins/ }).waitFor();
    alertId = page.url().split('/').at(-1) ?? '';
    const facts = page.getByRole('table', { name: 'About the alert' });
    await facts.getByText(world.email).waitFor();
    await page.getByRole('list', { name: 'What the rule found' }).getByText('Threshold').waitFor();
    const events = page.getByRole('table', { name: 'Events of the alert' }).locator('tbody tr');
    assert.equal(await events.count(), 3);

    const actions = page.getByRole('group', { name: 'Actions' });
    await actions.getByRole('button', { name: 'Acknowledge' }).click();
    await page
      .getByRole('dialog', { name: 'Acknowledge the alert?' })
      .getByRole('button', { name: 'Acknowledge' })
      .click();
    await page.getByRole('status').filter({ hasText: 'Acknowledged.' }).waitFor();
    await facts.getByText('Acknowledged').waitFor();
    assert.equal(await actions.getByRole('button', { name: 'Acknowledge' }).count(), 0);

    await actions.getByRole('button', { name: 'Assign…' }).click();
    const assign = page.getByRole('form', { name: 'Assign the alert' });
    await assign.getByRole('combobox', { name: 'User' }).fill('olivia');
    await page.getByRole('option', { name: world.orgAdmin.email }).click();
    await assign.getByRole('button', { name: 'Assign' }).click();
    await page.getByRole('status').filter({ hasText: 'Assigned.' }).waitFor();
    await facts
      .getByRole('row', { name: /Assignee/ })
      .getByText(world.orgAdmin.email)
      .waitFor();

    // Resolving needs a note: the button waits for one.
    await actions.getByRole('button', { name: 'Resolve…' }).click();
    const resolve = page.getByRole('form', { name: 'Resolve the alert' });
    assert.equal(await resolve.getByRole('button', { name: 'Resolve' }).isDisabled(), true);
    await resolve
      .getByLabel('Note')
      .fill('Dana mistyped after a password change; confirmed by phone');
    await resolve.getByRole('button', { name: 'Resolve' }).click();
    await page.getByRole('status').filter({ hasText: 'Resolved.' }).waitFor();
    await facts.getByText('Dana mistyped after a password change; confirmed by phone').waitFor();
    // Resolved: read-only.
    assert.equal(await page.getByRole('group', { name: 'Actions' }).count(), 0);

    // The steps, in the audit log the alert's page links to.
    await page
      .getByRole('link', { name: 'Every step taken on this alert, in the audit log' })
      .click();
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    const log = page.getByRole('table', { name: 'Audit events' }).locator('tbody tr');
    await until(async () => (await log.count()) === 4, 'the four steps in the audit log');
    const logged = (await log.allInnerTexts()).map((text) => text.split('\t')[1]?.trim());
    assert.deepEqual(logged, [
      'alert.resolved',
      'alert.assigned',
      'alert.acknowledged',
      'alert.raised',
    ]);
    assert.deepEqual(violations, []);
    await page.context().close();
  });

  it('an auditor reads the alert and the rules, with no action offered', async () => {
    const page = await openConsoleAs(world, auditor, `${org()}/alerts`);
    const nav = page.getByRole('navigation', { name: 'Console sections' });
    await nav.getByRole('link', { name: 'Alerts' }).waitFor();
    await page.getByRole('table', { name: 'Alerts' }).getByText('resolved').first().waitFor();
    await page.goto(`${world.base}/admin${org()}/alerts/${alertId}`);
    await page.getByRole('table', { name: 'About the alert' }).waitFor();
    assert.equal(await page.getByRole('group', { name: 'Actions' }).count(), 0);
    assert.equal(await page.getByRole('button', { name: /Acknowledge|Assign|Resolve/ }).count(), 0);

    // An open alert too: still nothing to click.
    await failSignIns(3);
    await page.goto(`${world.base}/admin${org()}/alerts?tab=rules`);
    await page.getByRole('table', { name: 'Alert rules' }).waitFor();
    assert.equal(await page.getByRole('form', { name: 'Alert rules' }).count(), 0);
    await page
      .getByRole('table', { name: 'Alert rules' })
      .locator('tbody tr')
      .filter({ hasText: 'Failed sign-ins for one account' })
      .getByText('failures: 3')
      .waitFor();
    await page.getByRole('tab', { name: 'Inbox' }).click();
    const open = page
      .getByRole('table', { name: 'Alerts' })
      .locator('tbody tr')
      .filter({ hasText: 'Failed sign-ins for one account' })
      .filter({ hasText: 'open' });
    await until(async () => {
      if ((await open.count()) > 0) return true;
      await page.reload();
      await page.getByRole('tab', { name: 'Inbox' }).waitFor();
      return false;
    }, 'a second alert');
    await open.first().getByRole('link').click();
    await page.getByRole('table', { name: 'About the alert' }).waitFor();
    assert.equal(await page.getByRole('group', { name: 'Actions' }).count(), 0);
    await page.context().close();
  });

  it('has no serious or critical WCAG 2.1 A/AA violation on the inbox, an alert and the rules, light and dark', async () => {
    const page = await openConsoleAs(world, world.orgAdmin, `${org()}/alerts`, { bypassCSP: true });
    const views: AxeView[] = [
      ['alert inbox', `${org()}/alerts`, (p) => p.getByRole('table', { name: 'Alerts' }).waitFor()],
      [
        'an alert',
        `${org()}/alerts/${alertId}`,
        (p) => p.getByRole('table', { name: 'About the alert' }).waitFor(),
      ],
      [
        'alert rules',
        `${org()}/alerts?tab=rules`,
        (p) => p.getByRole('form', { name: 'Alert rules' }).waitFor(),
      ],
    ];
    const found = await axeViolations(world, page, views);
    await page.context().close();
    assert.deepEqual(found, []);
  });
});
