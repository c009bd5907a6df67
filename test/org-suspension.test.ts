import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import type { User } from '../src/identity/index.ts';
import { operatorActor, platformOrgId, withOrg, withPlatform } from '../src/platform/index.ts';
import { type OidcWorld, startAdminApiWorld } from './support/admin-api.ts';
import { invalidGrant, offlineSignIn, redirectUri } from './support/oidc.ts';

type ApiWorld = Awaited<ReturnType<typeof startAdminApiWorld>>;

const client = { ip: '198.51.100.40', userAgent: 'org-suspension-test' };

/**
 * An organization's suspension (docs/oidc.md#deactivation): by a platform administrator only,
 * never the platform's; it signs every user of the organization out at once, and while it lasts
 * no sign-in, access token or API key of the organization is accepted.
 */
describe('suspending and reactivating an organization', () => {
  let world: OidcWorld;
  let call: ApiWorld['call'];
  let tokenFor: ApiWorld['tokenFor'];
  let root: string;
  let orgAdmin: User;
  let apiKey: string;
  let rp: oidc.Configuration;

  /** Every audit event of `action`, with its organization and details. */
  const events = (action: string) =>
    withPlatform(world.core.database, (tx) =>
      tx
        .selectFrom('audit_events')
        .select(['org_id', 'target_id', 'details'])
        .where('action', '=', action)
        .execute(),
    ).then((rows) =>
      rows.map((r) => ({
        orgId: r.org_id,
        targetId: r.target_id,
        details: (typeof r.details === 'string' ? JSON.parse(r.details) : r.details) as Record<
          string,
          unknown
        >,
      })),
    );
  const liveSessionsOf = (userId: string) =>
    withPlatform(world.core.database, (tx) =>
      tx
        .selectFrom('sessions')
        .select('id')
        .where('user_id', '=', userId)
        .where('ended_at', 'is', null)
        .execute(),
    );
  const usersOfAcme = () => call('GET', `/orgs/${world.orgId}/users`, apiKey);
  const passwordStep = (password: string) =>
    world.auth.signIn.passwordStep({ email: world.email, password }, client);

  before(async () => {
    let userWithRole: ApiWorld['userWithRole'];
    ({ world, call, tokenFor, userWithRole } = await startAdminApiWorld());
    root = await tokenFor(
      await userWithRole(platformOrgId, 'root@platform.test', 'platform-admin'),
    );
    orgAdmin = await userWithRole(world.orgId, 'admin@acme.test', 'org-admin');
    ({ token: apiKey } = await withOrg(world.core.database, world.orgId, (tx) =>
      world.auth.apiKeys.create(
        tx,
        world.orgId,
        { name: 'HR sync', permissions: ['users.read'] },
        null,
        operatorActor,
      ),
    ));
    const registered = await world.createClient({
      name: 'Acme Web',
      kind: 'web',
      firstParty: true,
      redirectUris: [redirectUri],
    });
    rp = await oidc.discovery(new URL(world.base), registered.id, registered.secret);
  });
  after(() => world.close());

  it('is for platform administrators only, and never of the platform organization', async () => {
    const asOrgAdmin = await call(
      'POST',
      `/orgs/${world.orgId}/suspend`,
      await tokenFor(orgAdmin),
      {
        reason: 'mine',
      },
    );
    assert.equal(asOrgAdmin.status, 403, asOrgAdmin.text);
    assert.equal(asOrgAdmin.json().code, 'rbac.forbidden');
    const platform = await call('POST', `/orgs/${platformOrgId}/suspend`, root, { reason: 'x' });
    assert.equal(platform.status, 400, platform.text);
    assert.equal(platform.json().code, 'org.platform_fixed');
    const noReason = await call('POST', `/orgs/${world.orgId}/suspend`, root, {});
    assert.equal(noReason.status, 400, noReason.text);
    assert.deepEqual(
      noReason.json().errors.map((e: { path: string }) => e.path),
      ['reason'],
    );
    const active = await call('POST', `/orgs/${world.orgId}/reactivate`, root, {});
    assert.equal(active.status, 409, active.text);
    assert.equal(active.json().code, 'org.status_unchanged');
    assert.equal((await usersOfAcme()).status, 200, 'nothing changed');
  });

  it('signs its users out everywhere, and refuses their sign-in, tokens and its API keys', async () => {
    // Dana signs in at a relying party (a Vigil session, a refresh token) before the suspension.
    const tokens = await offlineSignIn(rp, (url) => world.authorize(url));
    assert.ok((await liveSessionsOf(world.user.id)).length > 0);
    const adminToken = await tokenFor(orgAdmin);
    assert.equal((await call('GET', `/orgs/${world.orgId}/users`, adminToken)).status, 200);
    assert.equal((await usersOfAcme()).status, 200);
    const wrongPassword = await passwordStep('not-the-password');
    const midway = await passwordStep(world.password);
    assert.equal(midway.kind, 'continue', 'past the password, at the second factor');

    const suspended = await call('POST', `/orgs/${world.orgId}/suspend`, root, {
      reason: 'contract ended',
    });
    assert.equal(suspended.status, 200, suspended.text);
    assert.equal(suspended.json().status, 'suspended');

    // Ended at once: the session, the refresh token; refused: the access token, the API key.
    assert.deepEqual(await liveSessionsOf(world.user.id), []);
    await assert.rejects(oidc.refreshTokenGrant(rp, tokens.refresh_token), invalidGrant);
    const refusedToken = await call('GET', `/orgs/${world.orgId}/users`, adminToken);
    assert.equal(refusedToken.status, 401, refusedToken.text);
    assert.equal((await usersOfAcme()).status, 401, 'its API key is refused');
    // The right password answers as a wrong one did before, and the reason is audited.
    assert.deepEqual(await passwordStep(world.password), wrongPassword);
    // A sign-in already past its password cannot finish either.
    const flowToken = midway.kind === 'continue' ? midway.flowToken : '';
    await assert.rejects(world.auth.signIn.secondFactorStep(flowToken, '000000', client));
    const failed = await events('auth.login.failed');
    assert.ok(failed.some((e) => e.details.reason === 'organization_suspended'));
    // The users keep their own status; the organization's shows in the list.
    const dana = await world.auth.identity.activeUserById(world.user.id);
    assert.equal(dana, undefined);
    const listed = await call('GET', '/orgs', root);
    const acme = listed.json().items.find((o: { id: string }) => o.id === world.orgId);
    assert.equal(acme.status, 'suspended');
    const again = await call('POST', `/orgs/${world.orgId}/suspend`, root, { reason: 'twice' });
    assert.equal(again.status, 409, again.text);

    // Audited in the platform's log and the organization's, with the reason.
    const audited = await events('org.suspended');
    assert.deepEqual(audited.map((e) => e.orgId).sort(), [platformOrgId, world.orgId].sort());
    for (const e of audited) {
      assert.equal(e.targetId, world.orgId);
      assert.equal(e.details.reason, 'contract ended');
    }
    const revoked = await events('oauth.access.revoked');
    assert.ok(
      revoked.some(
        (e) => e.targetId === world.user.id && e.details.reason === 'organization_suspended',
      ),
    );
  });

  it('reactivates: sign-in and API keys work again, what was revoked stays revoked', async () => {
    const reactivated = await call('POST', `/orgs/${world.orgId}/reactivate`, root, {
      reason: 'contract renewed',
    });
    assert.equal(reactivated.status, 200, reactivated.text);
    assert.equal(reactivated.json().status, 'active');
    assert.equal((await usersOfAcme()).status, 200, 'the API key works again');
    assert.notEqual((await passwordStep(world.password)).kind, 'failed');
    const audited = await events('org.reactivated');
    assert.equal(audited.length, 2);
    for (const e of audited) assert.equal(e.details.reason, 'contract renewed');
    // The refresh token revoked by the suspension does not come back.
    const refreshTokens = await withPlatform(world.core.database, (tx) =>
      tx
        .selectFrom('oidc_models')
        .select('id')
        .where('model', '=', 'RefreshToken')
        .where('account_id', '=', world.user.id)
        .execute(),
    );
    assert.deepEqual(refreshTokens, []);
  });
});
