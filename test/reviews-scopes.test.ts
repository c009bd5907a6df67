import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { User } from '../src/identity/index.ts';
import {
  type AuditActor,
  fixedClock,
  isAppError,
  operatorActor,
  withOrg,
} from '../src/platform/index.ts';
import type { Reviews } from '../src/reviews/index.ts';
import { authServices } from './support/auth.ts';
import { openTestCore, type TestCore } from './support/core.ts';
import { type InOwnTransactions, inOwnTransactions } from './support/in-org.ts';

/**
 * Access reviews beyond roles (docs/reviews.md): API keys reviewed and revoked at close, a
 * campaign with an item nobody but its subject could review, and decisions refused as malformed.
 */
describe('access review scopes and refusals', () => {
  const clock = fixedClock(new Date('2026-12-01T09:00:00Z'));
  const dueAt = new Date('2026-12-15T17:00:00Z');
  const password = 'Correct-Horse-Battery-9';
  let core: TestCore;
  let auth: ReturnType<typeof authServices>;
  let reviews: InOwnTransactions<Reviews>;
  let acme: string;
  let owner: User;
  let alice: User;
  const as = (u: User): AuditActor => ({ type: 'user', id: u.id });
  const refused = (code: string) => (err: unknown) => isAppError(err) && err.code === code;

  // rbac's own assignment in a transaction of its own.
  const grant = (user: User, roleKey: string, orgId = acme) =>
    auth.rbac.assignIn({ orgId, userId: user.id, roleKey, reason: 'test' }, operatorActor);
  const rolesOf = async (user: User, orgId: string) =>
    (
      await withOrg(core.database, orgId, (tx) =>
        tx
          .selectFrom('role_assignments')
          .select('role_key')
          .where('user_id', '=', user.id)
          .execute(),
      )
    ).map((r) => r.role_key);

  before(async () => {
    core = await openTestCore({ clock });
    auth = authServices(core);
    reviews = inOwnTransactions(core.database, auth.reviews);
    acme = await core.createOrg('acme');
    owner = await auth.createUser(acme, 'owner@acme.test', password);
    alice = await auth.createUser(acme, 'alice@acme.test', password);
    await grant(owner, 'org-owner');
    await grant(alice, 'org-admin');
  });
  after(() => core.close());

  it('reviews API keys: an undecided key is revoked at close, its revocation time recorded', async () => {
    await withOrg(core.database, acme, (tx) =>
      auth.apiKeys.create(
        tx,
        acme,
        { name: 'alice script', permissions: ['users.read', 'users.deactivate'] },
        { userId: alice.id, orgId: acme },
        as(alice),
      ),
    );
    const keys = await reviews.launch(
      acme,
      { scope: { kind: 'api_keys' }, name: 'Keys', dueAt },
      as(owner),
    );
    assert.equal(keys.undecidedPolicy, 'revoke');
    const [keyItem, ...others] = (await reviews.record(acme, keys.id)).items;
    assert.equal(others.length, 0);
    assert.equal(keyItem?.apiKeyName, 'alice script');
    assert.equal(keyItem?.privileged, true, 'users.deactivate is a high-risk permission');
    assert.equal(keyItem?.subject.id, alice.id);
    assert.equal(keyItem?.reviewer?.id, owner.id);
    // A key is kept or revoked, not reduced.
    await assert.rejects(
      reviews.decide(
        acme,
        [keyItem?.id ?? ''],
        { decision: 'reduce', droppedRoleKeys: ['org-admin'] },
        as(owner),
      ),
      refused('review.reduce_invalid'),
    );
    clock.set(new Date('2026-12-02T09:00:00Z'));
    await reviews.close(acme, keys.id, as(owner));
    const [key] = await withOrg(core.database, acme, (tx) =>
      tx.selectFrom('api_keys').select('revoked_at').where('name', '=', 'alice script').execute(),
    );
    assert.deepEqual(key?.revoked_at, new Date('2026-12-02T09:00:00Z'));
    const [closed] = (await reviews.record(acme, keys.id)).items;
    assert.deepEqual([closed?.outcome, closed?.revokedAt], ['revoked', key?.revoked_at]);
  });

  it('refuses malformed decisions and reassignments with a specific error', async () => {
    const { id } = await reviews.launch(
      acme,
      { scope: { kind: 'privileged_roles' }, name: 'Admins', dueAt },
      as(owner),
    );
    const [item] = (await reviews.record(acme, id)).items.filter((i) => i.subject.id === alice.id);
    const itemId = item?.id ?? '';
    const decide = (ids: string[], input: object) =>
      reviews.decide(acme, ids, { decision: 'revoke', ...input }, as(owner));
    await assert.rejects(decide([], {}), refused('review.invalid'));
    await assert.rejects(decide(['not-a-uuid'], {}), refused('review.item_not_found'));
    await assert.rejects(decide([itemId], { decision: 'maybe' }), refused('review.invalid'));
    await assert.rejects(decide([itemId], { droppedRoleKeys: ['x'] }), refused('review.invalid'));
    await assert.rejects(
      decide([itemId], { decision: 'reduce', droppedRoleKeys: ['org-admin'] }),
      refused('review.reduce_invalid'),
    );
    await assert.rejects(
      reviews.reassign(acme, itemId, owner.id, '', as(owner)),
      refused('review.invalid'),
    );
    await assert.rejects(
      reviews.reassign(acme, itemId, '018f0000-0000-7000-8000-000000000000', 'x', as(owner)),
      refused('review.reviewer_invalid'),
    );
    // An active user who holds no role could not act on the item: not a reviewer either.
    const roleless = await auth.createUser(acme, 'roleless@acme.test', password);
    await assert.rejects(
      reviews.reassign(acme, itemId, roleless.id, 'x', as(owner)),
      refused('review.reviewer_invalid'),
    );
    const after = (await reviews.record(acme, id)).items.find((i) => i.id === itemId);
    assert.deepEqual([after?.decision, after?.reviewer?.id], [null, owner.id]);
    // The reviewer's queue holds the item until it is decided.
    const queued = async () => (await reviews.queue(acme, owner.id)).map((i) => i.id);
    assert.ok((await queued()).includes(itemId));
    await decide([itemId], {});
    assert.equal((await queued()).includes(itemId), false);
  });

  it('says when an item has nobody but its subject to review it: the close is not clean', async () => {
    const solo = await core.createOrg('solo');
    const only = await auth.createUser(solo, 'only@solo.test', password);
    await grant(only, 'org-owner', solo);
    const campaign = await reviews.launch(
      solo,
      { scope: { kind: 'privileged_roles' }, name: 'Solo', dueAt, undecided: 'keep' },
      as(only),
    );
    assert.equal(campaign.metrics.unreviewable, 1);
    const [item] = (await reviews.record(solo, campaign.id)).items;
    assert.equal(item?.reviewer, null);
    await assert.rejects(
      reviews.decide(solo, [item?.id ?? ''], { decision: 'keep', justification: 'me' }, as(only)),
      refused('review.self_review'),
    );
    const closed = await reviews.close(solo, campaign.id, as(only));
    assert.equal(closed.clean, false);
    assert.deepEqual(await rolesOf(only, solo), ['org-owner'], 'kept by the campaign policy');
  });
});
