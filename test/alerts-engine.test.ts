import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createAlerts, type EventRule, eventRules } from '../src/alerts/index.ts';
import { newId, operatorActor, platformOrgId, withPlatform } from '../src/platform/index.ts';
import { type AlertsWorld, alertDriver, openAlertsWorld } from './support/alerts.ts';
import { sealEverything } from './support/core.ts';

describe('alert engine', () => {
  let w: AlertsWorld;
  let orgId: string;

  before(async () => {
    w = await openAlertsWorld();
    orgId = await w.core.createOrg('engineco');
  });
  after(() => w.core.close());

  /** Another node's alerting over the same database (its own windows, its own name). */
  const node = (nodeId: string, rules?: EventRule[]) =>
    createAlerts({
      database: w.core.database,
      audit: w.core.audit.record,
      clock: w.clock,
      logger: w.core.logger,
      publicUrl: 'https://vigil.test',
      rolesOf: w.services.rbac.rolesOf,
      holdersIn: w.services.rbac.holdersIn,
      verification: w.services.auditVerification,
      verifyIntervalHours: 24,
      nodeId,
      engine: rules ? { rules } : undefined,
    });
  const failures = async (userId: string, n: number) => {
    for (let i = 0; i < n; i++)
      await w.append({
        orgId,
        action: 'auth.login.failed',
        outcome: 'failure',
        actor: { type: 'anonymous', ip: '203.0.113.1' },
        target: { type: 'user', id: userId },
        details: { reason: 'bad_password' },
      });
  };

  it('starts at the end of the log: no alerts over the history before its first round', async () => {
    await failures(newId(), 15);
    // On PostgreSQL the log's end waits for the oldest transaction on the whole server (another
    // test file's): once these are sealed, the end is past them.
    await sealEverything(w.core);
    const first = await w.settle();
    assert.equal(first.started, true);
    assert.equal(first.raised, 0);
    assert.equal((await w.alertsOf(orgId)).length, 0);
  });

  it('rebuilds the windows when another node takes over', async () => {
    const userId = newId();
    await failures(userId, 6);
    await w.settle();
    assert.equal((await w.alertsOf(orgId, 'signin.failures.account')).length, 0);
    // Node B has never run: it replays the last events into its windows before it goes on.
    const b = node('node-b');
    await failures(userId, 4);
    const report = await alertDriver(w.core, b).settle();
    assert.ok(report.replayed >= 6, `replayed ${report.replayed}`);
    const [alert] = await w.alertsOf(orgId, 'signin.failures.account');
    assert.equal(alert?.event_count, 10, 'the six before the takeover count');
    // And back on node A, which must rebuild too (the cursor names B): one more grows it.
    await failures(userId, 1);
    const back = await w.settle();
    assert.ok(back.replayed >= 10);
    assert.equal((await w.alertsOf(orgId, 'signin.failures.account'))[0]?.event_count, 11);
  });

  it('a rule that throws is skipped for the batch; the others still raise', async () => {
    const broken: EventRule = {
      ...(eventRules.find((r) => r.key === 'signin.lockout') as EventRule),
      key: 'broken',
      async evaluate() {
        throw new Error('broken rule');
      },
    };
    const lockout = eventRules.find((r) => r.key === 'signin.lockout') as EventRule;
    const c = node('node-c', [broken, lockout]);
    await w.append({
      orgId,
      action: 'auth.account.locked',
      outcome: 'denied',
      target: { type: 'user', id: newId() },
      details: { factor: 'password' },
    });
    const report = await alertDriver(w.core, c).settle();
    assert.equal(report.failedRules, 1);
    assert.equal((await w.alertsOf(orgId, 'signin.lockout')).length, 1);
  });

  it('queues mail to the alert managers from high, and each webhook from its own minimum', async () => {
    const manager = await w.services.createUser(orgId, 'sec@engineco.test', 'Correct-Horse-9x!');
    await w.services.rbac.assignIn(
      { orgId, userId: manager.id, roleKey: 'org-admin', reason: 'test' },
      operatorActor,
    );
    const endpointId = newId();
    await withPlatform(w.core.database, (tx) =>
      sql`INSERT INTO webhook_endpoints (id, org_id, name, url, secret_enc, min_severity, enabled,
            created_at, updated_at)
          VALUES (${endpointId}, ${orgId}, 'soc', 'https://soc.example/hook', 'x', 'medium', true,
            now(), now())`.execute(tx),
    );
    const by = { type: 'user' as const, id: newId() };
    await w.append({
      orgId,
      action: 'mfa.factors.reset',
      actor: by,
      target: { type: 'user', id: newId() },
      details: { reason: 'lost phone', removed: [] },
    });
    await w.append({
      orgId,
      action: 'apikey.created',
      actor: by,
      target: { type: 'api_key', id: newId() },
    });
    await w.settle();
    const deliveries = async (rule: string) => {
      const [alert] = await w.alertsOf(orgId, rule);
      return withPlatform(w.core.database, async (tx) => {
        const { rows } = await sql<{ channel: string; recipient: string; payload: string }>`
          SELECT channel, recipient, payload FROM alert_deliveries WHERE alert_id = ${alert?.id}
          ORDER BY channel`.execute(tx);
        return { alert, rows };
      });
    };
    const high = await deliveries('mfa.reset');
    assert.deepEqual(
      high.rows.map((r) => [r.channel, r.recipient]),
      [
        ['email', 'sec@engineco.test'],
        ['webhook', 'https://soc.example/hook'],
      ],
    );
    const mail = JSON.parse(high.rows[0]?.payload ?? '{}');
    assert.match(mail.subject, /high alert/);
    const hook = JSON.parse(high.rows[1]?.payload ?? '{}');
    assert.equal(hook.type, 'alert.raised');
    assert.equal(hook.data.id, high.alert?.id);
    assert.equal(hook.data.rule, 'mfa.reset');
    const medium = await deliveries('credential.created');
    assert.deepEqual(
      medium.rows.map((r) => r.channel),
      ['webhook'],
      'medium is under the mail minimum',
    );
  });

  it('grows an alert without notifying again, unless its severity rose', async () => {
    const userId = newId();
    const reset = () =>
      w.append({
        orgId,
        action: 'mfa.factors.reset',
        actor: { type: 'user', id: newId() },
        target: { type: 'user', id: userId },
        details: { reason: 'lost phone', removed: [] },
      });
    const state = async () => {
      const alert = (await w.alertsOf(orgId, 'mfa.reset')).find((a) => a.details.userId === userId);
      const sent = await withPlatform(w.core.database, async (tx) => {
        const { rows } = await sql<{ n: string }>`
          SELECT count(*)::text AS n FROM alert_deliveries WHERE alert_id = ${alert?.id}`.execute(
          tx,
        );
        return Number(rows[0]?.n);
      });
      return { severity: alert?.severity, count: alert?.event_count, sent };
    };
    await reset();
    await w.settle();
    const raised = await state();
    await reset();
    await w.settle();
    assert.deepEqual(await state(), { ...raised, count: 2 }, 'grown, nothing sent again');
    await withPlatform(w.core.database, (tx) =>
      w.services.alerts.policy.setPolicy(
        tx,
        orgId,
        { rules: { 'mfa.reset': { severity: 'critical' } }, emailMinSeverity: 'high' },
        operatorActor,
      ),
    );
    await reset();
    await w.settle();
    const rose = await state();
    assert.equal(rose.severity, 'critical');
    assert.equal(rose.count, 3);
    assert.equal(rose.sent, raised.sent * 2, 'every recipient told again');
  });

  it('verifies the whole audit log on schedule: when due, once per interval', async () => {
    const schedule = w.services.alerts.verifySchedule;
    const first = await schedule.runIfDue();
    assert.deepEqual(first, { ran: true, ok: true });
    assert.deepEqual(await schedule.runIfDue(), { ran: false }, 'not due again yet');
    w.clock.advance(25 * 3_600_000);
    assert.equal((await schedule.runIfDue()).ran, true);
    const runs = await withPlatform(w.core.database, async (tx) => {
      const { rows } = await sql<{ actor_id: string; org_id: string }>`
        SELECT actor_id, org_id FROM audit_events WHERE action = 'audit.verified'
        AND actor_id = 'audit-verify-schedule'`.execute(tx);
      return rows;
    });
    assert.equal(runs.length, 2);
    assert.ok(runs.every((r) => r.org_id === platformOrgId));
  });
});
