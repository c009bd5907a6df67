import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import type { User } from '../src/identity/index.ts';
import type { DeactivationRequest } from '../src/lifecycle/index.ts';
import { operatorActor, withOrg, withPlatform } from '../src/platform/index.ts';
import { type OidcWorld, startAdminApiWorld } from './support/admin-api.ts';
import { browserLike } from './support/http.ts';
import { invalidGrant, offlineSignIn, redirectUri } from './support/oidc.ts';

type ApiWorld = Awaited<ReturnType<typeof startAdminApiWorld>>;
type Status = 'suspended' | 'deprovisioned';

/**
 * The one deactivation path (docs/lifecycle.md#one-path): whichever trigger asks, the user's
 * session cookie, refresh token, access token (introspection), the API keys they created and
 * their roles are denied at once, and one deprovisioning record says who asked, when, and when
 * each surface was denied.
 */
describe('every deactivation takes the one path', () => {
  let world: OidcWorld;
  let call: ApiWorld['call'];
  let userWithRole: ApiWorld['userWithRole'];
  let adminToken: string;
  let admin: User;
  let rp: oidc.Configuration;
  const password = 'Correct-Horse-Battery-9';

  before(async () => {
    let tokenFor: ApiWorld['tokenFor'];
    ({ world, call, tokenFor, userWithRole } = await startAdminApiWorld({ totp: false }));
    admin = await userWithRole(world.orgId, 'admin@acme.test', 'org-admin');
    adminToken = await tokenFor(admin);
    const registered = await world.createClient({
      name: 'Acme Web',
      kind: 'web',
      firstParty: true,
      redirectUris: [redirectUri],
    });
    rp = await oidc.discovery(new URL(world.base), registered.id, registered.secret);
  });
  after(() => world.close());

  /** A user signed in everywhere: a browser session, OAuth tokens, an API key of their own. */
  async function leaverSignedIn(email: string) {
    const user = await userWithRole(world.orgId, email, 'org-auditor');
    // And a role the directory granted (a SCIM group's), besides the administrator's.
    await withOrg(world.core.database, world.orgId, (tx) =>
      world.auth.rbac.assign(
        tx,
        {
          orgId: world.orgId,
          userId: user.id,
          roleKey: 'member',
          reason: 'group Staff',
          source: 'scim',
        },
        null,
        operatorActor,
      ),
    );
    assert.deepEqual((await assignmentsOf(user.id)).map((a) => a.role_key).sort(), [
      'member',
      'org-auditor',
    ]);
    const browser = browserLike(world.base);
    const tokens = await offlineSignIn(rp, (url) =>
      world.authorize(url, browser, { email, password }),
    );
    const { token: apiKey } = await withOrg(world.core.database, world.orgId, (tx) =>
      world.auth.apiKeys.create(
        tx,
        world.orgId,
        { name: `${email}'s script`, permissions: ['users.read'] },
        { userId: user.id, orgId: world.orgId },
        { type: 'user', id: user.id },
      ),
    );
    const signedIn = {
      user,
      browser,
      accessToken: tokens.access_token,
      refreshToken: tokens.refresh_token,
      apiKey,
    };
    await assertAccess(signedIn, true);
    return signedIn;
  }
  type SignedIn = Awaited<ReturnType<typeof leaverSignedIn>>;

  /** Whether each surface lets the user in: all of them, or none. */
  async function assertAccess(s: SignedIn, granted: boolean) {
    const account = await s.browser.get('/account');
    if (granted) assert.equal(account.status, 200, 'the session cookie');
    else assert.match(account.headers.location ?? '', /^\/login/, 'the session cookie');
    const introspected = await oidc.tokenIntrospection(rp, s.accessToken);
    assert.equal(introspected.active, granted, 'introspection of the access token');
    const listed = await call('GET', `/orgs/${world.orgId}/users`, s.apiKey);
    assert.equal(listed.status, granted ? 200 : 401, `the API key: ${listed.text}`);
    if (granted) return;
    // Last: a refresh token that works would rotate, and the next check would hold the old one.
    await assert.rejects(oidc.refreshTokenGrant(rp, s.refreshToken), invalidGrant);
  }

  const assignmentsOf = (userId: string) =>
    withOrg(world.core.database, world.orgId, (tx) =>
      tx.selectFrom('role_assignments').select('role_key').where('user_id', '=', userId).execute(),
    );
  const recordsOf = (userId: string) =>
    withOrg(world.core.database, world.orgId, (tx) =>
      tx
        .selectFrom('deprovisionings')
        .selectAll()
        .where('user_id', '=', userId)
        .orderBy('denied_at')
        .execute(),
    );
  const eventsOf = (userId: string, action: string) =>
    withPlatform(world.core.database, (tx) =>
      tx
        .selectFrom('audit_events')
        .select(['details', 'actor_type', 'actor_id'])
        .where('target_id', '=', userId)
        .where('action', '=', action)
        .execute(),
    ).then((rows) =>
      rows.map((r) => ({
        ...r,
        details: typeof r.details === 'string' ? JSON.parse(r.details) : r.details,
      })),
    );

  /** Everything the deactivation must leave behind, whichever trigger asked. */
  async function assertDenied(s: SignedIn, status: Status, source: string, asked: Date) {
    await assertAccess(s, false);
    const roles = (await assignmentsOf(s.user.id)).map((a) => a.role_key);
    // A suspended user keeps the roles an administrator gave (for their return), not the
    // directory's; a leaver none.
    assert.deepEqual(roles, status === 'suspended' ? ['org-auditor'] : []);
    const [record, ...more] = await recordsOf(s.user.id);
    assert.equal(more.length, 0, 'one record per deactivation');
    assert.ok(record);
    assert.equal(record.status, status);
    assert.equal(record.source, source);
    assert.equal(record.requested_at.getTime(), asked.getTime());
    assert.ok(record.denied_at.getTime() >= Date.now() - 60_000, 'denied just now');
    assert.ok(record.oauth_revoked_at, 'OAuth revocation recorded');
    assert.ok(record.oauth_revoked_at.getTime() >= record.denied_at.getTime());
    const [event] = await eventsOf(s.user.id, `user.${status}`);
    assert.deepEqual(event?.details, {
      source,
      before: { status: 'active' },
      after: { status },
    });
    return record;
  }

  for (const status of ['suspended', 'deprovisioned'] as const) {
    const action = status === 'suspended' ? 'suspend' : 'deprovision';
    it(`admin API ${action}: every surface denied, recorded as the administrator's`, async () => {
      const s = await leaverSignedIn(`${action}.api@acme.test`);
      const before = Date.now();
      const res = await call(
        'POST',
        `/orgs/${world.orgId}/users/${s.user.id}/${action}`,
        adminToken,
      );
      assert.equal(res.status, 200, res.text);
      assert.equal(res.json().status, status);
      const records = await recordsOf(s.user.id);
      const asked = records[0]?.requested_at ?? new Date(0);
      assert.ok(asked.getTime() >= before - 1000, 'asked now');
      const record = await assertDenied(s, status, 'admin', asked);
      assert.equal(record.actor_type, 'user');
      assert.equal(record.actor_id, admin.id);
      assert.equal(record.actor_label, 'admin@acme.test');
    });
  }

  const direct: [DeactivationRequest['source'], Status][] = [
    ['scim', 'suspended'],
    ['schedule', 'deprovisioned'],
    ['dormant', 'suspended'],
    ['review', 'deprovisioned'],
  ];
  for (const [source, status] of direct) {
    it(`${source} (${status}): the same path, the record names the source`, async () => {
      const s = await leaverSignedIn(`${source}@acme.test`);
      // The schedule asks at the end date (an hour ago); the others now.
      const asked = new Date(Date.now() - (source === 'schedule' ? 3_600_000 : 0));
      await withOrg(world.core.database, world.orgId, (tx) =>
        world.auth.lifecycle.deactivate(tx, s.user.id, status, operatorActor, {
          source,
          requestedAt: asked,
        }),
      );
      const record = await assertDenied(s, status, source, asked);
      assert.equal(record.actor_type, 'operator');
      assert.equal(record.actor_id, 'cli');
    });
  }

  it('records each change of status once: a repeated request and a refused one add nothing', async () => {
    const s = await leaverSignedIn('twice@acme.test');
    const path = `/orgs/${world.orgId}/users/${s.user.id}`;
    assert.equal((await call('POST', `${path}/suspend`, adminToken)).status, 200);
    // The directory sends active:false again: signed out again, no second leaver.
    await withOrg(world.core.database, world.orgId, (tx) =>
      world.auth.lifecycle.deactivate(tx, s.user.id, 'suspended', operatorActor, {
        source: 'scim',
      }),
    );
    assert.equal((await call('POST', `${path}/deprovision`, adminToken)).status, 200);
    const again = await call('POST', `${path}/suspend`, adminToken);
    assert.equal(again.status, 409, again.text);
    assert.equal(again.json().code, 'user.deprovisioned');
    const records = await recordsOf(s.user.id);
    assert.deepEqual(
      records.map((r) => [r.status, r.source]),
      [
        ['suspended', 'admin'],
        ['deprovisioned', 'admin'],
      ],
    );
    for (const r of records) assert.ok(r.oauth_revoked_at, 'each completed');
  });

  it('reactivation is audited with its source and before/after, and a joiner with the account after', async () => {
    const s = await leaverSignedIn('back@acme.test');
    const path = `/orgs/${world.orgId}/users/${s.user.id}`;
    assert.equal((await call('POST', `${path}/suspend`, adminToken)).status, 200);
    assert.equal((await call('POST', `${path}/reactivate`, adminToken)).status, 200);
    const [reactivated] = await eventsOf(s.user.id, 'user.reactivated');
    assert.deepEqual(reactivated?.details, {
      source: 'admin',
      before: { status: 'suspended' },
      after: { status: 'active' },
    });
    const [created] = await eventsOf(s.user.id, 'user.created');
    assert.equal(created?.details.before, null);
    assert.equal(created?.details.after.email, 'back@acme.test');
    assert.equal(created?.details.after.status, 'active');
  });
});
