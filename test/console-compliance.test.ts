import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { readZip } from '../src/compliance/evidence/read-zip.ts';
import type { User } from '../src/identity/index.ts';
import { operatorActor, platformOrgId, withOrg, withPlatform } from '../src/platform/index.ts';
import {
  type ConsoleAdmin,
  type ConsoleWorld,
  cspViolations,
  openConsoleAs,
  startConsoleWorld,
} from './support/console.ts';
import { type AxeView, axeViolations } from './support/console-axe.ts';

const mfaTitle = 'Multi-factor authentication enforced';

/** A day of this machine's calendar (the browser's too) as a date field holds it. */
const localDay = (date: Date) =>
  `${date.getFullYear()}-${String(date.getMonth() + 1).padStart(2, '0')}-${String(date.getDate()).padStart(2, '0')}`;

/** The figure a summary card shows under `label` ("Failing"). */
async function figure(page: Page, label: string): Promise<number> {
  const summary = page.getByRole('region', { name: 'Summary' });
  const term = summary.locator('dt', { hasText: new RegExp(`^${label}$`) });
  return Number(await term.locator('xpath=following-sibling::dd[1]').textContent());
}

/**
 * The compliance page (docs/console.md#compliance) against the running server's live checks: an
 * owner runs them and sees a privileged administrator without a second factor fail the MFA
 * control, with that user among its exceptions; once she leaves, "Run checks now" turns it to
 * passing with both stretches in its history; the posture and an evidence pack (a refused period
 * shows the API's reason; the pack is a ZIP with its manifest). Readers without the permissions
 * see no section, no export, or the API's refusal.
 */
describe('console: compliance (controls, run now, history, posture, evidence pack)', () => {
  let world: ConsoleWorld;
  let owner: ConsoleAdmin;
  let mona: User;
  const org = () => `/orgs/${world.orgId}`;

  before(async () => {
    world = await startConsoleWorld();
    owner = await world.addAdmin(world.orgId, 'owen@acme.test', 'org-owner');
    // Mona administers acme with a password alone: the MFA control's exception.
    mona = await world.auth.createUser(world.orgId, 'mona@acme.test', 'No-Second-Factor-77');
    await withPlatform(world.core.database, (tx) =>
      world.auth.rbac.assign(
        tx,
        { orgId: world.orgId, userId: mona.id, roleKey: 'org-admin', reason: 'Covers Olivia' },
        null,
        operatorActor,
      ),
    );
    await withOrg(world.core.database, world.orgId, async (tx) => {
      for (const [key, permissions] of [
        ['help-desk', ['roles.read', 'users.read']],
        ['compliance-viewer', ['roles.read', 'compliance.read']],
      ] as const)
        await world.auth.rbac.createRole(
          tx,
          world.orgId,
          {
            key,
            name: key,
            description: `The ${key} team`,
            purpose: 'Tests what the compliance page shows to whom',
            permissions: [...permissions],
            ownerUserId: owner.user.id,
          },
          null,
          operatorActor,
        );
    });
  });
  after(() => world?.close());

  it('an owner runs the checks, opens the failing MFA control, runs them again after the fix, reads the posture and exports a pack', async () => {
    const page = await openConsoleAs(world, owner, `${org()}/compliance`);
    const violations = cspViolations(page);
    await page.getByRole('heading', { name: 'Compliance' }).waitFor();
    const mfa = page.getByRole('button', { name: new RegExp(mfaTitle) });

    await page.getByRole('button', { name: 'Run checks now' }).click();
    await mfa.filter({ hasText: 'Failing' }).waitFor();
    assert.equal(await page.getByText(/Last run never/).count(), 0);
    // The summary counts what the list shows.
    const failing = page.getByRole('button').filter({ hasText: /^Failing/ });
    assert.equal(await figure(page, 'Failing'), await failing.count());
    assert.ok((await figure(page, 'Failing')) >= 1);

    await mfa.click();
    const exceptions = page.getByRole('list', { name: `Exceptions of ${mfaTitle}` });
    await exceptions.getByText(/mona@acme\.test has no second factor/).waitFor();
    assert.equal(
      await exceptions.getByRole('link', { name: 'the user' }).getAttribute('href'),
      `/admin${org()}/users/${mona.id}`,
    );
    await page
      .getByRole('list', { name: `Evidence files of ${mfaTitle}` })
      .getByText('mfa/enrollment.csv')
      .waitFor();
    // Each criterion: its sentence on the chip's hover and in the details.
    const sentence =
      /logical access security measures to protect against threats from sources outside/;
    assert.match(
      (await mfa
        .locator('[title]')
        .filter({ hasText: /^CC6\.6$/ })
        .getAttribute('title')) ?? '',
      sentence,
    );
    await page.locator('dd').filter({ hasText: sentence }).first().waitFor();
    const history = page.getByRole('table', { name: `History of ${mfaTitle}` }).locator('tbody tr');
    await history.first().waitFor();
    const stretches = await history.count();
    assert.match((await history.first().textContent()) ?? '', /Failing/);

    // Mona leaves; run now: passing, and the failing stretch kept below it in the history.
    await withOrg(world.core.database, world.orgId, (tx) =>
      world.auth.lifecycle.deactivate(
        tx,
        mona.id,
        'deprovisioned',
        { type: 'user', id: owner.user.id },
        { source: 'admin' },
      ),
    );
    await page.getByRole('button', { name: 'Run checks now' }).click();
    await mfa.filter({ hasText: 'Passing' }).waitFor();
    await page.getByText('Every privileged role of').first().waitFor();
    assert.equal(await exceptions.count(), 0);
    await history.nth(stretches).waitFor();
    assert.equal(await history.count(), stretches + 1);
    assert.match((await history.nth(0).textContent()) ?? '', /Passing/);
    assert.match((await history.nth(1).textContent()) ?? '', /Failing/);

    // Posture: today, as a table, counts the controls checked.
    const posture = page.getByRole('region', { name: 'Posture over the last 90 days' });
    await posture.getByRole('img').waitFor();
    await posture.getByRole('button', { name: 'Show as a table' }).click();
    const today = new Date().toISOString().slice(0, 10);
    const row = posture.getByRole('table', { name: 'Posture by day' }).getByRole('row', {
      name: new RegExp(`^${today}`),
    });
    await row.waitFor();
    const cells = (await row.locator('td').allInnerTexts()).slice(1).map(Number);
    assert.ok((cells[0] ?? 0) >= 1, `a failing control today: ${cells}`);
    assert.ok((cells[1] ?? 0) >= 1, `a passing control today: ${cells}`);

    // The evidence pack: the last full quarter to begin with; a reversed period is refused.
    const pack = page.getByRole('form', { name: 'Evidence pack period' });
    const now = new Date();
    const quarter = Math.floor(now.getMonth() / 3) * 3;
    assert.equal(
      await pack.getByLabel('From').inputValue(),
      localDay(new Date(now.getFullYear(), quarter - 3, 1)),
    );
    assert.equal(
      await pack.getByLabel('To (included)').inputValue(),
      localDay(new Date(now.getFullYear(), quarter, 0)),
    );
    await pack.getByLabel('From').fill('2026-09-30');
    await pack.getByLabel('To (included)').fill('2026-07-01');
    await pack.getByRole('button', { name: 'Export evidence pack' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: 'Evidence pack not exported' })
      .getByText(/before from/)
      .waitFor();

    await pack.getByLabel('From').fill(today);
    await pack.getByLabel('To (included)').fill(today);
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      pack.getByRole('button', { name: 'Export evidence pack' }).click(),
    ]);
    assert.equal(download.suggestedFilename(), `vigil-evidence-acme-${today}-${today}.zip`);
    const path = await download.path();
    assert.equal((await readFile(path)).subarray(0, 2).toString('latin1'), 'PK');
    assert.ok((await readZip(path)).has('manifest.json'));
    await page
      .getByRole('status')
      .filter({ hasText: 'Downloaded as vigil-evidence-acme-' })
      .waitFor();
    assert.equal(await page.getByRole('alert').count(), 0);
    assert.deepEqual(violations, []);
    await page.context().close();
  });

  it('shows the platform organization its own controls, checked in a run of its own', async () => {
    const page = await openConsoleAs(
      world,
      world.platformAdmin,
      `/orgs/${platformOrgId}/compliance`,
    );
    await page.getByRole('button', { name: 'Run checks now' }).click();
    const platformControls = page.getByRole('button').filter({ hasText: 'Platform' });
    await platformControls.first().waitFor();
    await page
      .getByText(/Last run/)
      .locator('time')
      .waitFor();
    const texts = await platformControls.allInnerTexts();
    assert.ok(texts.length >= 1);
    for (const text of texts) assert.doesNotMatch(text, /Not checked/, text);
    await page.context().close();
  });

  it('hides the section without compliance.read, the export without compliance.export, and shows the API refusing another organization', async () => {
    const helpDesk = await world.addAdmin(world.orgId, 'hal@acme.test', 'help-desk');
    let page = await openConsoleAs(world, helpDesk, `${org()}/users`);
    const nav = page.getByRole('navigation', { name: 'Console sections' });
    await nav.getByRole('link', { name: 'Users' }).waitFor();
    assert.equal(await nav.getByRole('link', { name: 'Compliance' }).count(), 0);
    // By its address: not a page of theirs, the console opens their first section instead.
    await page.goto(`${world.base}/admin${org()}/compliance`);
    await page.waitForURL((url) => !url.pathname.endsWith('/compliance'));
    assert.equal(await page.getByRole('heading', { name: 'Compliance' }).count(), 0);
    await page.context().close();

    const viewer = await world.addAdmin(world.orgId, 'vera@acme.test', 'compliance-viewer');
    page = await openConsoleAs(world, viewer, `${org()}/compliance`);
    await page
      .getByRole('navigation', { name: 'Console sections' })
      .getByRole('link', { name: 'Compliance' })
      .waitFor();
    await page.getByRole('button', { name: new RegExp(mfaTitle) }).waitFor();
    await page.getByRole('region', { name: 'Posture over the last 90 days' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Export evidence pack' }).count(), 0);
    assert.equal(await page.getByRole('region', { name: 'Evidence pack' }).count(), 0);

    // Another organization's compliance, by its address: the API's 403, in words.
    await page.goto(`${world.base}/admin/orgs/${platformOrgId}/compliance`);
    await page.getByRole('alert').filter({ hasText: 'Not yours to see' }).waitFor();
    assert.equal(await page.getByRole('button', { name: 'Run checks now' }).count(), 0);
    await page.context().close();
  });

  it('has no serious or critical WCAG 2.1 A/AA violation with a control and the posture table open, light and dark', async () => {
    const page = await openConsoleAs(world, owner, `${org()}/compliance`, { bypassCSP: true });
    const views: AxeView[] = [
      [
        'compliance with a control open',
        `${org()}/compliance`,
        async (p) => {
          await p.getByRole('button', { name: new RegExp(mfaTitle) }).click();
          await p.getByRole('table', { name: `History of ${mfaTitle}` }).waitFor();
          await p.getByRole('button', { name: 'Show as a table' }).click();
          await p.getByRole('table', { name: 'Posture by day' }).waitFor();
        },
      ],
    ];
    const found = await axeViolations(world, page, views);
    await page.context().close();
    assert.deepEqual(found, []);
  });
});
