import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { deprovisioningReportCsvHeader } from '../src/compliance/index.ts';
import { operatorActor, withOrg } from '../src/platform/index.ts';
import { cliStore, type Run } from './support/cli.ts';

/** Bad usage: exit code 2, the message, and the usage text. */
function misused(run: Run, message: RegExp) {
  assert.equal(run.code, 2, `${run.stdout}${run.stderr}`);
  assert.match(run.stderr, message);
  assert.match(run.stderr, /Usage: vigil/);
}

/** `vigil lifecycle report`, in-process: the SLA report as a table, CSV or JSON on stdout. */
describe('vigil CLI: the deprovisioning SLA report', () => {
  const store = cliStore({ migrated: true });
  const { vigil, withServices } = store;
  before(async () => {
    await store.open();
    const created = await vigil(['orgs', 'create', '--slug', 'acme', '--name', 'Acme Corp']);
    assert.equal(created.code, 0, created.stderr);
    for (const email of ['ada@acme.test', 'bob@acme.test']) {
      const user = await vigil(['users', 'create', '--org', 'acme', '--email', email]);
      assert.equal(user.code, 0, user.stderr);
    }
    // Ada leaves by the administrator's hand; Bob's end date passed two days ago.
    await withServices(async ({ tenancy, identity, lifecycle }, core) => {
      const acme = (await tenancy.organizations()).find((o) => o.slug === 'acme');
      assert.ok(acme);
      const leave = async (email: string, request: Parameters<typeof lifecycle.deactivate>[4]) => {
        const user = await identity.userByEmail(acme.id, email);
        assert.ok(user);
        await withOrg(core.database, acme.id, (tx) =>
          lifecycle.deactivate(tx, user.id, 'deprovisioned', operatorActor, request),
        );
      };
      await leave('ada@acme.test', { source: 'admin' });
      await leave('bob@acme.test', {
        source: 'schedule',
        requestedAt: new Date(Date.now() - 48 * 3_600_000),
      });
    });
  });
  after(() => store.close());

  it('prints the leavers of the last 30 days with the totals', async () => {
    const run = await vigil(['lifecycle', 'report', '--org', 'acme']);
    assert.equal(run.code, 0, run.stderr);
    const lines = run.stdout.trimEnd().split('\n');
    assert.match(lines[0] ?? '', /^deprovisionings requested from \S+Z to \S+Z$/);
    assert.match(lines[1] ?? '', /^USER\s+STATUS\s+SOURCE\s+REQUESTED\s+BY\s+COMPLETED/);
    assert.match(
      lines[2] ?? '',
      /^bob@acme\.test\s+deprovisioned\s+schedule\s.*\bcli\b.*\bmissed$/,
    );
    assert.match(lines[3] ?? '', /^ada@acme\.test\s+deprovisioned\s+admin\s.*\bmet$/);
    assert.match(
      lines[4] ?? '',
      /^2 in all: 1 met, 1 missed, 0 pending; median 0\.00 h, longest 48\.00 h$/,
    );
  });

  it('writes CSV and JSON to stdout', async () => {
    const csv = await vigil(['lifecycle', 'report', '--org', 'acme', '--format', 'csv']);
    assert.equal(csv.code, 0, csv.stderr);
    const [header, ...rows] = csv.stdout.trimEnd().split('\r\n');
    assert.equal(header, deprovisioningReportCsvHeader.join(','));
    assert.equal(rows.length, 2);
    assert.match(rows[1] ?? '', /,ada@acme\.test,ada,deprovisioned,admin,/);
    assert.match(rows[1] ?? '', /,operator,cli,cli,.*,24,met$/);

    for (const args of [['--format', 'json'], ['--json']]) {
      const run = await vigil(['lifecycle', 'report', '--org', 'acme', ...args]);
      assert.equal(run.code, 0, run.stderr);
      const report = JSON.parse(run.stdout);
      const { p50DurationSeconds, maxDurationSeconds, ...counts } = report.totals;
      assert.deepEqual(counts, { count: 2, met: 1, missed: 1, pending: 0 });
      // Ada's took the OAuth revocation's milliseconds after the commit; Bob's two days.
      assert.ok(p50DurationSeconds >= 0 && p50DurationSeconds < 60, String(p50DurationSeconds));
      assert.ok(maxDurationSeconds >= 48 * 3600, String(maxDurationSeconds));
      assert.equal(report.items[0].user.email, 'bob@acme.test');
    }
    const past = await vigil([
      'lifecycle',
      'report',
      '--org',
      'acme',
      '--from',
      '2020-01-01',
      '--to',
      '2020-02-01',
      '--json',
    ]);
    assert.equal(JSON.parse(past.stdout).totals.count, 0, 'only the period asked for');
  });

  it('refuses bad usage and bad periods with the option to blame', async () => {
    misused(await vigil(['lifecycle', 'report']), /lifecycle report needs --org SLUG/);
    misused(
      await vigil(['lifecycle', 'report', '--org', 'nope']),
      /--org: there is no organization nope/,
    );
    misused(
      await vigil(['lifecycle', 'report', '--org', 'acme', '--format', 'xml']),
      /--format must be table, csv or json/,
    );
    misused(
      await vigil(['lifecycle', 'report', '--org', 'acme', '--from', 'last week']),
      /--from: not an ISO 8601 date or date-time/,
    );
    misused(
      await vigil([
        'lifecycle',
        'report',
        '--org',
        'acme',
        '--from',
        '2026-02-01',
        '--to',
        '2025-01-01',
      ]),
      /--from: must be before to/,
    );
    misused(
      await vigil(['lifecycle', 'report', '--org', 'acme', '--user', 'x']),
      /lifecycle report does not take --user/,
    );
  });
});
