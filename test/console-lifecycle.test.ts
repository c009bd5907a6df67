import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { newId, operatorActor, withOrg } from '../src/platform/index.ts';
import {
  type ConsoleAdmin,
  type ConsoleWorld,
  cspViolations,
  openConsoleAs,
  startConsoleWorld,
} from './support/console.ts';

const hour = 3_600_000;

/** Leavers (SLA): the deprovisioning SLA report in the console (docs/lifecycle.md#sla-report). */
describe('console: the leavers and the deprovisioning SLA', () => {
  let world: ConsoleWorld;
  let auditor: ConsoleAdmin;

  before(async () => {
    world = await startConsoleWorld();
    auditor = await world.addAdmin(world.orgId, 'aurora@acme.test', 'org-auditor');
    const leaver = (email: string) => world.auth.createUser(world.orgId, email, 'Leaver-Secret-77');
    const inAcme = <T>(fn: Parameters<typeof withOrg<T>>[2]) =>
      withOrg(world.core.database, world.orgId, fn);
    // Met: an administrator's deprovisioning, done at once.
    const ann = await leaver('ann@acme.test');
    await inAcme((tx) =>
      world.auth.lifecycle.deactivate(
        tx,
        ann.id,
        'deprovisioned',
        { type: 'user', id: world.orgAdmin.user.id },
        { source: 'admin' },
      ),
    );
    // Missed: an end date 30 hours past when the schedule acted on it.
    const bob = await leaver('bob@acme.test');
    await inAcme((tx) =>
      world.auth.lifecycle.deactivate(tx, bob.id, 'deprovisioned', operatorActor, {
        source: 'schedule',
        requestedAt: new Date(Date.now() - 30 * hour),
      }),
    );
    // Pending: the directory's suspension an hour ago whose OAuth revocation never completed
    // (the record as a failed revocation leaves it).
    const cleo = await leaver('cleo@acme.test');
    const asked = new Date(Date.now() - hour);
    await inAcme((tx) =>
      tx
        .insertInto('deprovisionings')
        .values({
          id: newId(),
          org_id: world.orgId,
          user_id: cleo.id,
          status: 'suspended',
          source: 'scim',
          requested_at: asked,
          actor_type: 'system',
          actor_id: 'vigil',
          actor_label: 'vigil',
          denied_at: asked,
        })
        .execute(),
    );
  });
  after(() => world?.close());

  it('shows the last 30 days: totals, each leaver with its outcome, and the CSV download', async () => {
    const page = await openConsoleAs(world, auditor, `/orgs/${world.orgId}/lifecycle`);
    const violations = cspViolations(page);
    await page.getByRole('heading', { name: 'Leavers (SLA)' }).waitFor();
    const table = page.getByRole('table', { name: 'Leavers' });
    const rows = table.locator('tbody tr');
    await rows.nth(2).waitFor();
    const cells = async () =>
      (await rows.allInnerTexts()).map((text) => text.split('\t').map((cell) => cell.trim()));
    const shown = await cells();
    assert.deepEqual(
      shown.map((row) => [
        row[0]?.split('\n').at(-1),
        row[1],
        row.at(-2),
        row.at(-1)?.toLowerCase(),
      ]),
      [
        ['bob@acme.test', 'deprovisioned', '24 h', 'missed'],
        ['cleo@acme.test', 'suspended', '24 h', 'pending'],
        ['ann@acme.test', 'deprovisioned', '24 h', 'met'],
      ],
      'oldest request first',
    );
    assert.match(shown[0]?.[2] ?? '', /The operator \(CLI\)\s+End date/);
    assert.match(shown[0]?.[5] ?? '', /^30\.0 h$/);
    assert.match(shown[1]?.[4] ?? '', /not yet/);
    assert.match(shown[2]?.[2] ?? '', /^olivia\s+Administrator$/, 'the administrator by name');

    const totals = page.getByLabel('Totals');
    const totalsText = (await totals.textContent()) ?? '';
    assert.match(totalsText, /Leavers3/);
    assert.match(totalsText, /Met the SLA1/);
    assert.match(totalsText, /Missed the SLA1/);
    assert.match(totalsText, /Pending1/);

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download CSV' }).click(),
    ]);
    assert.match(
      download.suggestedFilename(),
      /^deprovisioning-report-\d{4}-\d{2}-\d{2}-\d{4}-\d{2}-\d{2}\.csv$/,
    );
    const csv = await readFile(await download.path(), 'utf8');
    const lines = csv.trimEnd().split('\r\n');
    assert.match(lines[0] ?? '', /^user_id,email,display_name,status,source,requested_at/);
    assert.deepEqual(
      lines.slice(1).map((line) => line.split(',').at(-1)),
      ['missed', 'pending', 'met'],
    );

    // Another period: a month long past holds nobody.
    await page.getByLabel('From').fill('2020-01-01');
    await page.getByLabel('Until (included)').fill('2020-01-31');
    await page.getByRole('button', { name: 'Show' }).click();
    await page.getByText('Nobody was suspended or deprovisioned in this period.').waitFor();
    assert.match((await totals.textContent()) ?? '', /Leavers0/);
    assert.deepEqual(violations, []);
    await page.context().close();
  });
});
