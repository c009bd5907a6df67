import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { User } from '../src/identity/index.ts';
import { operatorActor, withOrg } from '../src/platform/index.ts';
import { type OidcWorld, startAdminApiWorld } from './support/admin-api.ts';
import { inject } from './support/http.ts';

type Api = Awaited<ReturnType<typeof startAdminApiWorld>>;

const json = <T = Record<string, unknown>>(res: { text: string }) => JSON.parse(res.text) as T;

interface TokenBody {
  id: string;
  name: string;
  createdBy: string | null;
  expiresAt: string;
  revokedAt: string | null;
  revokedBy: string | null;
  lastUsedAt: string | null;
}

/** The directory's tokens and group roles through the admin API (docs/admin-api.md#scim). */
describe('admin API: SCIM tokens and group roles', () => {
  let world: OidcWorld;
  let call: Api['call'];
  let userWithRole: Api['userWithRole'];
  let tokenFor: Api['tokenFor'];
  let acme: string;
  let globex: string;
  let adminUser: User;
  let admin: string;
  let auditor: string;
  let globexAdmin: string;

  /** A request to acme's SCIM root, in-process, with `token` as its bearer. */
  const scim = (path: string, token: string) =>
    inject(world.server.app, `/scim/v2/acme${path}`, {
      method: 'GET',
      headers: { authorization: `Bearer ${token}` },
    });

  before(async () => {
    ({ world, call, userWithRole, tokenFor } = await startAdminApiWorld());
    acme = world.orgId;
    globex = await world.core.createOrg('globex');
    adminUser = await userWithRole(acme, 'admin@acme.test', 'org-admin');
    admin = await tokenFor(adminUser);
    auditor = await tokenFor(await userWithRole(acme, 'auditor@acme.test', 'org-auditor'));
    globexAdmin = await tokenFor(await userWithRole(globex, 'admin@globex.test', 'org-admin'));
  });
  after(() => world.close());

  it('creates a token shown once, lists it without its secret, and revokes it', async () => {
    const path = `/orgs/${acme}/scim-tokens`;
    const created = await call('POST', path, admin, { name: 'Entra ID' });
    assert.equal(created.status, 201, created.text);
    const { scimToken, token } = json<{ scimToken: TokenBody; token: string }>(created);
    assert.match(token, /^vigil_scim_[0-9a-f-]{36}\.[\w-]{43}$/);
    assert.equal(scimToken.createdBy, adminUser.id);
    assert.equal(scimToken.name, 'Entra ID');
    const secret = token.split('.')[1] ?? '-';

    // The token works for SCIM (last use recorded), and never appears again.
    const users = await scim('/Users', token);
    assert.equal(users.status, 200, users.text);
    const listed = await call('GET', path, admin);
    assert.equal(listed.status, 200);
    assert.ok(!listed.text.includes(secret) && !listed.text.includes('secret'));
    const [item] = json<{ items: TokenBody[] }>(listed).items;
    assert.equal(item?.id, scimToken.id);
    assert.ok(item?.lastUsedAt);

    const revoked = await call('POST', `${path}/${scimToken.id}/revoke`, admin);
    assert.equal(revoked.status, 200, revoked.text);
    assert.equal(json<TokenBody>(revoked).revokedBy, adminUser.id);
    assert.equal((await scim('/Users', token)).status, 401, 'refused once revoked');
    const again = await call('POST', `${path}/${scimToken.id}/revoke`, admin);
    assert.equal(again.status, 409);
    assert.equal(json(again).code, 'scim.token_revoked');
  });

  it('a SCIM token is no admin API credential, and an API key no SCIM one', async () => {
    const { token } = await world.auth.scimTokens.createInOrg(
      acme,
      { name: 'Okta' },
      operatorActor,
    );
    for (const path of [`/orgs/${acme}/users`, `/orgs/${acme}/scim-tokens`]) {
      const res = await call('GET', path, token);
      assert.equal(res.status, 401, path);
      assert.equal(json(res).code, 'api.unauthenticated');
    }
    const { token: apiKey } = await withOrg(world.core.database, acme, (tx) =>
      world.auth.apiKeys.create(
        tx,
        acme,
        { name: 'sync', permissions: ['users.read', 'scim.manage'] },
        { userId: adminUser.id, orgId: acme },
        { type: 'user', id: adminUser.id },
      ),
    );
    assert.equal((await call('GET', `/orgs/${acme}/users`, apiKey)).status, 200);
    const refused = await scim('/Users', apiKey);
    assert.equal(refused.status, 401);
    assert.equal(json(refused).scimType, undefined);
    assert.deepEqual(json(refused).schemas, ['urn:ietf:params:scim:api:messages:2.0:Error']);
    // A key acts for its creator but does not mint a directory's credential.
    const byKey = await call('POST', `/orgs/${acme}/scim-tokens`, apiKey, { name: 'k' });
    assert.equal(byKey.status, 403);
    assert.equal(json(byKey).code, 'api.user_required');
  });

  it('refuses bad input, other organizations and callers without scim.manage', async () => {
    const path = `/orgs/${acme}/scim-tokens`;
    for (const body of [
      {},
      { name: '' },
      { name: 'x', expiresInDays: 0 },
      { name: 'x', expiresInDays: 400 },
      { name: 'x', extra: 1 },
    ]) {
      const res = await call('POST', path, admin, body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.equal(res.headers['content-type'], 'application/problem+json; charset=utf-8');
    }
    assert.equal((await call('GET', path, auditor)).status, 403);
    assert.equal((await call('POST', path, auditor, { name: 'x' })).status, 403);
    assert.equal((await call('GET', path, globexAdmin)).status, 403);
    const { scimToken } = await world.auth.scimTokens.createInOrg(
      acme,
      { name: 'A' },
      operatorActor,
    );
    const other = await call(
      'POST',
      `/orgs/${globex}/scim-tokens/${scimToken.id}/revoke`,
      globexAdmin,
    );
    assert.equal(other.status, 404);
    assert.equal(json(other).code, 'scim.token_not_found');
    const unknown = `/orgs/${acme}/scim-tokens/01900000-0000-7000-8000-000000000000/revoke`;
    assert.equal((await call('POST', unknown, admin)).status, 404);
    assert.equal((await call('POST', `/orgs/${acme}/scim-tokens/nope/revoke`, admin)).status, 400);
  });

  it('maps a pushed group to roles: its members get them, with source scim', async () => {
    const alice = await world.auth.createUser(acme, 'alice@acme.test', 'Correct-Horse-Battery-9');
    // Pushed by the directory through SCIM, with its token.
    const { token } = await world.auth.scimTokens.createInOrg(acme, { name: 'HR' }, operatorActor);
    const pushed = await inject(world.server.app, '/scim/v2/acme/Groups', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/scim+json' },
      body: JSON.stringify({
        schemas: ['urn:ietf:params:scim:schemas:core:2.0:Group'],
        displayName: 'Sales',
        members: [{ value: alice.id }],
      }),
    });
    assert.equal(pushed.status, 201, pushed.text);
    const groupId = String(json(pushed).id);

    const groups = await call('GET', `/orgs/${acme}/scim-groups`, admin);
    assert.equal(groups.status, 200, groups.text);
    assert.deepEqual(json<{ items: unknown[] }>(groups).items, [
      { id: groupId, displayName: 'Sales', externalId: null, members: 1, roleKeys: [] },
    ]);
    const rolesPath = `/orgs/${acme}/scim-groups/${groupId}/roles`;
    const mapped = await call('PUT', rolesPath, admin, { roleKeys: ['member', 'org-admin'] });
    assert.equal(mapped.status, 200, mapped.text);
    assert.deepEqual(json(mapped).sync, {
      assigned: 1,
      requested: 1,
      removed: 0,
      withdrawn: 0,
      refused: 0,
    });
    const held = await call('GET', `/orgs/${acme}/assignments?userId=${alice.id}`, admin);
    assert.deepEqual(
      json<{ items: { roleKey: string; source: string }[] }>(held).items.map((a) => [
        a.roleKey,
        a.source,
      ]),
      [['member', 'scim']],
    );
    const requests = json<{ items: { user_id: string; role_key: string; source: string }[] }>(
      await call('GET', `/orgs/${acme}/access-requests`, admin),
    ).items.filter((r) => r.user_id === alice.id);
    assert.deepEqual(
      requests.map((r) => [r.role_key, r.source]),
      [['org-admin', 'scim']],
    );

    const bad = await call('PUT', rolesPath, admin, { roleKeys: ['no-such-role'] });
    assert.equal(bad.status, 400);
    assert.equal(json(bad).code, 'scim.group_roles_invalid');
    assert.equal((await call('PUT', rolesPath, admin, { roleKeys: 'member' })).status, 400);
    const elsewhere = await call(
      'PUT',
      `/orgs/${globex}/scim-groups/${groupId}/roles`,
      globexAdmin,
      {
        roleKeys: ['member'],
      },
    );
    assert.equal(elsewhere.status, 404);
    assert.equal((await call('PUT', rolesPath, auditor, { roleKeys: [] })).status, 403);

    const cleared = await call('PUT', rolesPath, admin, { roleKeys: [] });
    assert.equal(cleared.status, 200);
    assert.deepEqual(json(cleared).sync, {
      assigned: 0,
      requested: 0,
      removed: 1,
      withdrawn: 1,
      refused: 0,
    });
  });
});
