import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createSelfSignedCertificate } from '../src/crypto/index.ts';
import { type AuditActor, newId, platformOrgId } from '../src/platform/index.ts';
import { type AlertsWorld, openAlertsWorld } from './support/alerts.ts';

const minute = 60_000;
const admin = (): AuditActor => ({ type: 'user', id: newId(), ip: '198.51.100.7' });

describe('alert rules: each fires on its scenario, not on traffic just below it', () => {
  let w: AlertsWorld;
  let orgId: string;

  before(async () => {
    w = await openAlertsWorld();
    orgId = await w.core.createOrg('rulesco');
    assert.equal((await w.settle()).started, true, 'the first round starts at the end');
  });
  after(() => w.core.close());

  const failed = (userId: string | null, ip: string) =>
    w.append({
      orgId,
      action: 'auth.login.failed',
      outcome: 'failure',
      actor: { type: 'anonymous', ip },
      ...(userId ? { target: { type: 'user', id: userId } } : {}),
      details: { reason: 'bad_password', factor: 'password' },
    });

  it('signin.failures.account: 10 in 10 minutes, one alert for the burst', async () => {
    const userId = newId();
    // 9 failures, then the 10th eleven minutes after the first: never 10 within the window.
    for (let i = 0; i < 9; i++) {
      await failed(userId, `203.0.113.${i}`);
      w.clock.advance(minute);
    }
    w.clock.advance(3 * minute);
    await failed(userId, '203.0.113.50');
    await w.settle();
    assert.equal((await w.alertsOf(orgId, 'signin.failures.account')).length, 0);
    // A burst of 12 within a minute: one alert, every event counted.
    w.clock.advance(30 * minute);
    for (let i = 0; i < 12; i++) await failed(userId, '203.0.113.60');
    await w.settle();
    const [alert, ...more] = await w.alertsOf(orgId, 'signin.failures.account');
    assert.equal(more.length, 0, 'a burst is one alert');
    assert.equal(alert?.event_count, 12);
    assert.equal(alert?.severity, 'medium');
    assert.equal(alert?.details.userId, userId);
  });

  it('signin.failures.address: 30 from one address within 10 minutes', async () => {
    w.clock.advance(60 * minute);
    for (let i = 0; i < 29; i++) await failed(i % 2 ? newId() : null, '192.0.2.99');
    await w.settle();
    assert.equal((await w.alertsOf(orgId, 'signin.failures.address')).length, 0);
    await failed(null, '192.0.2.99');
    await w.settle();
    const [alert] = await w.alertsOf(orgId, 'signin.failures.address');
    assert.equal(alert?.severity, 'high');
    assert.equal(alert?.event_count, 30);
    assert.equal(alert?.details.ip, '192.0.2.99');
  });

  it('signin.lockout, mfa.reset, credential.created: each occurrence', async () => {
    const userId = newId();
    const actor = admin();
    await w.append({
      orgId,
      action: 'auth.account.locked',
      outcome: 'denied',
      actor: { type: 'anonymous', ip: '203.0.113.9' },
      target: { type: 'user', id: userId },
      details: { factor: 'password', failures: 5, permanent: false, lockedUntil: null },
    });
    await w.append({
      orgId,
      action: 'mfa.factors.reset',
      actor,
      target: { type: 'user', id: userId },
      details: { reason: 'lost phone', removed: [{ id: newId(), kind: 'totp', label: 'x' }] },
    });
    await w.append({
      orgId,
      action: 'apikey.created',
      actor,
      target: { type: 'api_key', id: newId() },
      details: { name: 'deploy', permissions: ['users.read'] },
    });
    await w.settle();
    assert.equal((await w.alertsOf(orgId, 'signin.lockout'))[0]?.severity, 'medium');
    assert.equal((await w.alertsOf(orgId, 'mfa.reset'))[0]?.severity, 'high');
    const [credential] = await w.alertsOf(orgId, 'credential.created');
    assert.equal(credential?.severity, 'medium');
    assert.equal(credential?.details.action, 'apikey.created');
  });

  it('role.privileged_granted: a privileged role assigned or requested, not a plain one', async () => {
    const grant = (privileged: boolean, role: string) =>
      w.append({
        orgId,
        action: 'role.assigned',
        actor: admin(),
        target: { type: 'user', id: newId() },
        details: { role, reason: 'x', privileged, approval: 'not required', source: 'admin' },
      });
    const request = (role: string) =>
      w.append({
        orgId,
        action: 'access_request.created',
        actor: admin(),
        target: { type: 'access_request', id: newId() },
        details: { userId: newId(), role, reason: 'x', source: 'admin' },
      });
    await grant(false, 'member');
    await request('member');
    await w.settle();
    assert.equal((await w.alertsOf(orgId, 'role.privileged_granted')).length, 0);
    await grant(true, 'org-admin');
    await request('org-owner');
    await w.settle();
    const alerts = await w.alertsOf(orgId, 'role.privileged_granted');
    assert.deepEqual(alerts.map((a) => a.title).sort(), [
      'Privileged role org-admin granted',
      'Privileged role org-owner requested',
    ]);
  });

  it('access.self_approval: the requester deciding their own request, not other refusals', async () => {
    const refused = (reason: string) =>
      w.append({
        orgId,
        action: 'access_request.refused',
        outcome: 'denied',
        actor: admin(),
        target: { type: 'access_request', id: newId() },
        details: { reason },
      });
    await refused('approving needs the access.approve permission');
    await w.settle();
    assert.equal((await w.alertsOf(orgId, 'access.self_approval')).length, 0);
    await refused('the requester cannot approve their own request');
    await w.settle();
    assert.equal((await w.alertsOf(orgId, 'access.self_approval'))[0]?.severity, 'high');
  });

  it('admin.mass_action: one actor on 20 distinct users in 10 minutes; not the system', async () => {
    w.clock.advance(60 * minute);
    const actor = admin();
    const suspend = (by: AuditActor, userId = newId()) =>
      w.append({
        orgId,
        action: 'user.suspended',
        actor: by,
        target: { type: 'user', id: userId },
      });
    const first = newId();
    for (let i = 0; i < 19; i++) await suspend(actor, i < 3 ? first : undefined);
    for (let i = 0; i < 30; i++) await suspend({ type: 'system', id: 'lifecycle' });
    await w.settle();
    assert.equal((await w.alertsOf(orgId, 'admin.mass_action')).length, 0, '17 distinct users');
    for (let i = 0; i < 3; i++) await suspend(actor);
    await w.settle();
    const [alert] = await w.alertsOf(orgId, 'admin.mass_action');
    assert.equal(alert?.details.usersInWindow, 20);
    assert.equal(alert?.event_count, 22, 'every event of the window it crossed in');
  });

  it('audit.verify_failed: a failed verification, not a clean one', async () => {
    const verified = (ok: boolean) =>
      w.append({
        orgId,
        action: 'audit.verified',
        outcome: ok ? 'success' : 'failure',
        actor: admin(),
        details: { ok, checkedEvents: 10, problems: ok ? [] : [{ kind: 'mac' }] },
      });
    await verified(true);
    await w.settle();
    assert.equal((await w.alertsOf(orgId, 'audit.verify_failed')).length, 0);
    await verified(false);
    await w.settle();
    assert.equal((await w.alertsOf(orgId, 'audit.verify_failed'))[0]?.severity, 'critical');
  });

  it('certificate.expiring: within 30 days of notAfter, in the platform organization', async () => {
    const soon = await createSelfSignedCertificate(['soon.example'], 20);
    const later = await createSelfSignedCertificate(['later.example'], 60);
    const { createAlerts } = await import('../src/alerts/index.ts');
    const alerts = createAlerts({
      database: w.core.database,
      audit: w.core.audit.record,
      clock: { now: () => new Date() },
      logger: w.core.logger,
      publicUrl: 'https://vigil.test',
      rolesOf: w.services.rbac.rolesOf,
      holdersIn: w.services.rbac.holdersIn,
      verification: w.services.auditVerification,
      verifyIntervalHours: 24,
      certificates: async () => [
        { name: 'soon', pem: soon.certPem },
        { name: 'later', pem: later.certPem },
      ],
    });
    const report = await alerts.engine.runRound({ checks: true });
    assert.equal(report.raised, 1);
    const [alert] = await w.alertsOf(platformOrgId, 'certificate.expiring');
    assert.match(alert?.title ?? '', /^Certificate soon expires in 1\d days$/);
    assert.equal(alert?.severity, 'high');
  });
});
