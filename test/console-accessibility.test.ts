import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { withOrg } from '../src/platform/index.ts';
import {
  type ConsoleAdmin,
  type ConsoleWorld,
  openConsoleAs,
  startConsoleWorld,
} from './support/console.ts';
import { inject } from './support/http.ts';

/** axe-core's rules for WCAG 2.0 and 2.1, levels A and AA. */
const wcagTags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const axeScript = fileURLToPath(import.meta.resolve('axe-core/axe.min.js'));

interface Finding {
  view: string;
  id: string;
  impact: string;
  targets: string[];
  help: string;
}

/** A page of the console, and what to open on it before it is checked. */
interface View {
  name: string;
  path: string;
  open?: (page: Page) => Promise<void>;
}

/**
 * Settled: no read on its way (every spinner is labelled "Loading …") and no transition running,
 * so that axe sees colours as they end, not a dialog halfway through fading in. A spinner's own
 * animation never ends and is not waited for.
 */
async function settled(page: Page): Promise<void> {
  await page.getByRole('heading', { level: 2 }).first().waitFor();
  await page.waitForFunction(`
    !document.querySelector('[aria-label^="Loading"]') &&
    document.getAnimations().every(
      (a) => a.playState !== 'running' || a.effect?.getTiming().iterations === Infinity,
    )`);
}

/** The serious and critical WCAG A/AA violations axe finds in the page as it is now. */
async function violations(page: Page, view: string): Promise<Finding[]> {
  await page.addScriptTag({ path: axeScript });
  const found = (await page.evaluate(`
    axe.run(document, { runOnly: { type: 'tag', values: ${JSON.stringify(wcagTags)} } }).then(
      (result) => result.violations.map((v) => ({
        id: v.id,
        impact: v.impact,
        help: v.help,
        targets: v.nodes.map((node) => node.target.join(' ')),
      })),
    )`)) as Omit<Finding, 'view'>[];
  return found
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ view, ...v }));
}

/** Presses Tab until the focused element is the one `isIt` (page code) names, at most `max` times. */
async function tabTo(page: Page, isIt: string, max = 60): Promise<void> {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate(`((el) => ${isIt})(document.activeElement)`)) return;
  }
  assert.fail(`Tab never reached ${isIt}`);
}

/** Page code: whether `el` is in a dialog. */
const inDialog = `!!el?.closest('[role="dialog"]')`;

describe('console: accessibility', () => {
  let world: ConsoleWorld;
  let owner: ConsoleAdmin;
  let clientId: string;
  let campaignId: string;

  before(async () => {
    world = await startConsoleWorld();
    owner = await world.addAdmin(world.orgId, 'owen@acme.test', 'org-owner');
    // acme populated through the admin API with a key of its owner (which the API keys page
    // then lists): a custom role held by Dana, a pending request, a conflict rule, a client.
    const { token } = await withOrg(world.core.database, world.orgId, (tx) =>
      world.auth.apiKeys.create(
        tx,
        world.orgId,
        { name: 'Seeding key', permissions: ['roles.manage', 'roles.assign', 'users.read'] },
        { userId: owner.user.id, orgId: world.orgId },
        { type: 'user', id: owner.user.id },
      ),
    );
    const call = async (path: string, body: unknown, status: number) => {
      const res = await inject(world.server.app, `/api/v1/orgs/${world.orgId}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      assert.equal(res.status, status, res.text);
    };
    await call(
      '/roles',
      {
        key: 'support',
        name: 'Support',
        description: 'Answers tickets.',
        purpose: 'First-line support reads users to help them.',
        permissions: ['users.read'],
        ownerUserId: owner.user.id,
      },
      201,
    );
    const dana = { userId: world.user.id, reason: 'Covers the help desk' };
    await call('/assignments', { ...dana, roleKey: 'support' }, 201);
    await call('/assignments', { ...dana, roleKey: 'org-admin' }, 202);
    await call(
      '/conflict-rules',
      {
        name: 'Owners do not audit',
        description: 'Whoever runs the organization is not its auditor.',
        roles: ['org-owner'],
        permissions: ['audit.read'],
      },
      201,
    );
    // A leaver, so that the Leavers (SLA) page shows its table and badges.
    const leo = await world.auth.createUser(world.orgId, 'leo@acme.test', 'Leaver-Secret-77');
    await withOrg(world.core.database, world.orgId, (tx) =>
      world.auth.lifecycle.deactivate(
        tx,
        leo.id,
        'deprovisioned',
        { type: 'user', id: owner.user.id },
        { source: 'admin' },
      ),
    );
    // The directory: a SCIM token it used to push a group with Dana, mapped to Member (so that
    // the Directory page shows both tables and the assignments a SCIM badge).
    const scim = await world.auth.scimTokens.createInOrg(
      world.orgId,
      { name: 'Entra ID' },
      { type: 'user', id: owner.user.id },
    );
    const pushed = await inject(world.server.app, '/scim/v2/acme/Groups', {
      method: 'POST',
      headers: { authorization: `Bearer ${scim.token}`, 'content-type': 'application/scim+json' },
      body: JSON.stringify({
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
        displayName: 'Help desk',
        members: [{ value: world.user.id }],
      }),
    });
    assert.equal(pushed.status, 201, pushed.text);
    await withOrg(world.core.database, world.orgId, (tx) =>
      world.auth.groupRoles.setGroupRoles(tx, world.orgId, String(pushed.json().id), ['member'], {
        type: 'user',
        id: owner.user.id,
      }),
    );
    // An access review of everything: Owen, the only administrator, reviews every item but his
    // own (unreviewable), so the campaign page shows progress, flags and the "not clean" alert.
    ({ id: campaignId } = await withOrg(world.core.database, world.orgId, (tx) =>
      world.auth.reviews.launch(
        tx,
        world.orgId,
        {
          name: 'Yearly review',
          scope: { kind: 'all_assignments' },
          dueAt: new Date(Date.now() + 14 * 86_400_000),
        },
        { type: 'user', id: owner.user.id },
      ),
    ));
    ({ id: clientId } = await world.createClient({
      name: 'Billing portal',
      kind: 'web',
      redirectUris: ['https://billing.example.com/callback'],
    }));
  });
  after(async () => {
    await world?.close();
  });

  it('has no serious or critical WCAG 2.1 A/AA violation on any page, in light and dark mode', async () => {
    const org = `/orgs/${world.orgId}`;
    const tab = (label: string) => async (page: Page) => {
      await page.getByRole('tab', { name: label }).click();
      await page.getByRole('form', { name: `${label} policy` }).waitFor();
    };
    const views: View[] = [
      { name: 'organizations', path: '/orgs' },
      { name: 'users', path: `${org}/users` },
      {
        name: 'create a user',
        path: `${org}/users`,
        open: (page) => page.getByRole('button', { name: 'Create a user' }).click(),
      },
      { name: 'a user', path: `${org}/users/${world.user.id}` },
      { name: 'roles', path: `${org}/roles` },
      { name: 'a role', path: `${org}/roles/support` },
      { name: 'assignments', path: `${org}/assignments` },
      { name: 'access requests', path: `${org}/access-requests` },
      { name: 'conflict rules', path: `${org}/conflict-rules` },
      { name: 'exports', path: `${org}/exports` },
      { name: 'clients', path: `${org}/clients` },
      { name: 'a client', path: `${org}/clients/${clientId}` },
      { name: 'API keys', path: `${org}/api-keys` },
      { name: 'leavers (SLA)', path: `${org}/lifecycle` },
      { name: 'compliance', path: `${org}/compliance` },
      { name: 'directory (SCIM)', path: `${org}/directory` },
      { name: 'access reviews', path: `${org}/reviews` },
      {
        name: 'launch a campaign',
        path: `${org}/reviews`,
        open: (page) => page.getByRole('button', { name: 'Launch a campaign' }).click(),
      },
      { name: 'a campaign', path: `${org}/reviews/${campaignId}` },
      ...['Password', 'MFA', 'Sessions', 'Lockout'].map((label) => ({
        name: `policies: ${label}`,
        path: `${org}/policies`,
        open: tab(label),
      })),
      {
        name: 'audit log with an event open',
        path: `${org}/audit`,
        open: async (page) => {
          await page
            .getByRole('table', { name: 'Audit events' })
            .locator('tbody tr')
            .first()
            .getByRole('button')
            .click();
          await page.getByRole('dialog', { name: 'Audit event' }).waitFor();
        },
      },
    ];

    // Only to inject axe's script: the console's CSP allows no script but its own (the CSP
    // itself is tested in browser-console.test.ts).
    const page = await openConsoleAs(world, world.platformAdmin, '/orgs', { bypassCSP: true });
    const found: Finding[] = [];
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      for (const view of views) {
        await page.goto(`${world.base}/admin${view.path}`);
        await page.waitForFunction(
          `document.documentElement.dataset.mantineColorScheme === '${scheme}'`,
        );
        await settled(page);
        if (view.open) {
          await view.open(page);
          await settled(page);
        }
        found.push(...(await violations(page, `${view.name} (${scheme})`)));
      }
    }
    await page.context().close();
    // My reviews with items in it: the queue of Owen, who reviews the campaign's items.
    const reviewer = await openConsoleAs(world, owner, `${org}/my-reviews`, { bypassCSP: true });
    for (const scheme of ['light', 'dark'] as const) {
      await reviewer.emulateMedia({ colorScheme: scheme });
      await reviewer.waitForFunction(
        `document.documentElement.dataset.mantineColorScheme === '${scheme}'`,
      );
      await reviewer.getByRole('table', { name: 'Items to review' }).waitFor();
      await settled(reviewer);
      found.push(...(await violations(reviewer, `my reviews (${scheme})`)));
    }
    await reviewer.context().close();
    assert.deepEqual(
      found.map((f) => `${f.view}: ${f.id} (${f.impact}) at ${f.targets.join(', ')}: ${f.help}`),
      [],
    );
  });

  it('reaches the navigation and a primary action with the keyboard; a confirm dialog keeps the focus', async () => {
    const page = await openConsoleAs(world, world.platformAdmin, '/orgs');
    await page.getByRole('heading', { name: 'Organizations' }).waitFor();

    // Tab to the working organization's Users, Enter opens it.
    await tabTo(
      page,
      `el?.closest('nav')?.getAttribute('aria-label') === 'Console sections' && el.textContent.trim() === 'Users'`,
    );
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Users' }).waitFor();

    // Tab to "Create a user", Enter opens the form with the focus in it; typing and Enter create.
    await tabTo(page, `el?.textContent.trim() === 'Create a user'`);
    await page.keyboard.press('Enter');
    const form = page.getByRole('form', { name: 'Create a user' });
    await form.waitFor();
    await page.waitForFunction(`((el) => ${inDialog})(document.activeElement)`);
    await tabTo(page, `el?.getAttribute('type') === 'email'`);
    await page.keyboard.type('kim@acme.test');
    await page.keyboard.press('Tab');
    await page.keyboard.type('Kim Keys');
    await page.keyboard.press('Enter');
    const shown = page.getByRole('dialog', { name: 'Temporary password' });
    await shown.waitFor();
    await tabTo(page, `el?.textContent.trim() === 'I have handed it over'`);
    await page.keyboard.press('Enter');
    await shown.waitFor({ state: 'detached' });
    await page
      .getByRole('table', { name: 'Users' })
      .getByRole('link', { name: 'Kim Keys' })
      .waitFor();

    // A confirm dialog: the focus goes round inside it, and Escape closes it untouched.
    await page
      .getByRole('table', { name: 'Users' })
      .getByRole('link', { name: 'Kim Keys' })
      .click();
    await page.getByRole('heading', { name: 'Kim Keys' }).waitFor();
    await tabTo(
      page,
      `el?.closest('[role="group"]')?.getAttribute('aria-label') === 'Actions' && el.textContent.trim() === 'Suspend'`,
    );
    await page.keyboard.press('Enter');
    const confirm = page.getByRole('dialog', { name: 'Suspend?' });
    await confirm.waitFor();
    for (let i = 0; i < 8; i++) {
      await page.keyboard.press('Tab');
      assert.ok(
        await page.evaluate(`((el) => ${inDialog})(document.activeElement)`),
        `Tab ${i + 1}`,
      );
    }
    await page.keyboard.press('Shift+Tab');
    assert.ok(await page.evaluate(`((el) => ${inDialog})(document.activeElement)`), 'Shift+Tab');
    await page.keyboard.press('Escape');
    await confirm.waitFor({ state: 'detached' });
    const actions = page.getByRole('group', { name: 'Actions' });
    assert.equal(await actions.getByRole('button', { name: 'Reactivate' }).count(), 0);
    // The focus is back on the button that opened it.
    assert.equal(await page.evaluate(`document.activeElement?.textContent.trim()`), 'Suspend');
    await page.context().close();
  });
});
