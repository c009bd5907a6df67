import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import type { User } from '../src/identity/index.ts';
import {
  type AuditActor,
  isAppError,
  operatorActor,
  withOrg,
  withPlatform,
} from '../src/platform/index.ts';
import { type OidcWorld, startAdminApiWorld } from './support/admin-api.ts';
import { browserLike } from './support/http.ts';
import { inOwnTransactions } from './support/in-org.ts';
import { invalidGrant, redirectUri } from './support/oidc.ts';

type ApiWorld = Awaited<ReturnType<typeof startAdminApiWorld>>;

/**
 * A review of the users of one OAuth client (docs/reviews.md#scopes): the snapshot lists the
 * organization's users holding a live grant to it with the scopes granted, and a revocation at
 * close takes the user's grant and refresh token away, while a kept user's and another
 * organization's stay. A client that is not the organization's is refused at launch.
 */
describe('access reviews of an OAuth client’s users', () => {
  let world: OidcWorld;
  let userWithRole: ApiWorld['userWithRole'];
  let owner: User;
  let globex: string;
  let wiki: { id: string; rp: oidc.Configuration };
  let chat: { id: string; rp: oidc.Configuration };
  let globexApp: { id: string; rp: oidc.Configuration };
  const password = 'Correct-Horse-Battery-9';
  const as = (u: User): AuditActor => ({ type: 'user', id: u.id });
  const refused = (code: string) => (err: unknown) => isAppError(err) && err.code === code;
  const dueAt = () => new Date(Date.now() + 86_400_000);

  async function register(orgId: string, name: string) {
    const { client, secret } = await withOrg(world.core.database, orgId, (tx) =>
      world.auth.oauth.clients.create(
        tx,
        orgId,
        { name, kind: 'web', firstParty: true, redirectUris: [redirectUri] },
        operatorActor,
      ),
    );
    const rp = await oidc.discovery(new URL(world.base), client.id, secret ?? '');
    return { id: client.id, rp };
  }

  /** A code flow with refresh token at `rp` as `email`, granting `scope`. */
  async function consent(rp: oidc.Configuration, email: string, scope: string) {
    const verifier = oidc.randomPKCECodeVerifier();
    const url = oidc.buildAuthorizationUrl(rp, {
      redirect_uri: redirectUri,
      scope,
      prompt: 'consent',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    });
    const callback = await world.authorize(url, browserLike(world.base), { email, password });
    const tokens = await oidc.authorizationCodeGrant(rp, callback, { pkceCodeVerifier: verifier });
    assert.ok(tokens.refresh_token);
    return tokens.refresh_token;
  }

  const clientsGranted = async (user: User) =>
    (await world.auth.oauth.grantsOf(user.id)).map((g) => g.clientId);
  const campaignsOf = (orgId: string) =>
    withOrg(world.core.database, orgId, (tx) =>
      tx.selectFrom('review_campaigns').select('id').execute(),
    );

  before(async () => {
    ({ world, userWithRole } = await startAdminApiWorld({ totp: false }));
    owner = await userWithRole(world.orgId, 'owner@acme.test', 'org-owner');
    globex = await world.core.createOrg('globex');
    wiki = await register(world.orgId, 'Acme Wiki');
    chat = await register(world.orgId, 'Acme Chat');
    globexApp = await register(globex, 'Globex Portal');
  });
  after(() => world.close());

  it('reviews the users holding a grant to the client, revokes one at close, keeps the other', async () => {
    const ann = await userWithRole(world.orgId, 'ann@acme.test', 'member');
    const ben = await userWithRole(world.orgId, 'ben@acme.test', 'member');
    const carl = await userWithRole(globex, 'carl@globex.test', 'member');
    const annRefresh = await consent(wiki.rp, ann.email, 'openid offline_access');
    const annChat = await consent(chat.rp, ann.email, 'openid offline_access');
    const benRefresh = await consent(wiki.rp, ben.email, 'openid offline_access roles');
    const carlRefresh = await consent(globexApp.rp, carl.email, 'openid offline_access');
    // Ben is an administrator now: the wiki sees his roles, so his item is privileged.
    await world.auth.rbac.assignIn(
      { orgId: world.orgId, userId: ben.id, roleKey: 'org-admin', reason: 'on call' },
      operatorActor,
    );

    const reviews = inOwnTransactions(world.core.database, world.auth.reviews);
    const campaign = await reviews.launch(
      world.orgId,
      { scope: { kind: 'client_users', clientId: wiki.id }, name: 'Wiki users', dueAt: dueAt() },
      as(owner),
    );
    assert.equal(campaign.undecidedPolicy, 'keep');
    const { items } = await reviews.record(world.orgId, campaign.id);
    const listed = items.map((i) => [i.subject.email, i.clientId, i.permissions, i.privileged]);
    assert.deepEqual(listed.sort(), [
      ['ann@acme.test', wiki.id, ['offline_access', 'openid'], false],
      ['ben@acme.test', wiki.id, ['offline_access', 'openid', 'roles'], true],
    ]);
    const annItem = items.find((i) => i.subject.id === ann.id);
    const benItem = items.find((i) => i.subject.id === ben.id);
    assert.ok(annItem && benItem);
    assert.deepEqual([annItem.grantedBy, annItem.source, annItem.roleKey], [ann.id, 'admin', null]);
    // A client has no owner; nobody here has a manager: the organization's admins review.
    assert.equal(annItem.reviewerBasis, 'admin');
    assert.equal(benItem.reviewer?.id, owner.id, 'ben holds reviews.manage but is the subject');

    const reviewerOf = (item: typeof annItem): AuditActor => ({
      type: 'user',
      id: item.reviewer?.id ?? '',
    });
    await reviews.decide(world.orgId, [annItem.id], { decision: 'revoke' }, reviewerOf(annItem));
    await assert.rejects(
      reviews.decide(world.orgId, [benItem.id], { decision: 'keep' }, as(owner)),
      refused('review.justification_required'),
    );
    await reviews.decide(
      world.orgId,
      [benItem.id],
      { decision: 'keep', justification: 'Runs the wiki' },
      as(owner),
    );
    await reviews.close(world.orgId, campaign.id, as(owner));

    await assert.rejects(oidc.refreshTokenGrant(wiki.rp, annRefresh), invalidGrant);
    assert.deepEqual(await clientsGranted(ann), [chat.id], 'the account page lists no wiki grant');
    // Losing one application signs nobody out of the others.
    assert.ok((await oidc.refreshTokenGrant(chat.rp, annChat)).access_token);
    const closed = (await reviews.record(world.orgId, campaign.id)).items;
    assert.deepEqual(closed.find((i) => i.id === annItem.id)?.outcome, 'revoked');
    const [revoked] = await withPlatform(world.core.database, (tx) =>
      tx
        .selectFrom('audit_events')
        .select('details')
        .where('action', '=', 'oauth.consent.revoked')
        .where('target_id', '=', ann.id)
        .execute(),
    );
    assert.match(revoked?.details ?? '', new RegExp(`access review ${campaign.id}`));

    assert.ok((await oidc.refreshTokenGrant(wiki.rp, benRefresh)).access_token);
    assert.deepEqual(await clientsGranted(ben), [wiki.id]);
    assert.ok((await oidc.refreshTokenGrant(globexApp.rp, carlRefresh)).access_token);
    assert.deepEqual(await clientsGranted(carl), [globexApp.id]);
  });

  it('refuses a client that is not the organization’s, an unknown one, or none, writing nothing', async () => {
    const reviews = inOwnTransactions(world.core.database, world.auth.reviews);
    const before = await campaignsOf(world.orgId);
    const launch = (scope: object) =>
      reviews.launch(
        world.orgId,
        { scope: { kind: 'client_users', ...scope }, name: 'Users', dueAt: dueAt() },
        as(owner),
      );
    const clientIdRefused = (err: unknown) =>
      refused('review.invalid')(err) && (err as Error).message.startsWith('scope.clientId:');
    await assert.rejects(launch({ clientId: globexApp.id }), clientIdRefused);
    await assert.rejects(launch({ clientId: 'no-such-client' }), clientIdRefused);
    await assert.rejects(launch({}), clientIdRefused);
    await assert.rejects(launch({ clientId: '' }), clientIdRefused);
    await assert.rejects(
      reviews.launch(
        world.orgId,
        { scope: { kind: 'api_keys', clientId: wiki.id }, name: 'Keys', dueAt: dueAt() },
        as(owner),
      ),
      clientIdRefused,
    );
    assert.deepEqual(await campaignsOf(world.orgId), before);
  });
});
