import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { User } from '../src/identity/index.ts';
import { createLifecycle, type DeactivationRequest } from '../src/lifecycle/index.ts';
import { type AuditActor, fixedClock, withOrg } from '../src/platform/index.ts';
import { authServices } from './support/auth.ts';
import { openTestCore, type TestCore } from './support/core.ts';

const hour = 3_600_000;
const refused = (code: string) => (err: unknown) => (err as { code?: string }).code === code;

/**
 * The deprovisioning SLA report (docs/lifecycle.md#sla-report) over real deactivations, on a
 * clock the test moves: met, missed (late, or never completed and past the SLA), pending, the
 * SLA in force when each was asked for, the totals, and the periods it refuses.
 */
describe('deprovisioning SLA report', () => {
  const start = new Date('2026-03-02T09:00:00Z');
  const clock = fixedClock(start);
  let core: TestCore;
  let auth: ReturnType<typeof authServices>;
  let orgId: string;
  let admin: User;
  let adminActor: AuditActor;
  let revocationErrors: unknown[];
  /** The same path, but the OAuth revocation after the commit fails (the provider down). */
  let brokenOAuth: ReturnType<typeof createLifecycle>;

  const leaver = (email: string) => auth.createUser(orgId, email, 'Correct-Horse-Battery-9');
  const deactivate = (
    lifecycle: ReturnType<typeof createLifecycle>,
    user: User,
    request: DeactivationRequest,
    status: 'suspended' | 'deprovisioned' = 'deprovisioned',
  ) =>
    withOrg(core.database, orgId, (tx) =>
      lifecycle.deactivate(tx, user.id, status, adminActor, request),
    );
  const report = (period: { from?: string; to?: string }) =>
    auth.lifecycle.deprovisioningReportOf(orgId, period);

  before(async () => {
    core = await openTestCore({ clock });
    auth = authServices(core);
    orgId = await core.createOrg('acme');
    admin = await auth.createUser(orgId, 'admin@acme.test', 'Correct-Horse-Battery-9');
    adminActor = { type: 'user', id: admin.id };
    revocationErrors = [];
    brokenOAuth = createLifecycle({
      database: core.database,
      clock,
      identity: auth.identity,
      tenancy: auth.tenancy,
      passwords: auth.passwords,
      sessions: auth.sessions,
      devices: auth.lockout.devices,
      apiKeys: auth.apiKeys,
      rbac: auth.rbac,
      revokeOAuth: () => Promise.reject(new Error('provider unavailable')),
      onRevokeError: (err) => revocationErrors.push(err),
      restoreDirectoryRoles: (tx, user, actor) =>
        auth.groupRoles.syncUsers(tx, user.orgId, [user.id], actor),
    });
  });
  after(() => core.close());

  it('measures each leaver against the SLA: met, missed, pending, and pending turning missed', async () => {
    // 09:00 an administrator deprovisions Ann: everything denied at once.
    const ann = await leaver('ann@acme.test');
    await deactivate(auth.lifecycle, ann, { source: 'admin' });
    // 10:00 the schedule catches up on Bob, whose end date was 30 hours ago (the node was down).
    clock.advance(hour);
    const bob = await leaver('bob@acme.test');
    await deactivate(auth.lifecycle, bob, {
      source: 'schedule',
      requestedAt: new Date(clock.now().getTime() - 30 * hour),
    });
    // 11:00 the directory deactivates Cleo, and the OAuth revocation fails after the commit.
    clock.advance(hour);
    const cleo = await leaver('cleo@acme.test');
    await deactivate(brokenOAuth, cleo, { source: 'scim' }, 'suspended');
    assert.equal(revocationErrors.length, 1, 'the failure is reported');

    const period = { from: '2026-03-01', to: '2026-03-03' };
    const first = await report(period);
    assert.deepEqual(
      first.items.map((i) => [i.user.email, i.source, i.status, i.outcome, i.met]),
      [
        ['bob@acme.test', 'schedule', 'deprovisioned', 'missed', false],
        ['ann@acme.test', 'admin', 'deprovisioned', 'met', true],
        ['cleo@acme.test', 'scim', 'suspended', 'pending', null],
      ],
      'oldest request first',
    );
    const [late, met, pending] = first.items;
    assert.ok(late && met && pending);
    assert.equal(met.durationSeconds, 0);
    assert.equal(met.deniedAt.getTime(), start.getTime());
    assert.equal(met.completedAt?.getTime(), start.getTime());
    assert.deepEqual(met.requestedBy, { type: 'user', id: admin.id, name: 'admin' });
    assert.equal(met.slaHours, 24);
    assert.equal(late.durationSeconds, 30 * 3600);
    assert.equal(late.requestedAt.getTime(), start.getTime() + hour - 30 * hour);
    assert.equal(pending.oauthRevokedAt, null);
    assert.equal(pending.completedAt, null);
    assert.equal(pending.durationSeconds, null);
    assert.ok(pending.deniedAt, 'the sessions were denied all the same');
    assert.deepEqual(first.totals, {
      count: 3,
      met: 1,
      missed: 1,
      pending: 1,
      p50DurationSeconds: 0,
      maxDurationSeconds: 30 * 3600,
    });

    // A day later Cleo's OAuth access still stands: pending becomes missed.
    clock.advance(24 * hour + 1000);
    const later = await report(period);
    assert.deepEqual(
      later.items.map((i) => i.outcome),
      ['missed', 'met', 'missed'],
    );
    assert.equal(later.items[2]?.met, false);
    assert.deepEqual([later.totals.met, later.totals.missed, later.totals.pending], [1, 2, 0]);
  });

  it('applies the SLA in force when the deactivation was asked for, and only the period', async () => {
    clock.set(new Date('2026-03-10T08:00:00Z'));
    await withOrg(core.database, orgId, (tx) =>
      auth.lifecyclePolicy.setPolicy(
        tx,
        orgId,
        { dormantDays: null, warnDays: 7, slaHours: 1 },
        adminActor,
      ),
    );
    clock.advance(2 * hour);
    // 10:00. Dan: a review closed at 07:00, before the change: the 24 h SLA, met in 3 h.
    const dan = await leaver('dan@acme.test');
    await deactivate(auth.lifecycle, dan, {
      source: 'review',
      requestedAt: new Date(clock.now().getTime() - 3 * hour),
    });
    // Fay: an end date at 08:30, after the change: 1 h, missed by half an hour.
    const fay = await leaver('fay@acme.test');
    await deactivate(auth.lifecycle, fay, {
      source: 'schedule',
      requestedAt: new Date(clock.now().getTime() - 1.5 * hour),
    });
    // Eve: dormant, now: 1 h, met.
    const eve = await leaver('eve@acme.test');
    await deactivate(auth.lifecycle, eve, { source: 'dormant' }, 'suspended');

    const march10 = await report({ from: '2026-03-10', to: '2026-03-11' });
    assert.deepEqual(
      march10.items.map((i) => [i.user.email, i.slaHours, i.outcome]),
      [
        ['dan@acme.test', 24, 'met'],
        ['fay@acme.test', 1, 'missed'],
        ['eve@acme.test', 1, 'met'],
      ],
    );
    assert.equal(march10.totals.count, 3, 'the leavers of March 2 are outside the period');
    assert.equal(march10.totals.p50DurationSeconds, 1.5 * 3600);
    assert.equal(march10.totals.maxDurationSeconds, 3 * 3600);
  });

  it('refuses periods that are not a pair of ISO dates, reversed, empty or longer than 366 days', async () => {
    const bad: [{ from?: string; to?: string }, string][] = [
      [{ from: 'yesterday', to: '2026-03-03' }, 'from: not an ISO 8601 date or date-time'],
      [{ from: '2026-02-30', to: '2026-03-03' }, 'from: not an ISO 8601 date or date-time'],
      [{ from: '2026-03-01', to: '03/04/2026' }, 'to: not an ISO 8601 date or date-time'],
      [{ from: '2026-03-03', to: '2026-03-01' }, 'from: must be before to'],
      [{ from: '2026-03-01T00:00:00Z', to: '2026-03-01T00:00:00Z' }, 'from: must be before to'],
      [{ from: '2025-01-01', to: '2026-01-03' }, 'to: at most 366 days after from'],
    ];
    for (const [period, message] of bad) {
      await assert.rejects(report(period), (err: unknown) => {
        assert.ok(refused('lifecycle.report_range_invalid')(err), String(err));
        assert.equal((err as Error).message, message);
        return true;
      });
    }
    // A leap year's 366 days, and a date-time with an offset, are fine.
    const leap = await report({ from: '2028-01-01', to: '2029-01-01' });
    assert.equal(leap.items.length, 0);
    const offset = await report({ from: '2026-03-02T10:00:00+01:00', to: '2026-03-02T11:00:00Z' });
    // 09:00Z to 11:00Z: Ann at 09:00, not Cleo at 11:00 (the end is excluded).
    assert.deepEqual(
      offset.items.map((i) => i.user.email),
      ['ann@acme.test'],
    );
  });
});
