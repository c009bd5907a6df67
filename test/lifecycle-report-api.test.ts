import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deprovisioningReportCsvHeader } from '../src/compliance/index.ts';
import type { User } from '../src/identity/index.ts';
import { withOrg } from '../src/platform/index.ts';
import { type OidcWorld, startAdminApiWorld } from './support/admin-api.ts';

type ApiWorld = Awaited<ReturnType<typeof startAdminApiWorld>>;

/**
 * GET /orgs/{orgId}/lifecycle/deprovisioning-report (docs/admin-api.md): the SLA report as JSON
 * or as a CSV download, for whoever may read the audit log, a bad period a problem document.
 */
describe('admin API: the deprovisioning SLA report', () => {
  let world: OidcWorld;
  let call: ApiWorld['call'];
  let auditorToken: string;
  let memberToken: string;
  let admin: User;
  let path: string;

  before(async () => {
    let tokenFor: ApiWorld['tokenFor'];
    let userWithRole: ApiWorld['userWithRole'];
    ({ world, call, tokenFor, userWithRole } = await startAdminApiWorld());
    path = `/orgs/${world.orgId}/lifecycle/deprovisioning-report`;
    admin = await userWithRole(world.orgId, 'admin@acme.test', 'org-admin');
    auditorToken = await tokenFor(
      await userWithRole(world.orgId, 'audrey@acme.test', 'org-auditor'),
    );
    memberToken = await tokenFor(await userWithRole(world.orgId, 'max@acme.test', 'member'));
    const adminToken = await tokenFor(admin);
    // One leaver by the administrator's hand through the API, one by the directory's token.
    const leaver = await userWithRole(world.orgId, 'leo@acme.test', 'member');
    const res = await call(
      'POST',
      `/orgs/${world.orgId}/users/${leaver.id}/deprovision`,
      adminToken,
    );
    assert.equal(res.status, 200, res.text);
    const { scimToken } = await world.auth.scimTokens.createInOrg(
      world.orgId,
      { name: 'Entra ID' },
      { type: 'user', id: admin.id },
    );
    const tokenId = scimToken.id;
    const away = await userWithRole(world.orgId, 'sam@acme.test', 'member');
    await withOrg(world.core.database, world.orgId, (tx) =>
      world.auth.lifecycle.deactivate(
        tx,
        away.id,
        'suspended',
        { type: 'scim_token', id: tokenId },
        {
          source: 'scim',
        },
      ),
    );
  });
  after(() => world.close());

  it('answers JSON: each leaver with who asked, when every surface was denied, and the totals', async () => {
    const res = await call('GET', path, auditorToken);
    assert.equal(res.status, 200, res.text);
    const report = res.json();
    assert.deepEqual(
      report.items.map((i: { user: { email: string }; source: string; requestedBy: unknown }) => [
        i.user.email,
        i.source,
        i.requestedBy,
      ]),
      [
        ['leo@acme.test', 'admin', { type: 'user', id: admin.id, name: 'admin' }],
        [
          'sam@acme.test',
          'scim',
          { type: 'scim_token', id: report.items[1].requestedBy.id, name: 'Entra ID' },
        ],
      ],
    );
    for (const item of report.items) {
      assert.equal(item.outcome, 'met');
      assert.equal(item.met, true);
      assert.equal(item.slaHours, 24);
      assert.ok(Date.parse(item.completedAt) >= Date.parse(item.deniedAt));
    }
    assert.equal(report.totals.count, 2);
    assert.equal(report.totals.met, 2);
    assert.equal(
      Date.parse(report.to) - Date.parse(report.from),
      30 * 86_400_000,
      'the last 30 days',
    );
  });

  it('answers CSV as a download named after the period', async () => {
    const res = await call('GET', `${path}?from=2026-01-01&to=2099-01-01&format=csv`, auditorToken);
    assert.equal(res.status, 400, 'more than 366 days');
    const from = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const to = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const csv = await call('GET', `${path}?from=${from}&to=${to}&format=csv`, auditorToken);
    assert.equal(csv.status, 200, csv.text);
    assert.match(String(csv.headers['content-type']), /^text\/csv/);
    assert.equal(
      csv.headers['content-disposition'],
      `attachment; filename="deprovisioning-report-${from}-${to}.csv"`,
    );
    const [header, ...rows] = csv.text.trimEnd().split('\r\n');
    assert.equal(header, deprovisioningReportCsvHeader.join(','));
    assert.equal(rows.length, 2);
    assert.match(
      rows[0] ?? '',
      /,leo@acme\.test,leo,deprovisioned,admin,.*,user,[0-9a-f-]{36},admin,.*,24,met$/,
    );
    assert.match(
      rows[1] ?? '',
      /,sam@acme\.test,sam,suspended,scim,.*,scim_token,[0-9a-f-]{36},Entra ID,.*,24,met$/,
    );
  });

  it('refuses a bad period with a problem document naming the field, and a caller without audit.read', async () => {
    const cases: [string, string][] = [
      ['from=tomorrow', 'from: not an ISO 8601 date or date-time'],
      ['from=2026-03-05&to=2026-03-01', 'from: must be before to'],
      ['from=2024-01-01&to=2026-01-01', 'to: at most 366 days after from'],
    ];
    for (const [query, detail] of cases) {
      const res = await call('GET', `${path}?${query}`, auditorToken);
      assert.equal(res.status, 400, res.text);
      assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
      assert.equal(res.json().code, 'lifecycle.report_range_invalid');
      assert.equal(res.json().detail, detail);
    }
    const unknown = await call('GET', `${path}?format=xml`, auditorToken);
    assert.equal(unknown.status, 400, unknown.text);
    const member = await call('GET', path, memberToken);
    assert.equal(member.status, 403, member.text);
    assert.equal(member.json().code, 'rbac.forbidden');
  });
});
