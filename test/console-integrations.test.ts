import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { Webhook } from 'standardwebhooks';
import { newId, platformOrgId, withOrg } from '../src/platform/index.ts';
import {
  type ConsoleAdmin,
  type ConsoleWorld,
  cspViolations,
  openConsoleAs,
  startConsoleWorld,
} from './support/console.ts';
import { type AxeView, axeViolations } from './support/console-axe.ts';

/** The secret a "shown once" dialog holds; the dialog is then closed. */
async function takeSecret(page: Page, title: string): Promise<string> {
  const dialog = page.getByRole('dialog', { name: title });
  const secret = (await dialog.getByLabel('the signing secret').textContent()) ?? '';
  await dialog.getByRole('button', { name: 'I have stored it' }).click();
  await dialog.waitFor({ state: 'detached' });
  return secret;
}

/** Waits until `check` holds (the delivery worker sends every few seconds). */
async function until(check: () => boolean, what: string, ms = 30_000): Promise<void> {
  for (const end = Date.now() + ms; !check(); ) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** A receiver on this machine: answers 204 to every POST and keeps what it got. */
async function startReceiver() {
  const received: { path: string; headers: IncomingHttpHeaders; body: string }[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => {
      body += chunk.toString('utf8');
    });
    req.on('end', () => {
      received.push({ path: req.url ?? '', headers: req.headers, body });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    received,
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    close: () => new Promise((resolve) => server.close(resolve)),
  };
}

/**
 * Where alerts and the audit log go, in the console (docs/console.md#integrations): webhook
 * endpoints and their secrets, the deliveries, SIEM streams; the retention policy and the audit
 * archives. Nothing leaves the machine: the receiver listens on loopback, which the server's
 * SSRF guard lets through only because the test allows it (VIGIL_OUTBOUND_ALLOW).
 */
describe('console: integrations, retention and archives', () => {
  let world: ConsoleWorld;
  let auditor: ConsoleAdmin;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const org = () => `/orgs/${world.orgId}`;

  /**
   * An alert whose notification to endpoint `name` failed its eight attempts (written as the
   * delivery worker leaves it), answering the delivery's id.
   */
  const deadLetterFor = (name: string) =>
    withOrg(world.core.database, world.orgId, async (tx) => {
      const endpoint = await tx
        .selectFrom('webhook_endpoints')
        .select(['id', 'url'])
        .where('name', '=', name)
        .executeTakeFirstOrThrow();
      const now = new Date();
      const alertId = newId();
      await tx
        .insertInto('alerts')
        .values({
          id: alertId,
          org_id: world.orgId,
          rule: 'credential.created',
          severity: 'high',
          dedup_key: `actor:${alertId}`,
          title: 'API key created by an unknown actor',
          details: JSON.stringify({ action: 'apikey.created' }),
          event_count: 1,
          event_ids: [newId()],
          first_seen_at: now,
          last_seen_at: now,
          status: 'open',
          created_at: now,
        })
        .execute();
      const deliveryId = newId();
      await tx
        .insertInto('alert_deliveries')
        .values({
          id: deliveryId,
          org_id: world.orgId,
          alert_id: alertId,
          channel: 'webhook',
          endpoint_id: endpoint.id,
          recipient: endpoint.url,
          payload: JSON.stringify({ type: 'alert.raised', data: { id: alertId } }),
          status: 'dead',
          attempts: 8,
          next_attempt_at: now,
          last_error: 'the receiver was down',
          last_status: 503,
          created_at: now,
        })
        .execute();
      return deliveryId;
    });

  before(async () => {
    receiver = await startReceiver();
    world = await startConsoleWorld({ VIGIL_OUTBOUND_ALLOW: '127.0.0.1' });
    auditor = await world.addAdmin(world.orgId, 'aurora@acme.test', 'org-auditor');
  });
  after(async () => {
    await world?.close();
    await receiver?.close();
  });

  it('an administrator adds a webhook endpoint (its secret once), tests it, retries a dead letter, disables, rotates and deletes it, and adds a SIEM stream', async () => {
    const page = await openConsoleAs(world, world.orgAdmin, `${org()}/integrations`);
    const violations = cspViolations(page);
    const hooks = page.getByRole('region', { name: 'Webhook endpoints' });
    await hooks.getByText('No endpoint: alerts go to the inbox and by mail only.').waitFor();

    await hooks.getByRole('button', { name: 'Add an endpoint' }).click();
    const add = page.getByRole('form', { name: 'Add a webhook endpoint' });
    await add.getByLabel('Name').fill('SOC pager');
    // A host that does not resolve: refused by the SSRF guard, the reason beside the field.
    await add.getByLabel('URL').fill('https://hooks.acme.test/vigil');
    await add.getByRole('button', { name: 'Add endpoint' }).click();
    await add.getByRole('alert').filter({ hasText: 'Not saved' }).waitFor();
    await add.getByLabel('URL').fill(receiver.url('/vigil'));
    await add.getByLabel('Least severity sent').selectOption('high');
    await add.getByRole('button', { name: 'Add endpoint' }).click();
    const secret = await takeSecret(page, "The endpoint's signing secret");
    assert.match(secret, /^whsec_[A-Za-z0-9+/=]{20,}$/);
    const row = hooks.getByRole('table', { name: 'Webhook endpoints' }).locator('tbody tr');
    await row.filter({ hasText: 'SOC pager' }).getByText('high').waitFor();
    // Shown once: nowhere on the page after the dialog closed.
    assert.equal((await page.content()).includes(secret), false);
    const stored = await withOrg(world.core.database, world.orgId, (tx) =>
      tx
        .selectFrom('webhook_endpoints')
        .select(['name', 'url', 'min_severity', 'enabled'])
        .execute(),
    );
    assert.deepEqual(stored, [
      { name: 'SOC pager', url: receiver.url('/vigil'), min_severity: 'high', enabled: true },
    ]);

    // A test message: the receiver's answer in words, and it verifies with the secret shown.
    await hooks.getByRole('button', { name: 'Send test SOC pager' }).click();
    await hooks
      .getByRole('status')
      .filter({ hasText: 'Test sent to SOC pager: answered HTTP 204.' })
      .waitFor();
    const test = receiver.received.find((r) => r.path === '/vigil');
    assert.ok(test, 'the receiver got the test message');
    assert.ok(new Webhook(secret).verify(test.body, test.headers as Record<string, string>));

    // A notification to it that failed its last attempt: a dead letter, which Retry sends again
    // (pending now, then posted by the server's delivery worker to the receiver).
    const deadId = await deadLetterFor('SOC pager');
    const deliveries = page.getByRole('region', { name: 'Deliveries' });
    await deliveries.getByRole('combobox', { name: 'Delivery status' }).click();
    await page.getByRole('option', { name: 'Dead letters' }).click();
    const deadRow = deliveries.getByRole('table', { name: 'Deliveries' }).locator('tbody tr');
    await deadRow.getByText('dead letter').waitFor();
    await deadRow.getByText('HTTP 503: the receiver was down').waitFor();
    await deliveries
      .getByRole('button', { name: `Retry the delivery to ${receiver.url('/vigil')}` })
      .click();
    await deliveries.getByRole('status').filter({ hasText: 'Sending again' }).waitFor();
    await deliveries.getByText('No dead letters').waitFor();
    await until(
      () => receiver.received.some((r) => r.headers['webhook-id'] === deadId),
      'the retried notification at the receiver',
    );

    await hooks.getByRole('button', { name: 'Disable SOC pager' }).click();
    await row.filter({ hasText: 'SOC pager' }).getByText('disabled').waitFor();

    await hooks.getByRole('button', { name: 'Rotate secret SOC pager' }).click();
    await page
      .getByRole('dialog', { name: 'Rotate the signing secret?' })
      .getByRole('button', { name: 'Rotate secret' })
      .click();
    const rotated = await takeSecret(page, "The endpoint's signing secret");
    assert.match(rotated, /^whsec_/);
    assert.notEqual(rotated, secret);

    await hooks.getByRole('button', { name: 'Delete SOC pager' }).click();
    await page
      .getByRole('dialog', { name: 'Delete the endpoint?' })
      .getByRole('button', { name: 'Delete endpoint' })
      .click();
    await hooks.getByText('No endpoint: alerts go to the inbox and by mail only.').waitFor();

    // A SIEM stream: the fields follow the kind.
    const siem = page.getByRole('region', { name: 'SIEM streams' });
    await siem.getByRole('button', { name: 'Add a stream' }).click();
    const stream = page.getByRole('form', { name: 'Add a SIEM stream' });
    await stream.getByLabel('Name').fill('Splunk');
    await stream.getByLabel('CA certificate (PEM)').waitFor();
    await stream.getByLabel('Kind').selectOption('webhook');
    assert.equal(await stream.getByLabel('CA certificate (PEM)').count(), 0);
    await stream.getByLabel('URL').fill(receiver.url('/siem'));
    await stream.getByLabel('Format').selectOption('ocsf');
    await stream.getByRole('button', { name: 'Add stream' }).click();
    const streamSecret = await takeSecret(page, "The stream's signing secret");
    assert.ok(streamSecret.length > 20);
    const streamRow = siem
      .getByRole('table', { name: 'SIEM streams' })
      .locator('tbody tr')
      .filter({ hasText: 'Splunk' });
    await streamRow.getByText('webhook, OCSF').waitFor();
    await siem.getByRole('button', { name: 'Pause Splunk' }).click();
    await streamRow.getByText('paused').waitFor();
    assert.deepEqual(violations, []);
    await page.context().close();
  });

  it('an administrator sets retention (refused under 365 days) and a legal hold', async () => {
    const page = await openConsoleAs(world, world.orgAdmin, `${org()}/policies`);
    await page.getByRole('tab', { name: 'Retention' }).click();
    const form = page.getByRole('form', { name: 'Retention policy' });
    const days = form.getByLabel('Keep audit events for (days)');
    assert.equal(await days.inputValue(), '400');
    await days.fill('300');
    await form.getByRole('button', { name: 'Review changes' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
    await form.getByRole('alert').filter({ hasText: 'Not saved' }).waitFor();

    await days.fill('730');
    await form.getByLabel('Legal hold', { exact: true }).check();
    await form.getByLabel('Reason for the legal hold').fill('Litigation hold, case 2026-17');
    await form.getByRole('button', { name: 'Review changes' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
    await page.getByRole('status').filter({ hasText: 'now version 1' }).waitFor();
    const saved = await withOrg(world.core.database, world.orgId, (tx) =>
      tx
        .selectFrom('security_policies')
        .select('settings')
        .where('kind', '=', 'retention')
        .orderBy('version', 'desc')
        .executeTakeFirstOrThrow(),
    );
    assert.deepEqual(saved.settings, {
      retentionDays: 730,
      legalHold: true,
      legalHoldReason: 'Litigation hold, case 2026-17',
    });
    await page.context().close();
  });

  it("a platform administrator sees the archives card; an auditor sees integrations without actions, and none of another organization's", async () => {
    const root = await openConsoleAs(world, world.platformAdmin, `/orgs/${platformOrgId}/audit`);
    const archives = root.getByRole('region', { name: 'Archives' });
    await archives.getByText('No month archived yet.').waitFor();
    await root.goto(`${world.base}/admin${org()}/audit`);
    await root.getByRole('region', { name: 'Tamper check' }).waitFor();
    assert.equal(await root.getByRole('region', { name: 'Archives' }).count(), 0);
    await root.context().close();

    const page = await openConsoleAs(world, auditor, `${org()}/integrations`);
    await page
      .getByRole('table', { name: 'SIEM streams' })
      .locator('tbody tr')
      .filter({ hasText: 'Splunk' })
      .waitFor();
    await page.getByText('No endpoint: alerts go to the inbox and by mail only.').waitFor();
    for (const name of ['Add an endpoint', 'Add a stream', 'Pause Splunk', 'Resume Splunk'])
      assert.equal(await page.getByRole('button', { name }).count(), 0, name);
    // Another organization's alerts and integrations, by their URL: not theirs to see.
    const globex = await world.core.createOrg('globex');
    for (const section of ['alerts', 'integrations']) {
      await page.goto(`${world.base}/admin/orgs/${globex}/${section}`);
      await page.getByRole('alert').filter({ hasText: 'Not yours to see' }).first().waitFor();
      assert.equal(await page.getByRole('table').count(), 0, section);
    }
    await page.context().close();
  });

  it('has no serious or critical WCAG 2.1 A/AA violation on integrations, its dialogs and retention, light and dark', async () => {
    const page = await openConsoleAs(world, world.orgAdmin, `${org()}/integrations`, {
      bypassCSP: true,
    });
    const streams = (p: Page) => p.getByRole('table', { name: 'SIEM streams' }).waitFor();
    const views: AxeView[] = [
      ['integrations', `${org()}/integrations`, streams],
      [
        'add a webhook endpoint',
        `${org()}/integrations`,
        async (p) => {
          await streams(p);
          await p.getByRole('button', { name: 'Add an endpoint' }).click();
          await p.getByRole('form', { name: 'Add a webhook endpoint' }).waitFor();
        },
      ],
      [
        'add a SIEM stream',
        `${org()}/integrations`,
        async (p) => {
          await streams(p);
          await p.getByRole('button', { name: 'Add a stream' }).click();
          await p.getByRole('form', { name: 'Add a SIEM stream' }).waitFor();
        },
      ],
      [
        'policies: Retention',
        `${org()}/policies`,
        async (p) => {
          await p.getByRole('tab', { name: 'Retention' }).click();
          await p.getByRole('form', { name: 'Retention policy' }).waitFor();
        },
      ],
    ];
    const found = await axeViolations(world, page, views);
    await page.context().close();
    assert.deepEqual(found, []);
  });
});
