import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { User } from '../src/identity/index.ts';
import {
  type AuditActor,
  fixedClock,
  isAppError,
  operatorActor,
  platformOrgId,
  type Tx,
  withOrg,
  withPlatform,
} from '../src/platform/index.ts';
import { builtInRoles, permissions } from '../src/rbac/index.ts';
import { authServices } from './support/auth.ts';
import { openTestCore, type TestCore } from './support/core.ts';

describe('access control: catalog, roles, assignments, segregation of duties', () => {
  const clock = fixedClock(new Date('2026-11-26T10:00:00Z'));
  let core: TestCore;
  let auth: ReturnType<typeof authServices>;
  let acme: string;
  let globex: string;
  let owner: User;
  let admin: User;
  let bob: User;
  let carol: User;
  let other: User;

  const as = (user: User): AuditActor => ({ type: 'user', id: user.id });
  const me = (user: User) => ({ userId: user.id, orgId: user.orgId });
  const inAcme = <T>(fn: (tx: Tx) => Promise<T>) => withOrg(core.database, acme, fn);
  const refused = (code: string) => (err: unknown) => isAppError(err) && err.code === code;
  const events = (action: string) =>
    withPlatform(core.database, (tx) =>
      tx
        .selectFrom('audit_events')
        .select(['details', 'target_id', 'outcome'])
        .where('action', '=', action)
        .orderBy('occurred_at')
        .execute(),
    );

  before(async () => {
    core = await openTestCore({ clock });
    auth = authServices(core);
    acme = await core.createOrg('acme');
    globex = await core.createOrg('globex');
    const password = 'Correct-Horse-Battery-9';
    owner = await auth.createUser(acme, 'owner@acme.test', password);
    admin = await auth.createUser(acme, 'admin@acme.test', password);
    bob = await auth.createUser(acme, 'bob@acme.test', password);
    carol = await auth.createUser(acme, 'carol@acme.test', password);
    other = await auth.createUser(globex, 'olga@globex.test', password);
    // The first owner comes from the operator (nobody could approve yet), audited as such.
    await inAcme((tx) =>
      auth.rbac.assign(
        tx,
        { orgId: acme, userId: owner.id, roleKey: 'org-owner', reason: 'founder' },
        null,
        operatorActor,
      ),
    );
  });
  after(() => core.close());

  it('documents every permission and built-in role; platform permissions stay with the platform', () => {
    for (const p of permissions) {
      assert.ok(
        p.description.length > 10 && ['low', 'medium', 'high', 'critical'].includes(p.risk),
      );
    }
    for (const role of builtInRoles) {
      assert.ok(role.name && role.description && role.purpose, role.key);
      const platformPerms = role.permissions.filter((p) => p.startsWith('platform.'));
      if (!role.platformOnly) assert.deepEqual(platformPerms, [], role.key);
    }
    assert.equal(
      builtInRoles.find((r) => r.key === 'org-admin')?.permissions.includes('access.approve'),
      false,
    );
  });

  it('creates custom roles with a purpose, refuses platform permissions in an org, versions changes', async () => {
    const input = {
      key: 'support-agent',
      name: 'Support agent',
      description: 'Helps users who are locked out.',
      purpose: 'First-line support needs to unlock accounts without broader admin rights.',
      permissions: ['users.read', 'users.credentials'],
      ownerUserId: owner.id,
    };
    await assert.rejects(
      inAcme((tx) =>
        auth.rbac.createRole(tx, acme, { ...input, purpose: '' }, me(owner), as(owner)),
      ),
      refused('rbac.role_invalid'),
    );
    await assert.rejects(
      inAcme((tx) =>
        auth.rbac.createRole(
          tx,
          acme,
          { ...input, permissions: ['users.read', 'platform.orgs'] },
          me(owner),
          as(owner),
        ),
      ),
      refused('rbac.platform_permission'),
    );
    const role = await inAcme((tx) => auth.rbac.createRole(tx, acme, input, me(owner), as(owner)));
    // users.credentials is high risk: privileged, so MFA and approval by default.
    assert.deepEqual([role.privileged, role.requireMfa, role.requiresApproval], [true, true, true]);
    const updated = await inAcme((tx) =>
      auth.rbac.updateRole(
        tx,
        acme,
        'support-agent',
        { permissions: ['users.read'] },
        me(owner),
        as(owner),
        1,
      ),
    );
    assert.equal(updated.version, 2);
    assert.equal(updated.privileged, true, 'narrowed: the flags stay as they were unless changed');
    await assert.rejects(
      inAcme((tx) =>
        auth.rbac.updateRole(tx, acme, 'support-agent', { name: 'X' }, me(owner), as(owner), 1),
      ),
      refused('rbac.stale'),
    );
    const [change] = await events('role.updated');
    const details = JSON.parse(change?.details ?? '{}') as {
      before: { permissions: string[] };
      after: { permissions: string[] };
    };
    assert.deepEqual(details.before.permissions, ['users.credentials', 'users.read']);
    assert.deepEqual(details.after.permissions, ['users.read']);
  });

  it('needs another approver holding access.approve for a privileged role: self-approval refused', async () => {
    const result = await inAcme((tx) =>
      auth.rbac.requestAccess(
        tx,
        { roleKey: 'org-admin', reason: 'runs IT' },
        me(admin),
        as(admin),
      ),
    );
    assert.equal(result.status, 'pending');
    const requestId = result.status === 'pending' ? result.requestId : '';
    assert.equal(
      await inAcme((tx) => auth.rbac.can(tx, me(admin), 'users.write', acme)),
      false,
      'nothing until approved',
    );
    // The beneficiary (also the requester) cannot approve; nor can someone without access.approve.
    assert.deepEqual(
      await inAcme((tx) => auth.rbac.decide(tx, requestId, 'approved', me(admin), 'ok', as(admin))),
      { status: 'refused', reason: 'the beneficiary cannot approve their own access' },
    );
    assert.deepEqual(
      await inAcme((tx) => auth.rbac.decide(tx, requestId, 'approved', me(bob), 'ok', as(bob))),
      { status: 'refused', reason: 'approving needs the access.approve permission' },
    );
    // Another organization's user does not even see it.
    await assert.rejects(
      withOrg(core.database, globex, (tx) =>
        auth.rbac.decide(tx, requestId, 'approved', me(other), 'ok', as(other)),
      ),
      refused('rbac.request_not_found'),
    );
    await inAcme((tx) =>
      auth.rbac.decide(tx, requestId, 'approved', me(owner), 'agreed', as(owner)),
    );
    assert.equal(await inAcme((tx) => auth.rbac.can(tx, me(admin), 'users.write', acme)), true);
    const refusals = await events('access_request.refused');
    assert.equal(refusals.length, 2);
    const [approved] = await events('access_request.approved');
    assert.equal(approved?.target_id, requestId);
  });

  it('keeps org administrators to their own organization and away from platform permissions', async () => {
    await inAcme(async (tx) => {
      assert.equal(await auth.rbac.can(tx, me(admin), 'users.read', acme), true);
      assert.equal(await auth.rbac.can(tx, me(admin), 'users.read', globex), false);
      assert.equal(await auth.rbac.can(tx, me(owner), 'platform.orgs', acme), false);
      await assert.rejects(
        auth.rbac.authorize(tx, me(admin), 'access.approve', acme),
        refused('rbac.forbidden'),
      );
    });
  });

  it('sends a holder of a role that requires MFA to enrollment at sign-in, before any session', async () => {
    const client = { ip: '192.0.2.7', userAgent: 'test' };
    const password = 'Correct-Horse-Battery-9';
    const held = await auth.signIn.passwordStep({ email: 'admin@acme.test', password }, client);
    assert.deepEqual(held.kind === 'continue' && held.stage, 'enroll');
    const plain = await auth.signIn.passwordStep({ email: 'olga@globex.test', password }, client);
    assert.equal(plain.kind, 'signed_in');
  });

  it('refuses a grant that breaks a conflict rule, and reports violations that exist', async () => {
    // Bob is an auditor before the rule exists: an existing violation once it does.
    await inAcme((tx) =>
      auth.rbac.assign(
        tx,
        { orgId: acme, userId: bob.id, roleKey: 'org-auditor', reason: 'audit' },
        me(owner),
        as(owner),
      ),
    );
    const result = await inAcme((tx) =>
      auth.rbac.assign(
        tx,
        { orgId: acme, userId: bob.id, roleKey: 'org-admin', reason: 'cover' },
        me(admin),
        as(admin),
      ),
    );
    assert.equal(result.status, 'pending');
    const rule = await inAcme((tx) =>
      auth.rbac.addConflictRule(
        tx,
        acme,
        {
          name: 'Auditors do not administer',
          description: 'Whoever audits access must not also grant it.',
          roles: ['org-auditor'],
          permissions: ['roles.assign'],
        },
        as(owner),
      ),
    );
    await assert.rejects(
      inAcme((tx) =>
        auth.rbac
          .assign(
            tx,
            { orgId: acme, userId: carol.id, roleKey: 'org-auditor', reason: 'x' },
            me(owner),
            as(owner),
          )
          .then(() =>
            auth.rbac.assign(
              tx,
              { orgId: acme, userId: carol.id, roleKey: 'org-admin', reason: 'y' },
              me(owner),
              as(owner),
            ),
          ),
      ),
      refused('rbac.conflicting_roles'),
    );
    // The pending request for Bob now breaks the rule too: approval is refused.
    const requestId = result.status === 'pending' ? result.requestId : '';
    await assert.rejects(
      inAcme((tx) => auth.rbac.decide(tx, requestId, 'approved', me(owner), 'ok', as(owner))),
      refused('rbac.conflicting_roles'),
    );
    // Granted behind the rule's back (as before the rule existed): the report names it.
    await inAcme((tx) =>
      tx
        .insertInto('role_assignments')
        .values({
          org_id: acme,
          user_id: bob.id,
          role_key: 'org-admin',
          granted_by: null,
          reason: 'legacy',
          granted_at: clock.now(),
        })
        .execute(),
    );
    const violations = await inAcme((tx) => auth.rbac.violations(tx, acme));
    assert.deepEqual(violations, [{ userId: bob.id, ruleId: rule.id, rule: rule.name }]);
  });

  it('expires assignments and requests, and audits their removal', async () => {
    await inAcme((tx) =>
      auth.rbac.assign(
        tx,
        {
          orgId: acme,
          userId: carol.id,
          roleKey: 'member',
          reason: 'contractor',
          expiresAt: new Date(clock.now().getTime() + 3_600_000),
        },
        me(owner),
        as(owner),
      ),
    );
    const pending = await inAcme((tx) =>
      auth.rbac.assign(
        tx,
        { orgId: acme, userId: carol.id, roleKey: 'org-owner', reason: 'maybe' },
        me(admin),
        as(admin),
      ),
    );
    assert.equal(pending.status, 'pending');
    clock.advance(3_600_000);
    const held = await inAcme((tx) => auth.rbac.rolesOfUser(tx, me(carol)));
    assert.ok(!held.some((r) => r.key === 'member'), 'not counted once expired, swept or not');
    clock.advance(7 * 86_400_000);
    assert.ok((await auth.rbac.sweep()) >= 2);
    const [expired] = await events('role.expired');
    assert.equal(expired?.target_id, carol.id);
    assert.equal((await events('access_request.expired')).length >= 1, true);
    const requestId = pending.status === 'pending' ? pending.requestId : '';
    await assert.rejects(
      inAcme((tx) => auth.rbac.decide(tx, requestId, 'approved', me(owner), 'late', as(owner))),
      refused('rbac.request_closed'),
    );
  });

  it('lets a platform administrator approve in any organization', async () => {
    const root = await auth.createUser(platformOrgId, 'root@vigil.test', 'Correct-Horse-Battery-9');
    await withOrg(core.database, platformOrgId, (tx) =>
      auth.rbac.assign(
        tx,
        { orgId: platformOrgId, userId: root.id, roleKey: 'platform-admin', reason: 'ops' },
        null,
        operatorActor,
      ),
    );
    const result = await inAcme((tx) =>
      auth.rbac.assign(
        tx,
        { orgId: acme, userId: carol.id, roleKey: 'org-owner', reason: 'second owner' },
        me(owner),
        as(owner),
      ),
    );
    const requestId = result.status === 'pending' ? result.requestId : '';
    // The platform administrator works in platform scope, which sees every organization.
    await withPlatform(core.database, (tx) =>
      auth.rbac.decide(tx, requestId, 'approved', me(root), 'ok', as(root)),
    );
    assert.equal(await inAcme((tx) => auth.rbac.can(tx, me(carol), 'access.approve', acme)), true);
  });

  it('deprovisioning removes every role (each removal audited); a suspension keeps them', async () => {
    const leaver = await auth.createUser(acme, 'leaver@acme.test', 'Correct-Horse-Battery-9');
    const away = await auth.createUser(acme, 'away@acme.test', 'Correct-Horse-Battery-9');
    for (const user of [leaver, away])
      for (const roleKey of ['member', 'org-auditor'])
        await inAcme((tx) =>
          auth.rbac.assign(
            tx,
            { orgId: acme, userId: user.id, roleKey, reason: 'joined' },
            null,
            operatorActor,
          ),
        );
    await inAcme((tx) =>
      auth.lifecycle.deactivate(tx, leaver.id, 'deprovisioned', operatorActor, { source: 'admin' }),
    );
    await inAcme((tx) =>
      auth.lifecycle.deactivate(tx, away.id, 'suspended', operatorActor, { source: 'admin' }),
    );
    const held = (user: User) => inAcme((tx) => auth.identity.roleKeysOf(tx, user.id));
    assert.deepEqual(await held(leaver), []);
    assert.deepEqual((await held(away)).sort(), ['member', 'org-auditor']);
    const removed = (await events('role.unassigned'))
      .filter((e) => e.target_id === leaver.id)
      .map((e) => JSON.parse(String(e.details)) as { role: string; reason: string });
    assert.deepEqual(removed.map((d) => [d.role, d.reason]).sort(), [
      ['member', 'deprovisioned'],
      ['org-auditor', 'deprovisioned'],
    ]);
  });

  describe('segregation of duties cannot be bypassed with custom roles', () => {
    const password = 'Correct-Horse-Battery-9';
    /** A new acme user holding `roleKey`, granted by the operator. */
    async function holder(email: string, roleKey: string): Promise<User> {
      const user = await auth.createUser(acme, email, password);
      await inAcme((tx) =>
        auth.rbac.assign(
          tx,
          { orgId: acme, userId: user.id, roleKey, reason: 'test' },
          null,
          operatorActor,
        ),
      );
      return user;
    }
    const role = (key: string, permissionList: string[], extra: object = {}) => ({
      key,
      name: key,
      description: `The ${key} role.`,
      purpose: 'Tests that privilege follows the permissions.',
      permissions: permissionList,
      ownerUserId: owner.id,
      ...extra,
    });

    it('makes a role with a high-risk permission privileged (MFA, approval) whatever its flags say', async () => {
      const low = await inAcme((tx) =>
        auth.rbac.createRole(tx, acme, role('helpdesk', ['users.read']), me(owner), as(owner)),
      );
      assert.deepEqual(
        [low.privileged, low.requireMfa, low.requiresApproval],
        [false, false, false],
      );
      // Widened to reset credentials and assign roles: now privileged, though no flag was sent.
      const widened = await inAcme((tx) =>
        auth.rbac.updateRole(
          tx,
          acme,
          'helpdesk',
          { permissions: ['users.read', 'users.credentials', 'roles.assign'] },
          me(owner),
          as(owner),
          1,
        ),
      );
      assert.deepEqual(
        [widened.privileged, widened.requireMfa, widened.requiresApproval],
        [true, true, true],
      );
      const [change] = (await events('role.updated')).filter((e) => e.target_id === 'helpdesk');
      const { after: audited } = JSON.parse(change?.details ?? '{}') as {
        after: { privileged: boolean; requiresApproval: boolean };
      };
      assert.deepEqual([audited.privileged, audited.requiresApproval], [true, true]);
      // Asking for a high-risk role without approval or MFA is refused, and changes nothing.
      await assert.rejects(
        inAcme((tx) =>
          auth.rbac.createRole(
            tx,
            acme,
            role('approver', ['access.approve'], { requiresApproval: false }),
            me(owner),
            as(owner),
          ),
        ),
        refused('rbac.privilege_required'),
      );
      await assert.rejects(
        inAcme((tx) =>
          auth.rbac.updateRole(
            tx,
            acme,
            'helpdesk',
            { requireMfa: false },
            me(owner),
            as(owner),
            2,
          ),
        ),
        refused('rbac.privilege_required'),
      );
      const roles = await inAcme((tx) => auth.rbac.rolesOf(tx, acme));
      assert.ok(!roles.some((r) => r.key === 'approver'));
      assert.equal(roles.find((r) => r.key === 'helpdesk')?.requireMfa, true);
      // Its holder must use a second factor; assigning it needs someone else's approval.
      const dora = await holder('dora@acme.test', 'member');
      const result = await inAcme((tx) =>
        auth.rbac.assign(
          tx,
          { orgId: acme, userId: dora.id, roleKey: 'helpdesk', reason: 'rota' },
          me(owner),
          as(owner),
        ),
      );
      assert.equal(result.status, 'pending');
    });

    it('treats a role stored with lower flags than its permissions demand as privileged', async () => {
      // As written before the flags followed the permissions.
      await inAcme((tx) =>
        tx
          .insertInto('roles')
          .values({
            org_id: acme,
            key: 'legacy-approver',
            name: 'Legacy approver',
            description: 'Approves access.',
            purpose: 'Stored with requiresApproval false.',
            permissions: ['access.approve'],
            owner_user_id: owner.id,
            privileged: false,
            require_mfa: false,
            requires_approval: false,
            version: 1,
            created_at: clock.now(),
            updated_at: clock.now(),
          })
          .execute(),
      );
      const eli = await holder('eli@acme.test', 'member');
      const result = await inAcme((tx) =>
        auth.rbac.assign(
          tx,
          { orgId: acme, userId: eli.id, roleKey: 'legacy-approver', reason: 'x' },
          me(owner),
          as(owner),
        ),
      );
      assert.equal(result.status, 'pending', 'approval, whatever the row says');
      await inAcme((tx) =>
        tx
          .insertInto('role_assignments')
          .values({
            org_id: acme,
            user_id: eli.id,
            role_key: 'legacy-approver',
            granted_by: null,
            reason: 'legacy',
            granted_at: clock.now(),
          })
          .execute(),
      );
      assert.equal(await inAcme((tx) => auth.rbac.requiresMfa(tx, me(eli))), true);
      // And in the review: the exports mark the holder privileged.
      const held = (await inAcme((tx) => auth.rbac.holdersIn(tx, acme))).get(eli.id);
      assert.equal(held?.find((r) => r.key === 'legacy-approver')?.privileged, true);
    });

    it('lets nobody assign themselves a role, built-in or custom; asking is the way', async () => {
      const founder = await holder('founder@acme.test', 'org-owner');
      for (const roleKey of ['org-auditor', 'member', 'org-admin', 'support-agent']) {
        await assert.rejects(
          inAcme((tx) =>
            auth.rbac.assign(
              tx,
              { orgId: acme, userId: founder.id, roleKey, reason: 'mine' },
              me(founder),
              as(founder),
            ),
          ),
          refused('rbac.self_assignment'),
          roleKey,
        );
      }
      assert.deepEqual(
        (await inAcme((tx) => auth.rbac.rolesOfUser(tx, me(founder)))).map((r) => r.key),
        ['org-owner'],
      );
      const asked = await inAcme((tx) =>
        auth.rbac.requestAccess(
          tx,
          { roleKey: 'support-agent', reason: 'covering support' },
          me(founder),
          as(founder),
        ),
      );
      assert.equal(asked.status, 'pending');
      // An API key acts for the user who made it: it cannot give them a role either.
      const key = { apiKeyId: founder.id, orgId: acme, permissions: ['roles.assign'] };
      await assert.rejects(
        inAcme((tx) =>
          auth.rbac.assign(
            tx,
            { orgId: acme, userId: founder.id, roleKey: 'member', reason: 'mine' },
            { ...key, createdBy: founder.id },
            { type: 'api_key', id: key.apiKeyId },
          ),
        ),
        refused('rbac.self_assignment'),
      );
      // The operator at the CLI is no user acting on themselves.
      await inAcme((tx) =>
        auth.rbac.assign(
          tx,
          { orgId: acme, userId: founder.id, roleKey: 'member', reason: 'joined' },
          null,
          operatorActor,
        ),
      );
    });

    it('refuses a role wider than its author, at creation and when widened', async () => {
      const deputy = await holder('it@acme.test', 'org-admin');
      await assert.rejects(
        inAcme((tx) =>
          auth.rbac.createRole(
            tx,
            acme,
            role('self-approver', ['access.approve']),
            me(deputy),
            as(deputy),
          ),
        ),
        refused('rbac.permission_not_held'),
      );
      await inAcme((tx) =>
        auth.rbac.createRole(
          tx,
          acme,
          role('readers', ['users.read'], { ownerUserId: deputy.id }),
          me(deputy),
          as(deputy),
        ),
      );
      await assert.rejects(
        inAcme((tx) =>
          auth.rbac.updateRole(
            tx,
            acme,
            'readers',
            { permissions: ['users.read', 'access.approve'] },
            me(deputy),
            as(deputy),
            1,
          ),
        ),
        refused('rbac.permission_not_held'),
      );
      // A key is no wider than its own permissions, whatever its creator holds.
      const key = { apiKeyId: deputy.id, orgId: acme, permissions: ['roles.manage', 'users.read'] };
      await assert.rejects(
        inAcme((tx) =>
          auth.rbac.updateRole(
            tx,
            acme,
            'readers',
            { permissions: ['users.read', 'users.write'] },
            { ...key, createdBy: deputy.id },
            { type: 'api_key', id: key.apiKeyId },
            1,
          ),
        ),
        refused('rbac.permission_not_held'),
      );
      // Someone who holds it may; a change that adds nothing needs nothing more.
      await inAcme((tx) =>
        auth.rbac.updateRole(
          tx,
          acme,
          'readers',
          { permissions: ['users.read', 'users.write'] },
          me(deputy),
          as(deputy),
          1,
        ),
      );
      const [created] = (await events('role.created')).filter(
        (e) => e.target_id === 'self-approver',
      );
      assert.equal(created, undefined, 'nothing written for a refusal');
    });

    it("checks the owner is a user of the role's organization", async () => {
      const made = (ownerUserId: string) =>
        inAcme((tx) =>
          auth.rbac.createRole(
            tx,
            acme,
            role('owned', ['users.read'], { ownerUserId }),
            me(owner),
            as(owner),
          ),
        );
      await assert.rejects(made(other.id), refused('rbac.owner_not_found'));
      await assert.rejects(
        made('01900000-0000-7000-8000-000000000000'),
        refused('rbac.owner_not_found'),
        'a made-up id: a problem, not a foreign-key violation',
      );
      await made(bob.id);
      await assert.rejects(
        inAcme((tx) =>
          auth.rbac.updateRole(tx, acme, 'owned', { ownerUserId: other.id }, me(owner), as(owner)),
        ),
        refused('rbac.owner_not_found'),
      );
    });
  });
});
