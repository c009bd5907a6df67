import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { User } from '../src/identity/index.ts';
import {
  type AuditActor,
  fixedClock,
  isAppError,
  operatorActor,
  type Tx,
  withOrg,
  withPlatform,
} from '../src/platform/index.ts';
import type { ScimCall } from '../src/scim/call.ts';
import { createScimGroups, type ScimGroups } from '../src/scim/groups.ts';
import { authServices } from './support/auth.ts';
import { openTestCore, type TestCore } from './support/core.ts';

/** Groups mapped to roles (docs/scim.md#groups-and-roles), through the Groups use cases. */
describe('SCIM groups mapped to roles', () => {
  const clock = fixedClock(new Date('2026-12-04T10:00:00Z'));
  const directory: AuditActor = { type: 'scim_token', id: '01900000-0000-7000-8000-0000000000aa' };
  let core: TestCore;
  let auth: ReturnType<typeof authServices>;
  let groups: ScimGroups;
  let acme: string;
  let globex: string;
  let owner: User;
  let alice: User;
  let bob: User;
  let carol: User;
  let dave: User;

  const inAcme = <T>(fn: (tx: Tx) => Promise<T>) => withOrg(core.database, acme, fn);
  const as = (user: User): AuditActor => ({ type: 'user', id: user.id });
  const refused = (code: string) => (err: unknown) => isAppError(err) && err.code === code;
  const holdings = (user: User) =>
    inAcme(async (tx) =>
      (await auth.rbac.assignmentsPage(tx, acme, { limit: 50, userId: user.id })).items
        .map((a) => `${a.roleKey}:${a.source}`)
        .sort(),
    );
  const pending = (user: User) =>
    inAcme(async (tx) =>
      (await auth.rbac.pendingRequests(tx, acme)).filter((r) => r.user_id === user.id),
    );
  const events = (action: string) =>
    withPlatform(core.database, (tx) =>
      tx
        .selectFrom('audit_events')
        .select(['details', 'target_id', 'outcome', 'actor_type'])
        .where('action', '=', action)
        .orderBy('seq')
        .execute(),
    ).then((rows) => rows.map((r) => ({ ...r, details: JSON.parse(String(r.details)) })));
  /** The directory's calls, as the SCIM routes make them. */
  const call = (): ScimCall => ({
    orgId: acme,
    orgSlug: 'acme',
    actor: directory,
    base: 'https://vigil.test/scim/v2/acme',
  });
  const pushGroup = async (displayName: string, members: User[]) => {
    const body = {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
      displayName,
      members: members.map((m) => ({ value: m.id })),
    };
    return { id: String((await groups.create(call(), body)).resource.id) };
  };
  const patchMembers = async (groupId: string, op: 'add' | 'remove', members: User[]) => {
    const body = {
      schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'],
      Operations: [{ op, path: 'members', value: members.map((m) => ({ value: m.id })) }],
    };
    const { resource } = await groups.patch(call(), groupId, body);
    return (resource.members ?? []) as { value: string }[];
  };
  const map = (groupId: string, roleKeys: unknown, actor: AuditActor = as(owner)) =>
    inAcme((tx) => auth.groupRoles.setGroupRoles(tx, acme, groupId, roleKeys, actor));

  before(async () => {
    core = await openTestCore({ clock });
    auth = authServices(core);
    groups = createScimGroups({
      audit: core.audit.record,
      clock,
      database: core.database,
      syncUsers: auth.groupRoles.syncUsers,
    });
    acme = await core.createOrg('acme');
    globex = await core.createOrg('globex');
    const password = 'Correct-Horse-Battery-9';
    owner = await auth.createUser(acme, 'owner@acme.test', password);
    alice = await auth.createUser(acme, 'alice@acme.test', password);
    bob = await auth.createUser(acme, 'bob@acme.test', password);
    carol = await auth.createUser(acme, 'carol@acme.test', password);
    dave = await auth.createUser(acme, 'dave@acme.test', password);
    await inAcme(async (tx) => {
      await auth.rbac.assign(
        tx,
        { orgId: acme, userId: owner.id, roleKey: 'org-owner', reason: 'founder' },
        null,
        operatorActor,
      );
      for (const user of [carol, dave])
        await auth.rbac.assign(
          tx,
          { orgId: acme, userId: user.id, roleKey: 'org-auditor', reason: 'audit team' },
          null,
          operatorActor,
        );
    });
  });
  after(() => core.close());

  it('gives the members of a mapped group its roles, and takes them back when they leave', async () => {
    const engineering = await pushGroup('Engineering', [alice, bob]);
    assert.deepEqual(await holdings(alice), [], 'no mapping yet, no role');

    const { group, sync } = await map(engineering.id, ['org-auditor', 'member', 'member']);
    assert.deepEqual(group.roleKeys, ['member', 'org-auditor']);
    assert.equal(group.members, 2);
    assert.deepEqual(sync, { assigned: 4, requested: 0, removed: 0, withdrawn: 0, refused: 0 });
    assert.deepEqual(await holdings(alice), ['member:scim', 'org-auditor:scim']);
    assert.deepEqual(await holdings(bob), ['member:scim', 'org-auditor:scim']);
    const [changed] = await events('scim.group.roles_changed');
    assert.deepEqual(changed?.details, {
      displayName: 'Engineering',
      before: [],
      after: ['member', 'org-auditor'],
    });
    const assigned = (await events('role.assigned')).filter((e) => e.target_id === alice.id);
    assert.equal(assigned[0]?.details.reason, 'Member of SCIM group "Engineering"');
    assert.equal(assigned[0]?.details.source, 'scim');

    // The same mapping again changes nothing and records nothing.
    assert.deepEqual((await map(engineering.id, ['member', 'org-auditor'])).sync.assigned, 0);
    assert.equal((await events('scim.group.roles_changed')).length, 1);

    await patchMembers(engineering.id, 'remove', [bob]);
    assert.deepEqual(await holdings(bob), []);
    const removed = (await events('role.unassigned')).filter((e) => e.target_id === bob.id);
    assert.equal(removed.length, 2);
    assert.match(String(removed[0]?.details.reason), /^SCIM: /);
    assert.equal(removed[0]?.actor_type, 'scim_token');

    // A narrower mapping takes back what it no longer maps; the listing shows it.
    await map(engineering.id, ['member']);
    assert.deepEqual(await holdings(alice), ['member:scim']);
    const listed = await inAcme((tx) => auth.groupRoles.listGroups(tx, acme));
    assert.deepEqual(
      listed.map((g) => [g.displayName, g.members, g.roleKeys]),
      [['Engineering', 1, ['member']]],
    );
  });

  it('never touches what an administrator granted', async () => {
    const audit = await pushGroup('Audit', [carol]);
    await map(audit.id, ['org-auditor', 'member']);
    assert.deepEqual(await holdings(carol), ['member:scim', 'org-auditor:admin']);
    await patchMembers(audit.id, 'remove', [carol]);
    assert.deepEqual(await holdings(carol), ['org-auditor:admin']);
    await groups.remove(call(), audit.id);
    assert.deepEqual(await holdings(carol), ['org-auditor:admin']);
  });

  it('turns a role that requires approval into a SCIM access request that names the group', async () => {
    const admins = await pushGroup('IT Admins', [alice, bob]);
    // The operator's mapping does not skip the approval either.
    const { sync } = await map(admins.id, ['org-admin'], operatorActor);
    assert.deepEqual(sync, { assigned: 0, requested: 2, removed: 0, withdrawn: 0, refused: 0 });
    assert.ok(!(await holdings(alice)).some((h) => h.startsWith('org-admin')));
    const [request] = await pending(alice);
    assert.equal(request?.source, 'scim');
    assert.equal(request?.role_key, 'org-admin');
    assert.equal(request?.reason, 'Member of SCIM group "IT Admins"');
    assert.equal(request?.requested_by, null);

    // Another sync neither asks again nor grants.
    await inAcme((tx) => auth.groupRoles.syncUsers(tx, acme, [alice.id, alice.id], directory));
    assert.equal((await pending(alice)).length, 1);

    assert.ok(request);
    const decided = await inAcme((tx) =>
      auth.rbac.decide(
        tx,
        request.id,
        'approved',
        { userId: owner.id, orgId: acme },
        'ok',
        as(owner),
      ),
    );
    assert.deepEqual(decided, { status: 'approved' });
    assert.ok((await holdings(alice)).includes('org-admin:scim'), 'approved: a SCIM assignment');

    // Leaving the group takes the approved role back and withdraws a request still pending.
    await patchMembers(admins.id, 'remove', [alice, bob]);
    assert.ok(!(await holdings(alice)).some((h) => h.startsWith('org-admin')));
    assert.deepEqual(await pending(bob), []);
    const [withdrawn] = await events('access_request.withdrawn');
    assert.equal(withdrawn?.details.userId, bob.id);
    assert.equal(withdrawn?.details.source, 'scim');
  });

  it('records a conflict instead of failing the directory: the membership stands, the role is not granted', async () => {
    await inAcme(async (tx) => {
      await auth.rbac.createRole(
        tx,
        acme,
        {
          key: 'payments',
          name: 'Payments',
          description: 'Releases payments',
          purpose: 'Finance operations',
          permissions: ['users.read'],
          ownerUserId: owner.id,
        },
        null,
        operatorActor,
      );
      await auth.rbac.addConflictRule(
        tx,
        acme,
        { name: 'Auditors do not pay', description: 'SoD', roles: ['org-auditor', 'payments'] },
        operatorActor,
      );
    });
    const finance = await pushGroup('Finance', []);
    await map(finance.id, ['payments']);
    const members = await patchMembers(finance.id, 'add', [dave, alice]);
    assert.deepEqual(members.map((m) => m.value).sort(), [alice.id, dave.id].sort());
    assert.deepEqual(await holdings(dave), ['org-auditor:admin']);
    assert.ok((await holdings(alice)).includes('payments:scim'));
    const [refusal] = await events('scim.group.role_refused');
    assert.equal(refusal?.target_id, dave.id);
    assert.equal(refusal?.outcome, 'denied');
    assert.equal(refusal?.details.role, 'payments');
    assert.deepEqual(refusal?.details.groups, ['Finance']);
    assert.equal(refusal?.details.refusal, 'rbac.conflicting_roles');
    assert.match(String(refusal?.details.reason), /Auditors do not pay/);
  });

  it('holds no SCIM role while suspended; unassignBySource ends only what the directory granted', async () => {
    const support = await pushGroup('Support', [dave]);
    await map(support.id, ['member']);
    assert.deepEqual(await holdings(dave), ['member:scim', 'org-auditor:admin']);
    await inAcme((tx) => auth.identity.setStatus(tx, dave.id, 'suspended', operatorActor, 'admin'));
    const synced = await inAcme((tx) => auth.groupRoles.syncUsers(tx, acme, [dave.id], directory));
    assert.equal(synced.removed, 1);
    assert.deepEqual(await holdings(dave), ['org-auditor:admin']);
    await inAcme((tx) => auth.identity.setStatus(tx, dave.id, 'active', operatorActor, 'admin'));
    await inAcme((tx) => auth.groupRoles.syncUsers(tx, acme, [dave.id], directory));
    assert.deepEqual(await holdings(dave), ['member:scim', 'org-auditor:admin']);

    const ended = await inAcme((tx) =>
      auth.rbac.unassignBySource(tx, dave.id, 'scim', 'user suspended', operatorActor),
    );
    assert.equal(ended, 1);
    assert.deepEqual(await holdings(dave), ['org-auditor:admin']);
  });

  it('refuses an unknown role, a bad list and a group of another organization, changing nothing', async () => {
    const ops = await pushGroup('Ops', [alice]);
    await map(ops.id, ['member']);
    for (const bad of [['no-such-role'], ['platform-admin'], 'member', [''], [42], null]) {
      await assert.rejects(
        map(ops.id, bad),
        refused('scim.group_roles_invalid'),
        JSON.stringify(bad),
      );
    }
    await assert.rejects(
      withOrg(core.database, globex, (tx) =>
        auth.groupRoles.setGroupRoles(tx, globex, ops.id, ['member'], operatorActor),
      ),
      refused('scim.group_not_found'),
    );
    const [listed] = (await inAcme((tx) => auth.groupRoles.listGroups(tx, acme))).filter(
      (g) => g.id === ops.id,
    );
    assert.deepEqual(listed?.roleKeys, ['member']);
    // Clearing the mapping takes the role from the members.
    await patchMembers(ops.id, 'add', [carol]);
    assert.ok((await holdings(carol)).includes('member:scim'));
    const cleared = await map(ops.id, []);
    assert.deepEqual(cleared.group.roleKeys, []);
    assert.ok(!(await holdings(carol)).includes('member:scim'));
  });
  it('keeps a sync going when a concurrent one granted the role first, or an expired grant awaits the sweep', async () => {
    const frank = await auth.createUser(acme, 'frank@acme.test', 'Correct-Horse-Battery-9');
    await inAcme((tx) =>
      auth.identity.setStatus(tx, frank.id, 'suspended', operatorActor, 'admin'),
    );
    const qa = await pushGroup('QA', [frank]);
    await map(qa.id, ['member']);
    assert.deepEqual(await holdings(frank), [], 'suspended: nothing granted');
    await inAcme((tx) => auth.identity.setStatus(tx, frank.id, 'active', operatorActor, 'admin'));
    // Two requests of the directory at once (Entra sends them in parallel), each syncing Frank.
    const syncs = await Promise.all(
      [1, 2].map(() => inAcme((tx) => auth.groupRoles.syncUsers(tx, acme, [frank.id], directory))),
    );
    assert.deepEqual(await holdings(frank), ['member:scim']);
    assert.equal(
      syncs.reduce((n, s) => n + s.assigned, 0),
      1,
    );

    // An administrator's grant that expired but is not swept yet blocks nothing.
    const gina = await auth.createUser(acme, 'gina@acme.test', 'Correct-Horse-Battery-9');
    await inAcme((tx) =>
      auth.rbac.assign(
        tx,
        {
          orgId: acme,
          userId: gina.id,
          roleKey: 'org-auditor',
          reason: 'quarter audit',
          expiresAt: new Date(clock.now().getTime() + 60_000),
        },
        null,
        operatorActor,
      ),
    );
    clock.advance(120_000);
    const audits = await pushGroup('Auditors', [gina]);
    const { sync } = await map(audits.id, ['org-auditor']);
    assert.deepEqual(sync, { assigned: 0, requested: 0, removed: 0, withdrawn: 0, refused: 0 });
    assert.deepEqual(await holdings(gina), ['org-auditor:admin']);
  });
  it('a suspension through the lifecycle ends the SCIM roles and pending requests; a reactivation gives them back', async () => {
    const hal = await auth.createUser(acme, 'hal@acme.test', 'Correct-Horse-Battery-9');
    const ops = await pushGroup('On call', [hal]);
    await map(ops.id, ['member', 'org-admin']);
    assert.deepEqual(await holdings(hal), ['member:scim']);
    assert.equal((await pending(hal)).length, 1);
    await inAcme((tx) =>
      auth.lifecycle.deactivate(tx, hal.id, 'suspended', directory, { source: 'scim' }),
    );
    assert.deepEqual(await holdings(hal), []);
    assert.deepEqual(await pending(hal), []);
    await inAcme((tx) => auth.lifecycle.reactivate(tx, hal.id, directory, 'scim'));
    assert.deepEqual(await holdings(hal), ['member:scim']);
    assert.equal((await pending(hal))[0]?.source, 'scim');
  });
});
