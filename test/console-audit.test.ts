import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import {
  type ConsoleAdmin,
  type ConsoleWorld,
  cspViolations,
  openConsoleAs,
  startConsoleWorld,
} from './support/console.ts';

/** More refused sign-ins than one page of the log holds, so that scrolling reads another. */
const failedSignIns = 60;

/** Waits until `check` holds: Playwright's own waiting covers one element, not a whole table. */
async function until(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  for (const end = Date.now() + ms; !(await check()); ) {
    if (Date.now() > end) throw new Error('timed out waiting for the table');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('console: the audit log', () => {
  let world: ConsoleWorld;
  let auditor: ConsoleAdmin;

  before(async () => {
    world = await startConsoleWorld();
    auditor = await world.addAdmin(world.orgId, 'aurora@acme.test', 'org-auditor');
    for (let i = 0; i < failedSignIns; i++)
      await world.core.audit.append({
        orgId: world.orgId,
        action: 'auth.login.failed',
        outcome: 'failure',
        actor: { type: 'anonymous', ip: '198.51.100.7' },
        details: { reason: 'wrong_password', attempt: i },
      });
  });
  after(() => world?.close());

  it('filters by action and outcome, reads on as the user scrolls, opens an event, exports and verifies', async () => {
    const page = await openConsoleAs(world, auditor, `/orgs/${world.orgId}/audit`);
    const violations = cspViolations(page);
    await page.getByRole('heading', { name: 'Audit log' }).waitFor();
    const rows = page.getByRole('table', { name: 'Audit events' }).locator('tbody tr');
    await rows.first().waitFor();
    // The auditor's own sign-in, with their email for their user id.
    await rows.getByText(auditor.email).first().waitFor();

    // Filter: one action from the catalog, one outcome.
    await page.getByRole('combobox', { name: 'Action' }).fill('auth.login.failed');
    await page.getByRole('option', { name: 'auth.login.failed', exact: true }).click();
    await page.getByRole('combobox', { name: 'Outcome' }).click();
    await page.getByRole('option', { name: 'Failure' }).click();
    await page.getByRole('button', { name: 'Apply filters' }).click();
    const shown = async () =>
      (await rows.allInnerTexts()).map((text) => text.split('\t').map((cell) => cell.trim()));
    // The first page of the filtered log: 50 events, every one of them a match.
    await until(async () => {
      const all = await shown();
      return all.length === 50 && all.every(([, action]) => action === 'auth.login.failed');
    });
    for (const [, action, outcome] of await shown()) {
      assert.equal(action, 'auth.login.failed');
      assert.equal(outcome?.toLowerCase(), 'failure');
    }

    // The next page arrives when the table's end scrolls into view, then the log's start shows.
    // Scrolled into view, never clicked: the end of the table alone asks for the next page.
    await page.getByRole('button', { name: 'Load more events' }).scrollIntoViewIfNeeded();
    await page
      .getByText(`${failedSignIns} events: the start of the log for these filters.`)
      .waitFor();
    assert.equal((await shown()).length, failedSignIns);

    // One event in full.
    await rows.first().getByRole('button', { name: 'auth.login.failed' }).click();
    const drawer = page.getByRole('dialog', { name: 'Audit event' });
    await drawer.waitFor();
    const details = (await drawer.getByLabel('Details').textContent()) ?? '';
    const recorded = JSON.parse(details) as { reason: string; attempt: number };
    assert.equal(recorded.reason, 'wrong_password');
    assert.ok(recorded.attempt >= 0 && recorded.attempt < failedSignIns);
    await drawer.getByText('198.51.100.7').waitFor();
    await drawer.getByText('A sign-in was refused', { exact: false }).waitFor();
    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'hidden' });

    // The export downloads the log as CSV.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Export CSV' }).click(),
    ]);
    assert.match(download.suggestedFilename(), /^audit-events-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = await readFile(await download.path(), 'utf8');
    assert.equal(csv.split('\n').filter((line) => line.includes('auth.login.failed')).length, 60);

    // Verification: never run, then run now, with its time in the user's zone and UTC on hover.
    const verification = page.getByRole('region', { name: 'Tamper check' });
    await verification.getByText('Not verified from the console yet').waitFor();
    await verification.getByRole('button', { name: 'Verify now' }).click();
    await verification.getByText('Intact').waitFor();
    const ranAt = verification.locator('time').first();
    assert.match(
      (await ranAt.getAttribute('title')) ?? '',
      /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$/,
    );
    assert.match(
      (await verification.textContent()) ?? '',
      /Last verified .+: \d+ events in \d+ seal blocks/,
    );

    // The run is in the log, and a reload shows it as the last one.
    await page.reload();
    await page.getByRole('region', { name: 'Tamper check' }).getByText('Intact').waitFor();
    assert.deepEqual(violations, []);
    await page.context().close();
  });
});
