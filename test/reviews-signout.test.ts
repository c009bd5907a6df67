import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import type { User } from '../src/identity/index.ts';
import { withOrg } from '../src/platform/index.ts';
import { type OidcWorld, startAdminApiWorld } from './support/admin-api.ts';
import { inOwnTransactions } from './support/in-org.ts';
import { invalidGrant, redirectUri } from './support/oidc.ts';
import { signedInAdmin } from './support/signed-in-admin.ts';

type ApiWorld = Awaited<ReturnType<typeof startAdminApiWorld>>;

/**
 * Closing a campaign ends what relied on a revoked role (docs/reviews.md#close): the user's
 * browser session and refresh token are refused, while the account stays active and a user
 * whose access was kept stays signed in.
 */
describe('a review that revokes a role signs its holder out', () => {
  let world: OidcWorld;
  let userWithRole: ApiWorld['userWithRole'];
  let owner: User;
  let rp: oidc.Configuration;
  const password = 'Correct-Horse-Battery-9';

  before(async () => {
    ({ world, userWithRole } = await startAdminApiWorld({ totp: false }));
    owner = await userWithRole(world.orgId, 'owner@acme.test', 'org-owner');
    const registered = await world.createClient({
      name: 'Acme Web',
      kind: 'web',
      firstParty: true,
      redirectUris: [redirectUri],
    });
    rp = await oidc.discovery(new URL(world.base), registered.id, registered.secret);
  });
  after(() => world.close());

  const signedIn = (email: string) => signedInAdmin(world, userWithRole, rp, email, password);

  it('ends the revoked user’s session and refresh token, not the kept one’s', async () => {
    const revoked = await signedIn('leaving@acme.test');
    const kept = await signedIn('staying@acme.test');
    const reviews = inOwnTransactions(world.core.database, world.auth.reviews);
    const dueAt = new Date(Date.now() + 86_400_000);
    const campaign = await reviews.launch(
      world.orgId,
      { scope: { kind: 'privileged_roles' }, name: 'Admins', dueAt },
      { type: 'user', id: owner.id },
    );
    const { items } = await reviews.record(world.orgId, campaign.id);
    const keptItem = items.find((i) => i.subject.id === kept.user.id);
    assert.equal(keptItem?.reviewer?.id, owner.id);
    await reviews.decide(
      world.orgId,
      [keptItem?.id ?? ''],
      { decision: 'keep', justification: 'On call this quarter' },
      { type: 'user', id: owner.id },
    );
    // The leaving admin's item stays undecided: the privileged scope's policy revokes it.
    await reviews.close(world.orgId, campaign.id, { type: 'user', id: owner.id });

    const account = await revoked.browser.get('/account');
    assert.match(account.headers.location ?? '', /^\/login/, 'the session cookie');
    await assert.rejects(oidc.refreshTokenGrant(rp, revoked.refreshToken), invalidGrant);
    const [user] = await withOrg(world.core.database, world.orgId, (tx) =>
      tx.selectFrom('users').select('status').where('id', '=', revoked.user.id).execute(),
    );
    assert.equal(user?.status, 'active', 'a review revokes access, not the account');
    const ended = await withOrg(world.core.database, world.orgId, (tx) =>
      tx
        .selectFrom('sessions')
        .select('end_reason')
        .where('user_id', '=', revoked.user.id)
        .execute(),
    );
    assert.deepEqual(
      ended.map((s) => s.end_reason),
      ['privilege_change'],
    );

    assert.equal((await kept.browser.get('/account')).status, 200);
    const refreshed = await oidc.refreshTokenGrant(rp, kept.refreshToken);
    assert.ok(refreshed.access_token);
  });
});
