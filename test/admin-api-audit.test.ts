import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { platformOrgId } from '../src/platform/index.ts';
import { type OidcWorld, startAdminApiWorld } from './support/admin-api.ts';
import { asOwner } from './support/database.ts';

type Api = Awaited<ReturnType<typeof startAdminApiWorld>>;

interface Event {
  id: string;
  action: string;
  outcome: string;
  actor: { id: string | null };
}

interface Run {
  ok: boolean;
  ranAt: string;
  checkedEvents: number;
  sealBlocks: number;
  lastSealedAt: string | null;
  problems: { kind: string; eventId: string | null; block: string | null; message: string }[];
  otherProblems: number;
}

const json = <T>(res: { status: number; text: string }, status = 200) => {
  assert.equal(res.status, status, res.text);
  return JSON.parse(res.text) as T;
};

describe('admin API: the audit log for the console (filters, action catalog, verification)', () => {
  let world: OidcWorld;
  let call: Api['call'];
  let acme: string;
  let auditor: string;
  let auditorId: string;

  before(async () => {
    let userWithRole: Api['userWithRole'];
    let tokenFor: Api['tokenFor'];
    ({ world, call, userWithRole, tokenFor } = await startAdminApiWorld());
    acme = world.orgId;
    const user = await userWithRole(acme, 'auditor@acme.test', 'org-auditor');
    auditorId = user.id;
    auditor = await tokenFor(user);
  });
  after(() => world.close());

  const events = async (query: string) =>
    json<{ items: Event[] }>(await call('GET', `/orgs/${acme}/audit-events?${query}`, auditor))
      .items;

  it('filters events by outcome (with an action too) and lists every action with its meaning', async () => {
    // An auditor may not create users: the refusal is audited with outcome `denied`.
    const refused = await call('POST', `/orgs/${acme}/users`, auditor, { email: 'x@acme.test' });
    assert.equal(refused.status, 403, refused.text);

    const denied = await events('outcome=denied');
    assert.ok(denied.length > 0);
    assert.ok(denied.every((e) => e.outcome === 'denied'));
    assert.ok(denied.some((e) => e.action === 'api.request.denied' && e.actor.id === auditorId));
    assert.ok((await events('outcome=success')).every((e) => e.outcome === 'success'));
    assert.deepEqual(await events('outcome=success&action=api.request.denied'), []);
    const bad = json<{ code: string; errors: { field: string }[] }>(
      await call('GET', `/orgs/${acme}/audit-events?outcome=maybe`, auditor),
      400,
    );
    assert.equal(bad.code, 'api.invalid_query');

    const catalog = json<{ items: { action: string; description: string }[] }>(
      await call('GET', `/orgs/${acme}/audit-actions`, auditor),
    ).items;
    const verified = catalog.find((a) => a.action === 'audit.verified');
    assert.match(verified?.description ?? '', /checked for tampering/);
    assert.ok(catalog.some((a) => a.action === 'user.created'));
  });

  it('verifies on demand, records the run, and answers the latest run with its time', async () => {
    const path = `/orgs/${acme}/audit-verification`;
    assert.deepEqual(json(await call('GET', path, auditor)), { lastRun: null });

    const run = json<Run>(await call('POST', path, auditor));
    assert.equal(run.ok, true);
    assert.ok(run.checkedEvents > 0);
    assert.ok(run.sealBlocks > 0);
    assert.ok(run.lastSealedAt);
    assert.deepEqual(run.problems, []);
    assert.ok(Math.abs(Date.parse(run.ranAt) - Date.now()) < 60_000);
    assert.deepEqual(json(await call('GET', path, auditor)), { lastRun: run });

    const [recorded] = await events('action=audit.verified');
    assert.equal(recorded?.outcome, 'success');
    assert.equal(recorded?.actor.id, auditorId);
  });

  it("names tampering with the organization's own events, and only counts other organizations'", async () => {
    const owner = (q: string, params: unknown[] = []) => asOwner(world.core.database, q, params);
    const eventOf = async (orgId: string) => {
      const [row] = await asOwner<{ id: string }>(
        world.core.database,
        'SELECT id FROM audit_events WHERE org_id = $1 ORDER BY tx, seq LIMIT 1',
        [orgId],
      );
      return String(row?.id);
    };
    const ours = await eventOf(acme);
    const theirs = await eventOf(platformOrgId);
    await owner('ALTER TABLE audit_events DISABLE TRIGGER audit_events_no_update');
    await owner(`UPDATE audit_events SET details = '{"forged":true}' WHERE id = ANY($1)`, [
      [ours, theirs],
    ]);
    await owner('ALTER TABLE audit_events ENABLE TRIGGER audit_events_no_update');

    const run = json<Run>(await call('POST', `/orgs/${acme}/audit-verification`, auditor));
    assert.equal(run.ok, false);
    assert.deepEqual(
      run.problems.map((p) => [p.kind, p.eventId]),
      [['altered', ours]],
    );
    assert.equal(run.otherProblems, 1);
    assert.ok(!JSON.stringify(run).includes(theirs));
    const [recorded] = await events('action=audit.verified');
    assert.equal(recorded?.outcome, 'failure');
  });
});
