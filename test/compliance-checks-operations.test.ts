import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { allRules } from '../src/alerts/index.ts';
import { complianceSources } from '../src/app/compliance-sources.ts';
import { createServices } from '../src/app/services.ts';
import { type CheckSources, controlById } from '../src/compliance/index.ts';
import type { User } from '../src/identity/index.ts';
import { fixedClock, newId, operatorActor, type Tx, withOrg } from '../src/platform/index.ts';
import { openTestCore, type TestCore } from './support/core.ts';
import { asOwner } from './support/database.ts';

const hour = 3_600_000;
const day = 24 * hour;

/**
 * The live checks of the organization-scope operations controls (docs/compliance.md#audit-monitoring-and-platform-controls):
 * audit coverage, audit retention and alerting, each against an organization seeded to break it
 * (with every exception it must name) and against one left as Vigil sets it up.
 */
describe('compliance checks: audit coverage, retention and alerting', () => {
  // Now, so that the events written land in the current month's partition.
  const clock = fixedClock(new Date(Math.floor(Date.now() / 1000) * 1000));
  let core: TestCore;
  let services: ReturnType<typeof createServices>;
  let tidy: string;

  function check(
    controlId: string,
    orgId: string,
    options: { now?: Date; sources?: Partial<CheckSources> } = {},
  ) {
    const control = controlById.get(controlId);
    assert.ok(control, `${controlId} is in the catalog`);
    assert.equal(control.scope, 'org');
    const sources = { ...complianceSources(core, services), ...options.sources };
    const now = options.now ?? clock.now();
    return withOrg(core.database, orgId, (tx) => control.check({ tx, orgId, now, sources }));
  }

  const inOrg = <T>(orgId: string, fn: (tx: Tx) => Promise<T>) => withOrg(core.database, orgId, fn);

  async function createUser(orgId: string, email: string, roleKey?: string): Promise<User> {
    return inOrg(orgId, async (tx) => {
      const user = await services.identity.createUser(
        tx,
        orgId,
        { email, displayName: email.split('@')[0] ?? email },
        operatorActor,
      );
      if (roleKey)
        await services.rbac.assign(
          tx,
          { orgId, userId: user.id, roleKey, reason: 'runs the place' },
          null,
          operatorActor,
        );
      return user;
    });
  }

  /** A sign-in's session and a policy change, both made by the app (so both audited). */
  async function auditedActivity(orgId: string, user: User) {
    await inOrg(orgId, async (tx) => {
      await services.sessions.create(tx, { user, amr: ['pwd'], acr: '1' }, operatorActor);
      await services.auditRetention.change(tx, orgId, { retentionDays: 500 }, operatorActor);
    });
  }

  before(async () => {
    core = await openTestCore({ clock, env: { VIGIL_OUTBOUND_ALLOW: '127.0.0.1' } });
    services = createServices(core);
    tidy = await core.createOrg('tidy');
    const owner = await createUser(tidy, 'olga@tidy.test', 'org-owner');
    await auditedActivity(tidy, owner);
  });

  after(async () => {
    await core?.close();
  });

  describe('audit-coverage', () => {
    it('passes when every recent session and policy version has its event', async () => {
      const outcome = await check('audit-coverage', tidy);
      assert.equal(outcome.status, 'pass', JSON.stringify(outcome.exceptions));
      assert.deepEqual(outcome.exceptions, []);
    });

    it('names each session without its sign-in event and each policy version without its change event', async () => {
      const org = await core.createOrg('gaps');
      const user = await createUser(org, 'gus@gaps.test');
      await auditedActivity(org, user);
      const now = clock.now();
      const insertSession = (id: string, at: Date) =>
        asOwner(
          core.database,
          `INSERT INTO sessions (id, org_id, user_id, secret_hash, amr, acr, created_at, last_seen_at,
             idle_expires_at, absolute_expires_at)
           VALUES ($1, $2, $3, $4, ARRAY['pwd'], '1', $5, $5, $6, $6)`,
          [id, org, user.id, Buffer.alloc(32, 1), at, new Date(at.getTime() + day)],
        );
      // Written behind the app's back: no audit event.
      const silent = newId(now.getTime() - 2 * day);
      await insertSession(silent, new Date(now.getTime() - 2 * day));
      // Older than the 30 days looked at: not listed.
      await insertSession(newId(now.getTime() - 40 * day), new Date(now.getTime() - 40 * day));
      await asOwner(
        core.database,
        `INSERT INTO security_policies (org_id, kind, version, settings, changed_by, changed_at)
         VALUES ($1, 'retention', 2, $2, NULL, $3)`,
        [org, JSON.stringify({ retentionDays: 365, legalHold: false, legalHoldReason: null }), now],
      );

      const outcome = await check('audit-coverage', org);
      assert.equal(outcome.status, 'fail');
      assert.deepEqual(outcome.exceptions, [
        {
          message: `session ${silent} of user ${user.id}, started ${new Date(now.getTime() - 2 * day).toISOString()}, has no sign-in event (session.created)`,
          subject: { type: 'session', id: silent },
        },
        {
          message: `retention policy version 2, made ${now.toISOString()}, has no policy.retention.changed event`,
          subject: { type: 'retention_policy', id: `${org}:2` },
        },
      ]);
      assert.equal(outcome.summary, '2 changes of the last 30 days missing from the audit log');
    });
  });

  describe('audit-retention', () => {
    it('passes on a fresh installation: a year kept, 90 days hot, nothing old yet', async () => {
      const outcome = await check('audit-retention', tidy);
      assert.equal(outcome.status, 'pass', JSON.stringify(outcome.exceptions));
      assert.match(outcome.summary, /kept 500 days, 90 in the database/);
    });

    it('names a short hot period and each month past it that is not archived', async () => {
      const base = complianceSources(core, services);
      const month = clock.now().toISOString().slice(0, 7);
      // Seven months on, the current month is long past the hot period.
      const later = new Date(clock.now().getTime() + 210 * day);
      const outcome = await check('audit-retention', tidy, {
        now: later,
        sources: { config: { ...base.config, VIGIL_AUDIT_HOT_DAYS: 60 } },
      });
      assert.equal(outcome.status, 'fail');
      assert.deepEqual(outcome.exceptions, [
        {
          message:
            'VIGIL_AUDIT_HOT_DAYS is 60: fewer than 90 days of audit events stay in the database',
        },
        {
          message: `audit month ${month} is past the 60 days kept in the database and not archived`,
          subject: { type: 'audit_month', id: month },
        },
      ]);
      // Once the archive holds the month, only the configuration remains wrong.
      const archived = await check('audit-retention', tidy, {
        now: later,
        sources: {
          operations: { ...base.operations, archivedAuditMonths: async () => new Set([month]) },
        },
      });
      assert.equal(archived.status, 'pass', JSON.stringify(archived.exceptions));
    });

    it('does not count a month still inside the hot period (plus a day for the archive round)', async () => {
      const monthEnd = new Date(
        Date.UTC(clock.now().getUTCFullYear(), clock.now().getUTCMonth() + 1, 1),
      );
      const outcome = await check('audit-retention', tidy, {
        now: new Date(monthEnd.getTime() + 90 * day + 12 * hour),
      });
      assert.equal(outcome.status, 'pass', JSON.stringify(outcome.exceptions));
    });
  });

  describe('alerting', () => {
    it('passes with the rules on, an alert manager, and no alert left waiting', async () => {
      const outcome = await check('alerting', tidy);
      assert.equal(outcome.status, 'pass', JSON.stringify(outcome.exceptions));
      assert.match(outcome.summary, /1 alert manager and 0 webhook endpoints/);
    });

    it('names rules turned off or lowered, the missing recipient, and each alert left waiting', async () => {
      const org = await core.createOrg('noisy');
      const highRules = allRules().filter((r) => ['high', 'critical'].includes(r.defaultSeverity));
      const [off, lowered] = highRules;
      assert.ok(off && lowered);
      const medium = allRules().find((r) => r.defaultSeverity === 'medium');
      assert.ok(medium);
      await inOrg(org, async (tx) => {
        await services.alerts.policy.setPolicy(
          tx,
          org,
          {
            rules: {
              [off.key]: { enabled: false },
              [lowered.key]: { severity: 'low' },
              // A medium rule off is not this control's business.
              [medium.key]: { enabled: false },
            },
            emailMinSeverity: 'high',
          },
          operatorActor,
        );
        // Mail for critical only, and a webhook endpoint turned off: no one gets high alerts.
        await services.webhooks.create(
          tx,
          org,
          { name: 'pager', url: 'https://127.0.0.1:9/vigil', minSeverity: 'high' },
          operatorActor,
        );
      });
      await createUser(org, 'ada@noisy.test', 'org-admin');
      await inOrg(org, async (tx) => {
        const [hook] = await services.webhooks.list(tx, org);
        assert.ok(hook);
        await services.webhooks.update(tx, org, hook.id, { enabled: false }, operatorActor);
        const policy = await services.alerts.policy.policy(tx, org);
        await services.alerts.policy.setPolicy(
          tx,
          org,
          { ...policy.policy, emailMinSeverity: 'critical' },
          operatorActor,
        );
      });
      const now = clock.now();
      const ago = (ms: number) => new Date(now.getTime() - ms);
      const alert = (
        title: string,
        severity: string,
        createdAt: Date,
        acknowledgedAt: Date | null,
      ) => {
        const id = newId(createdAt.getTime());
        return asOwner(
          core.database,
          `INSERT INTO alerts (id, org_id, rule, severity, dedup_key, title, details, event_count,
             event_ids, first_seen_at, last_seen_at, status, acknowledged_at, created_at)
           VALUES ($1::uuid, $2, 'signin.failures.address', $3, $1::text, $4, '{}', 1, '{}', $5, $5, $6, $7, $5)`,
          [
            id,
            org,
            severity,
            title,
            createdAt,
            acknowledgedAt ? 'acknowledged' : 'open',
            acknowledgedAt,
          ],
        ).then(() => id);
      };
      const openAt = ago(30 * hour);
      const lateAt = ago(5 * day);
      const ancientAt = ago(60 * day);
      const open = await alert('Burst from 203.0.113.9', 'critical', openAt, null);
      const late = await alert('Burst from 198.51.100.4', 'high', lateAt, ago(2 * day));
      const ancient = await alert('Burst from 192.0.2.1', 'high', ancientAt, null);
      await alert('Handled in time', 'high', ago(3 * day), ago(3 * day - 2 * hour));
      await alert('Low and slow', 'low', ago(5 * day), null);
      // Acknowledged late, but before the 30 days looked at.
      await alert('Long ago', 'high', ago(50 * day), ago(45 * day));
      const minute = (at: Date) => `${at.toISOString().slice(0, 16)}Z`;

      const outcome = await check('alerting', org);
      assert.equal(outcome.status, 'fail');
      assert.deepEqual(outcome.exceptions, [
        {
          message: `alert rule ${off.key} (${off.defaultSeverity}) is turned off`,
          subject: { type: 'alert_rule', id: off.key },
        },
        {
          message: `alert rule ${lowered.key} is lowered from ${lowered.defaultSeverity} to low`,
          subject: { type: 'alert_rule', id: lowered.key },
        },
        {
          message:
            'nobody receives high alerts: mail goes out from critical only and no enabled webhook endpoint takes them',
        },
        {
          message: `high alert "Burst from 192.0.2.1" (signin.failures.address) raised ${minute(ancientAt)} is still unacknowledged, after more than 24 hours`,
          subject: { type: 'alert', id: ancient },
        },
        {
          message: `high alert "Burst from 198.51.100.4" (signin.failures.address) raised ${minute(lateAt)} was acknowledged only ${minute(ago(2 * day))}, after more than 24 hours`,
          subject: { type: 'alert', id: late },
        },
        {
          message: `critical alert "Burst from 203.0.113.9" (signin.failures.address) raised ${minute(openAt)} is still unacknowledged, after more than 24 hours`,
          subject: { type: 'alert', id: open },
        },
      ]);
    });

    it('says so when no one holds alerts.manage and there is no endpoint', async () => {
      const org = await core.createOrg('quiet');
      await createUser(org, 'mo@quiet.test', 'member');
      const outcome = await check('alerting', org);
      assert.equal(outcome.status, 'fail');
      assert.deepEqual(outcome.exceptions, [
        {
          message:
            'nobody receives high alerts: no one holds alerts.manage and no enabled webhook endpoint takes them',
        },
      ]);
    });
  });
});
