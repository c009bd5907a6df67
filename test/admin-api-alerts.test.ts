import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { User } from '../src/identity/index.ts';
import { newId, withPlatform } from '../src/platform/index.ts';
import { type OidcWorld, startAdminApiWorld } from './support/admin-api.ts';

type Api = Awaited<ReturnType<typeof startAdminApiWorld>>;
const json = <T = Record<string, unknown>>(res: { text: string }) => JSON.parse(res.text) as T;

interface AlertJson {
  id: string;
  rule: string;
  severity: string;
  status: string;
  assigneeId: string | null;
  acknowledgedBy: string | null;
  resolutionNote: string | null;
  eventCount: number;
}

/** The alert inbox and the rules through the admin API (docs/alerts.md#admin-api). */
describe('admin API: alerts', () => {
  let world: OidcWorld;
  let call: Api['call'];
  let acme: string;
  let owner: User;
  let auditor: User;
  let member: User;
  const tokens: Record<string, string> = {};
  let alert: AlertJson;

  const steps = (action: string) =>
    withPlatform(world.core.database, async (tx) =>
      Number(
        (
          await tx
            .selectFrom('audit_events')
            .select((eb) => eb.fn.countAll<string>().as('n'))
            .where('action', '=', action)
            .executeTakeFirstOrThrow()
        ).n,
      ),
    );

  before(async () => {
    let userWithRole: Api['userWithRole'];
    let tokenFor: Api['tokenFor'];
    ({ world, call, userWithRole, tokenFor } = await startAdminApiWorld({ totp: false }));
    acme = world.orgId;
    owner = await userWithRole(acme, 'owner@acme.test', 'org-owner');
    auditor = await userWithRole(acme, 'auditor@acme.test', 'org-auditor');
    member = await userWithRole(acme, 'member@acme.test', 'member');
    for (const [name, user] of Object.entries({ owner, auditor, member }))
      tokens[name] = await tokenFor(user);
    // The rules start at the log's end; then a reset of someone's second factors (high).
    await world.auth.alerts.engine.runRound();
    await world.core.audit.append({
      orgId: acme,
      action: 'mfa.factors.reset',
      actor: { type: 'user', id: owner.id },
      target: { type: 'user', id: member.id },
      details: { reason: 'lost phone', removed: [] },
    });
    for (let i = 0; i < 100 && !alert; i++) {
      await world.auth.alerts.engine.runRound();
      const res = await call('GET', `/orgs/${acme}/alerts?rule=mfa.reset`, tokens.owner ?? '');
      assert.equal(res.status, 200, res.text);
      const listed = json<{ alerts: AlertJson[] }>(res);
      alert = listed.alerts[0] as AlertJson;
      if (!alert) await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(alert, 'the reset raised an alert');
  });
  after(() => world.close());

  it('lists for alerts.read, refuses those without it, filters and pages', async () => {
    assert.equal((await call('GET', `/orgs/${acme}/alerts`, tokens.member ?? '')).status, 403);
    const res = await call(
      'GET',
      `/orgs/${acme}/alerts?severity=high&limit=1`,
      tokens.auditor ?? '',
    );
    assert.equal(res.status, 200);
    const page = json<{ alerts: AlertJson[]; nextCursor: string | null }>(res);
    assert.equal(page.alerts[0]?.severity, 'high');
    const bad = await call('GET', `/orgs/${acme}/alerts?cursor=nonsense`, tokens.auditor ?? '');
    assert.equal(bad.status, 400);
    assert.equal(json(bad).code, 'alert.bad_cursor');
  });

  it('shows an alert with its audit events', async () => {
    const res = await call('GET', `/orgs/${acme}/alerts/${alert.id}`, tokens.auditor ?? '');
    const body = json<{ alert: AlertJson; events: { action: string }[] }>(res);
    assert.equal(body.alert.id, alert.id);
    assert.deepEqual(
      body.events.map((e) => e.action),
      ['mfa.factors.reset'],
    );
    const missing = await call('GET', `/orgs/${acme}/alerts/${newId()}`, tokens.auditor ?? '');
    assert.equal(missing.status, 404);
  });

  it('acknowledges, assigns and resolves, each audited; alerts.manage only', async () => {
    const path = `/orgs/${acme}/alerts/${alert.id}`;
    assert.equal((await call('POST', `${path}/acknowledge`, tokens.auditor ?? '')).status, 403);
    const acked = json<AlertJson>(await call('POST', `${path}/acknowledge`, tokens.owner ?? ''));
    assert.equal(acked.status, 'acknowledged');
    assert.equal(acked.acknowledgedBy, owner.id);
    assert.equal(await steps('alert.acknowledged'), 1);

    const toMember = await call('POST', `${path}/assign`, tokens.owner ?? '', {
      assigneeId: member.id,
    });
    assert.equal(toMember.status, 400);
    assert.equal(json(toMember).code, 'alert.assignee_invalid');
    const assigned = await call('POST', `${path}/assign`, tokens.owner ?? '', {
      assigneeId: auditor.id,
    });
    assert.equal(json<AlertJson>(assigned).assigneeId, auditor.id);
    assert.equal(await steps('alert.assigned'), 1);

    const noNote = await call('POST', `${path}/resolve`, tokens.owner ?? '', { note: '  ' });
    assert.equal(noNote.status, 400);
    const resolved = json<AlertJson>(
      await call('POST', `${path}/resolve`, tokens.owner ?? '', { note: 'Lost phone, verified.' }),
    );
    assert.equal(resolved.status, 'resolved');
    assert.equal(resolved.resolutionNote, 'Lost phone, verified.');
    assert.equal(await steps('alert.resolved'), 1);

    for (const [step, body] of [
      ['acknowledge', undefined],
      ['assign', { assigneeId: null }],
      ['resolve', { note: 'again' }],
    ] as const) {
      const res = await call('POST', `${path}/${step}`, tokens.owner ?? '', body);
      assert.equal(res.status, 409, step);
      assert.equal(json(res).code, 'alert.resolved');
    }
    const resolvedList = json<{ alerts: AlertJson[] }>(
      await call('GET', `/orgs/${acme}/alerts?status=resolved`, tokens.owner ?? ''),
    );
    assert.deepEqual(
      resolvedList.alerts.map((a) => a.id),
      [alert.id],
    );
  });

  it('shows the rules with their settings; the alerts policy changes with alerts.manage', async () => {
    const rules = async () =>
      json<{
        rules: { key: string; kind: string; thresholds: Record<string, number> }[];
        version: number;
      }>(await call('GET', `/orgs/${acme}/alert-rules`, tokens.auditor ?? ''));
    const before = await rules();
    const account = before.rules.find((r) => r.key === 'signin.failures.account');
    assert.deepEqual(account?.thresholds, { failures: 10, windowMinutes: 10 });
    assert.equal(before.rules.find((r) => r.key === 'certificate.expiring')?.kind, 'check');
    const change = {
      rules: { 'signin.failures.account': { thresholds: { failures: 5 } } },
      emailMinSeverity: 'critical',
    };
    const headers = { 'if-match': `W/"v${before.version}"` };
    const path = `/orgs/${acme}/policies/alerts`;
    assert.equal((await call('PUT', path, tokens.auditor ?? '', change, headers)).status, 403);
    const bad = await call(
      'PUT',
      path,
      tokens.owner ?? '',
      { rules: { 'no.such.rule': {} }, emailMinSeverity: 'high' },
      headers,
    );
    assert.equal(bad.status, 400);
    assert.equal((await call('PUT', path, tokens.owner ?? '', change, headers)).status, 200);
    const after = await rules();
    assert.deepEqual(after.rules.find((r) => r.key === 'signin.failures.account')?.thresholds, {
      failures: 5,
      windowMinutes: 10,
    });
    assert.equal(await steps('policy.alerts.changed'), 1);
  });
});
