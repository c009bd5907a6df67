import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { User } from '../src/identity/index.ts';
import { platformOrgId, withOrg, withPlatform } from '../src/platform/index.ts';
import { type OidcWorld, startAdminApiWorld } from './support/admin-api.ts';

type Api = Awaited<ReturnType<typeof startAdminApiWorld>>;

const json = <T = Record<string, unknown>>(res: { text: string }) => JSON.parse(res.text) as T;

/**
 * Segregation of duties through the admin API (docs/access-control.md): privilege follows the
 * permissions, nobody assigns themselves a role, a role is no wider than its author, and the
 * owner of a role is one of its organization's users. As an organization administrator and
 * through API keys.
 */
describe('admin REST API: segregation of duties', () => {
  let world: OidcWorld;
  let call: Api['call'];
  let userWithRole: Api['userWithRole'];
  let tokenFor: Api['tokenFor'];
  let acme: string;
  let globex: string;
  let admin: User;
  let adminToken: string;
  let owner: User;
  let member: User;

  /** A key of acme made by `creator` (through the service: the API would need their token). */
  async function keyOf(creator: User, permissions: string[]): Promise<string> {
    const { token } = await withOrg(world.core.database, acme, (tx) =>
      world.auth.apiKeys.create(
        tx,
        acme,
        { name: `key of ${creator.email}`, permissions },
        { userId: creator.id, orgId: acme },
        { type: 'user', id: creator.id },
      ),
    );
    return token;
  }

  const roleBody = (key: string, permissions: string[], extra: object = {}) => ({
    key,
    name: key,
    description: `The ${key} role.`,
    purpose: 'Tests segregation of duties.',
    permissions,
    ...extra,
  });

  const rolesOfUser = (user: User) =>
    withOrg(world.core.database, acme, (tx) => world.auth.identity.roleKeysOf(tx, user.id));

  before(async () => {
    ({ world, call, userWithRole, tokenFor } = await startAdminApiWorld());
    acme = world.orgId;
    globex = await world.core.createOrg('globex');
    admin = await userWithRole(acme, 'admin@acme.test', 'org-admin');
    owner = await userWithRole(acme, 'owner@acme.test', 'org-owner');
    member = await userWithRole(acme, 'member@acme.test', 'member');
    adminToken = await tokenFor(admin);
  });
  after(() => world.close());

  it('refuses an org admin a role holding access.approve, with or without approval', async () => {
    for (const extra of [{ requiresApproval: false }, {}]) {
      const res = await call(
        'POST',
        `/orgs/${acme}/roles`,
        adminToken,
        roleBody('approvers', ['access.approve'], extra),
      );
      assert.equal(res.status, 403, res.text);
      assert.equal(json(res).code, 'rbac.permission_not_held');
    }
    assert.equal((await call('GET', `/orgs/${acme}/roles/approvers`, adminToken)).status, 404);
    // The owner holds access.approve, but not approval-free: a high-risk role needs it.
    const ownerToken = await tokenFor(owner);
    const lowered = await call(
      'POST',
      `/orgs/${acme}/roles`,
      ownerToken,
      roleBody('approvers', ['access.approve'], { requiresApproval: false }),
    );
    assert.equal(lowered.status, 400, lowered.text);
    assert.equal(json(lowered).code, 'rbac.privilege_required');
  });

  it('makes a widened custom role privileged; its author cannot assign it to themselves', async () => {
    const created = await call(
      'POST',
      `/orgs/${acme}/roles`,
      adminToken,
      roleBody('desk', ['users.read']),
    );
    assert.equal(created.status, 201, created.text);
    assert.equal(json(created).privileged, false);
    const widened = await call(
      'PATCH',
      `/orgs/${acme}/roles/desk`,
      adminToken,
      { permissions: ['users.read', 'users.credentials', 'roles.assign'] },
      { 'if-match': String(created.headers.etag) },
    );
    assert.equal(widened.status, 200, widened.text);
    const flags = json<{ privileged: boolean; requireMfa: boolean; requiresApproval: boolean }>(
      widened,
    );
    assert.deepEqual(
      [flags.privileged, flags.requireMfa, flags.requiresApproval],
      [true, true, true],
    );
    const mine = await call('POST', `/orgs/${acme}/assignments`, adminToken, {
      userId: admin.id,
      roleKey: 'desk',
      reason: 'I need it',
    });
    assert.equal(mine.status, 403, mine.text);
    assert.equal(json(mine).code, 'rbac.self_assignment');
    // For someone else: a request, which another person approves.
    const theirs = await call('POST', `/orgs/${acme}/assignments`, adminToken, {
      userId: member.id,
      roleKey: 'desk',
      reason: 'joins the help desk',
    });
    assert.equal(theirs.status, 202, theirs.text);
    assert.deepEqual(await rolesOfUser(member), ['member']);
  });

  it('lets nobody assign themselves a built-in role, nor through their API key', async () => {
    for (const roleKey of ['org-auditor', 'member', 'org-owner']) {
      const res = await call('POST', `/orgs/${acme}/assignments`, adminToken, {
        userId: admin.id,
        roleKey,
        reason: 'mine',
      });
      assert.equal(res.status, 403, `${roleKey}: ${res.text}`);
      assert.equal(json(res).code, 'rbac.self_assignment');
    }
    const key = await keyOf(admin, ['roles.assign', 'roles.manage', 'users.read']);
    const viaKey = await call('POST', `/orgs/${acme}/assignments`, key, {
      userId: admin.id,
      roleKey: 'org-auditor',
      reason: 'through my key',
    });
    assert.equal(viaKey.status, 403, viaKey.text);
    assert.equal(json(viaKey).code, 'rbac.self_assignment');
    assert.deepEqual(await rolesOfUser(admin), ['org-admin']);
    // Asking is the way: a request someone else approves.
    const asked = await call('POST', `/orgs/${acme}/access-requests`, adminToken, {
      roleKey: 'org-auditor',
      reason: 'helping with the audit',
    });
    assert.equal(asked.status, 202, asked.text);
  });

  it('keeps a key to its own permissions for roles, and its creator from approving its requests', async () => {
    const key = await keyOf(admin, ['roles.manage', 'users.read']);
    const wider = await call(
      'POST',
      `/orgs/${acme}/roles`,
      key,
      roleBody('resetters', ['users.credentials'], { ownerUserId: admin.id }),
    );
    assert.equal(wider.status, 403, wider.text);
    assert.equal(json(wider).code, 'rbac.permission_not_held');
    const ownersKey = await keyOf(owner, ['roles.assign']);
    const asked = await call('POST', `/orgs/${acme}/assignments`, ownersKey, {
      userId: member.id,
      roleKey: 'org-admin',
      reason: 'covers for the admin',
    });
    assert.equal(asked.status, 202, asked.text);
    const { requestId } = json<{ requestId: string }>(asked);
    const approved = await call(
      'POST',
      `/orgs/${acme}/access-requests/${requestId}/approve`,
      await tokenFor(owner),
      { note: 'my own key asked' },
    );
    assert.equal(approved.status, 403, approved.text);
    assert.equal(json(approved).reason, 'the requester cannot approve their own request');
  });

  it("checks the owner of a role is a user of the role's organization (a 400, never a 500)", async () => {
    const outsider = await userWithRole(globex, 'olga@globex.test', 'member');
    for (const ownerUserId of [outsider.id, '01900000-0000-7000-8000-000000000000']) {
      const res = await call(
        'POST',
        `/orgs/${acme}/roles`,
        adminToken,
        roleBody('owned', ['users.read'], { ownerUserId }),
      );
      assert.equal(res.status, 400, res.text);
      assert.equal(json(res).code, 'rbac.owner_not_found');
    }
    const created = await call(
      'POST',
      `/orgs/${acme}/roles`,
      adminToken,
      roleBody('owned', ['users.read'], { ownerUserId: member.id }),
    );
    assert.equal(created.status, 201, created.text);
    const moved = await call(
      'PATCH',
      `/orgs/${acme}/roles/owned`,
      adminToken,
      { ownerUserId: outsider.id },
      { 'if-match': 'W/"v1"' },
    );
    assert.equal(moved.status, 400, moved.text);
    assert.equal(json(moved).code, 'rbac.owner_not_found');
    // A platform administrator names an owner of the organization: none is assumed.
    const root = await tokenFor(
      await userWithRole(platformOrgId, 'root@platform.test', 'platform-admin'),
    );
    const unnamed = await call(
      'POST',
      `/orgs/${acme}/roles`,
      root,
      roleBody('ops', ['users.read']),
    );
    assert.equal(unnamed.status, 400, unnamed.text);
    assert.equal(json(unnamed).code, 'api.owner_required');
    const rows = await withPlatform(world.core.database, (tx) =>
      tx.selectFrom('roles').select(['key', 'owner_user_id']).where('org_id', '=', acme).execute(),
    );
    assert.deepEqual(
      rows.filter((r) => ['owned', 'ops'].includes(r.key)),
      [{ key: 'owned', owner_user_id: member.id }],
    );
  });

  it('lets a key of the platform organization act on every organization', async () => {
    const root = await userWithRole(platformOrgId, 'ops@platform.test', 'platform-admin');
    const { token } = await withPlatform(world.core.database, (tx) =>
      world.auth.apiKeys.create(
        tx,
        platformOrgId,
        { name: 'fleet reporting', permissions: ['users.read'] },
        { userId: root.id, orgId: platformOrgId },
        { type: 'user', id: root.id },
      ),
    );
    for (const orgId of [acme, globex]) {
      const res = await call('GET', `/orgs/${orgId}/users`, token);
      assert.equal(res.status, 200, res.text);
      const emails = json<{ items: { email: string }[] }>(res).items.map((u) => u.email);
      assert.ok(
        emails.length > 0 &&
          emails.every((e) => e.endsWith(orgId === acme ? '@acme.test' : '@globex.test')),
      );
    }
    // With its own permissions only.
    assert.equal(
      (await call('POST', `/orgs/${globex}/users/${member.id}/suspend`, token)).status,
      403,
    );
  });
});
