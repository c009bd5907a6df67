import assert from 'node:assert/strict';
import { operatorActor, withOrg } from '../../src/platform/index.ts';
import { startAdminApiWorld } from './admin-api.ts';
import { inject, type Response } from './http.ts';

/**
 * A provisioning replay's world (test/scim-entra-session.test.ts, test/scim-okta-session.test.ts):
 * a running Vigil whose organization owner created a SCIM token for the directory through the
 * admin API; `scim` sends the directory's requests with it, `api` reads Vigil's state as the
 * owner sees it, through the admin API only.
 */
export async function startReplayWorld(directoryName: string) {
  const admin = await startAdminApiWorld();
  const { world } = admin;
  const orgId = world.orgId;
  const owner = await admin.userWithRole(orgId, 'it-owner@acme.test', 'org-owner');
  const ownerToken = await admin.tokenFor(owner);

  async function api(method: string, path: string, body?: unknown): Promise<Response> {
    return admin.call(method, `/orgs/${orgId}${path}`, ownerToken, body);
  }
  const created = await api('POST', '/scim-tokens', { name: directoryName });
  assert.equal(created.status, 201, created.text);
  const scimToken: string = created.json().token;

  /** One request of the directory, with its bearer token, as `application/scim+json`. */
  function scim(method: string, path: string, body?: unknown): Promise<Response> {
    return inject(world.server.app, `/scim/v2/acme${path}`, {
      method,
      headers: {
        authorization: `Bearer ${scimToken}`,
        accept: 'application/scim+json',
        ...(body === undefined ? {} : { 'content-type': 'application/scim+json; charset=utf-8' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  }

  /** The answer's JSON after checking its status (the body shown when it is another). */
  function expect(res: Response, status: number) {
    assert.equal(res.status, status, `${status} expected: ${res.text.slice(0, 500)}`);
    return res.text === '' ? undefined : res.json();
  }

  /** What the admin API says of a user: status, roles with their source, requests, sessions. */
  async function stateOf(userId: string) {
    const user = expect(await api('GET', `/users/${userId}`), 200);
    const assignments = expect(await api('GET', `/assignments?userId=${userId}`), 200);
    const requests = expect(await api('GET', '/access-requests'), 200);
    const sessions = expect(await api('GET', `/users/${userId}/sessions`), 200);
    return {
      status: user.status as string,
      email: user.email as string,
      displayName: user.displayName as string,
      roles: (assignments.items as { roleKey: string; source: string }[])
        .map((a) => `${a.roleKey}:${a.source}`)
        .sort(),
      requests: (
        requests.items as { user_id: string; role_key: string; source: string; reason: string }[]
      )
        .filter((r) => r.user_id === userId)
        .map((r) => ({ role: `${r.role_key}:${r.source}`, reason: r.reason })),
      sessions: (sessions.items as unknown[]).length,
    };
  }

  /** The owner maps a group the directory pushed to roles (members synced at once). */
  async function mapGroup(groupId: string, roleKeys: string[]) {
    return expect(await api('PUT', `/scim-groups/${groupId}/roles`, { roleKeys }), 200);
  }

  /** A session of the user, as a sign-in would start it. */
  const signIn = (userId: string) =>
    withOrg(world.core.database, orgId, async (tx) => {
      const user = await world.auth.identity.findUser(tx, userId);
      assert.ok(user, `no user ${userId}`);
      return world.auth.sessions.create(
        tx,
        { user, amr: ['pwd'], acr: 'urn:vigil:acr:pwd' },
        operatorActor,
      );
    });

  return {
    world,
    orgId,
    scim,
    api,
    expect,
    stateOf,
    mapGroup,
    signIn,
    close: () => world.close(),
  };
}
